"""The download page (SHA-256, window) and the decrypted file, streamed and audited."""
from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.decorators import roles_accepted
from portal.downloads import files
from portal.extensions import db
from portal.models import Role
from portal.preview.views import load_request
from portal.review.views import state_label

bp = Blueprint("downloads", __name__, url_prefix="/downloads")


@bp.route("/<int:request_id>")
@roles_accepted(Role.CLINICIAN, Role.COMPLIANCE)
def show(request_id: int) -> str:
    """The export's receipt: state, SHA-256, download window, and the button."""
    req = load_request(request_id)
    problem = None
    try:
        files.check_download(req, current_user)
    except files.DownloadError as exc:
        problem = _(exc.message, **exc.params)
    return render_template("downloads/show.html", req=req, problem=problem,
                           filename=files.filename(req), state_label=state_label,
                           expired=files.is_expired(req))


@bp.route("/<int:request_id>/file")
@roles_accepted(Role.CLINICIAN, Role.COMPLIANCE)
def file(request_id: int) -> Response:
    """The decrypted PDF, streamed in chunks; every download is audited."""
    req = load_request(request_id)
    from portal.crypto import file_key

    try:
        chunks = files.start_download(db.session(), req, current_user, file_key(current_app))
    except files.DownloadError as exc:
        db.session.rollback()
        flash(_(exc.message, **exc.params), "error")
        return redirect(url_for(".show", request_id=request_id))
    response = Response(stream_with_context(chunks), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{files.filename(req)}"'
    response.headers["X-Content-SHA256"] = req.sha256 or ""
    return response
