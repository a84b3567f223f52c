"""The main menu: one entry per area, shown to the roles that use it."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from portal.models import Role, User


@dataclass(frozen=True)
class MenuItem:
    """An area of the portal; `usage` names it for the (non-PHI) usage counter."""

    usage: str
    label: LazyString
    endpoint: str
    roles: tuple[str, ...]
    next_step: LazyString  # what this role should do here, shown on the home page

    def available(self) -> bool:
        """True once the area's pages exist (later areas are shown as "coming")."""
        return self.endpoint in current_app.view_functions

    def url(self) -> str | None:
        return url_for(self.endpoint) if self.available() else None


MENU: tuple[MenuItem, ...] = (
    MenuItem("menu.archive", _l("Archive search"), "archive.search", (Role.CLINICIAN,),
             _l("Find a visit by record number, department or dates, and look at its "
                "documents.")),
    MenuItem("menu.exports", _l("Export requests"), "exports.index", (Role.CLINICIAN,),
             _l("Request an anonymized export, check its preview and submit it for review.")),
    MenuItem("menu.review", _l("Review"), "review.queue", (Role.COMPLIANCE,),
             _l("Review submitted exports: findings, hand edits, verification; approve or "
                "reject.")),
    MenuItem("menu.rulesets", _l("Rules"), "rulesets.index", (Role.POLICY_ADMIN,),
             _l("Edit anonymization rulesets, try a draft on a document, publish a version.")),
    MenuItem("menu.audit", _l("Audit"), "audit.index", (Role.COMPLIANCE,),
             _l("See who did what and when; filter and export the log as CSV.")),
    MenuItem("menu.admin", _l("Administration"), "admin.users", (Role.ADMIN,),
             _l("Create accounts, assign roles, unlock or deactivate accounts.")),
    MenuItem("menu.usage", _l("Usage statistics"), "usage.admin", (Role.ADMIN,),
             _l("Switch the anonymous usage statistics on or off and see exactly what is "
                "sent.")),
)


def for_user(user: User) -> list[MenuItem]:
    """The menu entries this user's roles give access to."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [item for item in MENU if user.has_role(*item.roles)]
