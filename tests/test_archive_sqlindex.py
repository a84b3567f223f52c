"""The SQL index archive finds, lists and locates what the folder archive does (SQLite, PostgreSQL).

Every test runs against both databases: a file in tmp_path, and a private schema on the
PostgreSQL server at EMR_TEST_POSTGRES_URL (dropped afterwards, so parallel runs don't collide).
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlindex_db import arc, db, ids, visit_rows  # noqa: F401 (fixtures used by name)

from archive import sqlindex
from archive.base import Archive
from archive.demo import generate_archive
from archive.folder import FolderArchive, NotInArchive


def test_is_an_archive_and_lists_every_visit(arc):
    assert isinstance(arc, Archive)
    assert ids(arc.visits()) == ["V1", "V2", "V3"]
    assert arc.departments() == ["产科", "儿科"]
    assert arc.document_types() == sorted({"入院记录", "出院记录", "胎心监护", "死亡病例讨论"})


def test_search_by_record_number(arc):
    (v,) = arc.search(record_no="100002")
    assert (v.visit_id, v.patient_name, v.department) == ("V2", "乙", "儿科")
    assert ids(arc.search(record_no="  100001 ")) == ["V1"]  # pasted with spaces
    assert arc.search(record_no="999999") == []
    assert arc.search(record_no="10000") == []  # exact number, not a prefix


def test_search_by_department(arc):
    assert ids(arc.search(department="产科")) == ["V1", "V3"]
    assert ids(arc.search(department="儿科")) == ["V2"]
    assert arc.search(department="眼科") == []
    assert ids(arc.search(department="产科", record_no="100003")) == ["V3"]


@pytest.mark.parametrize("date_from, date_to, expected", [
    (date(2025, 3, 9), date(2025, 3, 31), ["V1"]),             # range starts on discharge day
    (date(2025, 2, 1), date(2025, 3, 1), ["V1"]),              # range ends on admission day
    (date(2025, 3, 3), date(2025, 3, 4), ["V1"]),              # range inside the stay
    (date(2025, 2, 1), date(2025, 7, 1), ["V1", "V2", "V3"]),  # stays inside the range
    (date(2025, 3, 10), date(2025, 4, 9), []),                 # between two stays
    (date(2025, 4, 12), None, ["V2", "V3"]),                   # from only
    (None, date(2025, 4, 10), ["V1", "V2"]),                   # up to only
    (date(2025, 6, 3), None, []),
])
def test_search_by_date_range_finds_overlapping_stays(arc, date_from, date_to, expected):
    assert ids(arc.search(date_from=date_from, date_to=date_to)) == expected


def test_search_by_document_type_returns_whole_visits(arc):
    (v,) = arc.search(doc_type="死亡病例讨论")
    assert v.visit_id == "V2"
    # The visit comes with all its documents, not only the one that matched.
    assert [d.doc_type for d in v.documents] == ["入院记录", "死亡病例讨论"]
    assert ids(arc.search(doc_type="入院记录")) == ["V1", "V2", "V3"]
    assert ids(arc.search(doc_type="胎心监护", department="儿科")) == []
    assert arc.search(doc_type="心电图") == []


# -- one visit ------------------------------------------------------------------------------

def test_visit_lists_documents_in_order_with_page_counts(arc):
    v = arc.visit("V1")
    assert (v.record_no, v.patient_name, v.patient_id_number, v.department) == (
        "100001", "甲", "ID-V1", "产科")
    assert (v.admitted, v.discharged) == (date(2025, 3, 1), date(2025, 3, 9))
    assert [(d.doc_id, d.doc_type, d.pages) for d in v.documents] == [
        ("V1-a", "入院记录", 3), ("V1-c", "胎心监护", 5), ("V1-b", "出院记录", 1)]
    assert sum(d.pages for d in v.documents) == 9
    doc = v.document("V1-c")
    assert (doc.title, doc.file, doc.scanned, doc.date) == (
        "胎心监护单", "records/V1/V1-c.pdf", True, date(2025, 3, 1))
    assert arc.search(record_no="100001") == [v]


def test_unknown_visit_raises_not_in_archive(arc):
    with pytest.raises(NotInArchive, match="no visit V9"):
        arc.visit("V9")
    with pytest.raises(NotInArchive, match="no visit V9"):
        arc.patient_identifiers("V9")


def test_patient_identifiers_come_from_the_index(arc):
    assert arc.patient_identifiers("V1") == [
        {"category": "患者姓名", "value": "甲"},
        {"category": "患者身份证号", "value": "ID-V1"},
        {"category": "电话", "value": "139-0000-1111"},
        {"category": "病案号", "value": "100001"},
        {"category": "住院号", "value": "ZY2025001"},
    ]
    # V2 has no phone or inpatient number: nothing empty is handed to the engine to hunt.
    assert arc.patient_identifiers("V2") == [
        {"category": "患者姓名", "value": "乙"},
        {"category": "患者身份证号", "value": "ID-V2"},
        {"category": "病案号", "value": "100002"},
    ]


# -- size -----------------------------------------------------------------------------------

def test_search_result_is_capped(db):
    n = sqlindex.MAX_VISITS + 7
    rows = [r for i in range(n)
            for r in visit_rows(f"W{i:05d}", str(500000 + i), "戊", "内科", date(2024, 1, 1),
                                 date(2024, 1, 3), [(f"W{i:05d}-1", "入院记录", "入院记录", 1, 1),
                                                    (f"W{i:05d}-2", "出院记录", "出院记录", 2, 2)])]
    arc = db.open(db.table("big_index", rows))
    found = arc.search(department="内科")
    assert len(found) == sqlindex.MAX_VISITS
    assert ids(found) == [f"W{i:05d}" for i in range(sqlindex.MAX_VISITS)]
    # Capped by visit, not by row: every returned visit keeps all its documents.
    assert all(len(v.documents) == 2 for v in found)
    assert len(arc.visits()) == sqlindex.MAX_VISITS
    # Filters still reach past the cap.
    assert ids(arc.search(record_no=str(500000 + n - 1))) == [f"W{n - 1:05d}"]


# -- a generated archive, read both ways ----------------------------------------------------

@pytest.fixture(scope="module")
def demo_root(tmp_path_factory) -> Path:
    return generate_archive(tmp_path_factory.mktemp("demo") / "archive", records=3, seed=1)


def _rows_from_folder(root: Path) -> list[dict]:
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    rows = []
    for v in manifest["visits"]:
        ident = json.loads((root / "records" / v["visit_id"] / "patient.json")
                           .read_text(encoding="utf-8"))["identifiers"]
        by_cat = {i["category"]: i["value"] for i in ident}
        for n, d in enumerate(v["documents"]):
            rows.append({
                "visit_id": v["visit_id"], "record_no": v["record_no"],
                "patient_name": v["patient_name"], "patient_id_number": v["patient_id_number"],
                "department": v["department"], "admitted": date.fromisoformat(v["admitted"]),
                "discharged": date.fromisoformat(v["discharged"]),
                "doc_id": d["doc_id"], "doc_type": d["doc_type"], "title": d["title"],
                "file_path": d["file"], "pages": d["pages"], "scanned": d["scanned"],
                "doc_date": date.fromisoformat(d["date"]) if d.get("date") else None,
                "doc_order": n,
                "patient_phone": by_cat.get("电话"), "inpatient_no": by_cat.get("住院号")})
    return rows[::-1]  # the archive system's row order is not the record order


def test_reads_a_demo_archive_like_the_folder_archive(db, demo_root):
    folder = FolderArchive(demo_root)
    arc = db.open(db.table("demo_index", _rows_from_folder(demo_root)), files_root=demo_root)
    assert arc.visits() == folder.visits()
    assert arc.departments() == folder.departments()
    assert arc.document_types() == folder.document_types()
    for v in folder.visits():
        assert arc.search(record_no=v.record_no) == [v]
        assert arc.search(date_from=v.admitted, date_to=v.admitted) == folder.search(
            date_from=v.admitted, date_to=v.admitted)
        for d in v.documents:
            assert arc.document_path(d) == folder.document_path(d)
            assert arc.document_path(d).is_file()
        assert arc.patient_identifiers(v.visit_id) == folder.patient_identifiers(v.visit_id)
    for dept in folder.departments():
        assert arc.search(department=dept) == folder.search(department=dept)
    for t in folder.document_types():
        assert arc.search(doc_type=t) == folder.search(doc_type=t)

