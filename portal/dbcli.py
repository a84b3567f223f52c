"""`flask db upgrade | current | revision`: Alembic driven by the app's DATABASE_URL."""
from __future__ import annotations

import click
from alembic import command
from flask.cli import AppGroup

from portal import migrate
from portal.extensions import db

db_cli = AppGroup("db", help="Database schema (Alembic migrations).")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def upgrade_cmd(revision: str) -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    migrate.upgrade(db.engine, revision)
    click.echo(f"Database at revision {migrate.current(db.engine)}.")


@db_cli.command("downgrade")
@click.argument("revision")
def downgrade_cmd(revision: str) -> None:
    """Step back to REVISION ("base" drops every portal table)."""
    migrate.downgrade(db.engine, revision)
    click.echo(f"Database at revision {migrate.current(db.engine)}.")


@db_cli.command("current")
def current_cmd() -> None:
    """Print the revision the database is at."""
    click.echo(migrate.current(db.engine) or "(empty: run `flask db upgrade`)")


@db_cli.command("revision")
@click.option("-m", "--message", required=True, help="What the migration does.")
@click.option("--autogenerate/--empty", default=True, help="Diff the models against the DB.")
def revision_cmd(message: str, autogenerate: bool) -> None:
    """Write a new migration file under portal/migrations/versions (for developers)."""
    command.revision(migrate.alembic_config(db.engine), message=message,
                     autogenerate=autogenerate)


def require_schema() -> None:
    """Stop a command with advice when the database is missing tables or behind the code."""
    problem = migrate.schema_problem(db.engine)
    if problem:
        raise click.ClickException(problem)
