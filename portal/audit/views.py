"""The compliance officer's view of the audit log, and its CSV export."""
from __future__ import annotations

from datetime import date
from itertools import chain

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    render_template,
    request,
    stream_with_context,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.audit import query
from portal.audit.chain import record
from portal.audit.labels import action_label, detail_text
from portal.auth.decorators import roles_accepted
from portal.extensions import db
from portal.models import Role, User, utcnow

bp = Blueprint("audit", __name__, url_prefix="/audit")


def _filter_from_args() -> query.AuditFilter:
    """Read the filter from the query string; a malformed field is ignored with a notice."""
    args = request.args

    def number(name: str) -> int | None:
        raw = args.get(name, "").strip()
        if not raw:
            return None
        if raw.isdigit():
            return int(raw)
        flash(_("Ignored the filter “%(field)s”: it must be a number.", field=name), "warning")
        return None

    def day(name: str) -> date | None:
        raw = args.get(name, "").strip()
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            flash(_("Ignored the filter “%(field)s”: use a date like 2026-01-31.", field=name),
                  "warning")
            return None

    return query.AuditFilter(
        user_id=number("user"),
        action=args.get("action", "").strip() or None,
        date_from=day("from"),
        date_to=day("to"),
        export_id=number("export"),
    )


@bp.route("/")
@roles_accepted(Role.COMPLIANCE)
def index() -> str:
    """Audit entries, newest first, filtered by user, action, dates and export."""
    flt = _filter_from_args()
    size = int(current_app.config["AUDIT_PAGE_SIZE"])
    total = query.count(db.session(), flt)
    pages = max(1, -(-total // size))
    number = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    entries = query.page(db.session(), flt, number, size)
    users = db.session.execute(select(User.id, User.username).order_by(User.username)).all()
    return render_template(
        "audit/list.html",
        entries=entries,
        names=query.usernames(db.session(), (e.user_id for e in entries)),
        users=users,
        actions=query.actions(db.session()),
        flt=flt,
        total=total,
        number=number,
        pages=pages,
        args={k: v for k, v in request.args.items() if k != "page"},
        action_label=action_label,
        detail_text=detail_text,
    )


@bp.route("/export.csv")
@roles_accepted(Role.COMPLIANCE)
def export_csv() -> Response:
    """The filtered entries as CSV (the export itself is audited)."""
    flt = _filter_from_args()
    record("audit.export_csv", current_user.id,
           filters={k: v for k, v in vars(flt).items() if v is not None})
    db.session.commit()
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    # BOM first so spreadsheet programs on Chinese Windows read UTF-8 correctly.
    body = stream_with_context(chain(["\ufeff"], query.csv_rows(db.session(), flt)))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=audit-{stamp}.csv"},
    )
