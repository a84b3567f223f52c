"""`flask worker` (RQ worker for exports and usage jobs, with the reconciler) and `flask jobs`."""
from __future__ import annotations

import logging
import os
import time
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from rq import Queue, SimpleWorker, Worker

from portal.extensions import db

log = logging.getLogger(__name__)


class _Reconciling:
    """Worker mixin: runs the reconciler and the site's periodic jobs every few seconds.

    It runs in the worker's own process, between jobs and while a forked job runs (from the
    heartbeat), never inside a job: a long OCR job on every worker must not stop lost work from
    being found.
    """

    reconcile_every: float = 60.0
    _app: Any = None
    _next_pass = 0.0
    _busy = False
    _parent_pid = 0

    def setup_reconciler(self, app: Any, every: float) -> None:
        self._app, self.reconcile_every = app, max(1.0, float(every))
        self._parent_pid = os.getpid()

    @property
    def dequeue_timeout(self) -> int:
        # An idle worker wakes this often, so the reconciler runs on time.
        return max(1, min(super().dequeue_timeout, int(self.reconcile_every)))  # type: ignore[misc]

    def heartbeat(self, timeout: int | None = None, pipeline: Any = None) -> None:
        super().heartbeat(timeout, pipeline)  # type: ignore[misc]
        if pipeline is None and not self._busy and os.getpid() == self._parent_pid:
            self.reconcile_if_due()

    def execute_job(self, job: Any, queue: Any) -> Any:
        self._busy = isinstance(self, SimpleWorker)  # a simple worker runs the job in-process
        try:
            return super().execute_job(job, queue)  # type: ignore[misc]
        finally:
            self._busy = False

    def main_work_horse(self, job: Any, queue: Any) -> None:
        # A forked horse must not share the parent's database connections.
        if db.engine is not None:
            db.engine.dispose(close=False)
        super().main_work_horse(job, queue)  # type: ignore[misc]

    def reconcile_if_due(self) -> None:
        now = time.monotonic()
        if self._app is None or now < self._next_pass:
            return
        self._next_pass = now + self.reconcile_every
        from portal.jobs.reconcile import reconcile, run_due

        with self._app.app_context():
            try:
                session = db.session()
                reconcile(self._app, session)
                run_due(self._app, session)
            except Exception as exc:  # noqa: BLE001  the worker keeps working; next pass retries
                log.warning("reconciler pass failed: %s", type(exc).__name__)
            finally:
                db.session.remove()


class ExportWorker(_Reconciling, Worker):
    """Forks a work horse per job (a crash in a PDF library kills only that job)."""


class SimpleExportWorker(_Reconciling, SimpleWorker):
    """Runs jobs in its own process (tests, and platforms without fork)."""


def make_worker(app: Any, queues: tuple[str, ...] = (), simple: bool = False) -> Worker:
    """A worker on the export and usage queues (or `queues`), its reconciler set up."""
    from portal.queue import get_redis

    redis = get_redis(app)
    names = queues or (app.config.get("JOBS_QUEUE") or "emr",
                       app.config.get("USAGE_QUEUE") or "usage")
    cls = SimpleExportWorker if simple else ExportWorker
    worker = cls([Queue(n, connection=redis) for n in names], connection=redis)
    worker.setup_reconciler(app, float(app.config.get("JOBS_RECONCILE_SECONDS", 60)))
    return worker


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--simple", is_flag=True, help="Run jobs in the worker process (no fork).")
@click.option("--queue", "queues", multiple=True,
              help="Queue to listen on (repeatable). Default: the export and usage queues.")
@with_appcontext
def worker_cmd(burst: bool, simple: bool, queues: tuple[str, ...]) -> None:
    """Run an RQ worker for export jobs and usage reports, with the reconciler."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    worker = make_worker(app, queues, simple)
    click.echo(f"worker listening on {', '.join(worker.queue_names())}")
    worker.work(burst=burst, logging_level="INFO")


jobs_cli = AppGroup("jobs", help="Export jobs: find and re-enqueue lost work.")


@jobs_cli.command("reconcile")
@click.option("--grace", type=float, default=None,
              help="Seconds a new ticket may wait for its job (default 15).")
def reconcile_cmd(grace: float | None) -> None:
    """Re-enqueue work whose RQ job vanished (Redis restarted, worker killed)."""
    from portal.jobs.reconcile import reconcile

    out = reconcile(current_app, db.session(), grace)
    click.echo(f"re-enqueued {len(out.requeued)} lost job(s), failed {len(out.failed)}, "
               f"planned {len(out.planned)} new job(s)")


@jobs_cli.command("status")
def status_cmd() -> None:
    """Open job tickets by kind, and the queue's length."""
    from sqlalchemy import func, select

    from portal.models import JobTicket, TicketState
    from portal.queue import get_queue

    rows = db.session.execute(select(JobTicket.kind, func.count()).where(
        JobTicket.state == TicketState.OPEN).group_by(JobTicket.kind)).all()
    for kind, n in rows:
        click.echo(f"open {kind} tickets: {n}")
    if not rows:
        click.echo("no open tickets")
    click.echo(f"jobs waiting in the queue: {len(get_queue(current_app))}")
