"""Who is signed in: the user loader, and the idle timeout that signs people out."""
from __future__ import annotations

import time

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from portal.audit import record
from portal.extensions import db, login_manager
from portal.models import User

LAST_SEEN = "last_seen"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Reload the signed-in user each request; a deactivated account is signed out at once."""
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


def install(app: Flask) -> None:
    """Configure Flask-Login and register the idle-timeout check."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    # Ties the session to the browser's address and agent: a stolen cookie is less useful.
    login_manager.session_protection = "basic"
    app.before_request(enforce_idle_timeout)


def enforce_idle_timeout():  # type: ignore[no-untyped-def]
    """Sign out a user idle longer than SESSION_IDLE_MINUTES and send them to sign in again."""
    if request.endpoint == "static":
        return None
    now = time.time()
    if current_user.is_authenticated:
        limit = float(current_app.config["SESSION_IDLE_MINUTES"]) * 60
        last = session.get(LAST_SEEN)
        if last is None or now - float(last) > limit:
            user_id = current_user.id
            logout_user()
            session.clear()
            record("auth.timeout", user_id)
            db.session.commit()
            flash(_l("You were signed out after a period without activity. Please sign in "
                     "again; nothing you saved was lost."), "warning")
            target = request.full_path.rstrip("?") if request.method == "GET" else None
            return redirect(url_for("auth.login", next=target))
    session[LAST_SEEN] = now
    return None

