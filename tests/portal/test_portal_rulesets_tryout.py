"""Trying a ruleset version on an archived document from the policy admins' pages: findings,
the page, and OCR off, unavailable or sealed in its own folder."""
from __future__ import annotations

import base64
import json
import re
from pathlib import Path

from test_portal_rulesets_fixtures import (  # noqa: F401 (rsapp, demo_archive: fixtures)
    admin_client,
    audit_entries,
    demo_archive,
    page_text,
    rsapp,
    seed_shipped,
    start_draft,
    version_of,
)

from portal.rulesets import trialrun

# ---------------------------------------------------------------- trying a version


def _visit(demo_archive: Path) -> dict:
    return json.loads((demo_archive / "manifest.json").read_text(encoding="utf-8"))["visits"][0]


def test_trying_a_draft_on_a_born_digital_document_shows_findings_and_the_page(
        rsapp, demo_archive) -> None:
    seed_shipped(rsapp)
    client = admin_client(rsapp)
    draft = start_draft(rsapp, client)
    visit = _visit(demo_archive)
    doc = next(d for d in visit["documents"] if not d["scanned"])

    page = page_text(client.get(f"/rulesets/{draft.id}/try"))
    assert visit["record_no"] in page and f"visit={visit['visit_id']}" in page
    page = page_text(client.get(f"/rulesets/{draft.id}/try?record_no={visit['record_no']}"))
    assert f"visit={visit['visit_id']}" in page
    page = page_text(client.get(f"/rulesets/{draft.id}/try?record_no=no-such-number"))
    assert "No visit has this record number" in page

    page = page_text(client.get(f"/rulesets/{draft.id}/try?visit={visit['visit_id']}"))
    assert page.count('name="doc"') == len(visit["documents"])
    assert "Born-digital" in page and "Scanned" in page

    response = client.post(f"/rulesets/{draft.id}/try?visit={visit['visit_id']}",
                           data={"visit": visit["visit_id"], "doc": doc["doc_id"]})
    assert response.status_code == 200
    page = page_text(response)
    assert "Findings by rule" in page and "The rules found nothing" not in page
    assert "患者姓名" in page                                     # a category
    assert re.search(rf'href="/rulesets/{draft.id}#L\d+">line \d+</a>', page)
    image = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert image and base64.b64decode(image.group(1)).startswith(b"\x89PNG")
    assert 'class="swatch" data-colour="#' in page
    # Categories, rules and boxes only: never a value the rules found.
    for value in (visit["patient_name"], visit["patient_id_number"]):
        assert value not in page

    (entry,) = audit_entries(rsapp, "policy.try")
    assert entry.details["document"] == doc["doc_id"] and entry.details["version"] == 2


def test_trying_a_document_not_in_the_visit_says_so(rsapp, demo_archive) -> None:
    seed_shipped(rsapp)
    client = admin_client(rsapp)
    v1 = version_of(rsapp, 1)
    visit = _visit(demo_archive)
    page = page_text(client.post(f"/rulesets/{v1.id}/try?visit={visit['visit_id']}",
                             data={"visit": visit["visit_id"], "doc": "nope"},
                             follow_redirects=True))
    assert "That document is not in this visit" in page
    page = page_text(client.get(f"/rulesets/{v1.id}/try?visit=NO-SUCH-VISIT",
                                follow_redirects=True))
    assert "The archive could not be read" in page


def test_try_out_ocr_engine_is_off_unavailable_or_sealed_in_its_own_folder(
        build, app, monkeypatch) -> None:
    from workers.ocr import OcrEngine, OcrUnavailable

    off = build(JOBS_USE_OCR=False)
    with trialrun.ocr_engine(off) as engine:
        assert engine is None

    on = build(JOBS_USE_OCR=True)
    closed = []
    monkeypatch.setattr(OcrEngine, "close", lambda self: closed.append(self))
    monkeypatch.setattr(OcrEngine, "check", lambda self: None)
    with trialrun.ocr_engine(on) as engine:
        assert isinstance(engine, OcrEngine)
        folder = Path(on.config["DATA_DIR"]) / "rulesets" / "ocr"
        assert engine.cache.directory == folder
        assert (folder.parent.stat().st_mode & 0o777) == 0o700
    assert closed == [engine]

    def missing(self):  # type: ignore[no-untyped-def]
        raise OcrUnavailable("no tesseract")

    monkeypatch.setattr(OcrEngine, "check", missing)
    with trialrun.ocr_engine(on) as engine:
        assert engine is None
    assert len(closed) == 2
