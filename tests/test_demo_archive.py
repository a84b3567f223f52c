"""The synthetic archive: files match the manifest, and the ground truth matches the PDFs."""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

import numpy as np
import pymupdf
import pytest

from archive.demo import generate_archive
from archive.demo.people import id_check_digit, is_valid_resident_id
from archive.demo.render import Sheet, load_font
from archive.demo.scan import MOVED_PAD, moved_rect, scan_document
from archive.demo.signature import Pen
from archive.demo.truth import BED_NO, INPATIENT_NO, PATIENT_NAME, STAFF, VisitTruth

SEED = 11


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    return generate_archive(tmp_path_factory.mktemp("demo"), records=3, seed=SEED)


def _manifest(root: Path) -> dict:
    return json.loads((root / "manifest.json").read_text(encoding="utf-8"))


def _truths(root: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (root / "truth").glob("*.json")}


def _docs(root: Path) -> dict[str, dict]:
    return {d["doc_id"]: d for v in _manifest(root)["visits"] for d in v["documents"]}


def test_manifest_lists_every_file_with_its_page_count(archive):
    m = _manifest(archive)
    assert m["version"] == 1 and m["generated_by"] == "emr-redact demo-archive" and m["seed"] == SEED
    assert [v["visit_id"] for v in m["visits"]] == ["V0001", "V0002", "V0003"]
    listed = set()
    for v in m["visits"]:
        assert v["admitted"] <= v["discharged"]
        assert (archive / "records" / v["visit_id"] / "patient.json").is_file()
        for n, d in enumerate(v["documents"], start=1):
            assert re.fullmatch(rf"records/{v['visit_id']}/{n:02d}-[a-z-]+\.pdf", d["file"])
            assert d["doc_id"] == f"{v['visit_id']}-{n:02d}"
            with pymupdf.open(archive / d["file"]) as pdf:
                assert pdf.page_count == d["pages"] and 1 <= d["pages"] <= 3
            listed.add(d["file"])
    on_disk = {str(p.relative_to(archive)) for p in (archive / "records").rglob("*.pdf")}
    assert on_disk == listed
    # Ground truth sits outside records/, so nobody feeds it to the pipeline by accident.
    assert not list((archive / "records").rglob("*truth*"))
    assert set(_truths(archive)) == {"V0001", "V0002", "V0003"}


def test_every_text_identifier_is_in_the_text_layer_of_its_page(archive):
    docs = _docs(archive)
    checked = 0
    for truth in _truths(archive).values():
        for ident in truth["identifiers"]:
            for w in ident["where"]:
                if w["in"] != "text":
                    continue
                assert not docs[w["doc"]]["scanned"]
                with pymupdf.open(archive / docs[w["doc"]]["file"]) as pdf:
                    assert ident["value"] in pdf[w["page"] - 1].get_text(), (ident["category"], w)
                checked += 1
    assert checked > 50


def test_truth_covers_the_patient_family_staff_and_hospital(archive):
    for vid, truth in _truths(archive).items():
        cats = {i["category"] for i in truth["identifiers"]}
        assert {"患者姓名", "患者身份证号", "住院号", "床号", "家属姓名", "医护人员", "医院名称"} <= cats, vid
        placed = {i["value"] for i in truth["identifiers"]}
        for ident in json.loads((archive / "records" / vid / "patient.json").read_text("utf-8"))["identifiers"]:
            assert ident["value"] in placed


def test_resident_ids_in_truth_have_valid_check_digits(archive):
    assert id_check_digit("11010519491231002") == "X"         # the standard's worked example
    assert not is_valid_resident_id("110105194912310021")
    ids = [i["value"] for t in _truths(archive).values() for i in t["identifiers"] if "身份证" in i["category"]]
    assert ids and all(is_valid_resident_id(v) for v in ids)
    assert any(len(v) == 18 and v[17] != "X" for v in ids)
    assert all(is_valid_resident_id(v["patient_id_number"]) for v in _manifest(archive)["visits"])


def test_scanned_documents_have_no_text_layer(archive):
    scanned = [d for d in _docs(archive).values() if d["scanned"]]
    assert scanned
    for d in scanned:
        with pymupdf.open(archive / d["file"]) as pdf:
            for page in pdf:
                assert page.get_text().strip() == ""
                assert len(page.get_images()) == 1


def test_metadata_outline_and_annotations_carry_the_named_phi(archive):
    docs = _docs(archive)
    seen = set()
    for truth in _truths(archive).values():
        for ident in truth["identifiers"]:
            for w in ident["where"]:
                if w["in"] not in ("metadata", "outline", "annotation"):
                    continue
                with pymupdf.open(archive / docs[w["doc"]]["file"]) as pdf:
                    if w["in"] == "metadata":
                        hay = " ".join(str(v) for v in pdf.metadata.values())
                    elif w["in"] == "outline":
                        hay = " ".join(t[1] for t in pdf.get_toc())
                    else:
                        hay = " ".join(a.info["content"] + a.info["title"] for a in pdf[w["page"] - 1].annots())
                assert ident["value"] in hay, (ident["category"], w)
                seen.add(w["in"])
    assert seen == {"metadata", "outline", "annotation"}


