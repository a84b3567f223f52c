"""The app context a job runs in: the worker's own, or an app built once per process."""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app, has_app_context

from dsl import compile_text, default_ruleset_path
from dsl.model import Policy
from portal.models import RulesetVersion

_app: Flask | None = None
_policies: dict[tuple[int, str], Policy] = {}


@contextmanager
def job_app() -> Iterator[Flask]:
    """The current app (inside `flask worker`), else one built from the EMR_* environment."""
    global _app
    if has_app_context():
        yield current_app._get_current_object()  # type: ignore[attr-defined]
        return
    if _app is None:
        from portal import create_app

        _app = create_app()
    with _app.app_context():
        yield _app


def policy_of(version: RulesetVersion) -> Policy:
    """The compiled policy of a stored version (compiled once per process)."""
    key = (version.id, version.digest)
    if key not in _policies:
        _policies[key] = compile_text(version.text, f"{version.name}-v{version.version}.rules",
                                      lists_dir=default_ruleset_path().parent / "lists")
    return _policies[key]


def private_dir(path: Path) -> Path:
    """A folder only the portal's user can read (it holds patient data)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
