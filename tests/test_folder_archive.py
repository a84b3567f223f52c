"""The folder archive reads a manifest, finds visits, and never hands out a path outside its root."""
from __future__ import annotations

import json
from datetime import date

import pytest

from archive.demo import generate_archive
from archive.folder import ArchiveError, DocumentRef, FolderArchive


def _doc(vid: str, n: int, doc_type: str) -> dict:
    return {"doc_id": f"{vid}-{n:02d}", "doc_type": doc_type, "title": doc_type,
            "file": f"records/{vid}/{n:02d}-x.pdf", "pages": 1, "scanned": False, "date": "2025-03-01"}


@pytest.fixture()
def root(tmp_path):
    visits = [
        {"visit_id": "V0001", "record_no": "100001", "patient_name": "甲", "patient_id_number": "x",
         "department": "产科", "admitted": "2025-03-01", "discharged": "2025-03-09",
         "documents": [_doc("V0001", 1, "入院记录"), _doc("V0001", 2, "胎心监护")]},
        {"visit_id": "V0002", "record_no": "100002", "patient_name": "乙", "patient_id_number": "y",
         "department": "儿科", "admitted": "2025-04-10", "discharged": "2025-04-12",
         "documents": [_doc("V0002", 1, "入院记录"), _doc("V0002", 2, "死亡病例讨论")]},
    ]
    (tmp_path / "manifest.json").write_text(json.dumps({"version": 1, "visits": visits}), encoding="utf-8")
    return tmp_path


def test_lists_and_finds_visits(root):
    arc = FolderArchive(root)
    assert [v.visit_id for v in arc.visits()] == ["V0001", "V0002"]
    v = arc.visit("V0002")
    assert v.department == "儿科" and v.admitted == date(2025, 4, 10)
    assert [d.doc_type for d in v.documents] == ["入院记录", "死亡病例讨论"]
    assert v.document("V0002-02").file == "records/V0002/02-x.pdf"
    with pytest.raises(ArchiveError, match="no visit V0009"):
        arc.visit("V0009")


def test_search_by_each_filter(root):
    arc = FolderArchive(root)
    ids = lambda vs: [v.visit_id for v in vs]
    assert ids(arc.search(department="产科")) == ["V0001"]
    assert ids(arc.search(record_no="100002")) == ["V0002"]
    assert ids(arc.search(doc_type="死亡病例讨论")) == ["V0002"]
    assert ids(arc.search(doc_type="入院记录")) == ["V0001", "V0002"]
    # A stay matches a date range it overlaps, even partly.
    assert ids(arc.search(date_from=date(2025, 3, 9), date_to=date(2025, 3, 31))) == ["V0001"]
    assert ids(arc.search(date_from=date(2025, 3, 10), date_to=date(2025, 4, 9))) == []
    assert ids(arc.search(date_from=date(2025, 4, 1))) == ["V0002"]
    assert ids(arc.search(department="产科", doc_type="死亡病例讨论")) == []


def test_document_path_stays_inside_the_root(root):
    arc = FolderArchive(root)
    doc = arc.visit("V0001").documents[0]
    assert arc.document_path(doc) == (root / "records/V0001/01-x.pdf").resolve()
    for bad in ("../outside.pdf", "records/../../outside.pdf", "/etc/passwd"):
        evil = DocumentRef("V0001-09", "入院记录", "t", bad, 1, False, None)
        with pytest.raises(ArchiveError, match="outside|absolute"):
            arc.document_path(evil)


@pytest.mark.parametrize("content, words", [
    (None, "no manifest.json"),
    ("{not json", "cannot be read"),
    (json.dumps({"version": 1}), "no list of visits"),
    (json.dumps({"version": 7, "visits": []}), "version 7"),
    (json.dumps({"version": 1, "visits": [{"record_no": "1"}]}), "visit #1 is malformed"),
    (json.dumps({"version": 1, "visits": [{"visit_id": "V1", "admitted": "03/01/2025"}]}), "not a date"),
])
def test_missing_or_corrupt_manifest_says_why(tmp_path, content, words):
    if content is not None:
        (tmp_path / "manifest.json").write_text(content, encoding="utf-8")
    with pytest.raises(ArchiveError, match=words):
        FolderArchive(tmp_path)


def test_reads_a_generated_demo_archive(tmp_path):
    root = generate_archive(tmp_path / "demo", records=1, seed=3)
    arc = FolderArchive(root)
    (visit,) = arc.visits()
    assert arc.search(record_no=visit.record_no, department=visit.department) == [visit]
    for doc in visit.documents:
        assert arc.document_path(doc).is_file()
    ids = arc.patient_identifiers(visit.visit_id)
    assert {"category": "患者姓名", "value": visit.patient_name} in ids
