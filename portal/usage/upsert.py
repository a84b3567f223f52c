"""INSERT ... ON CONFLICT for SQLite and PostgreSQL: add to a counter, or replace a row."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def _insert(session: Session, table: Table) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"upsert is written for SQLite and PostgreSQL, not {dialect}")


def add(session: Session, table: Table, keys: dict[str, Any], amounts: dict[str, Any]) -> None:
    """Create the row identified by `keys` with `amounts`, or add `amounts` to the existing one.

    One statement, so concurrent requests never lose an increment or hit the unique constraint.
    """
    stmt = _insert(session, table).values(**keys, **amounts)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: table.c[name] + stmt.excluded[name] for name in amounts},
    )
    session.execute(stmt)


def replace(session: Session, table: Table, keys: dict[str, Any], values: dict[str, Any]) -> None:
    """Create the row identified by `keys`, or overwrite its `values` (never a second row)."""
    stmt = _insert(session, table).values(**keys, **values)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: stmt.excluded[name] for name in values},
    )
    session.execute(stmt)


def insert_if_missing(session: Session, table: Table, values: dict[str, Any]) -> None:
    """Insert `values` unless a row with the same unique key exists (first writer wins)."""
    session.execute(_insert(session, table).values(**values).on_conflict_do_nothing())
