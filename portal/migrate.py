"""Run Alembic migrations from code (`flask db upgrade`, tests, workers). No Flask here."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from portal.database import make_engine

SCRIPT_LOCATION = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    """An Alembic config that runs on `engine` (no alembic.ini needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_LOCATION))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(target: Engine | str, revision: str = "head") -> None:
    """Bring the database up to `revision`."""
    engine = make_engine(target) if isinstance(target, str) else target
    command.upgrade(alembic_config(engine), revision)


def downgrade(target: Engine | str, revision: str) -> None:
    """Step the database back to `revision` ("base" empties it)."""
    engine = make_engine(target) if isinstance(target, str) else target
    command.downgrade(alembic_config(engine), revision)


def current(target: Engine | str) -> str | None:
    """The revision the database is at, or None when it has never been migrated."""
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(target) if isinstance(target, str) else target
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head() -> str | None:
    """The newest revision the code knows."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config_for_scripts()).get_current_head()


def alembic_config_for_scripts() -> Config:
    """An Alembic config for reading the migration scripts only."""
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_LOCATION))
    return cfg


def schema_problem(target: Engine | str) -> str | None:
    """Why the database cannot be used yet (in words), or None when it is up to date."""
    at = current(target)
    if at is None:
        return "The database has no portal tables yet. Run `flask db upgrade` first."
    if at != head():
        return f"The database is at revision {at}, the code needs {head()}. Run `flask db upgrade`."
    return None
