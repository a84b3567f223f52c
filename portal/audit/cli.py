"""`flask audit verify`: check the hash chain end to end."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.audit.chain import verify
from portal.dbcli import require_schema
from portal.extensions import db

audit_cli = AppGroup("audit", help="Audit log tools.")


@audit_cli.command("verify")
def verify_cmd() -> None:
    """Print OK, or the first broken entry's id and why; exit 1 when broken."""
    require_schema()
    result = verify(db.session())
    if result.ok:
        click.echo(f"OK: {result.checked} entries, chain intact.")
        return
    click.echo(
        f"BROKEN at entry {result.broken_id}: {result.reason} "
        f"({result.checked} entries before it are intact).",
        err=True,
    )
    raise SystemExit(1)
