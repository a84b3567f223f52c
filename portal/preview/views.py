"""Preview pages: original and redacted side by side, boxes, hand edits, submission."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.auth.decorators import roles_accepted
from portal.extensions import db
from portal.models import ExportRequest, ExportState, Role, User
from portal.preview import edits, layout, render, sources
from portal.review import workflow
from portal.review.views import category_colours, state_label

bp = Blueprint("preview", __name__, url_prefix="/preview")
VIEWERS = (Role.CLINICIAN, Role.COMPLIANCE)
IMAGE_MAX_AGE = 3600


def load_request(request_id: int) -> ExportRequest:
    """The request, if the signed-in user may open it (404 / 403 otherwise)."""
    req = db.session.get(ExportRequest, request_id)
    if req is None:
        abort(404)
    if not workflow.can_view(current_user, req):
        abort(403)  # another clinician's export: not even its existence is shown
    return req


def _tag(req: ExportRequest) -> str:
    """Identifies the current output file, for image cache keys and URLs."""
    if req.sha256:
        return req.sha256
    path = Path(req.output_path or "")
    return f"{req.revision}-{path.stat().st_mtime_ns if path.exists() else 0}"


def _page_size(req: ExportRequest, page_no: int) -> tuple[float, float] | None:
    try:
        doc, page = layout.source_of(req, page_no)
        return render.page_size(sources.document_path(current_app, req, doc), page)
    except Exception:  # noqa: BLE001  archive unreachable: the page says so, boxes still listed
        return None


def _residuals(req: ExportRequest, page_no: int | None = None) -> list[dict[str, Any]]:
    found = (req.verification or {}).get("residuals") or []
    return [r for r in found if page_no is None or r.get("page") == page_no]


@bp.route("/<int:request_id>")
@roles_accepted(*VIEWERS)
def show(request_id: int) -> str:
    """One output page: the original and the redacted page with their boxes."""
    req = load_request(request_id)
    total = len(layout.page_map(req))
    early = (ExportState.DRAFT, ExportState.QUEUED, ExportState.ANALYSING, ExportState.FAILED)
    if total == 0 or (req.state in early and not req.output_path):
        return render_template("preview/waiting.html", req=req, state_label=state_label)
    page_no = min(max(request.args.get("page", 1, type=int), 1), total)
    doc, page = layout.source_of(req, page_no)
    boxes = layout.page_boxes(req, doc, page)
    size = _page_size(req, page_no)
    reassembling = workflow.is_reassembling(req)
    editable = current_user.id == req.requester_id and (
        req.state in edits.EDITABLE or (req.revision > 0 and reassembling))
    data = {
        "page": page_no,
        "size": size,
        "boxes": [b.public() for b in boxes],
        "editable": editable,
        "reassembling": reassembling,
        "revision": req.revision,
        "colours": category_colours({c["category"] for c in layout.category_counts(req)}
                                    | {b.category for b in boxes}),
        "urls": {"edit": url_for(".edit", request_id=req.id),
                 "undo": url_for(".undo", request_id=req.id),
                 "status": url_for(".status", request_id=req.id)},
    }
    redacted_url = None
    if req.output_path:
        redacted_url = url_for(".redacted_image", request_id=req.id, page_no=page_no,
                               v=_tag(req)[:16])
    history = sorted(req.edits, key=lambda e: e.id, reverse=True)
    names = _names({e.user_id for e in history})
    return render_template(
        "preview/show.html", req=req, page_no=page_no, total=total, doc=doc, page=page,
        data=data, boxes=boxes, redacted_url=redacted_url, history=history, names=names,
        residuals=_residuals(req, page_no), all_residuals=_residuals(req),
        reassembling=reassembling, editable=editable, state_label=state_label,
        is_requester=current_user.id == req.requester_id)


def _names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    users = db.session.query(User).filter(User.id.in_(ids)).all()
    return {u.id: u.display_name or u.username for u in users}


def _image_response(path: Path, max_age: int) -> Response:
    response = send_file(path, mimetype="image/png", conditional=True, etag=True,
                         max_age=max_age)
    # Private: page images show patient data (originals) and must stay out of shared caches.
    response.headers["Cache-Control"] = f"private, max-age={max_age}"
    return response


def _unavailable(exc: Exception) -> Response:
    current_app.logger.info("page image unavailable: %s", type(exc).__name__)
    return Response(status=404)


@bp.route("/<int:request_id>/pages/<int:page_no>/original.png")
@roles_accepted(*VIEWERS)
def original_image(request_id: int, page_no: int) -> Response:
    """The archived page as it is: only for the requester and compliance officers."""
    req = load_request(request_id)
    try:
        doc, page = layout.source_of(req, page_no)
        path = sources.document_path(current_app, req, doc)
        image = render.original_png(path, page, sources.cache_root(current_app),
                                    f"{req.visit_id}/{doc.doc_id}")
    except (IndexError, render.PreviewUnavailable) as exc:
        return _unavailable(exc)
    return _image_response(image, IMAGE_MAX_AGE)


@bp.route("/<int:request_id>/pages/<int:page_no>/redacted.png")
@roles_accepted(*VIEWERS)
def redacted_image(request_id: int, page_no: int) -> Response:
    """The page of the assembled export, decrypted only in memory."""
    req = load_request(request_id)
    if not req.output_path or not Path(req.output_path).exists():
        return _unavailable(FileNotFoundError())
    from portal.crypto import file_key, open_sealed

    key, sealed = file_key(current_app), Path(req.output_path)
    try:
        image = render.redacted_png(lambda: b"".join(open_sealed(sealed, key)), page_no,
                                    sources.cache_root(current_app), req.id, _tag(req))
    except render.PreviewUnavailable as exc:
        return _unavailable(exc)
    # The URL names the output file (?v=), so a cached copy is never stale.
    return _image_response(image, IMAGE_MAX_AGE * 24)


def _edit_reply(action) -> tuple[Response, int] | Response:  # type: ignore[no-untyped-def]
    try:
        edit = action()
    except edits.ReassemblyPending as exc:
        return jsonify(ok=True, warning=_(exc.message)), 202
    except workflow.WorkflowError as exc:
        db.session.rollback()
        return jsonify(error=_(exc.message, **exc.params)), 400
    return jsonify(ok=True, edit_id=edit.id, revision=edit.request.revision)


@bp.route("/<int:request_id>/edits", methods=["POST"])
@roles_accepted(Role.CLINICIAN)
def edit(request_id: int):  # type: ignore[no-untyped-def]
    """Draw a box, or remove an automatic one with a reason (JSON)."""
    req = load_request(request_id)
    body = request.get_json(silent=True) or {}
    op, page_no = body.get("op"), body.get("page")
    if op == "add":
        size = _page_size(req, page_no) if isinstance(page_no, int) else None
        return _edit_reply(lambda: edits.add_box(db.session(), req, current_user, page_no,
                                                 body.get("rect"), page_size=size))
    if op == "remove":
        return _edit_reply(lambda: edits.remove_box(
            db.session(), req, current_user, page_no, str(body.get("rule", "")),
            body.get("rect"), str(body.get("reason", ""))))
    return jsonify(error=_("Unknown change.")), 400


@bp.route("/<int:request_id>/undo", methods=["POST"])
@roles_accepted(Role.CLINICIAN)
def undo(request_id: int):  # type: ignore[no-untyped-def]
    """Take back the latest change."""
    req = load_request(request_id)
    return _edit_reply(lambda: edits.undo_last(db.session(), req, current_user))


@bp.route("/<int:request_id>/status")
@roles_accepted(*VIEWERS)
def status(request_id: int) -> Response:
    """Where the export stands, polled while it is re-assembled."""
    req = load_request(request_id)
    return jsonify(state=req.state, revision=req.revision, residuals=req.residuals,
                   reassembling=workflow.is_reassembling(req),
                   failed=req.state == ExportState.FAILED)


@bp.route("/<int:request_id>/submit", methods=["POST"])
@roles_accepted(Role.CLINICIAN)
def submit(request_id: int) -> Response:
    """Send the export to the compliance officers."""
    req = load_request(request_id)
    try:
        workflow.submit(db.session(), req, current_user)
    except workflow.WorkflowError as exc:
        db.session.rollback()
        flash(_(exc.message, **exc.params), "error")
    else:
        flash(_("Submitted for review. A compliance officer will look at it; you will find "
                "the decision on this page."), "success")
    return redirect(url_for(".show", request_id=req.id))
