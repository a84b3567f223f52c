"""`flask create-admin`, `flask create-user`, `flask seed-demo-users`."""
from __future__ import annotations

import os
import secrets

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from portal.audit import record
from portal.auth.accounts import AccountError, create_user, parse_roles
from portal.dbcli import require_schema
from portal.extensions import db
from portal.models import Role, User

# One account per role plus a second clinician (to show that clinicians cannot see each
# other's exports). Fixed passwords (EMR_DEMO_PASSWORDS=fixed) are demo-<username>-2026.
DEMO_USERS: list[tuple[str, str, list[str]]] = [
    ("admin", "演示管理员", [Role.ADMIN]),
    ("policy", "演示规则管理员", [Role.POLICY_ADMIN]),
    ("clinician", "演示临床医生", [Role.CLINICIAN]),
    ("clinician2", "演示临床医生二", [Role.CLINICIAN]),
    ("compliance", "演示合规专员", [Role.COMPLIANCE]),
]


def fixed_demo_password(username: str) -> str:
    """The documented demo password of a demo user."""
    return f"demo-{username}-2026"


def _make(username: str, password: str, roles: list[str], display_name: str) -> User:
    require_schema()
    cfg = current_app.config
    try:
        user = create_user(
            db.session(), username, password, roles, display_name=display_name,
            min_length=int(cfg["PASSWORD_MIN_LENGTH"]), method=cfg["PASSWORD_HASH_METHOD"],
        )
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    record("admin.user_create", None, "user", user.id, roles=sorted(roles), via="cli")
    db.session.commit()
    return user


def _password(given: str | None, env_name: str) -> str:
    """From --password, else the environment, else a hidden prompt asked twice."""
    if given:
        return given
    if os.environ.get(env_name):
        return os.environ[env_name]
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.command("create-admin")
@click.argument("username")
@click.option("--password", help="Else $EMR_ADMIN_PASSWORD, else asked (not echoed).")
@click.option("--display-name", default="", help="Name shown in the portal.")
@with_appcontext
def create_admin(username: str, password: str | None, display_name: str) -> None:
    """Create the first administrator (or another one)."""
    require_schema()  # before asking for a password that could not be stored
    user = _make(username, _password(password, "EMR_ADMIN_PASSWORD"), [Role.ADMIN], display_name)
    click.echo(f"Created administrator {user.username!r}.")


@click.command("create-user")
@click.argument("username")
@click.option("--roles", required=True,
              help="Comma-separated: admin, policy_admin, clinician, compliance.")
@click.option("--password", help="Else $EMR_USER_PASSWORD, else asked (not echoed).")
@click.option("--display-name", default="", help="Name shown in the portal.")
@with_appcontext
def create_user_cmd(username: str, roles: str, password: str | None, display_name: str) -> None:
    """Create a user holding the given roles."""
    require_schema()
    try:
        role_list = parse_roles(roles)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    user = _make(username, _password(password, "EMR_USER_PASSWORD"), role_list, display_name)
    click.echo(f"Created user {user.username!r} with roles {', '.join(role_list)}.")


@click.command("seed-demo-users")
@click.option("--fixed/--random", default=None,
              help="Fixed documented passwords (default when EMR_DEMO_PASSWORDS=fixed).")
@with_appcontext
def seed_demo_users(fixed: bool | None) -> None:
    """Create one demo user per role (and clinician2); existing ones are left unchanged."""
    require_schema()
    if fixed is None:
        fixed = str(current_app.config.get("DEMO_PASSWORDS", "")).lower() == "fixed"
    rows = []
    for username, display_name, roles in DEMO_USERS:
        if db.session.scalar(select(User.id).where(User.username == username)) is not None:
            rows.append((username, ",".join(roles), "(exists, password unchanged)"))
            continue
        password = fixed_demo_password(username) if fixed else secrets.token_urlsafe(12)
        _make(username, password, list(roles), display_name)
        rows.append((username, ",".join(roles), password))
    if not fixed and any(not r[2].startswith("(") for r in rows):
        click.echo("Demo users (passwords are shown only this once):")
    for username, roles, password in rows:
        click.echo(f"  {username:<12} {roles:<14} {password}")
