"""Per-page results in the database: boxes and keyed hashes in clear, values sealed. No Flask."""
from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dsl.model import Policy
from portal.crypto import derive_key, open_text, seal_text
from portal.models import (
    DocumentState,
    ExportDocument,
    ExportRequest,
    PageResult,
    PageSecret,
    utcnow,
)
from workers.analyse import DocumentAnalysis, DocumentInput, revealed_by_properties
from workers.pdfopen import UnreadableDocument, open_pdf
from workers.textlayer import Finding, value_hash


def hash_key(file_key: bytes, request_id: int) -> bytes:
    """Key of the value hashes of one request: groups equal values, reveals nothing."""
    return derive_key(file_key + str(request_id).encode(), b"emr-redact value hash v1")


def stored_pages(session: Session, document_id: int) -> set[int]:
    """Pages of a document whose results are stored (never computed again)."""
    return set(session.scalars(select(PageResult.page_number).where(
        PageResult.document_id == document_id, PageResult.done.is_(True))))


def save_pages(session: Session, doc: ExportDocument, analysis: DocumentAnalysis,
               pages: Iterable[int], file_key: bytes, ocr_pages: set[int]) -> int:
    """Store the findings of `pages` (skipping pages stored meanwhile); returns pages written."""
    hkey = hash_key(file_key, doc.request_id)
    existing = {pr.page_number: pr for pr in session.scalars(
        select(PageResult).where(PageResult.document_id == doc.id))}
    written = 0
    for page in pages:
        row = existing.get(page)
        if row is not None and row.done:
            continue
        found = analysis.findings.get(page, [])
        boxes = [{"id": f"{doc.id}-{page}-{i}", "rect": [round(c, 2) for c in f.rect],
                  "category": f.category, "rule": f.rule, "kind": f.kind,
                  "value_hash": value_hash(f.value, hkey) if f.value else None,
                  **({"label": f.label} if f.label else {})}   # a policy's word, not PHI
                 for i, f in enumerate(found)]
        if row is None:
            row = PageResult(document_id=doc.id, page_number=page)
            session.add(row)
        row.findings, row.ocr_used, row.done, row.computed_at = boxes, page in ocr_pages, True, \
            utcnow()
        session.flush()
        # The page's first and last rows are its text, patient data: sealed with the values.
        sealed = seal_text(json.dumps({"values": [f.value for f in found],
                                       "edges": analysis.edges.get(page, ((), ()))},
                                      ensure_ascii=False), file_key)
        secret = session.get(PageSecret, row.id)
        if secret is None:
            session.add(PageSecret(page_result_id=row.id, sealed_values=sealed))
        else:
            secret.sealed_values = sealed
        written += 1
    return written


def refresh_counts(session: Session, req: ExportRequest) -> None:
    """Recompute the request's and its documents' progress from what is stored."""
    done_by_doc = dict(session.execute(
        select(PageResult.document_id, func.count()).join(ExportDocument)
        .where(ExportDocument.request_id == req.id, PageResult.done.is_(True))
        .group_by(PageResult.document_id)).all())
    for doc in req.documents:
        doc.pages_done = min(done_by_doc.get(doc.id, 0), doc.page_count or 0)
    req.docs_total = len(req.documents)
    req.docs_done = sum(d.state == DocumentState.DONE for d in req.documents)
    req.pages_total = sum(d.page_count or 0 for d in req.documents)
    req.pages_done = sum(d.pages_done for d in req.documents)


def load_analysis(session: Session, policy: Policy, doc: ExportDocument, path: Path,
                  meta: dict[str, str], file_key: bytes) -> DocumentAnalysis:
    """A DocumentAnalysis rebuilt from stored pages, values decrypted, for finish_record."""
    doc_type = next((t for t in policy.documents if t.name == doc.doc_type), None)
    analysis = DocumentAnalysis(input=DocumentInput(path=path, doc_id=doc.doc_id, meta=meta),
                                label=doc.doc_type or "文档", doc_type=doc_type,
                                page_count=doc.page_count, ocr_mode=policy.ocr_for(doc_type))
    rows = session.scalars(select(PageResult).where(PageResult.document_id == doc.id,
                                                    PageResult.done.is_(True))).all()
    for row in rows:
        secret = session.get(PageSecret, row.id)
        sealed = json.loads(open_text(secret.sealed_values, file_key)) if secret else []
        if isinstance(sealed, list):   # a page stored before its edges were: values alone
            sealed = {"values": sealed}
        heads, tails = sealed.get("edges") or ((), ())
        analysis.edges[row.page_number] = (tuple(heads), tuple(tails))
        values = sealed["values"]
        analysis.findings[row.page_number] = [
            Finding(row.page_number, tuple(f["rect"]), f["category"], f["rule"],
                    values[i] if i < len(values) else "", f.get("kind", "text"),
                    f.get("label", ""))
            for i, f in enumerate(row.findings or [])]
        analysis.ocr_pages += bool(row.ocr_used)
    # Not stored: read again from the file's metadata and notes, cheap, and PHI themselves.
    notes: list[tuple[str, str]] = []
    with contextlib.suppress(UnreadableDocument), open_pdf(path, notes) as pdf:
        analysis.revealed = revealed_by_properties(policy, doc_type, pdf, notes)
    return analysis
