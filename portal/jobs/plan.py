"""What an export request still owes, as JobTicket rows, and putting those tickets on the queue.

The database decides what is owed (tickets, stored pages); Redis only carries the jobs. Every
function here is idempotent on the database state: planning again never plans stored pages,
and an open ticket is never doubled. Tickets are committed before their job is enqueued, so a
job always finds its ticket; a ticket whose enqueue failed is picked up by the reconciler.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.jobs import reasons, store
from portal.models import (
    DocumentState,
    ExportDocument,
    ExportRequest,
    ExportState,
    JobKind,
    JobTicket,
    TicketState,
)

ANALYSE_FUNC = "portal.jobs.tasks.analyse"
ASSEMBLE_FUNC = "portal.jobs.assembly.assemble"
# States in which a request may still get analysis or assembly work.
WORKING = (ExportState.QUEUED, ExportState.ANALYSING)
# After approval (or expiry) nothing is rebuilt: the approved file is final.
FINAL = (ExportState.APPROVED, ExportState.EXPIRED)

log = logging.getLogger(__name__)


def new_job_id(kind: str) -> str:
    """A fresh RQ job id, stored on the ticket before the job exists."""
    return f"emr-{kind}-{uuid.uuid4().hex}"


def page_ranges(count: int, split: int) -> list[tuple[int, int]]:
    """[start, stop) ranges of at most `split` pages covering `count` pages."""
    split = max(1, int(split))
    return [(a, min(a + split, count)) for a in range(0, count, split)]


def missing_runs(stored: set[int], start: int, stop: int) -> list[tuple[int, int]]:
    """The runs of consecutive pages in [start, stop) that are not stored yet."""
    runs: list[tuple[int, int]] = []
    for page in range(start, stop):
        if page in stored:
            continue
        if runs and runs[-1][1] == page:
            runs[-1] = (runs[-1][0], page + 1)
        else:
            runs.append((page, page + 1))
    return runs


def open_tickets(session: Session, req: ExportRequest, kind: str | None = None,
                 document: ExportDocument | None = None) -> list[JobTicket]:
    query = select(JobTicket).where(JobTicket.request_id == req.id,
                                    JobTicket.state == TicketState.OPEN)
    if kind:
        query = query.where(JobTicket.kind == kind)
    if document is not None:
        query = query.where(JobTicket.document_id == document.id)
    return list(session.scalars(query.order_by(JobTicket.id)))


def _ticket(req: ExportRequest, kind: str, **fields: Any) -> JobTicket:
    return JobTicket(request_id=req.id, kind=kind, rq_job_id=new_job_id(kind),
                     state=TicketState.OPEN, **fields)


def plan_document(session: Session, req: ExportRequest, doc: ExportDocument,
                  split: int) -> list[JobTicket]:
    """Tickets for the pages of `doc` neither stored nor already owed by an open ticket."""
    if doc.page_count <= 0:
        # Page count unknown (the archive did not say): one job reads the whole file.
        owed = [] if open_tickets(session, req, JobKind.ANALYSE, doc) else [
            _ticket(req, JobKind.ANALYSE, document_id=doc.id, page_start=0, page_stop=0)]
    else:
        stored = store.stored_pages(session, doc.id)
        for t in open_tickets(session, req, JobKind.ANALYSE, doc):
            stored |= set(range(t.page_start, t.page_stop or doc.page_count))
        owed = []
        for a, b in page_ranges(doc.page_count, split):
            for start, stop in missing_runs(stored, a, b):
                owed.append(_ticket(req, JobKind.ANALYSE, document_id=doc.id,
                                    page_start=start, page_stop=stop))
    session.add_all(owed)
    if owed:
        doc.state, doc.error = DocumentState.QUEUED, ""
        doc.rq_job_id = owed[-1].rq_job_id
    elif not open_tickets(session, req, JobKind.ANALYSE, doc) and doc.page_count > 0:
        doc.state = DocumentState.DONE
    return owed


def start(session: Session, req: ExportRequest, split: int) -> list[JobTicket]:
    """Plan a new (or retried) request: analysis of what is missing, else its assembly."""
    owed: list[JobTicket] = []
    for doc in req.documents:
        if doc.state != DocumentState.DONE:
            owed += plan_document(session, req, doc, split)
    req.state, req.failure_reason = ExportState.QUEUED, ""
    session.flush()
    store.refresh_counts(session, req)
    if not owed:
        owed += advance(session, req)
    return owed


def ensure_assembly(session: Session, req: ExportRequest) -> list[JobTicket]:
    """The assembly ticket of the current revision, unless one is open already."""
    current = [t for t in open_tickets(session, req, JobKind.ASSEMBLE)]
    for t in current:
        if t.revision != req.revision:
            t.state = TicketState.SUPERSEDED  # an older revision: its output would be stale
    if any(t.revision == req.revision for t in current):
        return []
    ticket = _ticket(req, JobKind.ASSEMBLE, revision=req.revision)
    session.add(ticket)
    return [ticket]


def advance(session: Session, req: ExportRequest) -> list[JobTicket]:
    """Once no document is being analysed: fail the request in words, or owe its assembly."""
    if req.state in FINAL:
        return []
    states = [d.state for d in req.documents]
    if any(s in (DocumentState.PENDING, DocumentState.QUEUED, DocumentState.RUNNING)
           for s in states):
        return []
    if any(s == DocumentState.FAILED for s in states):
        req.state, req.failure_reason = ExportState.FAILED, reasons.DOCUMENTS_FAILED
        return []
    return ensure_assembly(session, req)


def retry(session: Session, req: ExportRequest, split: int) -> list[JobTicket]:
    """Owe again only what is missing: failed documents' unstored pages, or the assembly."""
    for doc in req.documents:
        if doc.state == DocumentState.FAILED:
            doc.state, doc.error = DocumentState.PENDING, ""
    # Jobs lost before count afresh: the person has seen the failure and asked again.
    for t in session.scalars(select(JobTicket).where(JobTicket.request_id == req.id,
                                                     JobTicket.error == LOST_MARK)):
        t.error = LOST_RETRIED
    for t in open_tickets(session, req, JobKind.ASSEMBLE):
        t.state = TicketState.SUPERSEDED
    return start(session, req, split)


