"""The RQ jobs that analyse a page range of one document, and what every job shares.

Assembling, verifying and sealing the export is the job in `portal.jobs.assembly`.

Each job takes a JobTicket id, opens its own app context, reloads what it needs and releases the
database session during the long work (PDF reading, OCR, redaction). Results are written in
short transactions as they are made, so a killed job loses only the pages under way. A failure
is stored in words on the document or request; the worker's log gets the error's type only.
"""
from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from dsl import compile_file, default_ruleset_path
from dsl.errors import PolicyError
from dsl.model import Policy
from portal.crypto import file_key
from portal.extensions import db
from portal.jobs import plan, reasons, store
from portal.jobs.context import job_app, policy_of, private_dir
from portal.models import (
    DocumentState,
    ExportDocument,
    ExportRequest,
    ExportState,
    JobKind,
    JobTicket,
    RulesetVersion,
    TicketState,
)
from workers.analyse import DocumentInput, analyse_document
from workers.ocr import OcrEngine, OcrUnavailable
from workers.pdfopen import UnreadableDocument, open_pdf

log = logging.getLogger(__name__)
_default_policy: Policy | None = None


class JobFailed(Exception):
    """Work that cannot succeed as things stand; `reason` says why in words (a msgid)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# ---------------------------------------------------------------- shared helpers


def load_policy(session: Any, req: ExportRequest) -> Policy:
    """The exact policy version the request was made with (the shipped one if none was)."""
    global _default_policy
    if req.ruleset_version_id is not None:
        version = session.get(RulesetVersion, req.ruleset_version_id)
        if version is not None:
            return policy_of(version)
    if _default_policy is None:
        _default_policy = compile_file(default_ruleset_path())
    return _default_policy


def archive_of(app: Flask) -> Any:
    from portal.archive import get_archive

    return get_archive(app)


def source_of(app: Flask, req: ExportRequest, doc: ExportDocument) -> tuple[Path, dict[str, str]]:
    """The archived PDF of a document and the metadata the classifier may use."""
    archive = archive_of(app)
    ref = archive.visit(req.visit_id).document(doc.doc_id)
    return Path(archive.document_path(ref)), {"doc_type": ref.doc_type, "title": ref.title}


def work_dir(app: Flask, request_id: int) -> Path:
    """A private folder of one request's working files (sealed OCR cache)."""
    return private_dir(Path(app.config["DATA_DIR"]) / "jobs" / str(int(request_id)))


def drop_work_dir(app: Flask, request_id: int) -> None:
    shutil.rmtree(Path(app.config["DATA_DIR"]) / "jobs" / str(int(request_id)),
                  ignore_errors=True)


@contextmanager
def ocr_engine(app: Flask, request_id: int) -> Iterator[OcrEngine | None]:
    """Tesseract for one job, its results cached sealed per request; None when OCR is off."""
    from portal.jobs.ocrcache import sealed_engine

    with sealed_engine(app, lambda: work_dir(app, request_id) / "ocr") as engine:
        yield engine


def run_job(name: str, ticket_id: int, work: Callable[[Flask, int], str],
            fail: Callable[[Flask, int, str], None], unexpected: str) -> str:
    """Run a job's `work` in its own app context; a failure is stored in words by `fail`
    (`unexpected` when it was no JobFailed), and the log gets the error's type only."""
    with job_app() as app:
        try:
            return work(app, ticket_id)
        except JobFailed as exc:
            fail(app, ticket_id, exc.reason)
            return "failed"
        except Exception as exc:  # noqa: BLE001  the requester gets words, the log the type
            log.error("%s ticket %s stopped: %s", name, ticket_id, type(exc).__name__)
            fail(app, ticket_id, unexpected)
            return "failed"
        finally:
            db.session.remove()


def _finish(app: Flask, session: Any, req: ExportRequest,
            owed: list[JobTicket] | None = None) -> None:
    """Commit, then enqueue whatever the request owes next (assembly, more pages)."""
    owed = [*(owed or []), *plan.advance(session, req)]
    session.commit()
    plan.enqueue_quietly(app, owed)


# ---------------------------------------------------------------- analysis


def analyse(ticket_id: int) -> str:
    """RQ job: store the findings of one page range of one document."""
    return run_job("analyse", ticket_id, _analyse, _fail_analysis, reasons.UNEXPECTED)


