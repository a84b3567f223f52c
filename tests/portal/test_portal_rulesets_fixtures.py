"""Shared fixtures for the policy admins' page tests: a demo archive, an app with it, users
and the steps every test takes (seed the shipped ruleset, start a draft)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from archive.demo import generate_archive
from portal.auth.accounts import create_user
from portal.extensions import db
from portal.models import AuditEntry, RulesetVersion
from portal.rulesets.seed import shipped_text

PASSWORD = "correct-horse-battery"
FAST_HASH = "pbkdf2:sha256:1000"
TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')
BROKEN_RULE = "find idcard as"


@pytest.fixture(scope="session")
def demo_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One visit of the demo archive (born-digital and scanned documents); only read."""
    return generate_archive(tmp_path_factory.mktemp("rulesets-demo"), records=1, seed=3)


@pytest.fixture
def rsapp(app: Flask, build, demo_archive: Path) -> Flask:  # type: ignore[no-untyped-def]
    """The portal on this test's database, the demo archive, OCR off (fast, born-digital)."""
    return build(ARCHIVE=str(demo_archive), JOBS_USE_OCR=False)


def seed_shipped(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["rulesets", "seed"])
    assert result.exit_code == 0, result.output
    return result.output


def client_for(app: Flask, username: str, *roles: str) -> FlaskClient:
    """A client signed in as a new user with `roles`, the interface in English."""
    with app.app_context():
        create_user(db.session(), username, PASSWORD, list(roles), method=FAST_HASH,
                    display_name=username.replace(".", " ").title())
        db.session.commit()
    client = app.test_client()
    response = client.post("/auth/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.data
    client.post("/language", data={"lang": "en"})
    return client


def admin_client(app: Flask, username: str = "pol.admin") -> FlaskClient:
    return client_for(app, username, "policy_admin")


def version_of(app: Flask, number: int, name: str = "default") -> RulesetVersion:
    with app.app_context():
        v = db.session.scalars(select(RulesetVersion).where(
            RulesetVersion.name == name, RulesetVersion.version == number)).one()
        db.session.expunge(v)
        db.session.remove()
        return v


def audit_entries(app: Flask, action: str) -> list[AuditEntry]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                       .order_by(AuditEntry.id)))
        for r in rows:
            db.session.expunge(r)
        db.session.remove()
        return rows


def start_draft(app: Flask, client: FlaskClient) -> RulesetVersion:
    v1 = version_of(app, 1)
    response = client.post(f"/rulesets/{v1.id}/draft")
    assert response.status_code == 302
    draft = version_of(app, 2)
    assert response.location.endswith(f"/rulesets/{draft.id}")
    assert draft.published_at is None
    return draft


def broken_text() -> tuple[str, int]:
    """The shipped text with `find` misspelt on one rule; the line it is on."""
    text = shipped_text()
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith(BROKEN_RULE))
    return text.replace(BROKEN_RULE, "fnd idcard as", 1), line


def changed_text() -> str:
    return shipped_text().replace(
        "# --- the patient ---", "# Reviewed with the committee.\n# --- the patient ---", 1)


def page_text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)
