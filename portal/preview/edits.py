"""Hand edits: draw a box, remove an automatic one (with a reason), undo. No Flask.

Each edit is a ManualEdit row, an audit entry (ids only), a revision bump that makes any
assembly in flight stale, and a call to re-assemble. An edit after submission sends the export
back to ready_for_review.
"""
from __future__ import annotations

import importlib
import logging
from collections.abc import Callable

from sqlalchemy.orm import Session

from portal.audit import record
from portal.models import EditAction, ExportRequest, ExportState, ManualEdit, User, utcnow
from portal.preview import layout
from portal.review.workflow import N_, WorkflowError, is_reassembling

MANUAL_CATEGORY = "手工标注"  # workers.record.ManualBox's default category
MIN_SIZE = 2.0  # points: smaller is a slip of the mouse, not a box
MAX_REASON = 500
# Rejected exports may be corrected and submitted again; approved ones are final.
EDITABLE = (ExportState.READY_FOR_REVIEW, ExportState.SUBMITTED, ExportState.REJECTED)
# Where the jobs engineer's re-assembly entry point may live (first found wins).
REASSEMBLY_MODULES = ("portal.exports.jobs", "portal.jobs", "workers.jobs", "portal.exports")

Reassemble = Callable[[int], object]
log = logging.getLogger(__name__)


class EditError(WorkflowError):
    """An edit that is not allowed or not well formed."""


class ReassemblyPending(WorkflowError):
    """The edit is saved but re-assembly could not be enqueued (Redis down): retried later."""


def check_editable(req: ExportRequest, user: User) -> None:
    """Raise EditError unless `user` may edit `req` now."""
    if user.id != req.requester_id:
        raise EditError(N_("Only the person who requested this export can change its boxes."))
    # Edits may follow each other while a re-assembly runs: each bumps the revision, which
    # makes the assembly in flight stale, and the last one wins.
    rebuilding = req.revision > 0 and is_reassembling(req)
    if req.state not in EDITABLE and not rebuilding:
        raise EditError(N_("This export can no longer be changed (approved, expired or not "
                           "assembled yet)."))


def _clean_rect(rect: object, size: tuple[float, float] | None) -> layout.Rect:
    try:
        x0, y0, x1, y1 = (float(c) for c in rect)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise EditError(N_("The box was not understood; draw it again.")) from None
    x0, x1 = sorted((x0, x1))
    y0, y1 = sorted((y0, y1))
    if size is not None:
        w, h = size
        x0, x1 = max(0.0, x0), min(w, x1)
        y0, y1 = max(0.0, y0), min(h, y1)
    if x1 - x0 < MIN_SIZE or y1 - y0 < MIN_SIZE:
        raise EditError(N_("The box is too small; drag across the text to cover."))
    return (round(x0, 2), round(y0, 2), round(x1, 2), round(y1, 2))


def add_box(session: Session, req: ExportRequest, user: User, out_page: int, rect: object, *,
            page_size: tuple[float, float] | None = None, category: str = MANUAL_CATEGORY,
            reassemble: Reassemble | None = None) -> ManualEdit:
    """Cover `rect` (PDF points of the source page) on 1-based output page `out_page`."""
    check_editable(req, user)
    doc, page = _source(req, out_page)
    edit = ManualEdit(request_id=req.id, document_id=doc.id, page_number=page,
                      rect=list(_clean_rect(rect, page_size)), action=EditAction.ADD,
                      category=category[:64] or MANUAL_CATEGORY, reason="", user_id=user.id)
    return _commit(session, req, user, edit, "add", reassemble)


