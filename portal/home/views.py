"""Home page telling each role what to do next; the language switch."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from portal import menu
from portal.extensions import db
from portal.i18n import LANG_COOKIE

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required
def index() -> str:
    """What each of the user's roles can do next."""
    return render_template("home/index.html", items=menu.for_user(current_user))


@bp.route("/language", methods=["POST"])
def language() -> Response:
    """Switch the interface language; kept on the account and in a cookie."""
    lang = request.form.get("lang", "")
    back = request.form.get("next") or ""
    if not back.startswith("/") or back.startswith("//"):
        back = url_for("home.index")
    response = redirect(back)
    if lang in current_app.config["LANGUAGES"]:
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax",
                            httponly=True)
    return response