def _analyse(app: Flask, ticket_id: int) -> str:
    session = db.session()
    ticket = session.get(JobTicket, ticket_id)
    if ticket is None or ticket.state != TicketState.OPEN:
        return "skipped"
    doc = session.get(ExportDocument, ticket.document_id)
    req = doc.request if doc is not None else None
    if doc is None or req is None or req.state in plan.FINAL:
        ticket.state = TicketState.SUPERSEDED
        session.commit()
        return "skipped"
    try:
        policy = load_policy(session, req)
    except PolicyError:
        raise JobFailed(reasons.POLICY) from None
    try:
        path, meta = source_of(app, req, doc)
    except Exception:  # noqa: BLE001  archive errors of every adapter
        raise JobFailed(reasons.ARCHIVE) from None
    start, stop = _page_bounds(doc, ticket, path)
    todo = plan.missing_runs(store.stored_pages(session, doc.id), start, stop)
    doc.state = DocumentState.RUNNING
    if req.state == ExportState.QUEUED:
        req.state = ExportState.ANALYSING
    store.refresh_counts(session, req)
    key, doc_id, request_id = file_key(app), doc.id, req.id
    session.commit()
    db.session.remove()  # no transaction held while pages are read

    chunk = max(1, int(app.config.get("JOBS_CHUNK_PAGES", 4)))
    item = DocumentInput(path=path, doc_id=doc.doc_id, meta=meta)
    with ocr_engine(app, request_id) as engine:
        for run_start, run_stop in todo:
            for a in range(run_start, run_stop, chunk):
                b = min(a + chunk, run_stop)
                try:
                    analysis = analyse_document(policy, item, engine, pages=(a, b))
                except OcrUnavailable:
                    raise JobFailed(reasons.NO_OCR) from None
                if analysis.error:
                    raise JobFailed(reasons.from_engine(analysis.error))
                _store_chunk(key, doc_id, analysis, range(a, b))
    return _analysis_done(app, ticket_id)


def _page_bounds(doc: ExportDocument, ticket: JobTicket, path: Path) -> tuple[int, int]:
    """The ticket's pages, after checking the document's real page count (the index may err)."""
    try:
        with open_pdf(path) as pdf:
            count = pdf.page_count
    except UnreadableDocument as exc:
        raise JobFailed(reasons.from_engine(str(exc))) from None
    last = ticket.page_stop == 0 or ticket.page_stop >= doc.page_count
    if count != doc.page_count:
        doc.page_count = count
    stop = count if last else min(ticket.page_stop, count)
    return min(ticket.page_start, stop), stop


def _store_chunk(key: bytes, doc_id: int, analysis: Any, pages: range) -> None:
    """Write one chunk's pages in a short transaction; pages another job stored are kept."""
    session = db.session()
    try:
        doc = session.get(ExportDocument, doc_id)
        if analysis.label and doc.doc_type != analysis.label[:64]:
            doc.doc_type = analysis.label[:64]  # the classified type: the outline's heading
        ocr = set(pages) if analysis.ocr_pages else set()
        store.save_pages(session, doc, analysis, pages, key, ocr)
        store.refresh_counts(session, doc.request)
        session.commit()
    except IntegrityError:
        session.rollback()  # a duplicate job stored the same pages first: theirs stand
    finally:
        db.session.remove()


def _analysis_done(app: Flask, ticket_id: int) -> str:
    session = db.session()
    ticket = session.get(JobTicket, ticket_id)
    doc = session.get(ExportDocument, ticket.document_id)
    req = doc.request
    if ticket.state == TicketState.OPEN:
        ticket.state = TicketState.DONE
    session.flush()
    owed: list[JobTicket] = []
    if doc.state != DocumentState.FAILED:
        stored = store.stored_pages(session, doc.id)
        if len(stored) >= doc.page_count:
            doc.state, doc.error = DocumentState.DONE, ""
        elif not plan.open_tickets(session, req, JobKind.ANALYSE, doc):
            # Pages nobody owes (the document grew since it was planned): plan them now.
            owed = plan.plan_document(session, req, doc, int(app.config["JOBS_SPLIT_PAGES"]))
    store.refresh_counts(session, req)
    _finish(app, session, req, owed)
    return "done"


def _fail_analysis(app: Flask, ticket_id: int, reason: str) -> None:
    """Mark the ticket and its document failed (in words); the request fails once idle."""
    db.session.remove()
    session = db.session()
    try:
        ticket = session.get(JobTicket, ticket_id)
        if ticket is None:
            return
        ticket.state, ticket.error = TicketState.FAILED, reason
        doc = session.get(ExportDocument, ticket.document_id)
        if doc is None:
            session.commit()
            return
        doc.state, doc.error = DocumentState.FAILED, reason
        store.refresh_counts(session, doc.request)
        _finish(app, session, doc.request)
    finally:
        db.session.remove()


def pending_tickets(session: Any, request_id: int) -> list[JobTicket]:
    """Open tickets of a request, oldest first (for pages and tests)."""
    return list(session.scalars(select(JobTicket).where(
        JobTicket.request_id == request_id, JobTicket.state == TicketState.OPEN)
        .order_by(JobTicket.id)))
