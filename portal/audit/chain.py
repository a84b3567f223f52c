"""Append-only hash chain: entry.hash = sha256(prev_hash + canonical JSON of the entry).

Writers serialize on the single chain-head row: the first statement of an append is an UPDATE
of that row, which takes a row lock on PostgreSQL (held to commit) and the write lock on
SQLite, so two writers can never hang entries off the same predecessor.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.database import db
from portal.models import GENESIS_HASH, AuditChainHead, AuditEntry, User, utcnow

HEAD_ID = 1


def canonical(entry: AuditEntry) -> str:
    """The entry's hashed content as compact JSON with sorted keys."""
    body = {
        "id": entry.id,
        "at": entry.at.isoformat(timespec="microseconds"),
        "user_id": entry.user_id,
        "action": entry.action,
        "obj_type": entry.obj_type,
        "obj_id": entry.obj_id,
        "details": entry.details or {},
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_hash(prev_hash: str, entry: AuditEntry) -> str:
    """The hash that links `entry` to its predecessor."""
    return hashlib.sha256((prev_hash + canonical(entry)).encode()).hexdigest()


def _json_safe(details: dict[str, Any]) -> dict[str, Any]:
    # Round-trip through JSON so what is hashed is exactly what the database gives back.
    return json.loads(json.dumps(details, default=str, ensure_ascii=False))


def append(
    session: Session,
    action: str,
    user_id: int | None,
    obj_type: str | None = None,
    obj_id: str | int | None = None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Add one entry to the chain in the caller's transaction (flushed, not committed)."""
    head_table = AuditChainHead.__table__
    bump = (
        update(head_table)
        .where(head_table.c.id == HEAD_ID)
        .values(last_id=head_table.c.last_id + 1)
        .returning(head_table.c.last_id, head_table.c.last_hash)
    )
    row = session.execute(bump).first()
    if row is None:  # a database made without migrations: start the chain
        session.add(AuditChainHead(id=HEAD_ID, last_id=0, last_hash=GENESIS_HASH))
        session.flush()
        row = session.execute(bump).first()
    new_id, prev_hash = row
    entry = AuditEntry(
        id=new_id,
        at=at or utcnow(),
        user_id=user_id,
        action=action,
        obj_type=obj_type,
        obj_id=None if obj_id is None else str(obj_id),
        details=_json_safe(details or {}),
        prev_hash=prev_hash,
    )
    entry.hash = entry_hash(prev_hash, entry)
    session.add(entry)
    session.execute(
        update(head_table).where(head_table.c.id == HEAD_ID).values(last_hash=entry.hash)
    )
    session.flush()
    return entry


def record(
    action: str,
    user: User | int | None,
    obj_type: str | None = None,
    obj_id: str | int | None = None,
    *,
    session: Session | None = None,
    **details: Any,
) -> AuditEntry:
    """Audit `action` by `user` on an object; commits with the caller's transaction.

    `details` must hold ids and codes only, never patient text. The chain head stays locked
    until the caller commits, so record late in a transaction and commit soon after.
    """
    user_id = user.id if isinstance(user, User) else user
    return append(session or db.session(), action, user_id, obj_type, obj_id, details)


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of checking the chain: ok, or the first broken entry and why."""

    ok: bool
    checked: int
    broken_id: int | None = None
    reason: str = ""


def verify(session: Session, batch: int = 1000) -> VerifyResult:
    """Walk the chain from the first entry; stop at the first entry that does not hold."""
    expected_id, prev_hash, checked = 1, GENESIS_HASH, 0
    stmt = select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=batch)
    for entry in session.scalars(stmt):
        if entry.id != expected_id:
            return VerifyResult(False, checked, expected_id, "entry missing (deleted)")
        if entry.prev_hash != prev_hash:
            return VerifyResult(False, checked, entry.id, "does not link to the entry before it")
        if entry_hash(prev_hash, entry) != entry.hash:
            return VerifyResult(False, checked, entry.id, "content changed after it was written")
        prev_hash, expected_id, checked = entry.hash, expected_id + 1, checked + 1
    head = session.get(AuditChainHead, HEAD_ID)
    if head is not None and (head.last_id != checked or head.last_hash != prev_hash):
        return VerifyResult(False, checked, checked + 1, "entry missing at the end (deleted)")
    return VerifyResult(True, checked)
