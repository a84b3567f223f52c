"""One engine and a scoped session, usable with or without Flask (workers, CLI, tests)."""
from __future__ import annotations

import importlib.util
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, scoped_session, sessionmaker


def normalize_url(url: str) -> str:
    """Pick an installed PostgreSQL driver for a plain postgresql:// URL.

    SQLAlchemy 2.1 defaults to psycopg 3; sites often have only psycopg2 installed.
    """
    if url.startswith(("postgresql://", "postgres://")):
        rest = url.split("://", 1)[1]
        for module, dialect in (("psycopg", "psycopg"), ("psycopg2", "psycopg2")):
            if importlib.util.find_spec(module) is not None:
                return f"postgresql+{dialect}://{rest}"
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the settings our backends need (SQLite: foreign keys on, waits on locks)."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30})
    engine = create_engine(url, pool_pre_ping=True, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # SQLite ignores foreign keys unless asked, per connection.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


class Database:
    """Holds the engine and a thread-scoped session; `init_app` binds it to a Flask app."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.session: scoped_session[Session] = scoped_session(
            sessionmaker(expire_on_commit=False)
        )

    def configure(self, url: str, **kwargs: Any) -> Engine:
        """Point the session at `url` (replacing any earlier engine); returns the engine."""
        self.session.remove()
        if self.engine is not None:
            self.engine.dispose()
        self.engine = make_engine(url, **kwargs)
        self.session.configure(bind=self.engine)
        return self.engine

    def init_app(self, app: Any) -> None:
        """Bind to the app's DATABASE_URL and end each request's session with its app context."""
        self.configure(app.config["DATABASE_URL"])
        app.extensions["emr_db"] = self

        @app.teardown_appcontext
        def _remove_session(_exc: BaseException | None) -> None:
            self.session.remove()


db = Database()
