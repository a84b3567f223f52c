"""Migrations build the schema on SQLite and PostgreSQL and match the models."""
from __future__ import annotations

import os
import threading
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import OperationalError

from portal import migrate
from portal.audit import record, verify
from portal.auth.accounts import create_user
from portal.database import Database, make_engine
from portal.models import Base

PG_URL = os.environ.get("EMR_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _schema_matches_models(engine: Engine) -> list:
    with engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn), Base.metadata)


def test_sqlite_upgrade_downgrade_upgrade(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    migrate.upgrade(engine)
    assert migrate.current(engine) == migrate.head()
    assert {"users", "audit_entries", "export_requests", "page_results", "manual_edits"} <= set(
        inspect(engine).get_table_names())
    assert _schema_matches_models(engine) == []
    migrate.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    migrate.upgrade(engine)
    assert _schema_matches_models(engine) == []


def test_flask_db_upgrade_command(build, tmp_path: Path) -> None:
    app = build(DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.db'}")
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0 and migrate.head() in result.output
    assert app.test_cli_runner().invoke(args=["db", "current"]).output.strip() == migrate.head()


def test_commands_on_an_empty_database_say_what_to_do(build, tmp_path: Path) -> None:
    app = build(DATABASE_URL=f"sqlite:///{tmp_path / 'empty.db'}")
    for args in (["audit", "verify"], ["create-admin", "root"], ["seed-demo-users"]):
        result = app.test_cli_runner().invoke(args=args)
        assert result.exit_code == 1, args
        assert "flask db upgrade" in result.output and "Traceback" not in result.output


@pytest.fixture
def pg_schema() -> Engine:
    """A fresh PostgreSQL schema for this test, dropped afterwards."""
    schema = f"portal_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    try:
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.mark.postgres
def test_postgres_migrations_and_concurrent_audit_writers(pg_schema: str) -> None:
    engine = make_engine(pg_schema)
    migrate.upgrade(engine)
    assert migrate.current(engine) == migrate.head()
    assert _schema_matches_models(engine) == []

    database = Database()
    database.configure(pg_schema)
    create_user(database.session(), "pg.user", "long-enough-pw", ["clinician"],
                method="pbkdf2:sha256:1000")
    database.session.commit()

    def writer() -> None:
        local = Database()
        local.configure(pg_schema)
        for _ in range(10):
            record("record.view", 1, "visit", "V1", session=local.session())
            local.session.commit()
        local.session.remove()
        local.engine.dispose()

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result = verify(database.session())
    assert result.ok and result.checked == 40
    database.session.remove()
    database.engine.dispose()
    migrate.downgrade(engine, "base")
    engine.dispose()
