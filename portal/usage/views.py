"""Usage pages of this site: click beacon, personal opt-out, the admin's decision and report page."""
from __future__ import annotations

import json
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from portal.audit import record
from portal.auth.decorators import roles_accepted
from portal.extensions import db
from portal.menu import MENU
from portal.models import Role
from portal.usage import hooks, reporter, site
from portal.usage.schema import fields

bp = Blueprint("usage", __name__, url_prefix="/usage")
MENU_IDS = frozenset(item.usage for item in MENU)


def _safe_next(target: str | None) -> str:
    parts = urlsplit(target or "")
    if not target or parts.scheme or parts.netloc or not target.startswith("/") \
            or target.startswith("//"):
        return url_for("home.index")
    return target


@bp.route("/click", methods=["POST"])
@login_required
def click() -> tuple[str, int]:
    """Count one click on a menu item; only the known item ids are accepted."""
    item = request.form.get("item") or (request.get_json(silent=True) or {}).get("item")
    if item not in MENU_IDS:
        return "", 400
    if hooks.counting_allowed():
        hooks._write(menu=[(item, {})])
    return "", 204


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings() -> str | Response:
    """Each user's own choice: be counted in the usage statistics or not."""
    session = db.session()
    if request.method == "POST":
        out = request.form.get("choice") == "out"
        site.set_opt_out(session, current_user.id, out)
        record("usage.opt_out" if out else "usage.opt_in", current_user.id)
        session.commit()
        flash(_("You are no longer counted in the usage statistics.") if out else
              _("Thank you: your use of the portal is counted again, without your name."),
              "success")
        return redirect(url_for("usage.settings"))
    return render_template(
        "usage/settings.html", opted_out=site.opted_out(session, current_user.id),
        dnt=site.do_not_track(current_app.config),
        site_on=bool(site.get_site(session, current_app.config).enabled))


def _sample() -> str:
    body, _frozen = reporter.next_report(db.session(), current_app.config)
    return json.dumps(body, ensure_ascii=False, indent=2)


@bp.route("/consent")
@roles_accepted(Role.ADMIN)
def consent() -> str:
    """What is collected, the exact sample payload, and the decision (first admin sign-in)."""
    state = site.get_site(db.session(), current_app.config)
    return render_template("usage/consent.html", sample=_sample(), state=state,
                           next=_safe_next(request.args.get("next")),
                           dnt=site.do_not_track(current_app.config),
                           collector=current_app.config.get("USAGE_COLLECTOR_URL"))


@bp.route("/decide", methods=["POST"])
@roles_accepted(Role.ADMIN)
def decide() -> Response:
    """Switch usage statistics on or off for the whole site (or leave it for later)."""
    choice = request.form.get("choice")
    target = _safe_next(request.form.get("next"))
    if choice in ("on", "off"):
        enabled = choice == "on"
        site.decide(db.session(), enabled, current_app.config)
        record("usage.site_on" if enabled else "usage.site_off", current_user.id)
        db.session.commit()
        hooks.forget_state(current_app._get_current_object())  # type: ignore[attr-defined]
        flash(_("Usage statistics are switched on. Thank you.") if enabled else
              _("Usage statistics are switched off; counts not yet sent were deleted."),
              "success")
    else:
        flash(_("Nothing is collected until you decide. You will be asked again at your next "
                "sign-in."), "info")
    return redirect(target)


@bp.route("/admin")
@roles_accepted(Role.ADMIN)
def admin() -> str:
    """The switch, the exact JSON of the next report, and the last reports sent."""
    session = db.session()
    cfg = current_app.config
    state = site.get_site(session, cfg)
    body, state_of_next = reporter.next_report(session, cfg)
    address_problem = None
    if cfg.get("USAGE_COLLECTOR_URL"):
        try:
            reporter.report_url(cfg, state.installation_uuid)
        except reporter.CollectorAddressError:
            address_problem = True
    return render_template(
        "usage/admin.html", state=state, next_state=state_of_next, outbox=reporter.recent(session),
        payload=json.dumps(body, ensure_ascii=False, indent=2), dnt=site.do_not_track(cfg),
        collector=cfg.get("USAGE_COLLECTOR_URL"), address_problem=address_problem,
        fields=[(path, spec.doc) for path, spec in fields() if spec.doc])


def skip_reason(code: str) -> str:
    """Why the reporter did nothing, in the user's language."""
    return {
        "dnt": _("DO_NOT_TRACK is set on this server"),
        "off": _("usage statistics are switched off"),
        "no_collector": _("no collector address is configured (EMR_USAGE_COLLECTOR_URL)"),
        "bad_address": _("the collector address must be an https:// address"),
    }.get(code, code)


@bp.route("/admin/send", methods=["POST"])
@roles_accepted(Role.ADMIN)
def send_now() -> Response:
    """Freeze closed periods and try to send them now, without waiting for the schedule."""
    summary = reporter.run(db.session(), current_app.config, force=True)
    record("usage.send_now", current_user.id)
    db.session.commit()
    if summary.skipped:
        flash(_("Nothing was sent: %(why)s.", why=skip_reason(summary.skipped)), "warning")
    elif summary.failed:
        flash(_("The collector did not accept the report; it will be tried again later."),
              "error")
    elif summary.sent:
        flash(_("Reports sent: %(periods)s.", periods=", ".join(summary.sent)), "success")
    else:
        flash(_("There was no finished month to send."), "info")
    return redirect(url_for("usage.admin"))
