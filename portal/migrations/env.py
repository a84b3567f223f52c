"""Alembic environment: runs on the engine portal.migrate passes, else the app's DATABASE_URL."""
from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from portal.models import Base

config = context.config
target_metadata = Base.metadata


def _engine() -> Engine:
    engine = config.attributes.get("engine")
    if engine is not None:
        return engine
    # Run by the plain `alembic` command: take the URL from the app's configuration.
    from portal import create_app
    from portal.database import make_engine

    return make_engine(create_app().config["DATABASE_URL"])


def run_migrations_online() -> None:
    with _engine().begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            # SQLite cannot ALTER most things: batch mode copies the table instead.
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"),
                      target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
