"""`flask exports purge`: delete the files of exports whose download window is over."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from portal.extensions import db


@click.command("purge")
@with_appcontext
def purge_cmd() -> None:
    """Delete expired export files and mark the exports expired."""
    from portal.downloads.files import purge_expired

    purged = purge_expired(db.session(), Path(current_app.config["DATA_DIR"]))
    click.echo(f"purged {len(purged)} expired export(s)"
               + (f": {', '.join(map(str, purged))}" if purged else ""))


def register(app: Flask) -> None:
    """Add `purge` to the `flask exports` group, creating the group if no other area has."""
    group = app.cli.commands.get("exports")
    if group is None:
        group = AppGroup("exports", help="Export requests: maintenance commands.")
        app.cli.add_command(group)
    group.add_command(purge_cmd)  # type: ignore[union-attr]
