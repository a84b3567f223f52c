"""Submission, the review queue, approval and rejection, and their rules."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from test_portal_preview_fixtures import NAME_RECT, NAME_RULE, get_request, user_named

from portal.extensions import db
from portal.models import AuditEntry, ExportRequest, ExportState
from portal.review import workflow

pytest_plugins = ["test_portal_preview_fixtures"]


def _actions(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        rows = [(e.action, e.obj_id) for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.action.like("export.%")).order_by(AuditEntry.id))]
        db.session.remove()
        return rows


def test_requester_submits_and_the_officer_sees_it_in_the_queue(app, signed_in, make_export):
    client = signed_in("dr.li", "clinician")
    req = make_export(user_named(app, "dr.li"))
    back = client.post(f"/preview/{req.id}/submit", follow_redirects=True)
    assert "已提交审核" in back.get_data(as_text=True)
    assert get_request(app, req.id).state == ExportState.SUBMITTED
    assert _actions(app) == [("export.submit", str(req.id))]
    queue = signed_in("officer", "compliance").get("/review/").get_data(as_text=True)
    assert f'href="/review/{req.id}"' in queue


def test_only_the_requester_submits_and_only_when_ready(app, signed_in, make_export):
    signed_in("dr.li", "clinician")
    req = make_export(user_named(app, "dr.li"), state=ExportState.APPROVED)
    with app.app_context():
        fresh = db.session.get(ExportRequest, req.id)
        with pytest.raises(workflow.WorkflowError):
            workflow.submit(db.session(), fresh, user_named(app, "dr.li"))
        signed_in("dr.wang", "clinician")
        fresh.state = ExportState.READY_FOR_REVIEW
        with pytest.raises(workflow.WorkflowError, match="requested"):
            workflow.submit(db.session(), fresh, user_named(app, "dr.wang"))
        db.session.rollback()
        db.session.remove()


def test_review_page_shows_counts_edits_with_reasons_and_verification(
        app, signed_in, make_export, reassembly):
    clinician = signed_in("dr.li", "clinician")
    req = make_export(user_named(app, "dr.li"))
    clinician.post(f"/preview/{req.id}/edits", json={
        "op": "remove", "page": 2, "rule": NAME_RULE, "rect": NAME_RECT, "reason": "院名，非患者"})
    clinician.post(f"/preview/{req.id}/edits", json={"op": "add", "page": 1,
                                                     "rect": [10, 10, 80, 30]})
    clinician.post(f"/preview/{req.id}/submit")
    html = signed_in("officer", "compliance").get(f"/review/{req.id}").get_data(as_text=True)
    assert "院名，非患者" in html and "dr.li" in html
    assert "患者姓名" in html and "手工标注" in html
    assert "干净" in html  # verification clean
    assert f"/preview/{req.id}?page=2" in html  # the removal links to its page


def test_nobody_approves_their_own_request(app, signed_in, make_export):
    client = signed_in("dr.both", "clinician", "compliance")
    req = make_export(user_named(app, "dr.both"), state=ExportState.SUBMITTED)
    page = client.post(f"/review/{req.id}/approve", follow_redirects=True)
    assert "另一位合规专员" in page.get_data(as_text=True)
    fresh = get_request(app, req.id)
    assert fresh.state == ExportState.SUBMITTED and fresh.approved_by_id is None
    # The rule holds in the domain function too, whatever the page shows.
    with app.app_context():
        row = db.session.get(ExportRequest, req.id)
        with pytest.raises(workflow.WorkflowError):
            workflow.approve(db.session(), row, user_named(app, "dr.both"))
        db.session.remove()
    assert _actions(app) == []


def test_residuals_block_approval_with_a_clear_message(app, signed_in, make_export):
    signed_in("dr.li", "clinician")
    req = make_export(user_named(app, "dr.li"), state=ExportState.SUBMITTED, residuals=2)
    officer = signed_in("officer", "compliance")
    detail = officer.get(f"/review/{req.id}").get_data(as_text=True)
    assert "2 处残留" in detail and f"/preview/{req.id}?page=2" in detail
    page = officer.post(f"/review/{req.id}/approve", follow_redirects=True)
    assert "不能批准" in page.get_data(as_text=True)
    assert get_request(app, req.id).state == ExportState.SUBMITTED


def test_reject_requires_a_comment(app, signed_in, make_export):
    requester = signed_in("dr.li", "clinician")
    req = make_export(user_named(app, "dr.li"), state=ExportState.SUBMITTED)
    officer = signed_in("officer", "compliance")
    page = officer.post(f"/review/{req.id}/reject", data={"comment": "  "}, follow_redirects=True)
    assert "填写意见" in page.get_data(as_text=True)
    assert get_request(app, req.id).state == ExportState.SUBMITTED
    officer.post(f"/review/{req.id}/reject", data={"comment": "第3页还有姓名"})
    fresh = get_request(app, req.id)
    assert fresh.state == ExportState.REJECTED and fresh.review_comment == "第3页还有姓名"
    assert _actions(app) == [("export.reject", str(req.id))]
    assert "第3页还有姓名" in requester.get(f"/preview/{req.id}").get_data(as_text=True)


def test_approval_opens_the_download_window(app, signed_in, make_export):
    signed_in("dr.li", "clinician")
    req = make_export(user_named(app, "dr.li"), state=ExportState.SUBMITTED)
    officer = signed_in("officer", "compliance")
    officer.post(f"/review/{req.id}/approve", data={"comment": "ok"})
    fresh = get_request(app, req.id)
    assert fresh.state == ExportState.APPROVED
    assert fresh.approved_by_id == user_named(app, "officer").id
    days = app.config["EXPORT_DOWNLOAD_DAYS"]
    assert fresh.expires_at - fresh.reviewed_at == timedelta(days=days)
    assert _actions(app) == [("export.approve", str(req.id))]


def test_a_request_not_submitted_cannot_be_decided(app, signed_in, make_export):
    signed_in("dr.li", "clinician")
    req = make_export(user_named(app, "dr.li"))
    officer = signed_in("officer", "compliance")
    officer.post(f"/review/{req.id}/approve")
    assert get_request(app, req.id).state == ExportState.READY_FOR_REVIEW


def test_no_submission_while_the_output_lags_behind_the_edits(app, signed_in, make_export):
    client = signed_in("dr.li", "clinician")
    req = make_export(user_named(app, "dr.li"))
    with app.app_context():
        row = db.session.get(ExportRequest, req.id)
        row.revision = 2  # two edits made, the output still from revision 1
        row.verification = {**row.verification, "revision": 1}
        db.session.commit()
        db.session.remove()
    page = client.post(f"/preview/{req.id}/submit", follow_redirects=True)
    assert "重新生成" in page.get_data(as_text=True)
    assert get_request(app, req.id).state == ExportState.READY_FOR_REVIEW
    assert client.get(f"/preview/{req.id}/status").get_json()["reassembling"] is True
