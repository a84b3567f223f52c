"""Counting inside the portal: request timing per area, sign-ins and session lengths.

Every hook first asks `counting_allowed()`: DO_NOT_TRACK unset, the site switch on, and the
signed-in user not opted out. Counting never breaks a request: its failures are logged (type
only) and swallowed. Counts go through their own short transaction, never the request's.
"""
from __future__ import annotations

import logging
import time
from typing import Any

from flask import Flask, current_app, g, request, session, url_for
from flask_login import current_user, user_logged_in, user_logged_out
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from portal.extensions import db
from portal.models import Role, utcnow
from portal.usage import counting, site

log = logging.getLogger(__name__)
LOGIN_AT = "usage_login_at"
# Areas never timed: static files, the click beacon (counted as a click), the collector.
NOT_TIMED = {"static", "usage.click"}
NOT_TIMED_BLUEPRINTS = {"collector"}


def _state(app: Flask) -> dict[str, Any]:
    return app.extensions.setdefault("emr_usage", {})


def forget_state(app: Flask) -> None:
    """Drop the cached site switch (after an administrator changed it)."""
    _state(app).pop("collecting", None)


def site_collecting(app: Flask) -> bool:
    """The site switch and DO_NOT_TRACK, cached a few seconds so pages need no extra query."""
    if site.do_not_track(app.config):
        return False
    cached = _state(app).get("collecting")
    now = time.monotonic()
    if cached and cached[1] > now:
        return bool(cached[0])
    value = site.collecting(db.session(), app.config)
    _state(app)["collecting"] = (value, now + float(app.config["USAGE_STATE_CACHE_SECONDS"]))
    return value


def counting_allowed(user: Any = None) -> bool:
    """True when this request or event may be counted."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not site_collecting(app):
        return False
    user = user if user is not None else current_user
    if getattr(user, "is_authenticated", False):
        return not site.opted_out(db.session(), user.id)
    return True


def _write(**bumps: Any) -> None:
    """Apply counter bumps in their own transaction: kind -> list of (key, kwargs)."""
    period = counting.period_of(utcnow())
    try:
        with db.engine.begin() as conn, Session(bind=conn) as s:  # type: ignore[union-attr]
            for kind, items in bumps.items():
                for key, extra in items:
                    counting.bump(s, period, kind, key, **extra)
            s.flush()
    except Exception as exc:  # noqa: BLE001  (counting must never break a page)
        log.warning("usage counter not written: %s", type(exc).__name__)


def _start_timer() -> None:
    g.usage_t0 = time.perf_counter()


def _finish(response: Response) -> Response:
    if g.get("usage_ask") and response.status_code in (301, 302, 303):
        # First sign-in of an administrator while undecided: ask before anything else.
        response.location = url_for("usage.consent", next=response.location)
    start = g.pop("usage_t0", None)
    endpoint = request.endpoint or ""
    if (start is None or endpoint in NOT_TIMED or request.blueprint in NOT_TIMED_BLUEPRINTS):
        return response
    try:
        allowed = counting_allowed()
    except Exception as exc:  # noqa: BLE001
        log.warning("usage check failed: %s", type(exc).__name__)
        return response
    if allowed:
        # The area (blueprint) only: a URL can hold a record id, an area cannot.
        group = request.blueprint or ("none" if not endpoint else "app")
        ms = (time.perf_counter() - start) * 1000
        _write(endpoint=[(group, {"total": ms, "errors": int(response.status_code >= 500)})])
    return response


def _on_login(app: Flask, user: Any, **_: Any) -> None:
    session[LOGIN_AT] = time.time()
    if (user.has_role(Role.ADMIN) and not site.do_not_track(app.config)
            and site.get_site(db.session(), app.config).enabled is None):
        g.usage_ask = True
    if not counting_allowed(user):
        return
    from portal.i18n import select_locale

    agent = request.headers.get("User-Agent", "")
    bumps: dict[str, list[tuple[str, dict[str, Any]]]] = {
        "login": [("", {})],
        "locale": [(select_locale(), {})],
        "browser": [(counting.browser_family(agent), {})],
        "os": [(counting.os_family(agent), {})],
    }
    net = counting.subnet_hash(request.remote_addr,
                               site.get_site(db.session(), app.config).subnet_key)
    if net:
        bumps["network"] = [(net, {})]
    _write(**bumps)


def _on_logout(app: Flask, user: Any, **_: Any) -> None:
    from portal.auth.session import LAST_SEEN

    started = session.pop(LOGIN_AT, None)
    if started is None or user is None or not counting_allowed(user):
        return
    # Until the last activity: a timed-out session did not last through its idle minutes.
    ended = float(session.get(LAST_SEEN) or time.time())
    seconds = max(0.0, ended - float(started))
    _write(session=[(counting.duration_bucket(seconds), {"total": seconds})])


def install(app: Flask) -> None:
    """Register the request hooks and the sign-in/sign-out signal receivers for `app`."""
    app.before_request(_start_timer)
    app.after_request(_finish)
    # Module-level receivers (blinker holds them weakly) filtered to this app as sender.
    user_logged_in.connect(_on_login, app)
    user_logged_out.connect(_on_logout, app)
