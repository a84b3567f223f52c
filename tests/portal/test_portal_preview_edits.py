"""Hand edits: draw, remove with a reason, undo; each audited, revision bumped, re-assembled."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from test_portal_preview_fixtures import NAME_RECT, NAME_RULE, get_request, user_named

from portal.extensions import db
from portal.models import AuditEntry, ExportState
from portal.preview import edits, layout

pytest_plugins = ["test_portal_preview_fixtures"]


def _audit(app, action="export.edit"):  # type: ignore[no-untyped-def]
    with app.app_context():
        rows = db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                  .order_by(AuditEntry.id)).all()
        db.session.remove()
        return rows


@pytest.fixture
def setup(signed_in, app, make_export, reassembly):  # type: ignore[no-untyped-def]
    client = signed_in("dr.li", "clinician")
    req = make_export(user_named(app, "dr.li"))
    return client, req, reassembly


def test_drawing_a_box_records_audits_bumps_and_reassembles(app, setup):
    client, req, calls = setup
    reply = client.post(f"/preview/{req.id}/edits",
                        json={"op": "add", "page": 2, "rect": [300, 400, 200, 380.5]})
    assert reply.status_code == 200, reply.get_json()
    fresh = get_request(app, req.id)
    (edit,) = fresh.edits
    assert (edit.action, edit.page_number, edit.rect) == ("add", 1, [200.0, 380.5, 300.0, 400.0])
    assert fresh.revision == 1 and calls == [req.id]
    (entry,) = _audit(app)
    assert entry.obj_id == str(req.id)
    assert entry.details["edit_id"] == edit.id and entry.details["page"] == 2
    assert entry.details["op"] == "add"
    # The new box is on the page, in the hand-drawn category.
    boxes = layout.page_boxes(fresh, fresh.documents[0], 1)
    assert [(b.source, b.category) for b in boxes] == [("auto", "患者姓名"),
                                                       ("manual", edits.MANUAL_CATEGORY)]


def test_a_box_outside_the_page_is_clipped_and_a_speck_refused(app, setup):
    client, req, calls = setup
    assert client.post(f"/preview/{req.id}/edits",
                       json={"op": "add", "page": 1, "rect": [500, 800, 700, 900]}
                       ).status_code == 200
    assert get_request(app, req.id).edits[0].rect == [500.0, 800.0, 595.0, 842.0]
    tiny = client.post(f"/preview/{req.id}/edits",
                       json={"op": "add", "page": 1, "rect": [10, 10, 11, 11]})
    assert tiny.status_code == 400 and "太小" in tiny.get_json()["error"]
    bad_page = client.post(f"/preview/{req.id}/edits",
                           json={"op": "add", "page": 9, "rect": [10, 10, 50, 50]})
    assert bad_page.status_code == 400
    assert len(calls) == 1


def test_removing_an_automatic_box_requires_a_reason(app, setup):
    client, req, calls = setup
    body = {"op": "remove", "page": 1, "rule": NAME_RULE, "rect": NAME_RECT}
    refused = client.post(f"/preview/{req.id}/edits", json={**body, "reason": "   "})
    assert refused.status_code == 400 and "理由" in refused.get_json()["error"]
    assert get_request(app, req.id).edits == [] and calls == [] and _audit(app) == []

    done = client.post(f"/preview/{req.id}/edits", json={**body, "reason": "科室名称，非个人"})
    assert done.status_code == 200
    fresh = get_request(app, req.id)
    (edit,) = fresh.edits
    assert (edit.action, edit.finding_ref, edit.reason) == ("remove", NAME_RULE, "科室名称，非个人")
    (box,) = layout.page_boxes(fresh, fresh.documents[0], 0)
    assert box.removed and box.reason == "科室名称，非个人"
    assert fresh.revision == 1 and calls == [req.id]
    # The audit holds ids, never the reason's words.
    assert "科室" not in str(_audit(app)[0].details)
    again = client.post(f"/preview/{req.id}/edits", json={**body, "reason": "again"})
    assert again.status_code == 400


def test_only_real_findings_can_be_removed(setup):
    client, req, _calls = setup
    reply = client.post(f"/preview/{req.id}/edits", json={
        "op": "remove", "page": 1, "rule": "made.up:1", "rect": NAME_RECT, "reason": "x"})
    assert reply.status_code == 400


def test_undo_takes_back_the_last_change(app, setup):
    client, req, calls = setup
    client.post(f"/preview/{req.id}/edits", json={"op": "add", "page": 1, "rect": [1, 1, 90, 40]})
    client.post(f"/preview/{req.id}/edits", json={"op": "add", "page": 2, "rect": [1, 1, 90, 40]})
    assert client.post(f"/preview/{req.id}/undo").status_code == 200
    fresh = get_request(app, req.id)
    first, second = fresh.edits
    assert not first.undone and second.undone and second.undone_by_id is not None
    assert fresh.revision == 3 and calls == [req.id] * 3
    assert [e.details["op"] for e in _audit(app)] == ["add", "add", "undo"]
    assert [b.source for b in layout.page_boxes(fresh, fresh.documents[0], 1)] == ["auto"]
    client.post(f"/preview/{req.id}/undo")
    nothing = client.post(f"/preview/{req.id}/undo")
    assert nothing.status_code == 400 and nothing.get_json()["error"]


@pytest.mark.parametrize("state", [ExportState.SUBMITTED, ExportState.REJECTED])
def test_an_edit_after_submission_sends_the_export_back(app, signed_in, make_export, reassembly,
                                                        state):
    client = signed_in("dr.li", "clinician")
    req = make_export(user_named(app, "dr.li"), state=state)
    assert client.post(f"/preview/{req.id}/edits",
                       json={"op": "add", "page": 1, "rect": [1, 1, 90, 40]}).status_code == 200
    fresh = get_request(app, req.id)
    assert fresh.state == ExportState.READY_FOR_REVIEW and fresh.submitted_at is None
    assert _audit(app)[0].details["back_to_review"] is True


def test_an_approved_export_cannot_be_edited(app, signed_in, make_export, reassembly):
    client = signed_in("dr.li", "clinician")
    req = make_export(user_named(app, "dr.li"), state=ExportState.APPROVED)
    reply = client.post(f"/preview/{req.id}/edits",
                        json={"op": "add", "page": 1, "rect": [1, 1, 90, 40]})
    assert reply.status_code == 400 and reassembly == []


def test_compliance_cannot_edit(app, signed_in, make_export, reassembly):
    signed_in("dr.li", "clinician")
    req = make_export(user_named(app, "dr.li"))
    officer = signed_in("officer", "compliance")
    assert officer.post(f"/preview/{req.id}/edits",
                        json={"op": "add", "page": 1, "rect": [1, 1, 90, 40]}).status_code == 403


def test_edits_become_the_assembly_job_inputs(app, setup):
    client, req, _calls = setup
    client.post(f"/preview/{req.id}/edits", json={"op": "add", "page": 2, "rect": [1, 1, 90, 40]})
    client.post(f"/preview/{req.id}/edits", json={"op": "remove", "page": 1, "rule": NAME_RULE,
                                                  "rect": NAME_RECT, "reason": "not a name"})
    added, removed = edits.edits_for_assembly(get_request(app, req.id))
    assert [(a.doc_index, a.page, a.rect) for a in added] == [(0, 1, (1.0, 1.0, 90.0, 40.0))]
    assert [(r.doc_index, r.page, r.rule) for r in removed] == [(0, 0, NAME_RULE)]


def test_a_change_is_kept_when_reassembly_cannot_be_enqueued(app, signed_in, make_export,
                                                            monkeypatch):
    client = signed_in("dr.li", "clinician")
    req = make_export(user_named(app, "dr.li"))

    def redis_down(_request_id: int) -> None:
        raise ConnectionError("redis unreachable")

    monkeypatch.setattr(edits, "default_reassemble", lambda: redis_down)
    reply = client.post(f"/preview/{req.id}/edits",
                        json={"op": "add", "page": 1, "rect": [1, 1, 90, 40]})
    assert reply.status_code == 202 and "自动" in reply.get_json()["warning"]
    fresh = get_request(app, req.id)
    assert len(fresh.edits) == 1 and fresh.revision == 1
