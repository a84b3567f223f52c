"""Turn a period's counters into the report body defined by `portal.usage.schema`. No Flask."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from importlib import metadata
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import UsageCounter, UsageSite
from portal.usage.schema import REGIONS, SCHEMA_VERSION


def app_version() -> str:
    """The installed portal version, or "0" when run from a bare checkout."""
    try:
        return metadata.version("emr-redact")
    except metadata.PackageNotFoundError:
        return "0"


def build(session: Session, site: UsageSite, period: str,
          config: Mapping[str, Any]) -> dict[str, Any]:
    """The report for `period`: every key comes from the schema, every value is a count."""
    rows = session.scalars(select(UsageCounter).where(UsageCounter.period == period)).all()
    by_kind: dict[str, list[UsageCounter]] = defaultdict(list)
    for row in rows:
        by_kind[row.kind].append(row)

    def counts(kind: str) -> dict[str, int]:
        return {r.key: int(r.count) for r in sorted(by_kind[kind], key=lambda r: r.key)}

    groups = {}
    requests = errors = 0
    total_ms = 0.0
    for r in sorted(by_kind["endpoint"], key=lambda r: r.key):
        n = int(r.count)
        groups[r.key] = {"requests": n, "avg_response_time": _avg(r.total, n),
                         "error_rate": _rate(r.errors, n)}
        requests += n
        errors += int(r.errors)
        total_ms += r.total
    ended = sum(int(r.count) for r in by_kind["session"])
    seconds = sum(r.total for r in by_kind["session"])

    report: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "report_period": period,
        "installation_uuid": site.installation_uuid,
        "app_version": app_version(),
        "locale": str(config.get("BABEL_DEFAULT_LOCALE") or "zh_CN"),
        "menu_stats": counts("menu"),
        "system_metrics": {"avg_response_time": _avg(total_ms, requests),
                           "error_rate": _rate(errors, requests), "requests": requests},
        "endpoint_groups": groups,
        "sessions": {"logins": sum(counts("login").values()), "completed": ended,
                     "avg_minutes": round(seconds / ended / 60, 1) if ended else 0,
                     "durations": counts("session")},
        "locales": counts("locale"),
        "browsers": counts("browser"),
        "os": counts("os"),
        "networks": len(by_kind["network"]),
    }
    region = config.get("USAGE_REGION")
    if region in REGIONS:
        report["region"] = region
    return report


def _avg(total: float, n: int) -> float:
    return round(total / n, 1) if n else 0


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0
