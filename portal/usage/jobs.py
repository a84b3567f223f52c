"""RQ job entry points: the reporter pass and the collector purge. Each runs in an app context.

A worker that already runs jobs inside the app (the portal's worker command) is used as it is;
otherwise the job builds the app once per process from the EMR_* environment.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app, has_app_context

from portal.extensions import db

_app: Flask | None = None


@contextmanager
def _context() -> Iterator[Flask]:
    global _app
    if has_app_context():
        yield current_app._get_current_object()  # type: ignore[attr-defined]
        return
    if _app is None:
        from portal import create_app

        _app = create_app()
    with _app.app_context():
        yield _app


def report_tick() -> dict[str, Any]:
    """Send whatever usage report is due (cheap when nothing is); returns what it did."""
    from portal.usage import reporter

    with _context() as app:
        summary = reporter.run(db.session(), app.config)
        db.session.remove()
        return {"skipped": summary.skipped, "queued": summary.queued, "sent": summary.sent,
                "failed": summary.failed}


def purge_expired() -> dict[str, int]:
    """Collector mode: fold pending reports into the rollups and delete expired ones."""
    from portal.usage import collector

    with _context() as app:
        if not app.config.get("COLLECTOR"):
            return {"purged": 0}
        purged = collector.purge(db.session())
        db.session.remove()
        return {"purged": purged}


def schedule(scheduler: Any, queue: str = "usage", tick_seconds: int = 600) -> None:
    """Register the usage jobs on an RQ `CronScheduler` (what `flask usage cron` runs)."""
    scheduler.register(report_tick, queue, interval=tick_seconds, job_timeout=120,
                       result_ttl=86400)
    scheduler.register(purge_expired, queue, interval=24 * 3600, job_timeout=600,
                       result_ttl=86400)
