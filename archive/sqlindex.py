"""An archive read from a table or view of the hospital's archive system (one row per document).

The hospital points EMR_ARCHIVE at its database and EMR_ARCHIVE_TABLE at a view with these
columns (names can be mapped with EMR_ARCHIVE_COLUMNS): visit_id, record_no, patient_name,
patient_id_number, department, admitted, discharged, doc_id, doc_type, title, file_path, pages.
Optional: scanned, doc_date, doc_order, patient_phone, inpatient_no. File paths are read under
EMR_ARCHIVE_FILES and refused if they lead outside it. Read-only: the adapter only ever SELECTs.
"""
from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Engine,
    Select,
    TableClause,
    and_,
    column,
    create_engine,
    inspect,
    or_,
    select,
    table,
)
from sqlalchemy.exc import DataError, NoSuchTableError, SQLAlchemyError

from archive.folder import ArchiveError, DocumentRef, NotInArchive, Visit

REQUIRED = ("visit_id", "record_no", "patient_name", "patient_id_number", "department",
            "admitted", "discharged", "doc_id", "doc_type", "title", "file_path", "pages")
OPTIONAL = ("scanned", "doc_date", "doc_order", "patient_phone", "inpatient_no")
# A search must not pull a whole hospital's archive into memory.
MAX_VISITS = 500
# Kept under the bind-parameter limits of every database we may meet (SQLite: 999 before 3.32).
ID_CHUNK = 400
# The patient's identifiers the index may hold, with the categories the engine's policies and
# the folder archive's patient.json use; the engine hunts each value on every page.
IDENTIFIERS = (("patient_name", "患者姓名"), ("patient_id_number", "患者身份证号"),
               ("patient_phone", "电话"), ("record_no", "病案号"), ("inpatient_no", "住院号"))
TRUE_WORDS = {"1", "true", "t", "y", "yes", "是", "扫描"}


def _engine_url(url: str) -> str:
    # SQLAlchemy 2.1 picks psycopg 3 for postgresql://; many sites only have psycopg2.
    if url.startswith(("postgresql://", "postgres://")):
        rest = url.split("://", 1)[1]
        for module in ("psycopg", "psycopg2"):
            if importlib.util.find_spec(module) is not None:
                return f"postgresql+{module}://{rest}"
    return url


def _as_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ArchiveError(f"the archive index holds '{value}' where a date belongs") from None


def _as_bool(value: Any) -> bool:
    """Archive systems write flags as booleans, 0/1 or words ('Y', '是')."""
    if value is None:
        return False
    if isinstance(value, (bool, int)):
        return bool(value)
    return str(value).strip().lower() in TRUE_WORDS


def _as_pages(value: Any, doc_id: str) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        raise ArchiveError(f"the archive index gives document {doc_id} the page count "
                           f"'{value}', which is not a number") from None


