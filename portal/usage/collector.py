"""Collector side: store reports (one per site and period), roll them up, purge them. No Flask.

Raw reports are kept 3 months (`expires_at`); before that, `process_pending` folds each into
`usage_rollups` (sums over all sites per period), which the dashboard reads and which outlive
the raw reports, so trends cover more than 3 months without keeping any site's report.
"""
from __future__ import annotations

import re
import threading
import time
from calendar import monthrange
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.models import UsageReport, UsageRollup, utcnow
from portal.usage import upsert
from portal.usage.schema import UUID, Problem, validate

KEEP_MONTHS = 3
# Older sites may name features by their Chinese label; count them with the stable ids.
LABEL_IDS = {"档案检索": "menu.archive", "导出申请": "menu.exports", "审核": "menu.review",
             "审批": "menu.review", "规则": "menu.rulesets", "规则编辑": "menu.rulesets",
             "审计": "menu.audit", "管理": "menu.admin", "系统管理": "menu.admin"}


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time `months` later (the month's last day if it is shorter)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month,
                          day=min(moment.day, monthrange(year, month)[1]))


def check(site_id: str, body: Any) -> list[Problem]:
    """Why this report cannot be stored (schema, personal data, SiteID); empty when it can."""
    if not re.fullmatch(UUID, site_id or ""):
        return [Problem("SiteID", "must be the installation UUID (lower-case, with dashes)")]
    problems = validate(body)
    if not problems and body["installation_uuid"] != site_id:
        problems.append(Problem("installation_uuid", "does not match SiteID"))
    return problems


def existing(session: Session, site_id: str, period: str) -> bool:
    """True when this site already reported this period (the new one will replace it)."""
    return session.scalars(select(UsageReport.id).where(
        UsageReport.site_id == site_id, UsageReport.report_period == period)).first() is not None


def store(session: Session, site_id: str, body: dict[str, Any],
          now: datetime | None = None) -> UsageReport:
    """Insert or replace the site's report for its period (the caller checked it first)."""
    now = now or utcnow()
    period = body["report_period"]
    old = session.scalars(select(UsageReport).where(
        UsageReport.site_id == site_id, UsageReport.report_period == period)).first()
    if old is not None and old.processed:
        _fold(session, period, old.payload, -1)  # take the replaced version out of the sums
    upsert.replace(session, UsageReport.__table__,
                   {"site_id": site_id, "report_period": period},
                   {"payload": body, "received_at": now, "processed": False,
                    "expires_at": add_months(now, KEEP_MONTHS)})
    session.commit()
    report = session.scalars(select(UsageReport).where(
        UsageReport.site_id == site_id, UsageReport.report_period == period)).one()
    session.refresh(report)
    return report


def contributions(body: dict[str, Any]) -> list[tuple[str, str, float]]:
    """What one report adds to the period's sums: (metric, key, value)."""
    out: list[tuple[str, str, float]] = [("sites", "", 1), ("locale", body["locale"], 1),
                                         ("region", body.get("region") or "unknown", 1)]
    for key, n in body["menu_stats"].items():
        out.append(("menu", LABEL_IDS.get(key, key), n))
    metrics = body["system_metrics"]
    out += [("resp_avg_sum", "", metrics["avg_response_time"]),
            ("err_rate_sum", "", metrics["error_rate"]),
            ("requests", "", metrics.get("requests", 0))]
    sessions = body.get("sessions") or {}
    out += [("logins", "", sessions.get("logins", 0)),
            ("sessions", "", sessions.get("completed", 0)),
            ("session_min", "", sessions.get("avg_minutes", 0) * sessions.get("completed", 0))]
    for metric, part in (("browser", "browsers"), ("os", "os"), ("login_locale", "locales")):
        out += [(metric, k, n) for k, n in (body.get(part) or {}).items()]
    if body.get("app_version"):
        out.append(("version", body["app_version"], 1))
    return out


def _fold(session: Session, period: str, body: dict[str, Any], sign: int) -> None:
    for metric, key, value in contributions(body):
        upsert.add(session, UsageRollup.__table__,
                   {"period": period, "metric": metric, "key": key[:64]},
                   {"value": sign * float(value)})


def process_pending(session: Session) -> int:
    """Fold every unprocessed report into the rollups; returns how many."""
    rows = session.scalars(select(UsageReport).where(UsageReport.processed.is_(False))
                           .with_for_update(skip_locked=True)).all()
    for row in rows:
        _fold(session, row.report_period, row.payload, +1)
        row.processed = True
    session.commit()
    return len(rows)


def purge(session: Session, now: datetime | None = None) -> int:
    """Delete raw reports past their expiry (after folding them in); returns how many."""
    process_pending(session)
    result = session.execute(delete(UsageReport).where(UsageReport.expires_at <= (now or utcnow())))
    session.commit()
    return int(result.rowcount or 0)


class TokenBucket:
    """Per-key rate limit held in this process: `burst` requests, refilled at `per_hour`.

    Enough for a collector behind one or a few processes; each process limits on its own.
    """

    def __init__(self, burst: float, per_hour: float, max_keys: int = 10_000) -> None:
        self.burst, self.rate, self.max_keys = burst, per_hour / 3600.0, max_keys
        self._state: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        """Take one token for `key`; False when its bucket is empty."""
        now = time.monotonic() if now is None else now
        with self._lock:
            if len(self._state) > self.max_keys:  # forget idle keys rather than grow forever
                self._state.clear()
            tokens, last = self._state.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens < 1:
                self._state[key] = (tokens, now)
                return False
            self._state[key] = (tokens - 1, now)
            return True