def test_signatures_are_images_on_their_pages(archive):
    docs = _docs(archive)
    sigs = [(i["value"], w) for t in _truths(archive).values() for i in t["identifiers"]
            for w in i["where"] if w["in"] == "signature"]
    assert len(sigs) > 10
    for _, w in sigs:
        with pymupdf.open(archive / docs[w["doc"]]["file"]) as pdf:
            assert pdf[w["page"] - 1].get_images()


def test_clinical_terms_are_readable_in_born_digital_documents(archive):
    docs = _docs(archive)
    for truth in _truths(archive).values():
        assert len(truth["clinical_terms"]) >= 30
        for d in truth["documents"]:
            assert 5 <= len(d["clinical_terms"]) <= 30, d["doc_id"]
            if not docs[d["doc_id"]]["scanned"]:
                with pymupdf.open(archive / d["file"]) as pdf:
                    text = "".join(p.get_text() for p in pdf)
                assert all(t in text for t in d["clinical_terms"])


def test_same_seed_same_archive_other_seed_other_patients(archive, tmp_path):
    again = generate_archive(tmp_path / "again", records=3, seed=SEED)
    assert (again / "manifest.json").read_bytes() == (archive / "manifest.json").read_bytes()
    first = _manifest(archive)["visits"][0]["documents"][0]["file"]
    assert (again / first).read_bytes() == (archive / first).read_bytes()
    other = generate_archive(tmp_path / "other", records=1, seed=SEED + 1)
    assert _manifest(other)["visits"][0]["patient_name"] != _manifest(archive)["visits"][0]["patient_name"]


def test_layouts_vary_between_visits(archive):
    """Not one template with names swapped: hospitals, titles and labels differ."""
    firsts = []
    for v in _manifest(archive)["visits"]:
        adm = next(d for d in v["documents"] if d["doc_type"] == "入院记录")
        with pymupdf.open(archive / adm["file"]) as pdf:
            firsts.append(pdf[0].get_text()[:300])
    assert len(set(firsts)) == len(firsts)
    sizes = set()
    for d in _docs(archive).values():
        if not d["scanned"]:
            with pymupdf.open(archive / d["file"]) as pdf:
                sizes |= {round(s["size"], 1) for b in pdf[0].get_text("dict")["blocks"]
                          for ln in b.get("lines", []) for s in ln["spans"]}
    assert len(sizes) >= 5


def test_truth_gives_every_signature_a_rect_holding_its_ink(archive):
    docs = _docs(archive)
    for truth in _truths(archive).values():
        spots = {(w["doc"], w["page"]) for i in truth["identifiers"] for w in i["where"]
                 if w["in"] == "signature"}
        assert {(s["doc"], s["page"]) for s in truth["signatures"]} == spots
    kinds = set()
    for s in (s for t in _truths(archive).values() for s in t["signatures"]):
        doc = docs[s["doc"]]
        with pymupdf.open(archive / doc["file"]) as pdf:
            page = pdf[s["page"] - 1]
            rect = pymupdf.Rect(s["rect"])
            assert rect in page.rect
            if not doc["scanned"]:      # exactly where the signature image was placed
                assert any(pymupdf.Rect(i["bbox"]).round() == rect.round()
                           for i in page.get_image_info()), s
            pix = page.get_pixmap(clip=rect, dpi=144, colorspace=pymupdf.csGRAY)
            grey = np.frombuffer(pix.samples, np.uint8)
            # Mostly paper, with strokes far darker than it (scans: grey paper, some inks light)
            assert (grey < np.percentile(grey, 75) - 80).mean() > 0.03, s
        kinds.add(doc["scanned"])
    assert kinds == {True, False}


def _signature_sheet(signed: bool) -> Sheet:
    """A page of print with three signatures, far from the centre a scan tilts about."""
    font = load_font()
    sheet = Sheet(font)
    sheet.pen = Pen(font.buffer, random.Random(3))
    sheet.new_page()
    sheet.text(60, 100, "医师签名：")
    if signed:
        for x, y in [(120, 104), (480, 790), (60, 60)]:
            sheet.signature(x, y, "王建国")
    return sheet


def test_a_scan_moves_signature_rects_with_their_ink():
    # The same page scanned with and without its signatures, by the same seeded scanner (same
    # tilt, shift, noise): the pixels that differ are the signatures' ink.
    signed = _signature_sheet(True)
    scan, _dpi, moves = scan_document(signed.finish(), random.Random(3))
    plain, _dpi, _moves = scan_document(_signature_sheet(False).finish(), random.Random(3))

    def grey(doc):
        pix = doc[0].get_pixmap(dpi=144, colorspace=pymupdf.csGRAY)
        return np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width).astype(int)

    ink = np.abs(grey(scan) - grey(plain)) > 40

    def share_inside(rects):
        inside = np.zeros_like(ink)
        for r in rects:
            r = r * pymupdf.Matrix(2, 2)
            inside[int(r.y0):int(r.y1) + 1, int(r.x0):int(r.x1) + 1] = True
        return (ink & inside).sum() / ink.sum()

    drawn = [pymupdf.Rect(r) for r in signed.records[0].signatures]
    assert ink.sum() > 1000
    assert share_inside([moved_rect(r, moves[0]) for r in drawn]) == 1.0
    assert share_inside(drawn) < 0.97          # this scan's tilt moved them: the map matters