def remove_box(session: Session, req: ExportRequest, user: User, out_page: int, rule: str,
               rect: object, reason: str, *, reassemble: Reassemble | None = None) -> ManualEdit:
    """Remove the automatic finding of `rule` under `rect`; a reason is required."""
    check_editable(req, user)
    reason = (reason or "").strip()
    if not reason:
        raise EditError(N_("Say why this box should not be redacted: a reason is required."))
    doc, page = _source(req, out_page)
    box = layout.find_auto(req, doc, page, str(rule), _clean_rect(rect, None))
    if box is None:
        raise EditError(N_("That box is not an automatic finding on this page; reload the page."))
    if any(b.removed and b.rule == box.rule and b.rect == box.rect
           for b in layout.page_boxes(req, doc, page)):
        raise EditError(N_("That box has already been removed."))
    # finding_ref holds the rule id: with the rect it names the finding for workers' Removal.
    edit = ManualEdit(request_id=req.id, document_id=doc.id, page_number=page,
                      rect=[round(c, 2) for c in box.rect], action=EditAction.REMOVE,
                      finding_ref=box.rule[:64], category=box.category[:64],
                      reason=reason[:MAX_REASON], user_id=user.id)
    return _commit(session, req, user, edit, "remove", reassemble)


def undo_last(session: Session, req: ExportRequest, user: User, *,
              reassemble: Reassemble | None = None) -> ManualEdit:
    """Take back the latest edit still in force (it is kept, marked undone)."""
    check_editable(req, user)
    edits = layout.active_edits(req)
    if not edits:
        raise EditError(N_("There is no change to undo."))
    edit = max(edits, key=lambda e: e.id)
    edit.undone, edit.undone_at, edit.undone_by_id = True, utcnow(), user.id
    return _commit(session, req, user, edit, "undo", reassemble)


def _source(req: ExportRequest, out_page: int):  # type: ignore[no-untyped-def]
    try:
        return layout.source_of(req, int(out_page))
    except (IndexError, TypeError, ValueError):
        raise EditError(N_("There is no such page in this export.")) from None


def _commit(session: Session, req: ExportRequest, user: User, edit: ManualEdit, op: str,
            reassemble: Reassemble | None) -> ManualEdit:
    session.add(edit)
    session.flush()
    req.revision = (req.revision or 0) + 1
    returned = req.state in (ExportState.SUBMITTED, ExportState.REJECTED)
    if returned:
        req.state = ExportState.READY_FOR_REVIEW
        req.submitted_at = None
    # Ids and codes only: the page is 1-based within its document, no text of the record.
    record("export.edit", user, "export", req.id, session=session, op=op, edit_id=edit.id,
           document_id=edit.document_id, page=edit.page_number + 1, revision=req.revision,
           back_to_review=returned)
    session.commit()
    try:
        (reassemble or default_reassemble())(req.id)
    except Exception as exc:
        # The edit and the new revision are stored: the jobs layer's reconciler rebuilds any
        # export whose output is older than its revision, so nothing is lost.
        log.warning("re-assembly of export %s not enqueued: %s", req.id, type(exc).__name__)
        raise ReassemblyPending(N_(
            "Your change is saved, but the re-assembly could not be started right now. It "
            "will be started again automatically; if this page keeps waiting, tell the "
            "administrator."), edit_id=edit.id) from exc
    return edit


def default_reassemble() -> Reassemble:
    """The jobs layer's `request_reassembly(request_id)`, imported when first needed."""
    for name in REASSEMBLY_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        func = getattr(module, "request_reassembly", None)
        if func is not None:
            return func
    raise RuntimeError("request_reassembly is not available: the jobs layer is not installed")


def edits_for_assembly(req: ExportRequest) -> tuple[list, list]:
    """The edits in force as workers.record ManualBox / Removal lists, for finish_record.

    `doc_index` is the position in `req.documents` (ordered by `order`): pass the analyses to
    finish_record in that same order.
    """
    from workers.record import ManualBox, Removal

    index = {doc.id: i for i, doc in enumerate(req.documents)}
    added, removed = [], []
    for e in layout.active_edits(req):
        rect = tuple(float(c) for c in e.rect)
        if e.action == EditAction.ADD:
            added.append(ManualBox(index[e.document_id], e.page_number, rect,
                                   e.category or MANUAL_CATEGORY, str(e.id)))
        else:
            removed.append(Removal(index[e.document_id], e.page_number, rect,
                                   e.finding_ref or ""))
    return added, removed
