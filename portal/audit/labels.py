"""Readable names of audit actions. Areas that add actions add their label here."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "auth.login": _l("Signed in"),
    "auth.login_failed": _l("Failed sign-in"),
    "auth.lockout": _l("Account locked"),
    "auth.logout": _l("Signed out"),
    "auth.timeout": _l("Signed out after inactivity"),
    "admin.user_create": _l("Account created"),
    "admin.roles_change": _l("Roles changed"),
    "admin.user_unlock": _l("Account unlocked"),
    "admin.user_deactivate": _l("Account deactivated"),
    "admin.user_activate": _l("Account reactivated"),
    "audit.export_csv": _l("Audit log exported"),
    # Used by the areas built next; listed now so the log reads well from the start.
    "record.view": _l("Record viewed"),
    "export.create": _l("Export requested"),
    "export.edit": _l("Hand edit"),
    "export.submit": _l("Submitted for review"),
    "export.approve": _l("Export approved"),
    "export.reject": _l("Export rejected"),
    "export.download": _l("Export downloaded"),
    "export.expire": _l("Export expired, file deleted"),
    "ruleset.publish": _l("Ruleset published"),
}


def action_label(action: str) -> str:
    """The readable name of an action, or the action code itself."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def detail_text(value: Any) -> str:
    """A detail value as plain text: lists joined, dicts as key=value."""
    if isinstance(value, list):
        return ", ".join(detail_text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}={detail_text(v)}" for k, v in sorted(value.items()))
    return "" if value is None else str(value)
