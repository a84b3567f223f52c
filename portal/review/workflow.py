"""The review workflow's rules: who may see, submit, approve or reject an export. No Flask.

Every rule is enforced here, not only hidden in the pages: a forged form post meets the same
`WorkflowError` as a button that was never shown.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from portal.audit import record
from portal.models import ExportRequest, ExportState, Role, User, utcnow

MAX_COMMENT = 2000


def N_(message: str) -> str:
    """Mark a message for translation; the view translates it when it shows it."""
    return message


class WorkflowError(Exception):
    """A step that is not allowed. `message` (an msgid with %(name)s fields) says why."""

    def __init__(self, message: str, **params: object) -> None:
        self.message, self.params = message, params
        super().__init__(message % params if params else message)


def can_view(user: User, req: ExportRequest) -> bool:
    """The requester and compliance officers may open an export; other clinicians may not."""
    return user.id == req.requester_id or user.has_role(Role.COMPLIANCE)


def assembled_revision(req: ExportRequest) -> int | None:
    """The edit revision the current output was built from, when the assembly job recorded it."""
    value = getattr(req, "assembled_revision", None)
    if value is None and isinstance(req.verification, dict):
        value = req.verification.get("revision")
    return value if isinstance(value, int) else None


def is_reassembling(req: ExportRequest) -> bool:
    """True while the output is being rebuilt after an edit (or has not caught up with it)."""
    if req.state in (ExportState.QUEUED, ExportState.ANALYSING):
        return True
    built = assembled_revision(req)
    return built is not None and built != req.revision


def submit(session: Session, req: ExportRequest, user: User) -> None:
    """Send a ready export to the compliance officers (requester only)."""
    if user.id != req.requester_id:
        raise WorkflowError(N_("Only the person who requested this export can submit it."))
    if is_reassembling(req):
        raise WorkflowError(N_("The export is still being re-assembled after your last edit. "
                               "Wait until it has finished, then submit."))
    if req.state != ExportState.READY_FOR_REVIEW:
        raise WorkflowError(N_("Only an export that is ready for review can be submitted."))
    req.state = ExportState.SUBMITTED
    req.submitted_at = utcnow()
    record("export.submit", user, "export", req.id, session=session, revision=req.revision,
           residuals=req.residuals)
    session.commit()


def _check_reviewer(req: ExportRequest, user: User) -> None:
    if not user.has_role(Role.COMPLIANCE):
        raise WorkflowError(N_("Only a compliance officer can review exports."))
    if user.id == req.requester_id:
        raise WorkflowError(N_("You requested this export yourself, so another compliance "
                               "officer must review it."))
    if req.state != ExportState.SUBMITTED:
        raise WorkflowError(N_("This export is not waiting for review (it may have been edited, "
                               "approved or rejected in the meantime)."))
    if is_reassembling(req):
        raise WorkflowError(N_("The export is being re-assembled; review it when that has "
                               "finished."))


def approve(session: Session, req: ExportRequest, user: User, comment: str = "", *,
            download_days: int = 7, now: datetime | None = None) -> None:
    """Approve a submitted, verified-clean export and open its download window."""
    _check_reviewer(req, user)
    if req.residuals is None or not req.output_path:
        raise WorkflowError(N_("This export has no verified output file, so it cannot be "
                               "approved."))
    if req.residuals > 0:
        raise WorkflowError(N_(
            "Verification still finds %(n)d identifying item(s) in the output. An export with "
            "residuals cannot be approved: reject it so the requester can cover them."),
            n=req.residuals)
    now = now or utcnow()
    req.state = ExportState.APPROVED
    req.approved_by_id = user.id
    req.reviewed_at = now
    req.review_comment = comment.strip()[:MAX_COMMENT]
    req.expires_at = now + timedelta(days=download_days)
    record("export.approve", user, "export", req.id, session=session, revision=req.revision,
           sha256=req.sha256, expires_at=req.expires_at.isoformat(timespec="seconds"))
    session.commit()


def reject(session: Session, req: ExportRequest, user: User, comment: str, *,
           now: datetime | None = None) -> None:
    """Reject a submitted export; the comment tells the requester what to change."""
    _check_reviewer(req, user)
    comment = (comment or "").strip()
    if not comment:
        raise WorkflowError(N_("Write a comment saying why the export is rejected, so the "
                               "requester knows what to change."))
    req.state = ExportState.REJECTED
    req.reviewed_at = now or utcnow()
    req.review_comment = comment[:MAX_COMMENT]
    # The comment may describe the record: the audit keeps only that one was given.
    record("export.reject", user, "export", req.id, session=session, revision=req.revision,
           comment_chars=len(comment))
    session.commit()
