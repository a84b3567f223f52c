"""Policy admins' pages: rulesets and versions, the draft editor, try-out, publish, defaults."""
from __future__ import annotations

import base64
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
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from archive import ArchiveError
from portal.auth.decorators import roles_accepted
from portal.extensions import db
from portal.models import Purpose, Role, RulesetVersion, User
from portal.rulesets import diffview, versions
from portal.rulesets.versions import VersionError

bp = Blueprint("rulesets", __name__, url_prefix="/rulesets")
EDITORS = (Role.POLICY_ADMIN,)
PURPOSE_LABELS = {
    Purpose.CHILD_DEATH_REVIEW: _l("Child death review (儿童死亡评审)"),
    Purpose.MATERNAL_NEAR_MISS_REVIEW: _l("Maternal near-miss review (孕产妇危重症评审)"),
    Purpose.OTHER: _l("Other (give the reason)"),
}
VISITS_LISTED = 50


def _load(version_id: int) -> RulesetVersion:
    version = db.session.get(RulesetVersion, version_id)
    if version is None:
        abort(404)
    return version


def _names(ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {u.id: u.display_name or u.username
            for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def _refuse(exc: VersionError) -> None:
    db.session.rollback()
    flash(_(exc.message, **exc.params), "error")


@bp.route("/")
@roles_accepted(*EDITORS)
def index() -> str:
    """Each ruleset with its versions, and the version each export purpose uses by default."""
    session = db.session()
    rulesets = [(name, versions.versions_of(session, name)) for name in versions.names(session)]
    chosen = versions.defaults(session)
    everyone = [v for _n, vs in rulesets for v in vs]
    names = _names({v.created_by_id for v in everyone} | {v.published_by_id for v in everyone}
                   | {d.set_by_id for d in chosen.values()})
    by_id = {v.id: v for v in everyone}
    newest = {name: versions.last_published(session, name) for name, _vs in rulesets}
    purposes = [(p.value, str(PURPOSE_LABELS[p]), chosen.get(p.value)) for p in Purpose]
    return render_template("rulesets/index.html", rulesets=rulesets, purposes=purposes,
                           published=versions.published(session), by_id=by_id, names=names,
                           newest=newest)


@bp.route("/defaults", methods=["POST"])
@roles_accepted(*EDITORS)
def set_default() -> Response:
    """Make a published version the default of one purpose (audited)."""
    purpose = request.form.get("purpose", "")
    version_id = request.form.get("version_id", type=int)
    version = db.session.get(RulesetVersion, version_id) if version_id else None
    if version is None:
        flash(_("Choose a published version."), "error")
        return redirect(url_for(".index"))
    try:
        versions.set_default(db.session(), purpose, version, current_user)
    except VersionError as exc:
        _refuse(exc)
        return redirect(url_for(".index"))
    db.session.commit()
    flash(_("New export requests for this purpose now use %(name)s version %(n)d by default. "
            "Requests already made keep the version they were made with.",
            name=version.name, n=version.version), "success")
    return redirect(url_for(".index"))


@bp.route("/<int:version_id>")
@roles_accepted(*EDITORS)
def show(version_id: int) -> str:
    """A published version (read only) or the draft editor."""
    version = _load(version_id)
    session = db.session()
    draft = versions.draft_of(session, version.name)
    problems = [] if version.is_published else versions.check(version.text)
    names = _names({version.created_by_id, version.published_by_id})
    return render_template("rulesets/show.html", version=version, draft=draft,
                           problems=problems, names=names, max_text=versions.MAX_TEXT)


@bp.route("/<int:version_id>/draft", methods=["POST"])
@roles_accepted(*EDITORS)
def new_draft(version_id: int) -> Response:
    """Start the ruleset's next draft from this published version."""
    source = _load(version_id)
    session = db.session()
    try:
        draft = versions.start_draft(session, source, current_user)
    except VersionError as exc:
        _refuse(exc)
        existing = versions.draft_of(session, source.name)
        return redirect(url_for(".show", version_id=(existing or source).id))
    session.commit()
    flash(_("Draft of version %(n)d started from version %(m)d. Edit it, try it on a document, "
            "then publish it.", n=draft.version, m=source.version), "success")
    return redirect(url_for(".show", version_id=draft.id))


@bp.route("/<int:version_id>/save", methods=["POST"])
@roles_accepted(*EDITORS)
def save(version_id: int) -> Response:
    """Store the draft's text, compiling or not; say whether it can be published."""
    draft = _load(version_id)
    try:
        problems = versions.save_draft(db.session(), draft, request.form.get("text", ""),
                                       current_user)
    except VersionError as exc:
        _refuse(exc)
        return redirect(url_for(".show", version_id=draft.id))
    db.session.commit()
    if problems:
        p = problems[0]
        flash(_("Draft saved, but it does not compile (line %(line)d, column %(column)d: "
                "%(message)s). It cannot be published until it does.",
                line=p.line, column=p.column, message=p.message), "warning")
    else:
        flash(_("Draft saved. It compiles: try it on a document, or publish it."), "success")
    return redirect(url_for(".show", version_id=draft.id))


@bp.route("/<int:version_id>/discard", methods=["POST"])
@roles_accepted(*EDITORS)
def discard(version_id: int) -> Response:
    """Delete a draft; published versions stay as they are."""
    draft = _load(version_id)
    try:
        versions.discard_draft(db.session(), draft, current_user)
    except VersionError as exc:
        _refuse(exc)
        return redirect(url_for(".show", version_id=draft.id))
    db.session.commit()
    flash(_("Draft discarded."), "success")
    return redirect(url_for(".index"))


@bp.route("/validate", methods=["POST"])
@roles_accepted(*EDITORS)
def validate() -> Response:
    """JSON {text} -> {"ok": bool, "problems": [{line, column, message, hint, excerpt}]}."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        return jsonify(error=_("Send JSON with the ruleset text: {\"text\": \"...\"}.")), 400
    problems = [p.as_dict() for p in versions.check(data["text"])]
    return jsonify(ok=not problems, problems=problems)


@bp.route("/<int:version_id>/publish", methods=["GET", "POST"])
@roles_accepted(*EDITORS)
def publish(version_id: int) -> str | Response:
    """The diff against the last published version; publishing needs a note."""
    draft = _load(version_id)
    if draft.is_published:
        flash(_("Version %(n)d is already published.", n=draft.version), "info")
        return redirect(url_for(".show", version_id=draft.id))
    session = db.session()
    if request.method == "POST":
        try:
            versions.publish(session, draft, request.form.get("note", ""), current_user)
        except VersionError as exc:
            _refuse(exc)
            return redirect(url_for(".publish", version_id=draft.id))
        session.commit()
        flash(_("Version %(n)d of %(name)s is published. Choose it as a purpose's default "
                "below to use it for new export requests.", n=draft.version, name=draft.name),
              "success")
        return redirect(url_for(".index"))
    number, text = versions.text_to_publish(session, draft)
    previous = versions.last_published(session, draft.name)
    rows = diffview.rows(previous.text if previous else "", text)
    return render_template("rulesets/publish.html", draft=draft, number=number,
                           previous=previous, rows=rows, stats=diffview.stats(rows),
                           problems=versions.check(text))


# ---------------------------------------------------------------- try on a document


def _archive() -> Any:
    from portal.archive import get_archive

    return get_archive(current_app)


def _visits(archive: Any, record_no: str) -> list[Any]:
    if record_no:
        return archive.search(record_no=record_no)
    return archive.visits()[:VISITS_LISTED]


@bp.route("/<int:version_id>/try", methods=["GET", "POST"])
@roles_accepted(*EDITORS)
def trial(version_id: int) -> str | Response:
    """Pick a visit and a document, run the version on its first pages, show what it finds."""
    version = _load(version_id)
    record_no = request.values.get("record_no", "").strip()
    visit_id = request.values.get("visit", "").strip()
    try:
        archive = _archive()
        visit = archive.visit(visit_id) if visit_id else None
        visit_list = [] if visit else _visits(archive, record_no)
    except ArchiveError as exc:
        flash(_("The archive could not be read: %(why)s", why=str(exc)), "error")
        return redirect(url_for(".show", version_id=version.id))
    if request.method == "GET" or visit is None:
        return render_template("rulesets/try.html", version=version, visit=visit,
                               visits=visit_list, record_no=record_no, result=None)
    return _run_trial(version, archive, visit, request.form.get("doc", ""))


def _run_trial(version: RulesetVersion, archive: Any, visit: Any, doc_id: str) -> str | Response:
    from dsl import PolicyError
    from portal.review.views import category_colours
    from portal.rulesets import trial as trial_mod
    from portal.rulesets.trialrun import ocr_engine

    back = url_for(".trial", version_id=version.id, visit=visit.visit_id)
    try:
        doc = visit.document(doc_id)
        pdf = Path(archive.document_path(doc))
    except ArchiveError:
        flash(_("That document is not in this visit. Choose one from the list."), "error")
        return redirect(back)
    try:
        policy = versions.compile_policy(version.text, version.name)
    except PolicyError as exc:
        flash(_("This version does not compile (line %(line)d, column %(column)d: "
                "%(message)s). Fix the draft first.", line=exc.line, column=exc.column,
                message=exc.message), "error")
        return redirect(url_for(".show", version_id=version.id))
    max_pages = int(current_app.config.get("RULESETS_TRY_PAGES", trial_mod.MAX_PAGES))
    meta = {"doc_type": doc.doc_type, "title": doc.title}
    with ocr_engine(current_app) as engine:
        result = trial_mod.run(policy, pdf, meta, engine, max_pages)
    colours = category_colours(set(result.categories))
    trial_mod.draw_pages(result, pdf, colours)
    from portal.audit import record

    record("policy.try", current_user, "ruleset_version", version.id, ruleset=version.name,
           version=version.version, visit=visit.visit_id, document=doc.doc_id,
           pages=len(result.pages))
    db.session.commit()
    lines = version.text.splitlines()
    images = {p.number: base64.b64encode(p.png).decode("ascii") for p in result.pages if p.png}
    return render_template("rulesets/try.html", version=version, visit=visit, visits=[],
                           record_no="", result=result, doc=doc, colours=colours,
                           images=images, lines=lines)
