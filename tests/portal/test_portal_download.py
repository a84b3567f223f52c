"""Download: only approved exports, requester and compliance, within the window; purge."""
from __future__ import annotations

import os
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError
from test_portal_preview_fixtures import get_request, user_named

from portal import migrate
from portal.audit import verify
from portal.auth.accounts import create_user
from portal.database import Database, make_engine
from portal.downloads import files
from portal.extensions import db
from portal.models import AuditEntry, ExportRequest, ExportState, utcnow
from portal.review import workflow

PG_URL = os.environ.get("EMR_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")

pytest_plugins = ["test_portal_preview_fixtures"]


def _approve(app, request_id: int, expires_in: timedelta = timedelta(days=7)) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        req = db.session.get(ExportRequest, request_id)
        req.state = ExportState.APPROVED
        req.reviewed_at = utcnow()
        req.expires_at = utcnow() + expires_in
        db.session.commit()
        db.session.remove()


def _downloads(app) -> list[tuple[int | None, str]]:  # type: ignore[no-untyped-def]
    with app.app_context():
        rows = [(e.user_id, e.obj_id) for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "export.download"))]
        db.session.remove()
        return rows


def test_requester_and_compliance_download_the_decrypted_pdf(app, signed_in, make_export):
    requester = signed_in("dr.li", "clinician")
    req = make_export(user_named(app, "dr.li"))
    _approve(app, req.id)
    page = requester.get(f"/downloads/{req.id}").get_data(as_text=True)
    assert req.sha256 in page and f"/downloads/{req.id}/file" in page
    response = requester.get(f"/downloads/{req.id}/file")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="export-{req.id}.pdf"'
    assert response.data == req.plain_bytes  # decrypted, byte for byte what was assembled
    officer = signed_in("officer", "compliance")
    assert officer.get(f"/downloads/{req.id}/file").data == req.plain_bytes
    assert _downloads(app) == [(user_named(app, "dr.li").id, str(req.id)),
                               (user_named(app, "officer").id, str(req.id))]


def test_nothing_is_downloaded_before_approval(app, signed_in, make_export):
    requester = signed_in("dr.li", "clinician")
    req = make_export(user_named(app, "dr.li"), state=ExportState.SUBMITTED)
    response = requester.get(f"/downloads/{req.id}/file", follow_redirects=True)
    assert response.mimetype == "text/html" and "尚未批准" in response.get_data(as_text=True)
    assert _downloads(app) == []


def test_other_clinicians_cannot_download(app, signed_in, make_export):
    signed_in("dr.li", "clinician")
    req = make_export(user_named(app, "dr.li"))
    _approve(app, req.id)
    assert signed_in("dr.wang", "clinician").get(f"/downloads/{req.id}/file").status_code == 403
    assert _downloads(app) == []


def test_after_the_window_the_download_is_refused_and_purged(app, signed_in, make_export):
    requester = signed_in("dr.li", "clinician")
    req = make_export(user_named(app, "dr.li"))
    _approve(app, req.id, expires_in=timedelta(seconds=-1))
    refused = requester.get(f"/downloads/{req.id}/file", follow_redirects=True)
    assert "下载期限已过" in refused.get_data(as_text=True) and _downloads(app) == []
    sealed = Path(get_request(app, req.id).output_path)
    assert sealed.exists()
    # A redacted page image was cached: the purge removes it with the file.
    requester.get(f"/preview/{req.id}/pages/1/redacted.png")
    cached = list((Path(app.config["DATA_DIR"]) / "preview" / "redacted").rglob("*.png"))
    assert cached
    result = app.test_cli_runner().invoke(args=["exports", "purge"])
    assert result.exit_code == 0 and f"purged 1 expired export(s): {req.id}" in result.output
    fresh = get_request(app, req.id)
    assert fresh.state == ExportState.EXPIRED and fresh.output_path is None
    assert not sealed.exists() and not any(p.exists() for p in cached)
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action)).all()
        assert "export.expire" in actions
        assert files.purge_expired(db.session()) == []  # nothing left to do
        db.session.remove()
    assert "下载期限已过" in requester.get(f"/downloads/{req.id}").get_data(as_text=True)


def test_purge_leaves_exports_still_in_their_window(app, signed_in, make_export):
    signed_in("dr.li", "clinician")
    req = make_export(user_named(app, "dr.li"))
    _approve(app, req.id)
    with app.app_context():
        assert files.purge_expired(db.session(), now=utcnow()) == []
        later = utcnow() + timedelta(days=8)
        assert files.purge_expired(db.session(), now=later) == [req.id]
        db.session.remove()


@pytest.mark.postgres
def test_purge_and_approval_on_postgres(tmp_path: Path) -> None:
    """The workflow's queries and the purge's row locking run on PostgreSQL too."""
    admin = make_engine(PG_URL)
    schema = f"pv_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    url = f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema}"
    database = Database()
    try:
        migrate.upgrade(url)
        database.configure(url)
        session = database.session()
        requester = create_user(session, "pg.li", "long-enough-pw", ["clinician"],
                                method="pbkdf2:sha256:1000")
        officer = create_user(session, "pg.officer", "long-enough-pw", ["compliance"],
                              method="pbkdf2:sha256:1000")
        sealed = tmp_path / "1.pdf.sealed"
        sealed.write_bytes(b"%PDF-sealed")
        req = ExportRequest(requester_id=requester.id, visit_id="V1", purpose="other",
                            state=ExportState.SUBMITTED, residuals=0, output_path=str(sealed),
                            sha256="0" * 64)
        session.add(req)
        session.commit()
        now = utcnow()
        workflow.approve(session, req, officer, download_days=1, now=now)
        assert files.purge_expired(session, now=now) == []
        assert files.purge_expired(session, now=now + timedelta(days=2)) == [req.id]
        session.refresh(req)
        assert req.state == ExportState.EXPIRED and not sealed.exists()
        assert verify(session).ok
    finally:
        database.session.remove()
        if database.engine is not None:
            database.engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
