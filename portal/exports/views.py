"""Export requests: list, new request for a visit, progress, retry."""
from __future__ import annotations

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
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response

from portal.auth.decorators import roles_accepted
from portal.crypto import file_key
from portal.extensions import db
from portal.jobs import plan
from portal.models import (
    DocumentState,
    ExportRequest,
    ExportState,
    JobKind,
    JobTicket,
    Purpose,
    Role,
    RulesetVersion,
    TicketState,
    User,
)
from portal.review import workflow
from portal.review.views import state_label

from . import requests as domain

bp = Blueprint("exports", __name__, url_prefix="/exports")
VIEWERS = (Role.CLINICIAN, Role.COMPLIANCE)
PURPOSE_LABELS = {
    Purpose.CHILD_DEATH_REVIEW: _l("Child death review (儿童死亡评审)"),
    Purpose.MATERNAL_NEAR_MISS_REVIEW: _l("Maternal near-miss review (孕产妇危重症评审)"),
    Purpose.OTHER: _l("Other (give the reason)"),
}
DOC_STATE_LABELS = {
    DocumentState.PENDING: _l("Waiting"),
    DocumentState.QUEUED: _l("Queued"),
    DocumentState.RUNNING: _l("Being analysed"),
    DocumentState.DONE: _l("Analysed"),
    DocumentState.FAILED: _l("Failed"),
}
DEFAULT_WATERMARK = "仅供评审使用"


class CsrfForm(FlaskForm):
    """The CSRF token of a form whose fields the view reads itself."""


@bp.app_template_global()
def purpose_label(purpose: str) -> str:
    """The purpose in words, on every page that names one (review pages too)."""
    label = PURPOSE_LABELS.get(purpose)
    return str(label) if label is not None else purpose


def _archive() -> Any:
    from portal.archive import get_archive

    return get_archive(current_app)


def load_request(request_id: int) -> ExportRequest:
    """The request, if the signed-in user may open it (404 / 403 otherwise)."""
    req = db.session.get(ExportRequest, request_id)
    if req is None:
        abort(404)
    if not workflow.can_view(current_user, req):
        abort(403)
    return req


