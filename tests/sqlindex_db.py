"""Databases for the SQL index archive tests: a file in tmp_path (SQLite), and a private
schema on the PostgreSQL server at EMR_TEST_POSTGRES_URL, dropped afterwards so parallel
runs don't collide. Test modules import the `db` and `arc` fixtures from here."""
from __future__ import annotations

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

from archive import sqlindex
from archive.sqlindex import SqlIndexArchive

PG_URL = os.environ.get("EMR_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


# -- a database per backend -----------------------------------------------------------------

def index_columns() -> list[Column]:
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
        t = Table(table, MetaData(schema=self.schema), *(columns or index_columns()))
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

def visit_rows(vid: str, record_no: str, name: str, dept: str, admitted: date | None,
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
    visit_rows("V2", "100002", "乙", "儿科", date(2025, 4, 10), date(2025, 4, 12),
                [("V2-2", "死亡病例讨论", "讨论记录", 2, 2), ("V2-1", "入院记录", "入院记录", 1, 1)])
    + visit_rows("V1", "100001", "甲", "产科", date(2025, 3, 1), date(2025, 3, 9),
                  [("V1-b", "出院记录", "出院记录", 1, 3), ("V1-a", "入院记录", "住院病历", 3, 1),
                   ("V1-c", "胎心监护", "胎心监护单", 5, 2)],
                  patient_phone="139-0000-1111", inpatient_no="ZY2025001")
    + visit_rows("V3", "100003", "丙", "产科", date(2025, 5, 20), date(2025, 6, 2),
                  [("V3-1", "入院记录", "入院记录", 1, 1)])
)


@pytest.fixture
def arc(db: Db) -> SqlIndexArchive:
    return db.open(db.table("archive_index", ROWS))


def ids(visits) -> list[str]:  # type: ignore[no-untyped-def]
    return [v.visit_id for v in visits]


# -- searching ------------------------------------------------------------------------------
