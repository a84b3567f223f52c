"""Export requests: which policy applies, creating a request, retrying it. No Flask.

A request is created with its documents, its exact policy version, and its tickets in one
transaction (audited); the caller enqueues the tickets after the commit.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit import record
from portal.crypto import seal_text
from portal.jobs import plan
from portal.models import (
    ExportDocument,
    ExportRequest,
    ExportState,
    JobTicket,
    Purpose,
    PurposeDefault,
    RulesetVersion,
    User,
)
from portal.review.workflow import N_, WorkflowError

MAX_WATERMARK = 200
MAX_REASON = 1000
MIN_PASSWORD = 6


class RequestError(WorkflowError):
    """A request that cannot be made as asked; the message says what to change."""


def published_versions(session: Session) -> list[RulesetVersion]:
    """Every published policy version, newest first."""
    return list(session.scalars(select(RulesetVersion).where(
        RulesetVersion.published_at.is_not(None))
        .order_by(RulesetVersion.published_at.desc(), RulesetVersion.id.desc())))


def default_version(session: Session, purpose: str) -> RulesetVersion | None:
    """The purpose's default published version, else the newest published one, else None
    (None: the shipped rulesets/default.rules)."""
    chosen = session.get(PurposeDefault, str(purpose))
    if chosen is not None:
        version = session.get(RulesetVersion, chosen.ruleset_version_id)
        if version is not None and version.is_published:
            return version
    newest = published_versions(session)
    return newest[0] if newest else None


@dataclass(frozen=True)
class NewRequest:
    """What the requester chose on the form, checked by `create`."""

    visit_id: str
    doc_ids: Sequence[str]
    purpose: str
    reason: str = ""
    version_id: int | None = None   # None: the purpose's default
    watermark: str = ""
    password: str = ""


def create(session: Session, user: User, visit, choice: NewRequest, *, file_key: bytes,
           split: int) -> tuple[ExportRequest, list[JobTicket]]:
    """Store a request for `visit` (an archive Visit), its documents and its first tickets.

    Raises RequestError in words. Audited; the caller commits and enqueues the tickets.
    """
    if choice.purpose not in {p.value for p in Purpose}:
        raise RequestError(N_("Choose the purpose of the export."))
    reason = (choice.reason or "").strip()
    if choice.purpose == Purpose.OTHER and not reason:
        raise RequestError(N_("Say why the record is needed: a reason is required for "
                              "\"other\" purposes."))
    wanted = set(choice.doc_ids)
    documents = [d for d in visit.documents if d.doc_id in wanted]
    if not documents:
        raise RequestError(N_("Choose at least one document of the visit."))
    if len(documents) != len(wanted):
        raise RequestError(N_("A chosen document is not part of this visit; reload the page."))
    if choice.version_id is not None:
        version = session.get(RulesetVersion, choice.version_id)
        if version is None or not version.is_published:
            raise RequestError(N_("Only a published policy version can be used."))
    else:
        version = default_version(session, choice.purpose)
    watermark = (choice.watermark or "").strip()
    if len(watermark) > MAX_WATERMARK:
        raise RequestError(N_("The watermark is too long (at most 200 characters)."))
    password = choice.password or ""
    if password and len(password) < MIN_PASSWORD:
        raise RequestError(N_("The PDF password must have at least 6 characters."))

    req = ExportRequest(
        requester_id=user.id, visit_id=visit.visit_id, purpose=choice.purpose,
        purpose_reason=reason[:MAX_REASON] if choice.purpose == Purpose.OTHER else "",
        ruleset_version_id=version.id if version is not None else None,
        watermark=watermark, password_protected=bool(password),
        # Sealed with the site key; the assembly job opens it, nobody else reads it.
        password_ciphertext=seal_text(password, file_key) if password else None,
        state=ExportState.DRAFT)
    req.documents = [ExportDocument(doc_id=d.doc_id, order=i, doc_type=(d.doc_type or "")[:64],
                                    page_count=max(0, int(d.pages or 0)))
                     for i, d in enumerate(documents)]
    session.add(req)
    session.flush()
    tickets = plan.start(session, req, split)
    # Ids and codes only: never the purpose's reason (it may describe the patient).
    record("export.create", user, "export", req.id, session=session, visit_id=req.visit_id,
           documents=len(req.documents), pages=req.pages_total, purpose=req.purpose,
           ruleset_version_id=req.ruleset_version_id, password=req.password_protected)
    return req, tickets


def retry(session: Session, req: ExportRequest, user: User, *,
          split: int) -> list[JobTicket]:
    """Owe again only what is missing of a failed request (requester only); audited."""
    if user.id != req.requester_id:
        raise RequestError(N_("Only the person who requested this export can retry it."))
    if req.state != ExportState.FAILED:
        raise RequestError(N_("Only a failed export can be retried."))
    tickets = plan.retry(session, req, split)
    record("export.retry", user, "export", req.id, session=session,
           documents=sum(1 for t in tickets if t.document_id is not None),
           assembly=any(t.document_id is None for t in tickets))
    return tickets
