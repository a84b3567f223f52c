"""Send each closed period's report to the collector, retrying with back-off. No Flask here.

The schedule lives in the database, not in the scheduler: `usage_site.next_report_at` (every
33 days from a random offset drawn once) says when closed periods are frozen into the outbox,
and each outbox row keeps its own `next_try_at`. A scheduler only has to call `run` often
(every 10 minutes); a restart between two tries loses nothing.
"""
from __future__ import annotations

import json
import logging
import random
import ssl
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.models import UsageCounter, UsageOutbox, UsageSite, utcnow
from portal.usage import payload
from portal.usage import site as usage_site
from portal.usage.counting import period_of
from portal.usage.schema import validate

log = logging.getLogger(__name__)
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
SKIP_REASONS = {
    "dnt": "DO_NOT_TRACK is set",
    "off": "usage statistics are switched off",
    "no_collector": "no collector address is configured (EMR_USAGE_COLLECTOR_URL)",
    "bad_address": "the collector address must be an https:// URL",
}


class CollectorAddressError(ValueError):
    """The collector address is not one we may send to (not https, or not a URL)."""


@dataclass
class RunSummary:
    """What one reporter run did, for the job result and the CLI."""

    skipped: str | None = None  # why nothing was attempted: a key of SKIP_REASONS
    queued: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def report_url(config: Mapping[str, Any], installation_uuid: str) -> str:
    """`{collector}/api/usage?SiteID=<uuid>`, refusing plain http except flagged loopback."""
    base = str(config.get("USAGE_COLLECTOR_URL") or "").rstrip("/")
    parts = urlsplit(base)
    if parts.scheme == "http":
        if not (config.get("USAGE_ALLOW_HTTP_LOOPBACK") and parts.hostname in LOOPBACK):
            raise CollectorAddressError("the collector address must start with https://")
    elif parts.scheme != "https" or not parts.hostname:
        raise CollectorAddressError("the collector address is not an https:// URL")
    return f"{base}/api/usage?SiteID={quote(installation_uuid)}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect could lead to plain http or another host: treat it as a failed send.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def post(url: str, body: dict[str, Any], timeout: float = 20.0) -> tuple[int | None, str | None]:
    """POST the JSON body; returns (HTTP status or None, error in words or None)."""
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "User-Agent": "emr-redact-usage/1"})
    # Certificates and host names are checked (the default context); never turned off.
    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=ssl.create_default_context()), _NoRedirect())
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, None
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, f"{type(reason).__name__}: {str(reason)[:150]}"


def backoff(attempts: int, config: Mapping[str, Any]) -> timedelta:
    """Wait before try number `attempts + 1`: doubling from 5 minutes up to a day, ±10%."""
    base = float(config.get("USAGE_RETRY_BASE_SECONDS") or 300)
    cap = float(config.get("USAGE_RETRY_MAX_SECONDS") or 86400)
    seconds = min(cap, base * 2 ** max(0, attempts - 1))
    return timedelta(seconds=seconds * random.uniform(0.9, 1.1))


def freeze_due(session: Session, site: UsageSite, config: Mapping[str, Any],
               now: datetime, force: bool = False) -> list[str]:
    """At report time, freeze each closed period's counters into an outbox row (once)."""
    if not force and now < site.next_report_at:
        return []
    current = period_of(now)
    have = set(session.scalars(select(UsageOutbox.period)))
    periods = sorted(set(session.scalars(
        select(UsageCounter.period).where(UsageCounter.period < current).distinct())) - have)
    for period in periods:
        body = payload.build(session, site, period, config)
        problems = validate(body)
        if problems:  # a bug in this code, never data to send: stop loudly
            raise ValueError("usage report breaks its schema: " + "; ".join(map(str, problems)))
        session.add(UsageOutbox(period=period, payload=body, next_try_at=now))
    every = usage_site.interval(config)
    while site.next_report_at <= now:
        site.next_report_at += every
    session.commit()
    return periods


def deliver(session: Session, site: UsageSite, config: Mapping[str, Any],
            now: datetime, summary: RunSummary) -> None:
    """Try each pending report whose time has come, oldest first; stop at the first failure."""
    url = report_url(config, site.installation_uuid)
    due = session.scalars(select(UsageOutbox).where(
        UsageOutbox.status == "pending", UsageOutbox.next_try_at <= now)
        .order_by(UsageOutbox.period)).all()
    for row in due:
        status, error = post(url, row.payload, float(config.get("USAGE_TIMEOUT_SECONDS") or 20))
        row.attempts += 1
        row.last_try_at = now
        row.last_status = status
        if status is not None and 200 <= status < 300:
            # Sent only now: the period's counters go, the frozen body stays for the admin page.
            row.status, row.sent_at, row.last_error = "sent", now, None
            session.execute(delete(UsageCounter).where(UsageCounter.period == row.period))
            session.commit()
            summary.sent.append(row.period)
            continue
        row.last_error = (error or f"HTTP {status}")[:200]
        row.next_try_at = now + backoff(row.attempts, config)
        session.commit()
        log.warning("usage report %s not accepted (%s); next try %s", row.period,
                    row.last_error, row.next_try_at.isoformat(timespec="minutes"))
        summary.failed.append(row.period)
        break


def run(session: Session, config: Mapping[str, Any], now: datetime | None = None,
        force: bool = False) -> RunSummary:
    """One reporter pass: freeze due periods, then deliver what is due. Safe to call often."""
    now = now or utcnow()
    summary = RunSummary()
    if usage_site.do_not_track(config):
        summary.skipped = "dnt"
        return summary
    site = usage_site.get_site(session, config, now)
    if not site.enabled:
        summary.skipped = "off"
        return summary
    if not config.get("USAGE_COLLECTOR_URL"):
        summary.skipped = "no_collector"
        return summary
    try:
        report_url(config, site.installation_uuid)
    except CollectorAddressError:
        summary.skipped = "bad_address"
        return summary
    summary.queued = freeze_due(session, site, config, now, force)
    deliver(session, site, config, now, summary)
    return summary


def next_report(session: Session, config: Mapping[str, Any],
                now: datetime | None = None) -> tuple[dict[str, Any], str]:
    """The exact body the next send will carry, and its state: frozen, closed or open.

    frozen: waiting in the outbox and sent as it is; closed: a finished month, frozen at the
    next report time; open: the current month so far (sent after it ends).
    """
    now = now or utcnow()
    pending = session.scalars(select(UsageOutbox).where(UsageOutbox.status == "pending")
                              .order_by(UsageOutbox.period)).first()
    if pending is not None:
        return pending.payload, "frozen"
    site = usage_site.get_site(session, config, now)
    current = period_of(now)
    older = session.scalars(select(UsageCounter.period).where(UsageCounter.period < current)
                            .order_by(UsageCounter.period)).first()
    return payload.build(session, site, older or current, config), "closed" if older else "open"


def recent(session: Session, limit: int = 12) -> list[UsageOutbox]:
    """The latest reports in the outbox, newest period first."""
    return list(session.scalars(select(UsageOutbox).order_by(UsageOutbox.period.desc())
                                .limit(limit)))