# Marks on tickets the reconciler replaced (lost jobs), counted to stop endless re-runs.
LOST_MARK = "lost"
LOST_RETRIED = "lost, retried"


def enqueue(app: Any, tickets: Iterable[JobTicket]) -> int:
    """Put committed tickets on the queue; returns how many went (Redis errors propagate)."""
    from portal.queue import get_queue

    tickets = list(tickets)
    if not tickets:
        return 0
    queue = get_queue(app)
    timeout = int(app.config.get("JOBS_TIMEOUT", 3600))
    for t in tickets:
        func = ANALYSE_FUNC if t.kind == JobKind.ANALYSE else ASSEMBLE_FUNC
        queue.enqueue(func, t.id, job_id=t.rq_job_id, job_timeout=timeout,
                      result_ttl=3600, failure_ttl=7 * 86400,
                      description=f"{t.kind} ticket {t.id} of export {t.request_id}")
    return len(tickets)


def enqueue_quietly(app: Any, tickets: Sequence[JobTicket]) -> bool:
    """Enqueue; if Redis is down, say so in the log: the reconciler enqueues them later."""
    try:
        enqueue(app, tickets)
    except Exception as exc:  # noqa: BLE001  redis errors of several kinds
        log.warning("%d job(s) not enqueued now (%s); the reconciler will enqueue them",
                    len(tickets), type(exc).__name__)
        return False
    return True


def request_reassembly(request_id: int) -> None:
    """Rebuild an export after hand edits (current app): only its assembly job is enqueued.

    Raises when Redis cannot be reached, so the caller can say so; the ticket is stored
    first, so the reconciler enqueues it later anyway.
    """
    from flask import current_app

    from portal.extensions import db

    session = db.session()
    req = session.get(ExportRequest, request_id)
    if req is None or req.state in FINAL:
        return
    if any(d.state != DocumentState.DONE for d in req.documents):
        return  # still analysing (or failed): its assembly will use the latest revision
    owed = ensure_assembly(session, req)
    session.commit()
    enqueue(current_app, owed)
