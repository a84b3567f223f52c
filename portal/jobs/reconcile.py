"""Nothing lost: compare what the database says is owed with what RQ still holds, and repair.

Run by every worker every JOBS_RECONCILE_SECONDS and by `flask jobs reconcile`. Safe to run
from several workers at once: a ticket is replaced only while it is still open, and work
already stored is never redone (the new job skips stored pages).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.jobs import plan, reasons, store
from portal.models import (
    DocumentState,
    ExportDocument,
    ExportRequest,
    ExportState,
    JobKind,
    JobTicket,
    TicketState,
    utcnow,
)

# A job RQ still holds in one of these states is alive; anything else is lost.
ALIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED,
         JobStatus.CREATED, JobStatus.READY_TO_ENQUEUE}
# The same work lost this many times fails in words instead of looping for ever.
MAX_LOST = 3
# A ticket younger than this may still be on its way to Redis (committed, not yet enqueued).
GRACE_SECONDS = 15
# States whose output must match the latest hand edit.
REVIEWABLE = (ExportState.READY_FOR_REVIEW, ExportState.SUBMITTED, ExportState.REJECTED)

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What one pass did (ids only), for the log and `flask jobs reconcile`."""

    requeued: list[int] = field(default_factory=list)    # lost tickets replaced
    failed: list[int] = field(default_factory=list)      # tickets lost too often
    planned: list[int] = field(default_factory=list)     # new tickets for stalled requests
    enqueued: int = 0

    def __bool__(self) -> bool:
        return bool(self.requeued or self.failed or self.planned)


def job_alive(connection: Any, job_id: str | None) -> bool:
    """True while RQ holds the job in a state that will still run it."""
    if not job_id:
        return False
    try:
        status = Job.fetch(job_id, connection=connection).get_status(refresh=False)
    except NoSuchJobError:
        return False
    return status in ALIVE


def _lost_before(session: Session, t: JobTicket) -> int:
    return session.scalar(select(func.count()).select_from(JobTicket).where(
        JobTicket.request_id == t.request_id, JobTicket.kind == t.kind,
        JobTicket.document_id.is_(None) if t.document_id is None
        else JobTicket.document_id == t.document_id,
        JobTicket.page_start == t.page_start, JobTicket.error == plan.LOST_MARK)) or 0


def _replace(session: Session, t: JobTicket, out: Outcome) -> JobTicket | None:
    """Supersede a lost ticket by a new one for the same work (or fail it, lost too often)."""
    lost = _lost_before(session, t)
    t.state, t.error = TicketState.SUPERSEDED, plan.LOST_MARK
    req = session.get(ExportRequest, t.request_id)
    if lost + 1 >= MAX_LOST:
        out.failed.append(t.id)
        if t.kind == JobKind.ANALYSE:
            doc = session.get(ExportDocument, t.document_id)
            doc.state, doc.error = DocumentState.FAILED, reasons.LOST
            plan.advance(session, req)
        elif req.revision == t.revision:
            req.state, req.failure_reason = ExportState.FAILED, reasons.LOST
        return None
    new = JobTicket(request_id=t.request_id, document_id=t.document_id, kind=t.kind,
                    page_start=t.page_start, page_stop=t.page_stop, revision=t.revision,
                    rq_job_id=plan.new_job_id(t.kind), state=TicketState.OPEN)
    session.add(new)
    out.requeued.append(t.id)
    return new


def _stalled(session: Session, split: int, out: Outcome) -> list[JobTicket]:
    """Requests that owe work no open ticket stands for: plan it (idempotent)."""
    owed: list[JobTicket] = []
    busy = select(JobTicket.request_id).where(JobTicket.state == TicketState.OPEN)
    for req in session.scalars(select(ExportRequest).where(
            ExportRequest.state.in_(plan.WORKING), ExportRequest.id.not_in(busy))):
        for doc in req.documents:
            if doc.state in (DocumentState.PENDING, DocumentState.QUEUED,
                             DocumentState.RUNNING):
                owed += plan.plan_document(session, req, doc, split)
        store.refresh_counts(session, req)
        owed += plan.advance(session, req)
    for req in session.scalars(select(ExportRequest).where(
            ExportRequest.state.in_(REVIEWABLE), ExportRequest.id.not_in(busy))):
        built = (req.verification or {}).get("revision")
        if built is not None and built != req.revision:  # an edit whose rebuild was not enqueued
            owed += plan.ensure_assembly(session, req)
    out.planned += [t.id for t in owed]
    return owed


