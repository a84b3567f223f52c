"""`flask rulesets seed`: store the shipped ruleset and give every purpose a default."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from dsl import PolicyError
from portal.dbcli import require_schema
from portal.extensions import db
from portal.rulesets.seed import seed

rulesets_cli = AppGroup("rulesets", help="Anonymization rulesets (policies).")


@rulesets_cli.command("seed")
def seed_cmd() -> None:
    """Store rulesets/default.rules as ruleset "default" (again only when it changed)."""
    require_schema()
    try:
        result = seed(db.session())
    except PolicyError as exc:  # the shipped file itself is broken: say where
        raise click.ClickException(f"the shipped ruleset does not compile:\n{exc}") from None
    db.session.commit()
    click.echo(result.summary())
