"""Helpers for the export/job tests: a small demo archive, a jobs app on the real Redis."""
from __future__ import annotations

import io
import json
import shutil
import uuid
from pathlib import Path

import pymupdf
from flask import Flask
from redis import Redis

from portal.auth.accounts import create_user
from portal.crypto import file_key, open_sealed
from portal.extensions import db
from portal.jobs.cli import make_worker
from portal.models import JobTicket

REDIS_URL = "redis://127.0.0.1:6379/0"
PASSWORD = "correct-horse-battery"
FAST_HASH = "pbkdf2:sha256:1000"
SEED = 3


def copy_archive(template: Path, target: Path) -> Path:
    shutil.copytree(template, target)
    return target


def visit_of(archive_root: Path) -> dict:
    return json.loads((archive_root / "manifest.json").read_text(encoding="utf-8"))["visits"][0]


def small_choice(visit: dict) -> list[dict]:
    """Born-digital documents only (fast without OCR): a multi-page one first, then two more."""
    digital = [d for d in visit["documents"] if not d["scanned"]]
    multi = [d for d in digital if d["pages"] > 1]
    rest = [d for d in digital if d not in multi]
    return (multi[:1] + rest)[:3]


def jobs_app(build, archive_root: Path, **overrides: object) -> Flask:
    """An app on this test's database, the demo archive, a queue of its own on real Redis."""
    config = {"ARCHIVE": str(archive_root), "REDIS_URL": REDIS_URL,
              "JOBS_QUEUE": f"test-exports-{uuid.uuid4().hex[:10]}", "JOBS_USE_OCR": False,
              "JOBS_SPLIT_PAGES": 1, "JOBS_CHUNK_PAGES": 1, "JOBS_PERIODIC": False,
              "JOBS_PROGRESS_SECONDS": 0}
    config.update(overrides)
    return build(**config)


def sign_in(app: Flask, username: str, *roles: str):  # type: ignore[no-untyped-def]
    with app.app_context():
        create_user(db.session(), username, PASSWORD, list(roles), method=FAST_HASH)
        db.session.commit()
    client = app.test_client()
    response = client.post("/auth/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.data
    return client


def run_worker(app: Flask) -> None:
    """One burst of a real RQ worker (in-process) on the app's export queue."""
    with app.app_context():
        worker = make_worker(app, (app.config["JOBS_QUEUE"],), simple=True)
        worker.work(burst=True, logging_level="WARNING")
        db.session.remove()


def drop_queue(app: Flask) -> None:
    """Delete every Redis key this test's queue and jobs made."""
    if not app.config.get("REDIS_URL"):
        return
    redis = Redis.from_url(app.config["REDIS_URL"])
    with app.app_context():
        job_ids = [t.rq_job_id for t in db.session.query(JobTicket).all() if t.rq_job_id]
        db.session.remove()
    patterns = [f"*{app.config['JOBS_QUEUE']}*"] + [f"*{j}*" for j in job_ids]
    for pattern in patterns:
        for key in redis.scan_iter(match=pattern, count=1000):
            redis.delete(key)


def forget_jobs(app: Flask) -> None:
    """What a Redis restart without persistence does to our work: every job is gone."""
    drop_queue(app)


def output_pdf(app: Flask, sealed_path: str) -> bytes:
    with app.app_context():
        return b"".join(open_sealed(Path(sealed_path), file_key(app)))


def pdf_text(data: bytes, password: str | None = None) -> str:
    with pymupdf.open(stream=io.BytesIO(data)) as doc:
        if doc.needs_pass:
            assert doc.authenticate(password or "")
        return "".join(page.get_text() for page in doc) + json.dumps(doc.metadata,
                                                                     ensure_ascii=False)
