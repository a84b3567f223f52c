"""Declarative base, naming convention and time helpers shared by all models."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints so Alembic can alter them later (SQLite batch mode needs names).
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every portal table."""

    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    """Naive UTC now: stored the same on SQLite and PostgreSQL (no zone conversions)."""
    return datetime.now(UTC).replace(tzinfo=None)