def reconcile(app: Any, session: Session, grace_seconds: float | None = None) -> Outcome:
    """One pass: replace lost jobs, plan stalled work, enqueue; tidy finished requests."""
    from portal.queue import get_queue

    out = Outcome()
    queue = get_queue(app)
    try:
        # Jobs of a worker that died are still "started" until RQ notices; let it notice now.
        StartedJobRegistry(queue=queue).cleanup()
    except Exception as exc:  # noqa: BLE001  best effort: the status check below still runs
        log.info("started-job registry not cleaned: %s", type(exc).__name__)
    grace = GRACE_SECONDS if grace_seconds is None else grace_seconds
    cutoff = utcnow() - timedelta(seconds=grace)
    owed: list[JobTicket] = []
    for t in session.scalars(select(JobTicket).where(
            JobTicket.state == TicketState.OPEN, JobTicket.updated_at <= cutoff)
            .order_by(JobTicket.id)).all():
        if job_alive(queue.connection, t.rq_job_id):
            continue
        session.refresh(t)  # it may have finished while we looked
        if t.state != TicketState.OPEN or job_alive(queue.connection, t.rq_job_id):
            continue
        new = _replace(session, t, out)
        if new is not None:
            owed.append(new)
    session.flush()
    owed += _stalled(session, int(app.config.get("JOBS_SPLIT_PAGES", 40)), out)
    session.commit()
    out.enqueued = plan.enqueue(app, owed)
    tidy(app, session)
    if out:
        log.info("reconciled: %d lost job(s) re-enqueued, %d failed, %d planned",
                 len(out.requeued), len(out.failed), len(out.planned))
    return out


def tidy(app: Any, session: Session) -> None:
    """Approved or expired exports need no password nor working files any more."""
    from portal.jobs.tasks import drop_work_dir

    done = session.scalars(select(ExportRequest).where(
        ExportRequest.state.in_(plan.FINAL), ExportRequest.password_ciphertext.is_not(None)))
    for req in done:
        req.password_ciphertext = None
    session.commit()
    jobs_dir = Path(app.config["DATA_DIR"]) / "jobs"
    if not jobs_dir.is_dir():
        return
    final = set(session.scalars(select(ExportRequest.id).where(
        ExportRequest.state.in_(plan.FINAL))))
    for child in jobs_dir.iterdir():
        if child.name.isdigit() and int(child.name) in final:
            drop_work_dir(app, int(child.name))


# ---------------------------------------------------------------- periodic site jobs

USAGE_TICK_SECONDS = 600


def run_due(app: Any, session: Session) -> list[str]:
    """Start the site's periodic jobs that are due, once across all workers (Redis keys)."""
    from portal.queue import get_redis

    if not app.config.get("JOBS_PERIODIC", True):
        return []
    redis = get_redis(app)
    prefix = f"emr:due:{app.config.get('JOBS_QUEUE') or 'emr'}"
    started = []
    schedule = (("usage-report", int(app.config.get("USAGE_TICK_SECONDS", USAGE_TICK_SECONDS))),
                ("usage-purge", 86400), ("exports-purge", 3600))
    for name, every in schedule:
        # SET NX EX: the first worker to see the job due takes it for `every` seconds.
        if not redis.set(f"{prefix}:{name}", "1", nx=True, ex=max(1, every)):
            continue
        try:
            _run(app, session, name)
            started.append(name)
        except Exception as exc:  # noqa: BLE001  one failing job must not stop the others
            log.warning("periodic job %s not started: %s", name, type(exc).__name__)
    return started


def _run(app: Any, session: Session, name: str) -> None:
    from rq import Queue

    from portal.queue import get_redis

    if name == "exports-purge":
        from portal.downloads.files import purge_expired

        purge_expired(session, Path(app.config["DATA_DIR"]))
        return
    from portal.usage import jobs as usage_jobs

    queue = Queue(app.config.get("USAGE_QUEUE") or "usage", connection=get_redis(app))
    func = usage_jobs.report_tick if name == "usage-report" else usage_jobs.purge_expired
    queue.enqueue(func, job_timeout=600, result_ttl=86400, failure_ttl=7 * 86400)
