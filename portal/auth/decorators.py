"""Route guards: sign-in required, plus the roles a page needs."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, g
from flask_login import current_user, login_required

F = TypeVar("F", bound=Callable[..., Any])


def roles_accepted(*roles: str) -> Callable[[F], F]:
    """Allow users holding at least one of `roles`; others get the 403 page naming them."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.has_role(*roles):
                g.required_roles = roles
                abort(403)
            return view(*args, **kwargs)

        wrapper.required_roles = roles  # type: ignore[attr-defined]  # read by the route matrix
        return login_required(wrapper)  # type: ignore[return-value]

    return decorate


def roles_required(*roles: str) -> Callable[[F], F]:
    """Allow only users holding every one of `roles` (usually just one is named)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not all(current_user.has_role(r) for r in roles):
                g.required_roles = roles
                abort(403)
            return view(*args, **kwargs)

        wrapper.required_roles = roles  # type: ignore[attr-defined]
        return login_required(wrapper)  # type: ignore[return-value]

    return decorate
