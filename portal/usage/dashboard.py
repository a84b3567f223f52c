"""What the product team sees, computed from the rollups (sums over sites per period). No Flask."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import UsageReport, UsageRollup


@dataclass
class Overview:
    """The dashboard's figures; each list is ready to chart."""

    periods: list[str] = field(default_factory=list)
    sites: list[float] = field(default_factory=list)
    features: list[tuple[str, float]] = field(default_factory=list)
    feature_trends: list[tuple[str, list[float | None]]] = field(default_factory=list)
    response_ms: list[float | None] = field(default_factory=list)
    error_pct: list[float | None] = field(default_factory=list)
    locales: list[tuple[str, float]] = field(default_factory=list)
    regions: list[tuple[str, float]] = field(default_factory=list)
    browsers: list[tuple[str, float]] = field(default_factory=list)
    systems: list[tuple[str, float]] = field(default_factory=list)
    versions: list[tuple[str, float]] = field(default_factory=list)
    logins: list[float] = field(default_factory=list)
    stored_reports: int = 0


def _ranked(values: dict[str, float], limit: int = 12) -> list[tuple[str, float]]:
    return sorted(((k, v) for k, v in values.items() if v > 0),
                  key=lambda kv: (-kv[1], kv[0]))[:limit]


def overview(session: Session, last: int = 12) -> Overview:
    """Figures for the last `last` periods that have reports."""
    periods = sorted(session.scalars(select(UsageRollup.period).distinct()))[-last:]
    out = Overview(periods=periods)
    out.stored_reports = session.scalar(select(func.count()).select_from(UsageReport)) or 0
    if not periods:
        return out
    data: dict[str, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    for row in session.scalars(select(UsageRollup).where(UsageRollup.period.in_(periods))):
        data[row.period][row.metric][row.key] = row.value

    def one(period: str, metric: str) -> float:
        return data[period][metric].get("", 0.0)

    out.sites = [one(p, "sites") for p in periods]
    totals: dict[str, float] = defaultdict(float)
    for p in periods:
        for key, value in data[p]["menu"].items():
            totals[key] += value
    out.features = _ranked(totals)
    for key, _total in out.features[:5]:
        out.feature_trends.append((key, [data[p]["menu"].get(key, 0.0) for p in periods]))
    for p in periods:
        n = one(p, "sites")
        out.response_ms.append(round(one(p, "resp_avg_sum") / n, 1) if n else None)
        out.error_pct.append(round(100 * one(p, "err_rate_sum") / n, 2) if n else None)
        out.logins.append(one(p, "logins"))
    latest = data[periods[-1]]
    out.locales = _ranked(latest["locale"])
    out.regions = _ranked(latest["region"], 40)
    out.browsers = _ranked(latest["browser"])
    out.systems = _ranked(latest["os"])
    out.versions = _ranked(latest["version"])
    return out
