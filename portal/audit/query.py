"""Filtering the audit log for the compliance page and its CSV export."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from portal.models import AuditEntry, User

CSV_COLUMNS = ["id", "at_utc", "user_id", "username", "action", "obj_type", "obj_id",
               "details", "prev_hash", "hash"]


@dataclass(frozen=True)
class AuditFilter:
    """What the compliance officer narrowed the log to; None means any."""

    user_id: int | None = None
    action: str | None = None
    date_from: date | None = None
    date_to: date | None = None  # inclusive
    export_id: int | None = None

    def apply(self, stmt: Select) -> Select:
        """Add this filter's conditions to a select over AuditEntry."""
        if self.user_id is not None:
            stmt = stmt.where(AuditEntry.user_id == self.user_id)
        if self.action:
            stmt = stmt.where(AuditEntry.action == self.action)
        if self.date_from:
            stmt = stmt.where(AuditEntry.at >= datetime.combine(self.date_from, time.min))
        if self.date_to:
            end = datetime.combine(self.date_to + timedelta(days=1), time.min)
            stmt = stmt.where(AuditEntry.at < end)
        if self.export_id is not None:
            stmt = stmt.where(AuditEntry.obj_type == "export",
                              AuditEntry.obj_id == str(self.export_id))
        return stmt


def count(session: Session, flt: AuditFilter) -> int:
    """How many entries match."""
    return session.scalar(flt.apply(select(func.count(AuditEntry.id)))) or 0


def page(session: Session, flt: AuditFilter, number: int, size: int) -> list[AuditEntry]:
    """One page of matching entries, newest first (`number` is 1-based)."""
    stmt = flt.apply(select(AuditEntry)).order_by(AuditEntry.id.desc())
    return list(session.scalars(stmt.offset((number - 1) * size).limit(size)))


def actions(session: Session) -> list[str]:
    """Every action name that occurs in the log, for the filter's choices."""
    return list(session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))


def usernames(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """Map user ids to usernames (entries keep ids only)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.username).where(User.id.in_(wanted)))
    return {uid: name for uid, name in rows}


def csv_rows(session: Session, flt: AuditFilter, batch: int = 500) -> Iterator[str]:
    """The matching entries as CSV text, oldest first, a chunk at a time."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    stmt = flt.apply(select(AuditEntry)).order_by(AuditEntry.id)
    names = {uid: name for uid, name in session.execute(select(User.id, User.username))}
    for n, e in enumerate(session.scalars(stmt.execution_options(yield_per=batch)), 1):
        writer.writerow([_cell(v) for v in (
            e.id, e.at.isoformat(timespec="seconds"), e.user_id or "",
            names.get(e.user_id, "") if e.user_id else "", e.action, e.obj_type or "",
            e.obj_id or "", json.dumps(e.details, ensure_ascii=False, sort_keys=True),
            e.prev_hash, e.hash,
        )])
        if n % batch == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def _cell(value: object) -> object:
    # A spreadsheet runs cells that start with these as formulas; quote them.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
