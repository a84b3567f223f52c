"""The SQL index archive finds, lists and locates what the folder archive does (SQLite, PostgreSQL).

Every test runs against both databases: a file in tmp_path, and a private schema on the
PostgreSQL server at EMR_TEST_POSTGRES_URL (dropped afterwards, so parallel runs don't collide).
"""
from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    insert,
    text,
)
from sqlalchemy.exc import OperationalError

from archive import open_archive, sqlindex
from archive.base import Archive
from archive.demo import generate_archive
from archive.folder import ArchiveError, DocumentRef, FolderArchive, NotInArchive
from archive.sqlindex import SqlIndexArchive

PG_URL = os.environ.get("EMR_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


# -- a database per backend -----------------------------------------------------------------

def _columns() -> list[Column]:
    return [
        Column("visit_id", String(20)), Column("record_no", String(20)),
        Column("patient_name", String(50)), Column("patient_id_number", String(30)),
        Column("department", String(50)), Column("admitted", Date), Column("discharged", Date),
        Column("doc_id", String(30)), Column("doc_type", String(50)), Column("title", String(100)),
        Column("file_path", String(300)), Column("pages", Integer),
        Column("scanned", Boolean), Column("doc_date", Date), Column("doc_order", Integer),
        Column("patient_phone", String(30)), Column("inpatient_no", String(30)),
    ]


@dataclass
class Db:
    """One archive database: makes tables and views in its own namespace, opens adapters on them."""

    kind: str
    url: str
    engine: Engine
    schema: str | None
    files_root: Path
    opened: list[SqlIndexArchive] = field(default_factory=list)

    def name(self, table: str) -> str:
        """The name to give EMR_ARCHIVE_TABLE (schema.view on PostgreSQL)."""
        return f"{self.schema}.{table}" if self.schema else table

    def sql_name(self, table: str) -> str:
        return f'"{self.schema}"."{table}"' if self.schema else f'"{table}"'

    def table(self, table: str, rows: list[dict], columns: list[Column] | None = None) -> str:
        t = Table(table, MetaData(schema=self.schema), *(columns or _columns()))
        t.create(self.engine)
        if rows:
            names = {c.name for c in t.columns}
            with self.engine.begin() as conn:
                conn.execute(insert(t), [{k: r.get(k) for k in names} for r in rows])
        return self.name(table)

    def execute(self, sql: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(text(sql))

    def open(self, table: str, **kw) -> SqlIndexArchive:  # type: ignore[no-untyped-def]
        kw.setdefault("files_root", self.files_root)
        arc = SqlIndexArchive(self.url, table, **kw)
        self.opened.append(arc)
        return arc


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request, tmp_path: Path) -> Iterator[Db]:
    files_root = tmp_path / "files"
    files_root.mkdir()
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'archive.db'}"
        engine = create_engine(url)
        d = Db("sqlite", url, engine, None, files_root)
        try:
            yield d
        finally:
            for arc in d.opened:
                arc.engine.dispose()
            engine.dispose()
        return
    schema = f"sqlindex_test_{uuid.uuid4().hex[:10]}"
    engine = create_engine(sqlindex._engine_url(PG_URL))
    try:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError:
        engine.dispose()
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    d = Db("postgres", PG_URL, engine, schema, files_root)
    try:
        yield d
    finally:
        for arc in d.opened:
            arc.engine.dispose()
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


# -- a small archive, one row per document --------------------------------------------------

def _visit_rows(vid: str, record_no: str, name: str, dept: str, admitted: date | None,
                discharged: date | None, docs: list[tuple], **patient) -> list[dict]:
    """docs: (doc_id, doc_type, title, pages, doc_order)."""
    return [dict(visit_id=vid, record_no=record_no, patient_name=name,
                 patient_id_number=f"ID-{vid}", department=dept, admitted=admitted,
                 discharged=discharged, doc_id=doc_id, doc_type=doc_type, title=title,
                 file_path=f"records/{vid}/{doc_id}.pdf", pages=pages, scanned=order % 2 == 0,
                 doc_date=admitted, doc_order=order, **patient)
            for doc_id, doc_type, title, pages, order in docs]


# Inserted out of order on purpose: the adapter must order documents by doc_order, not by
# insertion order or doc_id ("V1-c" is the second document of V1).
ROWS = (
    _visit_rows("V2", "100002", "乙", "儿科", date(2025, 4, 10), date(2025, 4, 12),
                [("V2-2", "死亡病例讨论", "讨论记录", 2, 2), ("V2-1", "入院记录", "入院记录", 1, 1)])
    + _visit_rows("V1", "100001", "甲", "产科", date(2025, 3, 1), date(2025, 3, 9),
                  [("V1-b", "出院记录", "出院记录", 1, 3), ("V1-a", "入院记录", "住院病历", 3, 1),
                   ("V1-c", "胎心监护", "胎心监护单", 5, 2)],
                  patient_phone="139-0000-1111", inpatient_no="ZY2025001")
    + _visit_rows("V3", "100003", "丙", "产科", date(2025, 5, 20), date(2025, 6, 2),
                  [("V3-1", "入院记录", "入院记录", 1, 1)])
)


@pytest.fixture
def arc(db: Db) -> SqlIndexArchive:
    return db.open(db.table("archive_index", ROWS))


def ids(visits) -> list[str]:  # type: ignore[no-untyped-def]
    return [v.visit_id for v in visits]


# -- searching ------------------------------------------------------------------------------

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


def test_patient_identifiers_without_the_optional_columns(db):
    cols = [c for c in _columns() if c.name not in ("patient_phone", "inpatient_no")]
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
    cols = [c for c in _columns() if c.name != "pages"]
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
    rows = _visit_rows("V7", "7", "丁", "外科", date(2025, 1, 1), date(2025, 1, 2),
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


# -- size -----------------------------------------------------------------------------------

def test_search_result_is_capped(db):
    n = sqlindex.MAX_VISITS + 7
    rows = [r for i in range(n)
            for r in _visit_rows(f"W{i:05d}", str(500000 + i), "戊", "内科", date(2024, 1, 1),
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
