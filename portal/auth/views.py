"""Sign-in and sign-out pages."""
from __future__ import annotations

from datetime import datetime, timedelta
from math import ceil
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from portal.audit import record
from portal.auth.accounts import Outcome, authenticate
from portal.auth.forms import LoginForm
from portal.auth.session import LAST_SEEN
from portal.extensions import db
from portal.models import utcnow

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _safe_next(target: str | None) -> str:
    """Only a path on this site, so a crafted link cannot send people elsewhere after sign-in."""
    if not target:
        return url_for("home.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("home.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    """Show the sign-in form; check it, counting failures toward a lockout."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        cfg = current_app.config
        result = authenticate(
            db.session(),
            form.username.data.strip(),
            form.password.data,
            max_failures=int(cfg["LOGIN_MAX_FAILURES"]),
            lockout=timedelta(minutes=float(cfg["LOGIN_LOCKOUT_MINUTES"])),
        )
        user = result.user
        if result.outcome is Outcome.OK and user is not None:
            record("auth.login", user)
            db.session.commit()
            session.clear()  # nothing from before sign-in carries over
            login_user(user)
            session[LAST_SEEN] = utcnow().timestamp()
            flash(_("Signed in. Welcome, %(name)s.", name=user.display_name), "success")
            return redirect(_safe_next(request.args.get("next")))
        # Failed: keep what was typed as the username (no PHI; it helps spot guessing).
        record("auth.login_failed", user, "user" if user else None, user.id if user else None,
               username=form.username.data.strip()[:64], reason=result.outcome.value)
        if result.just_locked and user is not None:
            record("auth.lockout", user, "user", user.id,
                   minutes=float(cfg["LOGIN_LOCKOUT_MINUTES"]))
        db.session.commit()
        flash(_failure_message(result.outcome, result.locked_until), "error")
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


def _failure_message(outcome: Outcome, locked_until: datetime | None) -> str:
    """Say in words why sign-in failed and what to do."""
    cfg = current_app.config
    if outcome is Outcome.LOCKED and locked_until is not None:
        minutes = max(1, ceil((locked_until - utcnow()).total_seconds() / 60))
        return _(
            "This account is locked after too many failed sign-ins. Try again in %(minutes)d "
            "minutes, or ask an administrator to unlock it.",
            minutes=minutes,
        )
    if outcome is Outcome.INACTIVE:
        return _("This account has been deactivated. Ask an administrator if you need access.")
    return _(
        "Wrong username or password. After %(n)d failed attempts in a row the account is "
        "locked for %(minutes)d minutes.",
        n=int(cfg["LOGIN_MAX_FAILURES"]),
        minutes=int(float(cfg["LOGIN_LOCKOUT_MINUTES"])),
    )


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    """Sign out (POST, so another site cannot sign people out with a link)."""
    record("auth.logout", current_user.id)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))
