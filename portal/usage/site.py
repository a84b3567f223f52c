"""This installation's usage settings: its UUID, the admin's decision, opt-outs, DO_NOT_TRACK.

No Flask here: functions take a session (and the config mapping where settings matter).
"""
from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from portal.models import UsageCounter, UsageOptOut, UsageOutbox, UsageSite, utcnow
from portal.usage import upsert

SITE_ID = 1
DEFAULT_INTERVAL_DAYS = 33


def do_not_track(config: Mapping[str, Any] | None = None) -> bool:
    """True when DO_NOT_TRACK=1 is set in the environment (or USAGE_DO_NOT_TRACK in config)."""
    env = os.environ.get("DO_NOT_TRACK", "").strip().lower() in {"1", "true", "yes", "on"}
    return env or bool(config and config.get("USAGE_DO_NOT_TRACK"))


def interval(config: Mapping[str, Any] | None = None) -> timedelta:
    """Time between two reports (33 days unless configured)."""
    days = float((config or {}).get("USAGE_REPORT_DAYS") or DEFAULT_INTERVAL_DAYS)
    return timedelta(days=days)


def get_site(session: Session, config: Mapping[str, Any] | None = None,
             now: datetime | None = None) -> UsageSite:
    """This installation's row, created once with a fresh UUID, key and random report offset."""
    site = session.get(UsageSite, SITE_ID)
    if site is not None:
        return site
    now = now or utcnow()
    every = interval(config)
    offset = secrets.randbelow(max(1, int(every.total_seconds())))
    # Two processes starting together: the first insert wins, the other reads it back.
    upsert.insert_if_missing(session, UsageSite.__table__, {
        "id": SITE_ID, "installation_uuid": str(uuid.uuid4()), "enabled": None,
        "offset_seconds": offset, "next_report_at": now + timedelta(seconds=offset),
        "subnet_key": secrets.token_hex(32), "created_at": now,
    })
    session.commit()
    site = session.get(UsageSite, SITE_ID)
    assert site is not None
    return site


def collecting(session: Session, config: Mapping[str, Any]) -> bool:
    """True when counting is on: not DO_NOT_TRACK, and an administrator switched it on."""
    if do_not_track(config):
        return False
    site = session.get(UsageSite, SITE_ID)
    return bool(site and site.enabled)


def decide(session: Session, enabled: bool, config: Mapping[str, Any] | None = None) -> UsageSite:
    """Record the administrator's decision; switching off deletes what was not yet sent.

    The caller audits who decided (the audit log, not a usage table) and commits.
    """
    site = get_site(session, config)
    site.enabled = enabled
    site.decided_at = utcnow()
    if not enabled:
        session.execute(delete(UsageCounter))
        session.execute(delete(UsageOutbox).where(UsageOutbox.status != "sent"))
    return site


def opted_out(session: Session, user_id: int) -> bool:
    """True when this user asked not to be counted."""
    return session.get(UsageOptOut, user_id) is not None


def set_opt_out(session: Session, user_id: int, out: bool) -> None:
    """Record a user's choice (the caller commits)."""
    row = session.get(UsageOptOut, user_id)
    if out and row is None:
        session.add(UsageOptOut(user_id=user_id))
    elif not out and row is not None:
        session.delete(row)
