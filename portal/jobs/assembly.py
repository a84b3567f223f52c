"""The RQ job that assembles an export: one verified PDF from the stored analyses and the
hand edits, sealed at rest (the analysis jobs and the helpers both share are in `tasks`)."""
from __future__ import annotations

import logging
import time
import uuid
from pathlib import Path
from typing import Any

from flask import Flask

from dsl.errors import PolicyError
from dsl.model import Policy
from portal.crypto import file_key, open_text, seal_file
from portal.extensions import db
from portal.jobs import plan, reasons, store
from portal.jobs.context import private_dir
from portal.jobs.tasks import (
    JobFailed,
    archive_of,
    load_policy,
    ocr_engine,
    run_job,
    source_of,
    work_dir,
)
from portal.models import (
    DocumentState,
    ExportRequest,
    ExportState,
    JobTicket,
    TicketState,
)
from workers.ocr import OcrUnavailable
from workers.record import KnownIdentifier, NothingToExport, RunOptions, finish_record

log = logging.getLogger(__name__)


def assemble(ticket_id: int) -> str:
    """RQ job: one verified PDF from the stored analyses and the hand edits, sealed at rest."""
    return run_job("assemble", ticket_id, _assemble,
                   lambda _app, ticket, reason: _fail_assembly(ticket, reason), reasons.ASSEMBLY)


def _assemble(app: Flask, ticket_id: int) -> str:
    from portal.preview.edits import edits_for_assembly

    session = db.session()
    ticket = session.get(JobTicket, ticket_id)
    if ticket is None or ticket.state != TicketState.OPEN:
        return "skipped"
    req = session.get(ExportRequest, ticket.request_id)
    if (req is None or req.state in plan.FINAL or ticket.revision != req.revision
            or any(d.state != DocumentState.DONE for d in req.documents)):
        ticket.state = TicketState.SUPERSEDED  # the reconciler owes the current revision
        session.commit()
        return "skipped"
    key = file_key(app)
    try:
        policy = load_policy(session, req)
    except PolicyError:
        raise JobFailed(reasons.POLICY) from None
    try:
        archive = archive_of(app)
        analyses = []
        for doc in req.documents:
            path, meta = source_of(app, req, doc)
            analyses.append(store.load_analysis(session, policy, doc, path, meta, key))
        known = [KnownIdentifier(str(i["category"]), str(i["value"]))
                 for i in archive.patient_identifiers(req.visit_id)
                 if str(i.get("value", "")).strip()]
    except Exception:  # noqa: BLE001
        raise JobFailed(reasons.ARCHIVE) from None
    added, removed = edits_for_assembly(req)
    password = None
    if req.password_protected and req.password_ciphertext:
        password = open_text(req.password_ciphertext, key)
    options = RunOptions(watermark=req.watermark or None, password=password,
                         allow_residuals=True,  # residuals are shown to reviewers and block approval
                         ocr_workers=int(app.config.get("JOBS_OCR_WORKERS", 1)),
                         use_ocr=bool(app.config.get("JOBS_USE_OCR", True)))
    request_id, revision = req.id, ticket.revision
    session.commit()
    db.session.remove()

    out_dir = private_dir(Path(app.config["DATA_DIR"]) / "exports")
    plain = work_dir(app, request_id) / f"export-r{revision}-{uuid.uuid4().hex}.pdf"
    sealed = out_dir / f"export-{request_id}-r{revision}-{uuid.uuid4().hex[:12]}.sealed"
    try:
        with ocr_engine(app, request_id) as engine:
            try:
                result = finish_record(policy, analyses, plain, known, options, added=added,
                                       removed=removed, engine=engine,
                                       progress=_progress(app, ticket_id))
            except NothingToExport:
                raise JobFailed(reasons.NOTHING) from None
            except OcrUnavailable:
                raise JobFailed(reasons.NO_OCR) from None
        sha256 = seal_file(plain, sealed, key)
    finally:
        plain.unlink(missing_ok=True)
    return _store_output(ticket_id, result, policy, sealed, sha256)


def _progress(app: Flask, ticket_id: int):  # type: ignore[no-untyped-def]
    """A finish_record progress callback writing to the ticket, at most every few seconds."""
    every = float(app.config.get("JOBS_PROGRESS_SECONDS", 0.5))
    last = [0.0]

    def report(_stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < every and done < total:
            return
        last[0] = now
        session = db.session()
        try:
            ticket = session.get(JobTicket, ticket_id)
            if ticket is not None:
                ticket.progress_done, ticket.progress_total = done, total
                session.commit()
        finally:
            db.session.remove()

    return report


def summary(result: Any, policy: Policy, revision: int) -> dict[str, Any]:
    """What the portal keeps of a run: counts, boxes, rule ids, residual places. Never text."""
    ver = result.verification
    documents = []
    by_category: dict[str, int] = {}
    for analysis in result.documents:
        findings = []
        for page in sorted(analysis.findings):
            for f in analysis.findings[page]:
                by_category[f.category] = by_category.get(f.category, 0) + 1
                findings.append({"page": page + 1, "category": f.category, "rule": f.rule,
                                 "kind": f.kind, "box": [round(c, 1) for c in f.rect]})
        documents.append({"doc_id": analysis.input.doc_id, "type": analysis.label,
                          "pages": analysis.page_count, "findings": findings})
    return {
        "revision": revision,
        "clean": ver.clean,
        "pages": ver.pages,
        "ocr_pages": ver.ocr_pages,
        "fixed_by_second_look": ver.fixed_by_second_look,
        "residuals": [r.public() for r in ver.residuals],
        "page_map": [list(p) for p in result.page_map],
        "policy": {"name": policy.name, "version": policy.version, "digest": policy.digest},
        "findings_by_category": dict(sorted(by_category.items())),
        "report": {"documents": documents},
    }


def _store_output(ticket_id: int, result: Any, policy: Policy, sealed: Path,
                  sha256: str) -> str:
    session = db.session()
    ticket = session.get(JobTicket, ticket_id)
    req = session.get(ExportRequest, ticket.request_id, with_for_update=True)
    if ticket.state != TicketState.OPEN or req.revision != ticket.revision \
            or req.state in plan.FINAL:
        # An edit arrived meanwhile: this file is stale, the newer assembly replaces it.
        sealed.unlink(missing_ok=True)
        if ticket.state == TicketState.OPEN:
            ticket.state = TicketState.SUPERSEDED
        session.commit()
        return "stale"
    old = req.output_path
    req.output_path, req.sha256 = str(sealed), sha256
    req.residuals = len(result.verification.residuals)
    req.verification = summary(result, policy, ticket.revision)
    if req.state in (ExportState.DRAFT, ExportState.QUEUED, ExportState.ANALYSING,
                     ExportState.FAILED):
        req.state = ExportState.READY_FOR_REVIEW
    req.failure_reason = ""
    ticket.state = TicketState.DONE
    ticket.progress_done = ticket.progress_total
    session.commit()
    if old and old != str(sealed):
        Path(old).unlink(missing_ok=True)
    return "done"


def _fail_assembly(ticket_id: int, reason: str) -> None:
    db.session.remove()
    session = db.session()
    try:
        ticket = session.get(JobTicket, ticket_id)
        if ticket is None:
            return
        ticket.state, ticket.error = TicketState.FAILED, reason
        req = session.get(ExportRequest, ticket.request_id)
        if req is not None and req.state not in plan.FINAL and req.revision == ticket.revision:
            req.state, req.failure_reason = ExportState.FAILED, reason
        session.commit()
    finally:
        db.session.remove()

