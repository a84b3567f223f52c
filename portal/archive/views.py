"""Archive pages: search visits, look at one visit's documents, thumbnails of first pages.

Clinicians only: they treat the patients and request exports. Compliance officers see the
records they review through the export preview, so they need no free search of the archive.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import Blueprint, Response, current_app, flash, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user

from archive import Archive, ArchiveError, NotInArchive
from portal.archive import get_archive, thumbs
from portal.audit.chain import record
from portal.auth.decorators import roles_accepted
from portal.extensions import db
from portal.models import Role

bp = Blueprint("archive", __name__, url_prefix="/archive")
# More rows than a person reads; past this the page asks for a narrower search.
RESULT_LIMIT = 100
THUMB_MAX_AGE = 300


@dataclass(frozen=True)
class SearchForm:
    """The search filters as typed; `problems` lists fields that could not be read."""

    record_no: str = ""
    department: str = ""
    date_from: date | None = None
    date_to: date | None = None
    doc_type: str = ""
    submitted: bool = False

    @property
    def empty(self) -> bool:
        return not (self.record_no or self.department or self.date_from or self.date_to
                    or self.doc_type)


def _day(name: str, label: str) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        flash(_("Ignored “%(field)s”: use a date like 2024-01-31.", field=label), "warning")
        return None


def _read_form() -> SearchForm:
    args = request.args
    form = SearchForm(
        record_no=args.get("record_no", "").strip()[:64],
        department=args.get("department", "").strip(),
        date_from=_day("from", _("Admitted or discharged from")),
        date_to=_day("to", _("to")),
        doc_type=args.get("type", "").strip(),
        submitted="search" in args or any(k in args for k in
                                          ("record_no", "department", "from", "to", "type")),
    )
    if form.date_from and form.date_to and form.date_from > form.date_to:
        flash(_("The start date is after the end date; they were swapped."), "info")
        form = SearchForm(form.record_no, form.department, form.date_to, form.date_from,
                          form.doc_type, form.submitted)
    return form


def _unavailable(exc: ArchiveError) -> tuple[str, int]:
    # Adapter messages name settings and files, not patients: safe to log and show.
    current_app.logger.warning("archive unavailable: %s", exc)
    return render_template("archive/unavailable.html", reason=str(exc)), 503


def _open() -> Archive:
    return get_archive(current_app)


@bp.route("/")
@roles_accepted(Role.CLINICIAN)
def search() -> str | tuple[str, int]:
    """The search form; visits are listed only once a filter is given (no browsing)."""
    form = _read_form()
    try:
        archive = _open()
        departments, doc_types = archive.departments(), archive.document_types()
        results = None
        if form.submitted and not form.empty:
            results = archive.search(record_no=form.record_no or None,
                                     department=form.department or None,
                                     date_from=form.date_from, date_to=form.date_to,
                                     doc_type=form.doc_type or None)
    except ArchiveError as exc:
        return _unavailable(exc)
    return render_template("archive/search.html", form=form, departments=departments,
                           doc_types=doc_types, results=(results or [])[:RESULT_LIMIT],
                           searched=results is not None, total=len(results or []),
                           limit=RESULT_LIMIT)


def _not_found(visit_id: str) -> tuple[str, int]:
    return render_template("archive/not_found.html", visit_id=visit_id), 404


@bp.route("/visits/<visit_id>")
@roles_accepted(Role.CLINICIAN)
def visit(visit_id: str) -> str | tuple[str, int]:
    """One visit's documents in record order; every look is written to the audit log."""
    try:
        found = _open().visit(visit_id)
    except NotInArchive:
        return _not_found(visit_id)
    except ArchiveError as exc:
        return _unavailable(exc)
    # Audited before the page is shown: no record is seen without an entry. Ids only.
    record("record.view", current_user, "visit", found.visit_id,
           documents=len(found.documents))
    db.session.commit()
    can_export = "exports.new" in current_app.view_functions
    return render_template("archive/visit.html", visit=found, can_export=can_export,
                           pages=sum(d.pages for d in found.documents))


@bp.route("/visits/<visit_id>/documents/<doc_id>/thumb.png")
@roles_accepted(Role.CLINICIAN)
def thumbnail(visit_id: str, doc_id: str) -> Response:
    """A small image of the document's first page, rendered once and cached on disk.

    Not audited on its own: the page that shows thumbnails (the visit page) already is.
    """
    try:
        archive = _open()
        doc = archive.visit(visit_id).document(doc_id)
        source = archive.document_path(doc)
        image = thumbs.thumbnail(source, Path(current_app.config["DATA_DIR"]) / "thumbs",
                                 f"{visit_id}/{doc_id}",
                                 dpi=int(current_app.config["THUMB_DPI"]))
    except (ArchiveError, thumbs.ThumbnailUnavailable) as exc:
        current_app.logger.info("thumbnail unavailable: %s", type(exc).__name__)
        return Response(status=404)
    response = send_file(image, mimetype="image/png", conditional=True, etag=True,
                         max_age=THUMB_MAX_AGE)
    # Private: thumbnails show patient data and must stay out of shared caches.
    response.headers["Cache-Control"] = f"private, max-age={THUMB_MAX_AGE}"
    return response
