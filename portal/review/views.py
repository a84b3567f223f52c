"""The compliance officer's queue and review page; approve or reject with a comment."""
from __future__ import annotations

import hashlib

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from portal.auth.decorators import roles_accepted
from portal.extensions import db
from portal.models import ExportRequest, ExportState, Role, User
from portal.review import workflow

bp = Blueprint("review", __name__, url_prefix="/review")

STATE_LABELS = {
    ExportState.DRAFT: _l("Draft"),
    ExportState.QUEUED: _l("Queued"),
    ExportState.ANALYSING: _l("Analysing"),
    ExportState.READY_FOR_REVIEW: _l("Ready to check and submit"),
    ExportState.SUBMITTED: _l("Waiting for review"),
    ExportState.APPROVED: _l("Approved"),
    ExportState.REJECTED: _l("Rejected"),
    ExportState.FAILED: _l("Failed"),
    ExportState.EXPIRED: _l("Expired"),
}
# Distinct hues readable as outlines on white (hand-drawn boxes have a colour of their own).
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b",
           "#bcbd22", "#7f7f7f", "#393b79", "#637939", "#843c39", "#7b4173", "#3182bd")
MANUAL_COLOUR = "#e7298a"


def state_label(state: str) -> str:
    """The readable name of a workflow state."""
    label = STATE_LABELS.get(state)
    return str(label) if label is not None else state


def category_colours(categories: set[str]) -> dict[str, str]:
    """A colour per finding category: hashed start, then the next free one, so colours differ.

    Pass every category of the request, so a category keeps its colour on every page.
    """
    from portal.preview.edits import MANUAL_CATEGORY

    out: dict[str, str] = {}
    used: set[int] = set()
    for c in sorted(categories):
        if c == MANUAL_CATEGORY:
            out[c] = MANUAL_COLOUR
            continue
        i = int.from_bytes(hashlib.sha256(c.encode()).digest()[:2], "big") % len(PALETTE)
        while i in used and len(used) < len(PALETTE):
            i = (i + 1) % len(PALETTE)
        used.add(i)
        out[c] = PALETTE[i]
    return out


def _names(ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {u.id: u.display_name or u.username
            for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


@bp.route("/")
@roles_accepted(Role.COMPLIANCE)
def queue() -> str:
    """Submitted exports waiting for a decision, oldest first; recent decisions below."""
    waiting = db.session.scalars(
        select(ExportRequest).where(ExportRequest.state == ExportState.SUBMITTED)
        .order_by(ExportRequest.submitted_at, ExportRequest.id)).all()
    decided = db.session.scalars(
        select(ExportRequest)
        .where(ExportRequest.state.in_([ExportState.APPROVED, ExportState.REJECTED,
                                        ExportState.EXPIRED]))
        .order_by(ExportRequest.reviewed_at.desc()).limit(20)).all()
    names = _names({r.requester_id for r in [*waiting, *decided]}
                   | {r.approved_by_id for r in decided})
    return render_template("review/queue.html", waiting=waiting, decided=decided, names=names,
                           state_label=state_label)


def _load(request_id: int) -> ExportRequest:
    req = db.session.get(ExportRequest, request_id)
    if req is None:
        abort(404)
    return req


@bp.route("/<int:request_id>")
@roles_accepted(Role.COMPLIANCE)
def detail(request_id: int) -> str:
    """Findings by category, every hand edit with its reason, the verification result."""
    from portal.preview import layout

    req = _load(request_id)
    edits = sorted(req.edits, key=lambda e: e.id)
    names = _names({req.requester_id, req.approved_by_id}
                   | {e.user_id for e in edits} | {e.undone_by_id for e in edits})
    pages = {}  # output page of each edit, for links into the preview
    for n, (doc_index, page) in enumerate(layout.page_map(req), start=1):
        if doc_index < len(req.documents):
            pages[(req.documents[doc_index].id, page)] = n
    residuals = (req.verification or {}).get("residuals") or []
    counts = layout.category_counts(req)
    return render_template(
        "review/detail.html", req=req, edits=edits, names=names, pages=pages,
        residuals=residuals, counts=counts, state_label=state_label,
        colours=category_colours({c["category"] for c in counts}),
        own=req.requester_id == current_user.id,
        reassembling=workflow.is_reassembling(req),
        download_days=current_app.config["EXPORT_DOWNLOAD_DAYS"])


def _decide(request_id: int, decision: str) -> Response:
    req = _load(request_id)
    comment = request.form.get("comment", "")
    try:
        if decision == "approve":
            workflow.approve(db.session(), req, current_user, comment,
                             download_days=int(current_app.config["EXPORT_DOWNLOAD_DAYS"]))
            flash(_("Export approved. The requester can download it until %(when)s.",
                    when=format_datetime(req.expires_at, "yyyy-MM-dd HH:mm")), "success")
        else:
            workflow.reject(db.session(), req, current_user, comment)
            flash(_("Export rejected. The requester sees your comment."), "success")
    except workflow.WorkflowError as exc:
        db.session.rollback()
        flash(_(exc.message, **exc.params), "error")
    return redirect(url_for(".detail", request_id=req.id))


@bp.route("/<int:request_id>/approve", methods=["POST"])
@roles_accepted(Role.COMPLIANCE)
def approve(request_id: int) -> Response:
    """Approve: opens the download window."""
    return _decide(request_id, "approve")


@bp.route("/<int:request_id>/reject", methods=["POST"])
@roles_accepted(Role.COMPLIANCE)
def reject(request_id: int) -> Response:
    """Reject with a comment saying what to change."""
    return _decide(request_id, "reject")
