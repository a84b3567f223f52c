"""Administrator pages for accounts. Every change is audited."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from portal.admin.forms import ActionForm, RolesForm, UserCreateForm
from portal.audit import record
from portal.auth.accounts import AccountError, create_user, set_roles, unlock
from portal.auth.decorators import roles_accepted
from portal.extensions import db
from portal.models import Role, User, utcnow

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users")
@roles_accepted(Role.ADMIN)
def users() -> str:
    """All accounts with their roles and state."""
    rows = db.session.scalars(select(User).order_by(User.username)).all()
    return render_template("admin/users.html", users=rows, now=utcnow(), form=ActionForm())


@bp.route("/users/new", methods=["GET", "POST"])
@roles_accepted(Role.ADMIN)
def create() -> str | Response:
    """Create an account with a first password and roles."""
    form = UserCreateForm()
    if form.validate_on_submit():
        cfg = current_app.config
        try:
            user = create_user(
                db.session(), form.username.data.strip(), form.password.data,
                form.roles.data or [], display_name=(form.display_name.data or "").strip(),
                min_length=int(cfg["PASSWORD_MIN_LENGTH"]), method=cfg["PASSWORD_HASH_METHOD"],
                granted_by=current_user,
            )
        except AccountError as exc:
            db.session.rollback()
            flash(_("The account was not created: %(why)s", why=str(exc)), "error")
        else:
            record("admin.user_create", current_user.id, "user", user.id,
                   roles=sorted(user.roles))
            db.session.commit()
            flash(_("Account %(name)s created. Give them the first password in person.",
                    name=user.username), "success")
            return redirect(url_for("admin.edit", user_id=user.id))
    return render_template("admin/create.html", form=form)


@bp.route("/users/<int:user_id>")
@roles_accepted(Role.ADMIN)
def edit(user_id: int) -> str:
    """One account: change roles, unlock, deactivate or reactivate."""
    user = _user_or_404(user_id)
    form = RolesForm(data={"roles": sorted(user.roles)})
    return render_template("admin/edit.html", user=user, form=form, action=ActionForm(),
                           now=utcnow())


def _would_remove_last_admin(user: User, keeps_admin: bool) -> bool:
    """True if this change leaves no active administrator."""
    if keeps_admin or Role.ADMIN not in user.roles or not user.active:
        return False
    others = [u for u in db.session.scalars(select(User).where(User.active, User.id != user.id))
              if Role.ADMIN in u.roles]
    return not others


@bp.route("/users/<int:user_id>/roles", methods=["POST"])
@roles_accepted(Role.ADMIN)
def roles(user_id: int) -> Response:
    """Replace the account's roles."""
    user = _user_or_404(user_id)
    form = RolesForm()
    if form.validate_on_submit():
        wanted = form.roles.data or []
        if _would_remove_last_admin(user, Role.ADMIN in wanted):
            flash(_("At least one active administrator must remain."), "error")
        else:
            before = sorted(user.roles)
            set_roles(user, wanted, current_user)
            record("admin.roles_change", current_user.id, "user", user.id,
                   before=before, after=sorted(set(wanted)))
            db.session.commit()
            flash(_("Roles saved."), "success")
    else:
        flash(_("Choose roles from the list."), "error")
    return redirect(url_for("admin.edit", user_id=user.id))


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@roles_accepted(Role.ADMIN)
def unlock_user(user_id: int) -> Response:
    """Lift a lockout after failed sign-ins."""
    user = _user_or_404(user_id)
    if ActionForm().validate_on_submit():
        unlock(user)
        record("admin.user_unlock", current_user.id, "user", user.id)
        db.session.commit()
        flash(_("Account %(name)s unlocked.", name=user.username), "success")
    return redirect(url_for("admin.edit", user_id=user.id))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@roles_accepted(Role.ADMIN)
def deactivate(user_id: int) -> Response:
    """Stop an account from signing in (its history stays)."""
    user = _user_or_404(user_id)
    if ActionForm().validate_on_submit():
        if user.id == current_user.id or _would_remove_last_admin(user, False):
            flash(_("You cannot deactivate your own account or the last administrator."),
                  "error")
        else:
            user.active = False
            record("admin.user_deactivate", current_user.id, "user", user.id)
            db.session.commit()
            flash(_("Account %(name)s deactivated.", name=user.username), "success")
    return redirect(url_for("admin.edit", user_id=user.id))


@bp.route("/users/<int:user_id>/activate", methods=["POST"])
@roles_accepted(Role.ADMIN)
def activate(user_id: int) -> Response:
    """Let a deactivated account sign in again."""
    user = _user_or_404(user_id)
    if ActionForm().validate_on_submit():
        user.active = True
        record("admin.user_activate", current_user.id, "user", user.id)
        db.session.commit()
        flash(_("Account %(name)s can sign in again.", name=user.username), "success")
    return redirect(url_for("admin.edit", user_id=user.id))