def _identifier_sheet(with_values: bool) -> Sheet:
    """Lines of print holding a name and a number mid-string, or the same print without them
    (prefix and suffix drawn exactly where they were)."""
    sheet = Sheet(load_font())
    sheet.new_page()
    for x, y, before, value, after in [(60, 80, "患者", "王玉兰", "因发热入院"),
                                       (300, 780, "住院号：", "202384585", ""),
                                       (520, 400, "", "欧阳建国", "")]:
        if with_values:
            sheet.text(x, y, before + value + after)
        else:
            sheet.text(x, y, before)
            sheet.text(x + sheet.text_width(before + value), y, after)
    return sheet


def test_a_scan_moves_identifier_rects_with_their_ink():
    # As for signatures: the pixels two scans differ in are the identifiers' ink, and the truth's
    # rects must hold all of it, or `evaluate` would miss a name a person can read on a scan.
    sheet = _identifier_sheet(True)
    truth = VisitTruth([(PATIENT_NAME, "王玉兰"), (INPATIENT_NO, "202384585"), (STAFF, "欧阳建国")], [])
    scan, _dpi, moves = scan_document(sheet.finish(), random.Random(5))
    plain, _dpi, _moves = scan_document(_identifier_sheet(False).finish(), random.Random(5))
    truth.place_identifiers("D1", sheet.records, moves, sheet.text_width)
    assert [d["value"] for d in truth.drawn] == ["王玉兰", "202384585", "欧阳建国"]

    def grey(doc):
        pix = doc[0].get_pixmap(dpi=144, colorspace=pymupdf.csGRAY)
        return np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width).astype(int)

    ink = np.abs(grey(scan) - grey(plain)) > 40
    inside = np.zeros_like(ink)
    for d in truth.drawn:
        r = pymupdf.Rect(d["rect"]) * pymupdf.Matrix(2, 2)
        inside[int(r.y0):int(r.y1) + 1, int(r.x0):int(r.x1) + 1] = True
    assert ink.sum() > 500
    assert (ink & inside).sum() / ink.sum() == 1.0
    for d in truth.drawn:                      # tight enough that the print beside is outside
        assert pymupdf.Rect(d["rect"]).width < sheet.text_width(d["value"]) + 10


def test_a_bed_number_is_placed_where_it_was_marked_not_wherever_its_digits_are():
    """A bed number ("+2", an extra bed) is too short to look for; unplaced, OCR misreading it
    on a scan ("床于 5932") hid that it was still there to see."""
    sheet = Sheet(load_font())
    sheet.new_page()
    sheet.text(60, 160, "停经39+2周，胎动减少7天")
    sheet.text(60, 120, "床号：+2", marks=((BED_NO, "+2"),))
    truth = VisitTruth([(PATIENT_NAME, "王玉兰")], [])
    truth.place_identifiers("D1", sheet.records, [pymupdf.Matrix(1, 0, 0, 1, 0, 0)], sheet.text_width)
    assert [(d["category"], d["value"]) for d in truth.drawn] == [(BED_NO, "+2")]
    rect = truth.drawn[0]["rect"]
    assert rect[0] == pytest.approx(60 + sheet.text_width("床号：") - MOVED_PAD, abs=0.1) and rect[3] < 130


def test_truth_places_the_identifiers_drawn_on_scanned_pages(archive):
    docs = _docs(archive)
    drawn = [d for t in _truths(archive).values() for d in t["drawn"]]
    assert drawn and all(docs[d["doc"]]["scanned"] for d in drawn)
    assert {d["category"] for d in drawn} >= {PATIENT_NAME, STAFF}


def test_truth_gives_every_hospital_stamp_a_rect_holding_its_ink(archive):
    # A seal's rim is the hospital's name: a person reads it, OCR does not, so the evaluation
    # looks at its pixels as at a signature's.
    docs = _docs(archive)
    stamps = [s for t in _truths(archive).values() for s in t["stamps"]]
    assert stamps
    for s in stamps:
        doc = docs[s["doc"]]
        with pymupdf.open(archive / doc["file"]) as pdf:
            page = pdf[s["page"] - 1]
            rect = pymupdf.Rect(s["rect"])
            if not doc["scanned"]:      # the image, its proportions kept, inside the rect
                assert any(pymupdf.Rect(i["bbox"]) in rect + (-1, -1, 1, 1)
                           for i in page.get_image_info()), s
            pix = page.get_pixmap(clip=rect & page.rect, dpi=72, colorspace=pymupdf.csGRAY)
            grey = np.frombuffer(pix.samples, np.uint8)
            assert (grey < np.percentile(grey, 90) - 40).mean() > 0.02, s
