"""Shared fixtures for the preview, review and download tests: one assembled export.

Test doubles stand in only where the jobs/archive layers are not installed: a plain "sealed"
file with an identity `portal.crypto`, and a recorder for `request_reassembly`.
"""
from __future__ import annotations

import hashlib
import importlib
import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path

import pymupdf
import pytest

from archive.folder import FolderArchive
from portal.extensions import db
from portal.models import (
    DocumentState,
    ExportDocument,
    ExportRequest,
    ExportState,
    PageResult,
    User,
)
from portal.preview import edits as edits_mod
from portal.preview import sources

NAME_RULE = "default.rules:12"
NAME_RECT = [100.0, 90.0, 160.0, 104.0]
SECRET_NAME = "Zhang Sanfeng"  # synthetic "patient name" that must never reach a page


def make_pdf(path: Path, pages: int = 2, redacted: bool = False) -> bytes:
    """A small A4 PDF with a synthetic name on each page (covered when `redacted`)."""
    doc = pymupdf.open()
    for n in range(pages):
        page = doc.new_page(width=595, height=842)
        page.insert_text((72, 100), f"Name: {SECRET_NAME}  page {n + 1}", fontsize=12)
        page.insert_text((72, 140), "Diagnosis: synthetic text for the preview test", fontsize=11)
        if redacted:
            page.add_redact_annot(pymupdf.Rect(*NAME_RECT), fill=(0, 0, 0))
            page.apply_redactions()
    data = doc.tobytes()
    doc.close()
    path.write_bytes(data)
    return data


def _crypto() -> types.ModuleType:
    """The real portal.crypto, or an identity stand-in while it is not written yet."""
    try:
        return importlib.import_module("portal.crypto")
    except ImportError:
        fake = types.ModuleType("portal.crypto")

        def open_sealed(path: Path, key: bytes) -> Iterator[bytes]:
            with open(path, "rb") as f:
                while chunk := f.read(64 * 1024):
                    yield chunk

        fake.open_sealed = open_sealed  # type: ignore[attr-defined]
        fake.file_key = lambda app: b"test-key"  # type: ignore[attr-defined]
        fake.seal_file = lambda src, dst, key: Path(dst).write_bytes(Path(src).read_bytes())  # type: ignore[attr-defined]
        fake.TEST_DOUBLE = True  # type: ignore[attr-defined]
        sys.modules["portal.crypto"] = fake
        return fake


def seal(app, plain: Path, sealed: Path) -> None:  # type: ignore[no-untyped-def]
    """Encrypt `plain` into `sealed` with the site's file key."""
    crypto = _crypto()
    key = crypto.file_key(app)
    for name in ("seal_file", "seal_path", "seal"):
        func = getattr(crypto, name, None)
        if func is not None:
            func(plain, sealed, key)
            return
    raise AssertionError("portal.crypto has no sealing function")


@pytest.fixture
def reassembly(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Records request_reassembly calls instead of enqueueing RQ jobs."""
    calls: list[int] = []
    monkeypatch.setattr(edits_mod, "default_reassemble", lambda: calls.append)
    return calls


@pytest.fixture
def archive_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A one-visit folder archive, used as the site's archive."""
    root = tmp_path / "archive"
    root.mkdir()
    make_pdf(root / "d1.pdf")
    (root / "manifest.json").write_text(
        '{"version": 1, "visits": [{"visit_id": "V1", "record_no": "R1", "documents": '
        '[{"doc_id": "D1", "doc_type": "病程记录", "file": "d1.pdf", "pages": 2}]}]}')
    monkeypatch.setattr(sources, "_archive", lambda app: FolderArchive(root))
    return root


@pytest.fixture
def make_export(app, archive_dir: Path, tmp_path: Path) -> Callable[..., ExportRequest]:  # type: ignore[no-untyped-def]
    """An assembled export of visit V1 (2 pages, one name finding a page) for `requester`."""
    counter = iter(range(1, 1000))

    def make(requester: User, state: str = ExportState.READY_FOR_REVIEW,
             residuals: int = 0) -> ExportRequest:
        n = next(counter)
        plain = tmp_path / f"out-{n}.pdf"
        data = make_pdf(plain, redacted=True)
        exports = Path(app.config["DATA_DIR"]) / "exports"
        exports.mkdir(parents=True, exist_ok=True)
        with app.app_context():
            session = db.session()
            req = ExportRequest(requester_id=requester.id, visit_id="V1", purpose="other",
                                purpose_reason="test", state=state,
                                sha256=hashlib.sha256(data).hexdigest(), residuals=residuals,
                                verification={
                                    "clean": residuals == 0, "page_map": [[0, 0], [0, 1]],
                                    "residuals": [{"page": 2, "where": "text",
                                                   "category": "患者姓名", "value_hash": "ab12"}]
                                    * residuals})
            doc = ExportDocument(doc_id="D1", order=0, doc_type="病程记录", page_count=2,
                                 pages_done=2, state=DocumentState.DONE)
            doc.pages = [PageResult(page_number=p, done=True, findings=[
                {"id": f"f{p}", "rect": NAME_RECT, "category": "患者姓名", "rule": NAME_RULE,
                 "kind": "text", "value_hash": "ab12"}]) for p in (0, 1)]
            req.documents = [doc]
            session.add(req)
            session.flush()
            sealed = exports / f"{req.id}.pdf.sealed"
            seal(app, plain, sealed)
            plain.unlink()
            req.output_path = str(sealed)
            session.commit()
            session.expunge_all()
            db.session.remove()
        req.plain_bytes = data  # type: ignore[attr-defined]  # for comparing downloads
        return req

    return make


def get_request(app, request_id: int) -> ExportRequest:  # type: ignore[no-untyped-def]
    """A fresh copy of the request from the database (edits and documents loaded)."""
    with app.app_context():
        req = db.session.get(ExportRequest, request_id)
        req.edits, [d.pages for d in req.documents]
        db.session.expunge_all()
        db.session.remove()
        return req


def user_named(app, username: str) -> User:  # type: ignore[no-untyped-def]
    """The user row for `username`."""
    with app.app_context():
        user = db.session.query(User).filter_by(username=username).one()
        db.session.expunge_all()
        db.session.remove()
        return user
