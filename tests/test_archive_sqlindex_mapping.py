"""The SQL index archive on a hospital's own schema: column mappings, what is missing or
refused, and where document files may be (SQLite and PostgreSQL, as in
test_archive_sqlindex.py)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlindex_db import ROWS, arc, db, ids, index_columns, visit_rows  # noqa: F401 (fixtures)

from archive import open_archive
from archive.folder import ArchiveError, DocumentRef
from archive.sqlindex import SqlIndexArchive


def test_patient_identifiers_without_the_optional_columns(db):
    cols = [c for c in index_columns() if c.name not in ("patient_phone", "inpatient_no")]
    arc = db.open(db.table("no_phone", ROWS, cols))
    assert {i["category"] for i in arc.patient_identifiers("V1")} == {"患者姓名", "患者身份证号", "病案号"}


# -- a hospital's own view, with its own column names ---------------------------------------

def test_column_mapping_on_a_view_with_other_names(db):
    base = db.table("his_docs", ROWS)
    view = "v_emr_archive"
    # Pinyin abbreviations as archive systems name them; one quoted mixed-case name.
    db.execute(f"""CREATE VIEW {db.sql_name(view)} AS SELECT
        visit_id AS zyid, record_no AS bah, patient_name AS xm, patient_id_number AS sfzh,
        department AS ksmc, admitted AS ryrq, discharged AS cyrq, doc_id AS wjid,
        doc_type AS wjlx, title AS wjmc, file_path AS wjlj, pages AS "YeShu",
        doc_order AS px, patient_phone AS lxdh
        FROM {db.sql_name(base.rpartition('.')[2])}""")
    columns = {"visit_id": "ZYID", "record_no": "bah", "patient_name": "xm",
               "patient_id_number": "sfzh", "department": "ksmc", "admitted": "ryrq",
               "discharged": "cyrq", "doc_id": "wjid", "doc_type": "wjlx", "title": "wjmc",
               "file_path": "wjlj", "pages": "YeShu", "doc_order": "px", "patient_phone": "lxdh"}
    arc = open_archive(db.url, table=db.name(view), columns=columns, files_root=db.files_root)
    db.opened.append(arc)
    assert ids(arc.search(department="产科", date_from=date(2025, 3, 5))) == ["V1", "V3"]
    assert ids(arc.search(doc_type="死亡病例讨论")) == ["V2"]
    v = arc.visit("V1")
    assert [(d.doc_id, d.title, d.pages) for d in v.documents] == [
        ("V1-a", "住院病历", 3), ("V1-c", "胎心监护单", 5), ("V1-b", "出院记录", 1)]
    assert v.admitted == date(2025, 3, 1)
    assert {"category": "电话", "value": "139-0000-1111"} in arc.patient_identifiers("V1")
    # Unmapped optional columns the view lacks (scanned, doc_date) are simply absent.
    assert v.documents[0].scanned is False and v.documents[0].date is None


def test_view_without_mapping_names_the_missing_columns(db):
    base = db.table("his_docs2", ROWS)
    db.execute(f"CREATE VIEW {db.sql_name('v_renamed')} AS SELECT visit_id AS zyid, record_no, "
               "patient_name, patient_id_number, department, admitted, discharged, doc_id, "
               "doc_type, title, file_path AS wjlj, pages "
               f"FROM {db.sql_name(base.rpartition('.')[2])}")
    arc = db.open(db.name("v_renamed"))
    with pytest.raises(ArchiveError) as exc:
        arc.search()
    msg = str(exc.value)
    assert "lacks the column(s)" in msg and "EMR_ARCHIVE_COLUMNS" in msg
    assert "visit_id (looked for 'visit_id')" in msg and "file_path" in msg
    assert "record_no" not in msg  # only what is really missing


def test_unknown_name_in_the_mapping_is_refused(db):
    with pytest.raises(ArchiveError, match="unknown archive column.*visitid"):
        db.open(db.name("archive_index"), columns={"visitid": "zyh"})


# -- errors in words ------------------------------------------------------------------------

def test_missing_table_says_which(db):
    db.table("archive_index", ROWS)
    arc = db.open(db.name("archive_indx"))
    for call in (arc.search, arc.visits, arc.departments, lambda: arc.visit("V1")):
        with pytest.raises(ArchiveError,
                           match="no table or view '.*archive_indx'.*EMR_ARCHIVE_TABLE"):
            call()


def test_missing_required_column_says_which(db):
    cols = [c for c in index_columns() if c.name != "pages"]
    arc = db.open(db.table("no_pages", ROWS, cols))
    with pytest.raises(ArchiveError, match=r"lacks the column\(s\) pages \(looked for 'pages'\)"):
        arc.visit("V1")
    # A mapping that names a column the table does not have is reported the same way.
    arc = db.open(db.name("no_pages"), columns={"pages": "page_count"})
    with pytest.raises(ArchiveError, match="pages \\(looked for 'page_count'\\)"):
        arc.search()


def test_unreachable_database_is_an_archive_error(tmp_path):
    arc = SqlIndexArchive(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}", "archive_index")
    with pytest.raises(ArchiveError, match="cannot be reached.*EMR_ARCHIVE"):
        arc.search()
    with pytest.raises(ArchiveError, match="not a database address"):
        SqlIndexArchive("nosuchdb://x/y", "archive_index")


# -- files ----------------------------------------------------------------------------------

def test_document_path_stays_under_files_root(db, arc):
    doc = arc.visit("V1").documents[0]
    assert arc.document_path(doc) == (db.files_root / "records/V1/V1-a.pdf").resolve()
    # An absolute path in the index is fine when it lies under the files root.
    inside = DocumentRef("V1-x", "t", "t", str(db.files_root / "records/V1/x.pdf"), 1, False, None)
    assert arc.document_path(inside) == (db.files_root / "records/V1/x.pdf").resolve()
    sibling = db.files_root.parent / (db.files_root.name + "-other") / "x.pdf"
    for bad in ("../outside.pdf", "records/../../outside.pdf", "/etc/passwd",
                "..\\..\\windows\\win.ini", str(sibling)):
        evil = DocumentRef("V1-9", "入院记录", "t", bad, 1, False, None)
        with pytest.raises(ArchiveError, match="V1-9 points outside the archive folder; refused"):
            arc.document_path(evil)


def test_file_path_in_the_index_leading_outside_is_refused(db):
    rows = visit_rows("V7", "7", "丁", "外科", date(2025, 1, 1), date(2025, 1, 2),
                       [("V7-1", "入院记录", "入院记录", 1, 1)])
    rows[0]["file_path"] = "../../../etc/passwd"
    arc = db.open(db.table("evil_index", rows))
    (doc,) = arc.visit("V7").documents
    with pytest.raises(ArchiveError, match="outside the archive folder"):
        arc.document_path(doc)


def test_document_path_needs_files_root(db, arc):
    doc = arc.visit("V1").documents[0]
    no_root = db.open(db.name("archive_index"), files_root=None)
    with pytest.raises(ArchiveError, match="EMR_ARCHIVE_FILES"):
        no_root.document_path(doc)
    empty = DocumentRef("V1-0", "t", "t", "", 1, False, None)
    with pytest.raises(ArchiveError, match="V1-0 has no file path"):
        arc.document_path(empty)