class SqlIndexArchive:
    """Visits and documents from an SQL table or view; files found under `files_root`."""

    def __init__(self, url_or_engine: str | Engine, table_name: str, *,
                 columns: Mapping[str, str] | None = None,
                 files_root: str | Path | None = None) -> None:
        try:
            self.engine = (create_engine(_engine_url(url_or_engine), pool_pre_ping=True)
                           if isinstance(url_or_engine, str) else url_or_engine)
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise ArchiveError(f"EMR_ARCHIVE is not a database address this program can use "
                               f"({type(exc).__name__})") from None
        self.files_root = Path(files_root).resolve() if files_root else None
        # Optional columns are read under their own names too when the view has them.
        mapping = {name: name for name in REQUIRED + OPTIONAL}
        mapping.update(columns or {})
        unknown = set(mapping) - set(REQUIRED) - set(OPTIONAL)
        if unknown:
            raise ArchiveError(f"unknown archive column(s) in EMR_ARCHIVE_COLUMNS: "
                               f"{', '.join(sorted(unknown))}; known: "
                               f"{', '.join(REQUIRED + OPTIONAL)}")
        self.mapping = mapping
        self.table_name = table_name
        self._table: TableClause | None = None
        self._names: dict[str, str] = {}

    # -- the table, checked once against what the database really has --------------------

    def _resolve(self) -> TableClause:
        """The table with our names mapped to its real columns; ArchiveError in words if not."""
        if self._table is not None:
            return self._table
        schema, _, name = self.table_name.rpartition(".")
        try:
            found = [c["name"] for c in inspect(self.engine).get_columns(name, schema=schema or None)]
        except NoSuchTableError:
            raise ArchiveError(f"the archive database has no table or view '{self.table_name}'; "
                               "check EMR_ARCHIVE_TABLE (write schema.view for another "
                               "schema)") from None
        except SQLAlchemyError as exc:
            raise ArchiveError(f"the archive database cannot be reached "
                               f"({type(exc).__name__}); check EMR_ARCHIVE") from None
        if not found:  # some dialects report a missing table as one without columns
            raise ArchiveError(f"the archive database has no table or view '{self.table_name}'; "
                               "check EMR_ARCHIVE_TABLE")
        # Unquoted names are folded (PostgreSQL: lower case), so match without case too.
        by_lower = {c.lower(): c for c in found}
        names, missing = {}, []
        for ours, theirs in self.mapping.items():
            real = theirs if theirs in found else by_lower.get(theirs.lower())
            if real is None:
                if ours in REQUIRED:
                    missing.append(f"{ours} (looked for '{theirs}')")
                continue  # an optional column the view does not have
            names[ours] = real
        if missing:
            raise ArchiveError(f"the archive table '{self.table_name}' lacks the column(s) "
                               f"{', '.join(missing)}; name its columns in EMR_ARCHIVE_COLUMNS, "
                               'e.g. {"visit_id": "zyh"}')
        self._names = names
        self._table = table(name, *(column(c) for c in dict.fromkeys(names.values())),
                            schema=schema or None)
        return self._table

    def _col(self, name: str):  # type: ignore[no-untyped-def]
        return self._resolve().c[self._names[name]]

    def _has(self, name: str) -> bool:
        self._resolve()
        return name in self._names

    def _day(self, value: date) -> date | str:
        # SQLite keeps dates as ISO text; compare text with text.
        return value.isoformat() if self.engine.dialect.name == "sqlite" else value

    def _execute(self, query: Select) -> list[Any]:
        try:
            with self.engine.connect() as conn:
                return list(conn.execute(query))
        except DataError:
            # A value of the wrong type for the column (letters for a numeric visit id):
            # nothing can match it.
            return []
        except SQLAlchemyError as exc:
            raise ArchiveError(f"the archive index cannot be read ({type(exc).__name__}); "
                               "check EMR_ARCHIVE and EMR_ARCHIVE_TABLE") from None

    # -- reading --------------------------------------------------------------------------

    def _rows(self, where: Iterable[Any]) -> list[Mapping[str, Any]]:
        t = self._resolve()
        order = [self._col("visit_id")]
        if self._has("doc_order"):
            order.append(self._col("doc_order"))
        order.append(self._col("doc_id"))
        query = select(*(t.c[real].label(ours) for ours, real in self._names.items()))
        return [row._mapping for row in self._execute(query.where(*where).order_by(*order))]

    def _visits(self, rows: list[Mapping[str, Any]]) -> list[Visit]:
        grouped: dict[str, list[Mapping[str, Any]]] = {}
        for row in rows:
            grouped.setdefault(str(row["visit_id"]), []).append(row)
        return [self._visit(vid, docs) for vid, docs in grouped.items()]

    @staticmethod
    def _visit(vid: str, docs: list[Mapping[str, Any]]) -> Visit:
        first = docs[0]
        return Visit(
            visit_id=vid, record_no=str(first["record_no"] or ""),
            patient_name=str(first["patient_name"] or ""),
            patient_id_number=str(first["patient_id_number"] or ""),
            department=str(first["department"] or ""),
            admitted=_as_date(first["admitted"]), discharged=_as_date(first["discharged"]),
            documents=tuple(DocumentRef(
                doc_id=str(d["doc_id"]), doc_type=str(d["doc_type"] or ""),
                title=str(d["title"] or ""), file=str(d["file_path"] or ""),
                pages=_as_pages(d["pages"], str(d["doc_id"])),
                scanned=_as_bool(d.get("scanned")),
                date=_as_date(d.get("doc_date"))) for d in docs if d["doc_id"] is not None))

    def visits(self) -> list[Visit]:
        """Every visit, up to MAX_VISITS (small archives, demos and tests)."""
        return self.search()

    def visit(self, visit_id: str) -> Visit:
        found = self._visits(self._rows([self._col("visit_id") == str(visit_id)]))
        if not found:
            raise NotInArchive(f"no visit {visit_id} in this archive")
        return found[0]

    def _distinct(self, name: str) -> list[str]:
        col = self._col(name)
        rows = self._execute(select(col).where(col.is_not(None)).distinct().order_by(col))
        return sorted({str(r[0]) for r in rows if str(r[0]).strip()})

    def departments(self) -> list[str]:
        return self._distinct("department")

    def document_types(self) -> list[str]:
        return self._distinct("doc_type")

    def search(self, record_no: str | None = None, department: str | None = None,
               date_from: date | None = None, date_to: date | None = None,
               doc_type: str | None = None) -> list[Visit]:
        """Visits matching every given filter; a stay matches a date range it overlaps."""
        admitted, discharged = self._col("admitted"), self._col("discharged")
        vid = self._col("visit_id")
        where = []
        if record_no and record_no.strip():
            where.append(self._col("record_no") == record_no.strip())
        if department:
            where.append(self._col("department") == department)
        if date_from:
            start = self._day(date_from)
            where.append(or_(discharged >= start, and_(discharged.is_(None), admitted >= start)))
        if date_to:
            # "Before the next day" also holds for timestamps later on the last day.
            end = self._day(date_to + timedelta(days=1))
            where.append(or_(admitted < end, and_(admitted.is_(None), discharged < end)))
        if doc_type:
            inner = select(vid).where(self._col("doc_type") == doc_type)
            where.append(vid.in_(inner))
        # Two steps (ids, then their rows) rather than IN (... LIMIT): not every database
        # accepts LIMIT inside a subquery.
        ids = [r[0] for r in self._execute(
            select(vid).where(*where).distinct().order_by(vid).limit(MAX_VISITS))]
        rows: list[Mapping[str, Any]] = []
        for i in range(0, len(ids), ID_CHUNK):
            rows.extend(self._rows([vid.in_(ids[i:i + ID_CHUNK])]))
        visits = self._visits(rows)
        return sorted(visits, key=lambda v: v.visit_id)

    # -- files and identifiers ------------------------------------------------------------

    def document_path(self, doc: DocumentRef) -> Path:
        """The file of `doc` under `files_root`; nothing outside it is ever handed out."""
        if not doc.file:
            raise ArchiveError(f"document {doc.doc_id} has no file path in the archive index")
        if self.files_root is None:
            raise ArchiveError("set EMR_ARCHIVE_FILES to the folder the archive's documents "
                               "are stored under; files outside it are never read")
        # Absolute paths in the index are fine as long as they lie under files_root.
        path = (self.files_root / doc.file.replace("\\", "/")).resolve()
        if not path.is_relative_to(self.files_root):
            raise ArchiveError(f"document {doc.doc_id} points outside the archive folder; refused")
        return path

    def patient_identifiers(self, visit_id: str) -> list[dict]:
        """The patient's identifiers as the index holds them (name, ID number, phone, numbers)."""
        vid = self._col("visit_id")
        wanted = [(ours, cat) for ours, cat in IDENTIFIERS if self._has(ours)]
        rows = self._execute(select(*(self._col(ours).label(ours) for ours, _ in wanted))
                             .where(vid == str(visit_id)).limit(1))
        if not rows:
            raise NotInArchive(f"no visit {visit_id} in this archive")
        row = rows[0]._mapping
        out = []
        for ours, category in wanted:
            value = str(row[ours]).strip() if row[ours] is not None else ""
            if value:
                out.append({"category": category, "value": value})
        return out
