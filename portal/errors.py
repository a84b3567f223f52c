"""Error pages in words (never a stack trace), as HTML or JSON for fetch calls."""
from __future__ import annotations

import logging
import traceback

from flask import Flask, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.admin.forms import ROLE_LABELS
from portal.extensions import db

log = logging.getLogger(__name__)


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.is_json or best == "application/json"


def _messages(code: int) -> tuple[str, str]:
    """Title and advice for an HTTP status."""
    if code == 400:
        return _("The request could not be understood"), _(
            "Something in the form was missing or malformed. Go back, check it and try again.")
    if code == 403:
        roles = getattr(g, "required_roles", ())
        if roles:
            names = "、".join(str(ROLE_LABELS.get(r, r)) for r in roles)
            return _("You do not have access to this page"), _(
                "This page is for: %(roles)s. If your work needs it, ask an administrator to "
                "give you that role.", roles=names)
        return _("You do not have access to this page"), _(
            "Your account may not open this. If your work needs it, ask an administrator.")
    if code == 404:
        return _("Page not found"), _(
            "The page or item does not exist, or it was removed. Use the menu to find your way.")
    if code == 405:
        return _("Not allowed here"), _(
            "This address cannot be used that way. Use the buttons on the page instead.")
    return _("Something went wrong on our side"), _(
        "The problem has been logged. Try again in a moment; if it keeps happening, tell the "
        "administrator what you were doing and when.")


def _render(code: int, title: str, advice: str):  # type: ignore[no-untyped-def]
    if _wants_json():
        return jsonify(error=title, advice=advice, status=code), code
    return render_template("errors/error.html", code=code, title=title, advice=advice), code


def install(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(CSRFError)
    def _csrf(_exc: CSRFError):  # type: ignore[no-untyped-def]
        return _render(400, _("This page has expired"), _(
            "The page was open too long or was opened in another window. Reload the page and "
            "try again; nothing was changed."))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):  # type: ignore[no-untyped-def]
        if exc.code is None or exc.code < 400:
            return exc
        title, advice = _messages(exc.code)
        return _render(exc.code, title, advice)

    @app.errorhandler(Exception)
    def _crash(exc: Exception):  # type: ignore[no-untyped-def]
        if isinstance(exc, HTTPException):
            return _http(exc)
        # Log the type and place only: messages of our errors may quote record content.
        where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        log.error("unhandled %s in %s %s at %s:%s", type(exc).__name__, request.method,
                  request.endpoint, where.filename if where else "?",
                  where.lineno if where else "?", exc_info=app.debug)
        db.session.rollback()
        title, advice = _messages(InternalServerError.code)
        return _render(500, title, advice)
