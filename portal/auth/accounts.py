"""Accounts without Flask: create users, check passwords, count failures and lock out."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from portal.models import Role, RoleAssignment, User, utcnow

USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")
# Checked against when the username is unknown, so a wrong name costs as long as a wrong
# password and response time does not reveal which accounts exist.
_DUMMY_HASH = "scrypt:32768:8:1$dummysaltdummys$" + "0" * 128


class AccountError(ValueError):
    """A request to create or change an account that cannot be honoured (message in words)."""


def parse_roles(text: str | list[str]) -> list[str]:
    """Split "clinician,compliance" into known role names; unknown names raise AccountError."""
    items = text.split(",") if isinstance(text, str) else text
    names = [r.strip() for r in items if r.strip()]
    valid = {r.value for r in Role}
    unknown = [r for r in names if r not in valid]
    if unknown:
        raise AccountError(
            f"unknown role(s): {', '.join(unknown)}; choose from {', '.join(sorted(valid))}"
        )
    return list(dict.fromkeys(names))


def create_user(
    session: Session,
    username: str,
    password: str,
    roles: list[str],
    *,
    display_name: str = "",
    min_length: int = 10,
    method: str = "scrypt",
    granted_by: User | None = None,
) -> User:
    """Add a user with hashed password and roles (flushed, not committed)."""
    if not USERNAME_RE.match(username):
        raise AccountError(
            "username must be 2-64 letters, digits, dots, dashes or underscores"
        )
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError(f"user {username!r} already exists")
    check_password_strength(password, min_length)
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=generate_password_hash(password, method=method),
        failed_logins=0,
        active=True,
    )
    session.add(user)
    set_roles(user, parse_roles(roles), granted_by)
    session.flush()
    return user


def check_password_strength(password: str, min_length: int) -> None:
    """Refuse passwords too short to resist guessing."""
    if len(password) < min_length:
        raise AccountError(f"password must be at least {min_length} characters")


def set_password(user: User, password: str, min_length: int = 10, method: str = "scrypt") -> None:
    """Replace the user's password hash."""
    check_password_strength(password, min_length)
    user.password_hash = generate_password_hash(password, method=method)


def set_roles(user: User, roles: list[str], granted_by: User | None = None) -> None:
    """Make the user's roles exactly `roles`, keeping when unchanged ones were granted."""
    wanted = set(parse_roles(roles))
    user.role_assignments[:] = [a for a in user.role_assignments if a.role in wanted]
    for role in sorted(wanted - user.roles):
        user.role_assignments.append(
            RoleAssignment(role=role, granted_by_id=granted_by.id if granted_by else None)
        )


class Outcome(StrEnum):
    """Result of a sign-in attempt."""

    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"
    LOCKED = "locked"  # locked before this attempt, or by it
    INACTIVE = "inactive"


@dataclass(frozen=True)
class SignIn:
    """What happened, the user if known, and until when the account is locked."""

    outcome: Outcome
    user: User | None = None
    locked_until: datetime | None = None
    just_locked: bool = False


def authenticate(
    session: Session,
    username: str,
    password: str,
    *,
    max_failures: int = 5,
    lockout: timedelta = timedelta(minutes=15),
    now: datetime | None = None,
) -> SignIn:
    """Check a password; count failures and lock the account after `max_failures` in a row."""
    now = now or utcnow()
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return SignIn(Outcome.BAD_CREDENTIALS)
    if user.is_locked(now):
        return SignIn(Outcome.LOCKED, user, user.locked_until)
    if not check_password_hash(user.password_hash, password):
        if user.locked_until is not None:  # an earlier lockout has run out: start afresh
            user.failed_logins, user.locked_until = 0, None
        user.failed_logins += 1
        if user.failed_logins >= max_failures:
            user.locked_until = now + lockout
            return SignIn(Outcome.LOCKED, user, user.locked_until, just_locked=True)
        return SignIn(Outcome.BAD_CREDENTIALS, user)
    if not user.active:
        return SignIn(Outcome.INACTIVE, user)
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    return SignIn(Outcome.OK, user)


def unlock(user: User) -> None:
    """Lift a lockout and forget earlier failures."""
    user.failed_logins, user.locked_until = 0, None
