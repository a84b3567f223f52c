"""Export requests through the portal, worked by real RQ workers on the real Redis."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select
from test_portal_jobs_fixtures import (
    SEED,
    copy_archive,
    drop_queue,
    jobs_app,
    output_pdf,
    pdf_text,
    run_worker,
    sign_in,
    small_choice,
    visit_of,
)

from archive.demo import generate_archive
from portal.extensions import db
from portal.jobs import reasons
from portal.models import (
    AuditEntry,
    DocumentState,
    ExportRequest,
    ExportState,
    JobKind,
    JobTicket,
    PageResult,
)


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_archive(tmp_path_factory.mktemp("demo"), records=1, seed=SEED)


@pytest.fixture
def archive_root(demo_template: Path, tmp_path: Path) -> Path:
    return copy_archive(demo_template, tmp_path / "archive")


@pytest.fixture
def japp(build, archive_root):  # type: ignore[no-untyped-def]
    app = jobs_app(build, archive_root)
    yield app
    drop_queue(app)
    db.session.remove()


def _post_request(client, visit: dict, docs: list[dict], **extra: str):  # type: ignore[no-untyped-def]
    data = {"visit": visit["visit_id"], "documents": [d["doc_id"] for d in docs],
            "purpose": "child_death_review", "watermark": "仅供评审使用", **extra}
    return client.post(f"/exports/new?visit={visit['visit_id']}", data=data)


def _request(app, request_id: int | None = None) -> ExportRequest:  # type: ignore[no-untyped-def]
    with app.app_context():
        query = select(ExportRequest).order_by(ExportRequest.id.desc())
        if request_id is not None:
            query = query.where(ExportRequest.id == request_id)
        req = db.session.scalars(query).first()
        _ = list(req.documents)  # loaded while the session is open
        db.session.remove()
        return req


def test_new_request_form_lists_every_document_ticked(japp, archive_root) -> None:
    client = sign_in(japp, "doc.li", "clinician")
    visit = visit_of(archive_root)
    page = client.get(f"/exports/new?visit={visit['visit_id']}").get_data(as_text=True)
    assert page.count('name="documents"') == len(visit["documents"])
    assert page.count("checked") >= len(visit["documents"])
    assert "儿童死亡评审" in page and "孕产妇危重症评审" in page
    assert visit["patient_name"] not in page  # the form needs no name to choose documents


def test_other_purpose_needs_a_reason(japp, archive_root) -> None:
    client = sign_in(japp, "doc.li", "clinician")
    visit = visit_of(archive_root)
    response = _post_request(client, visit, visit["documents"][:1], purpose="other")
    assert response.status_code == 200
    assert "必须填写原因" in response.get_data(as_text=True)
    with japp.app_context():
        assert db.session.scalars(select(ExportRequest)).first() is None


def test_request_runs_to_a_sealed_verified_export(japp, archive_root) -> None:
    client = sign_in(japp, "doc.li", "clinician")
    visit = visit_of(archive_root)
    docs = small_choice(visit)
    response = _post_request(client, visit, docs, password="s3cret-pw",
                             password_again="s3cret-pw")
    assert response.status_code == 302
    req = _request(japp)
    assert req.state == ExportState.QUEUED
    assert b"s3cret-pw" not in bytes(req.password_ciphertext)
    pages = sum(d["pages"] for d in docs)
    with japp.app_context():
        tickets = db.session.scalars(select(JobTicket).where(
            JobTicket.request_id == req.id)).all()
        # JOBS_SPLIT_PAGES=1: one analyse job per page; assembly only once they are done.
        assert sorted(t.kind for t in tickets) == [JobKind.ANALYSE] * pages
        db.session.remove()

    run_worker(japp)

    req = _request(japp, req.id)
    assert req.state == ExportState.READY_FOR_REVIEW, req.failure_reason
    assert (req.docs_done, req.docs_total) == (len(docs), len(docs))
    assert (req.pages_done, req.pages_total) == (pages, pages)
    sealed = Path(req.output_path)
    assert sealed.is_file() and sealed.is_relative_to(Path(japp.config["DATA_DIR"]) / "exports")
    assert not sealed.read_bytes().startswith(b"%PDF") and b"%PDF" not in sealed.read_bytes()
    plain = output_pdf(japp, req.output_path)
    assert hashlib.sha256(plain).hexdigest() == req.sha256
    text = pdf_text(plain, "s3cret-pw")
    assert visit["patient_name"] not in text
    assert req.residuals == len(req.verification["residuals"])
    assert req.verification["revision"] == req.revision
    assert len(req.verification["page_map"]) == pages
    assert visit["patient_name"] not in str(req.verification)

    progress = client.get(f"/exports/{req.id}/progress").get_json()
    assert progress["ready"] and progress["preview_url"] == f"/preview/{req.id}"
    assert (progress["pages_done"], progress["pages_total"]) == (pages, pages)
    detail = client.get(f"/exports/{req.id}").get_data(as_text=True)
    assert f"/preview/{req.id}" in detail
    listing = client.get("/exports/").get_data(as_text=True)
    assert f"/exports/{req.id}" in listing
    with japp.app_context():
        actions = db.session.scalars(select(AuditEntry.action)).all()
        assert "export.create" in actions


def test_lost_jobs_are_reenqueued_without_redoing_stored_pages(japp, archive_root,
                                                                monkeypatch) -> None:
    from portal.jobs import tasks
    from portal.jobs.reconcile import reconcile

    client = sign_in(japp, "doc.li", "clinician")
    visit = visit_of(archive_root)
    docs = small_choice(visit)
    assert _post_request(client, visit, docs).status_code == 302
    req = _request(japp)
    with japp.app_context():
        first = db.session.scalars(select(JobTicket).where(JobTicket.request_id == req.id)
                                   .order_by(JobTicket.id)).first()
        first_id = first.id
        db.session.remove()
        assert tasks.analyse(first_id) == "done"  # one job finished before the crash
        stored = {p.id: p.computed_at for p in db.session.scalars(select(PageResult))}
        db.session.remove()
    assert len(stored) == 1

    from test_portal_jobs_fixtures import forget_jobs

    forget_jobs(japp)  # Redis restarted empty: the queued jobs are gone
    analysed: list[tuple[int, int]] = []
    real = tasks.analyse_document

    def spy(policy, item, engine, on_page=None, pages=None):  # type: ignore[no-untyped-def]
        analysed.append((item.doc_id, pages))
        return real(policy, item, engine, on_page=on_page, pages=pages)

    monkeypatch.setattr(tasks, "analyse_document", spy)
    with japp.app_context():
        out = reconcile(japp, db.session(), grace_seconds=0)
        db.session.remove()
    pages = sum(d["pages"] for d in docs)
    assert len(out.requeued) == pages - 1 and out.enqueued == pages - 1

    run_worker(japp)

    req = _request(japp, req.id)
    assert req.state == ExportState.READY_FOR_REVIEW, req.failure_reason
    assert len(analysed) == pages - 1
    with japp.app_context():
        again = {p.id: p.computed_at for p in db.session.scalars(select(PageResult))}
        db.session.remove()
    assert all(again[i] == when for i, when in stored.items())  # not recomputed
    with japp.app_context():
        second = reconcile(japp, db.session(), grace_seconds=0)
        db.session.remove()
    assert not second  # nothing owed any more


def test_a_damaged_document_fails_in_words_and_retry_redoes_only_it(japp, archive_root,
                                                                     monkeypatch) -> None:
    from portal.jobs import tasks

    client = sign_in(japp, "doc.li", "clinician")
    visit = visit_of(archive_root)
    docs = small_choice(visit)
    broken = archive_root / docs[-1]["file"]
    good = broken.read_bytes()
    broken.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    assert _post_request(client, visit, docs).status_code == 302
    run_worker(japp)

    req = _request(japp)
    assert req.state == ExportState.FAILED
    failed = [d for d in req.documents if d.state == DocumentState.FAILED]
    assert [d.doc_id for d in failed] == [docs[-1]["doc_id"]]
    assert failed[0].error == reasons.DAMAGED
    assert "Traceback" not in req.failure_reason + failed[0].error
    page = client.get(f"/exports/{req.id}").get_data(as_text=True)
    assert "已损坏" in page and "重试" in page
    assert broken.name not in page

    broken.write_bytes(good)  # the archive exported it again
    analysed: list[str] = []
    real = tasks.analyse_document

    def spy(policy, item, engine, on_page=None, pages=None):  # type: ignore[no-untyped-def]
        analysed.append(item.doc_id)
        return real(policy, item, engine, on_page=on_page, pages=pages)

    monkeypatch.setattr(tasks, "analyse_document", spy)
    response = client.post(f"/exports/{req.id}/retry")
    assert response.status_code == 302
    run_worker(japp)

    req = _request(japp, req.id)
    assert req.state == ExportState.READY_FOR_REVIEW, req.failure_reason
    assert set(analysed) == {docs[-1]["doc_id"]}
    assert req.failure_reason == "" and all(d.error == "" for d in req.documents)
    with japp.app_context():
        assert "export.retry" in db.session.scalars(select(AuditEntry.action)).all()


def test_only_the_requester_and_compliance_open_a_request(japp, archive_root) -> None:
    owner = sign_in(japp, "doc.li", "clinician")
    visit = visit_of(archive_root)
    assert _post_request(owner, visit, small_choice(visit)[:1]).status_code == 302
    req = _request(japp)
    other = sign_in(japp, "doc.wang", "clinician")
    for url in (f"/exports/{req.id}", f"/exports/{req.id}/progress"):
        assert other.get(url).status_code == 403
    assert other.post(f"/exports/{req.id}/retry").status_code == 403
    assert f"/exports/{req.id}" not in other.get("/exports/").get_data(as_text=True)
    officer = sign_in(japp, "officer.zhao", "compliance")
    assert officer.get(f"/exports/{req.id}").status_code == 200
    assert f"/exports/{req.id}" in officer.get("/exports/").get_data(as_text=True)
    assert owner.get("/exports/424242").status_code == 404


def test_hand_edit_reassembles_the_export(japp, archive_root) -> None:
    from portal.models import User
    from portal.preview import edits

    client = sign_in(japp, "doc.li", "clinician")
    visit = visit_of(archive_root)
    assert _post_request(client, visit, small_choice(visit)[:1]).status_code == 302
    run_worker(japp)
    before = _request(japp)
    assert before.state == ExportState.READY_FOR_REVIEW
    with japp.app_context():
        req = db.session.get(ExportRequest, before.id)
        user = db.session.scalars(select(User).where(User.username == "doc.li")).one()
        edits.add_box(db.session(), req, user, 1, [300, 300, 400, 340])  # enqueues re-assembly
        db.session.remove()
    assert _request(japp, before.id).revision == 1
    run_worker(japp)
    after = _request(japp, before.id)
    assert after.state == ExportState.READY_FOR_REVIEW
    assert after.verification["revision"] == 1 and after.sha256 != before.sha256
    assert not Path(before.output_path).exists() and Path(after.output_path).exists()
