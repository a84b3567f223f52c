"""Preview pages: side-by-side pages with boxes, who may open them, cached page images."""
from __future__ import annotations

import json
import re

from test_portal_preview_fixtures import NAME_RULE, SECRET_NAME, user_named

from portal.extensions import db
from portal.models import ExportRequest, ExportState
from portal.preview import render

pytest_plugins = ["test_portal_preview_fixtures"]


def _data(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="pv-data">(.*?)</script>', html, re.DOTALL)
    assert match, "page data block missing"
    return json.loads(match.group(1))


def test_requester_sees_both_pages_and_the_boxes_with_their_rules(signed_in, app, make_export):
    client = signed_in("dr.li", "clinician")
    req = make_export(user_named(app, "dr.li"))
    page = client.get(f"/preview/{req.id}?page=2")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"/preview/{req.id}/pages/2/original.png" in html
    assert f"/preview/{req.id}/pages/2/redacted.png" in html
    data = _data(html)
    assert data["page"] == 2 and data["editable"] is True
    assert data["size"] == [595.0, 842.0]
    # The images carry the page's shape, so the page can be drawn on before they arrive.
    assert len(re.findall(r'<img [^>]*width="595" height="842"', html)) == 2
    assert [(b["category"], b["rule"]) for b in data["boxes"]] == [("患者姓名", NAME_RULE)]
    assert "患者姓名" in data["colours"]
    assert SECRET_NAME not in html  # boxes carry category and rule, never the covered text


def test_another_clinician_cannot_open_an_export_by_id(signed_in, app, make_export):
    signed_in("dr.li", "clinician")
    req = make_export(user_named(app, "dr.li"))
    other = signed_in("dr.wang", "clinician")
    for url in (f"/preview/{req.id}", f"/preview/{req.id}/pages/1/original.png",
                f"/preview/{req.id}/pages/1/redacted.png", f"/preview/{req.id}/status",
                f"/downloads/{req.id}", f"/downloads/{req.id}/file"):
        assert other.get(url).status_code == 403, url
    for url in (f"/preview/{req.id}/edits", f"/preview/{req.id}/undo",
                f"/preview/{req.id}/submit"):
        assert other.post(url, json={"op": "add", "page": 1, "rect": [1, 1, 50, 50]}
                          ).status_code == 403, url


def test_compliance_sees_the_original_but_cannot_draw(signed_in, app, make_export):
    signed_in("dr.li", "clinician")
    req = make_export(user_named(app, "dr.li"))
    officer = signed_in("officer", "compliance")
    page = officer.get(f"/preview/{req.id}")
    assert page.status_code == 200 and _data(page.get_data(as_text=True))["editable"] is False
    assert officer.get(f"/preview/{req.id}/pages/1/original.png").status_code == 200


def test_page_images_are_rendered_once_then_served_from_the_cache(
        signed_in, app, make_export, monkeypatch):
    client = signed_in("dr.li", "clinician")
    req = make_export(user_named(app, "dr.li"))
    renders = []
    real = render._write_png
    monkeypatch.setattr(render, "_write_png", lambda page, target: (renders.append(target),
                                                                     real(page, target)))
    for kind in ("original", "redacted"):
        url = f"/preview/{req.id}/pages/1/{kind}.png"
        first = client.get(url)
        assert first.status_code == 200 and first.data.startswith(b"\x89PNG"), kind
        assert first.headers["Cache-Control"].startswith("private, max-age="), kind
        made = len(renders)
        second = client.get(url)
        assert second.data == first.data and len(renders) == made, f"{kind} rendered again"
        again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304, kind
    # The redacted export is decrypted once and the next pages are rendered from that opening.
    assert sum(1 for p in renders if "redacted" in str(p)) == 2  # pages 1 and 2 of 2
    assert client.get(f"/preview/{req.id}/pages/2/redacted.png").status_code == 200
    assert sum(1 for p in renders if "redacted" in str(p)) == 2


def test_page_image_is_110_dpi(signed_in, app, make_export):
    client = signed_in("dr.li", "clinician")
    req = make_export(user_named(app, "dr.li"))
    import pymupdf

    pix = pymupdf.Pixmap(client.get(f"/preview/{req.id}/pages/1/original.png").data)
    assert abs(pix.width - 595 * 110 / 72) <= 1 and abs(pix.height - 842 * 110 / 72) <= 1


def test_status_reports_reassembly(signed_in, app, make_export):
    client = signed_in("dr.li", "clinician")
    req = make_export(user_named(app, "dr.li"))
    status = client.get(f"/preview/{req.id}/status").get_json()
    assert status == {"state": "ready_for_review", "revision": 0, "residuals": 0,
                      "reassembling": False, "failed": False}


def test_unknown_export_is_404_for_allowed_roles(signed_in):
    assert signed_in("dr.li", "clinician").get("/preview/4242").status_code == 404


def test_an_export_still_being_analysed_says_so(signed_in, app, make_export):
    client = signed_in("dr.li", "clinician")
    req = make_export(user_named(app, "dr.li"), state=ExportState.ANALYSING)
    with app.app_context():
        row = db.session.get(ExportRequest, req.id)
        row.output_path = None
        db.session.commit()
        db.session.remove()
    page = client.get(f"/preview/{req.id}").get_data(as_text=True)
    assert "导出尚未就绪" in page and "pv-data" not in page
