"""The append-only audit log: each entry hashes the one before it."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base

GENESIS_HASH = "0" * 64


class AuditEntry(Base):
    """One thing someone did. Never updated or deleted; `details` holds ids, not patient text."""

    __tablename__ = "audit_entries"

    # Assigned from the chain head, not by the database: ids run 1, 2, 3 ... without gaps,
    # so a deleted row shows as a gap.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    # No foreign key: the log must outlive (and never block deleting) anything it mentions.
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    obj_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    obj_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChainHead(Base):
    """The single row writers lock to append one at a time: last id and last hash."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)