@bp.route("/")
@roles_accepted(*VIEWERS)
def index() -> str:
    """The signed-in clinician's requests (compliance officers see everyone's)."""
    query = select(ExportRequest).order_by(ExportRequest.created_at.desc(),
                                           ExportRequest.id.desc())
    everyone = current_user.has_role(Role.COMPLIANCE)
    if not everyone:
        query = query.where(ExportRequest.requester_id == current_user.id)
    rows = db.session.scalars(query.limit(200)).all()
    names = {}
    if everyone and rows:
        ids = {r.requester_id for r in rows}
        names = {u.id: u.display_name or u.username
                 for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    return render_template("exports/index.html", rows=rows, names=names, everyone=everyone,
                           state_label=state_label, purpose_label=purpose_label,
                           archive_url=_archive_url())


def _archive_url() -> str | None:
    """The archive search page, where a request starts (when that area is installed)."""
    return url_for("archive.search") if "archive.search" in current_app.view_functions else None


def _version_label(v: RulesetVersion) -> str:
    return f"{v.name} v{v.version}"


@bp.route("/new", methods=["GET", "POST"])
@roles_accepted(Role.CLINICIAN)
def new() -> str | Response:
    """Choose the documents, purpose, policy, watermark and password for a visit's export."""
    visit_id = request.values.get("visit", "").strip()
    if not visit_id:
        return render_template("exports/no_visit.html", archive_url=_archive_url())
    try:
        visit = _archive().visit(visit_id)
    except Exception:  # noqa: BLE001  unknown visit, or the archive is unreachable
        return render_template("exports/no_visit.html", unknown=True,
                               archive_url=_archive_url()), 404  # type: ignore[return-value]
    form = CsrfForm()
    session = db.session()
    versions = domain.published_versions(session)
    defaults = {p.value: domain.default_version(session, p.value) for p in Purpose}
    values: dict[str, Any] = {"documents": [d.doc_id for d in visit.documents],
                              "purpose": "", "reason": "", "version": "",
                              "watermark": DEFAULT_WATERMARK}
    if request.method == "POST" and form.validate_on_submit():
        values = {"documents": request.form.getlist("documents"),
                  "purpose": request.form.get("purpose", ""),
                  "reason": request.form.get("reason", ""),
                  "version": request.form.get("version", ""),
                  "watermark": request.form.get("watermark", "")}
        password = request.form.get("password", "")
        try:
            if password != request.form.get("password_again", ""):
                raise domain.RequestError(domain.N_(
                    "The two PDF passwords differ; type the same password twice."))
            version_id = int(values["version"]) if values["version"].isdigit() else None
            choice = domain.NewRequest(visit.visit_id, values["documents"], values["purpose"],
                                       values["reason"], version_id, values["watermark"],
                                       password)
            req, tickets = domain.create(session, current_user, visit, choice,
                                         file_key=file_key(current_app),
                                         split=int(current_app.config["JOBS_SPLIT_PAGES"]))
            session.commit()
        except domain.RequestError as exc:
            session.rollback()
            flash(_(exc.message, **exc.params), "error")
        else:
            if not plan.enqueue_quietly(current_app, tickets):
                flash(_("The request is saved, but the job queue cannot be reached right now. "
                        "It will start automatically; if it does not, tell the administrator."),
                      "warning")
            return redirect(url_for(".detail", request_id=req.id))
    elif request.method == "POST":
        flash(_("The form expired; please send it again."), "error")
    return render_template(
        "exports/new.html", form=form, visit=visit, values=values, versions=versions,
        defaults={k: (_version_label(v) if v else None) for k, v in defaults.items()},
        purposes=[(p.value, purpose_label(p.value)) for p in Purpose],
        version_label=_version_label)


def progress_data(req: ExportRequest) -> dict[str, Any]:
    """Where the request stands, for the progress bar (ids, counts and words, no PHI)."""
    assembly = db.session.scalars(select(JobTicket).where(
        JobTicket.request_id == req.id, JobTicket.kind == JobKind.ASSEMBLE)
        .order_by(JobTicket.id.desc()).limit(1)).first()
    working = req.state in plan.WORKING
    assembling = assembly is not None and assembly.state == TicketState.OPEN
    ready = req.output_path is not None and req.state not in (ExportState.FAILED,
                                                              ExportState.EXPIRED)
    return {
        "id": req.id,
        "state": req.state,
        "state_label": state_label(req.state),
        "working": working or assembling,
        "docs_done": req.docs_done, "docs_total": req.docs_total,
        "pages_done": req.pages_done, "pages_total": req.pages_total,
        "assembling": assembling,
        "assembly_done": assembly.progress_done if assembling else 0,
        "assembly_total": assembly.progress_total if assembling else 0,
        "failure": _(req.failure_reason) if req.failure_reason else "",
        "documents": [{"id": d.id, "order": d.order + 1, "type": d.doc_type,
                       "pages": d.page_count, "pages_done": d.pages_done, "state": d.state,
                       "state_label": str(DOC_STATE_LABELS.get(d.state, d.state)),
                       "error": _(d.error) if d.error else ""} for d in req.documents],
        "ready": ready,
        "residuals": req.residuals,
        "preview_url": url_for("preview.show", request_id=req.id) if ready else None,
    }


@bp.route("/<int:request_id>")
@roles_accepted(*VIEWERS)
def detail(request_id: int) -> str:
    """Progress of the request, failures in words with Retry, the way to the preview."""
    req = load_request(request_id)
    version = (db.session.get(RulesetVersion, req.ruleset_version_id)
               if req.ruleset_version_id else None)
    return render_template(
        "exports/detail.html", req=req, data=progress_data(req), form=CsrfForm(),
        version=_version_label(version) if version else None, state_label=state_label,
        purpose_label=purpose_label, is_requester=req.requester_id == current_user.id)


@bp.route("/<int:request_id>/progress")
@roles_accepted(*VIEWERS)
def progress(request_id: int) -> Response:
    """The progress bar's data, polled while the request is being worked on (JSON)."""
    return jsonify(progress_data(load_request(request_id)))


@bp.route("/<int:request_id>/retry", methods=["POST"])
@roles_accepted(Role.CLINICIAN)
def retry(request_id: int) -> Response:
    """Try again what failed; work already done is kept."""
    req = load_request(request_id)
    session = db.session()
    try:
        tickets = domain.retry(session, req, current_user,
                               split=int(current_app.config["JOBS_SPLIT_PAGES"]))
        session.commit()
    except domain.RequestError as exc:
        session.rollback()
        flash(_(exc.message, **exc.params), "error")
    else:
        if plan.enqueue_quietly(current_app, tickets):
            flash(_("Trying again. Work already done is kept."), "success")
        else:
            flash(_("The retry is saved, but the job queue cannot be reached right now. It "
                    "will start automatically; if it does not, tell the administrator."),
                  "warning")
    return redirect(url_for(".detail", request_id=req.id))
