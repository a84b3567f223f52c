"""Portal fixtures: an app on a migrated SQLite file per test, users, signed-in clients."""
from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal import create_app, migrate
from portal.auth.accounts import create_user
from portal.extensions import db
from portal.models import User

PASSWORD = "correct-horse-battery"
# Fast hashing keeps the suite quick; production uses scrypt (see test_accounts).
FAST_HASH = "pbkdf2:sha256:1000"


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite database built once by running the Alembic migrations (not create_all)."""
    path = tmp_path_factory.mktemp("template") / "emr.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


def build_app(tmp_path: Path, template: Path, **overrides: object) -> Flask:
    """A test app on a private copy of the migrated database."""
    dbfile = tmp_path / "emr.db"
    if not dbfile.exists():
        shutil.copy(template, dbfile)
    config = {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": f"sqlite:///{dbfile}",
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": FAST_HASH,
        "REDIS_URL": None,
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture
def app(tmp_path: Path, migrated_sqlite: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """The portal with CSRF off (the CSRF tests turn it on)."""
    for var in ("EMR_DATABASE_URL", "EMR_SECRET_KEY", "EMR_DEV", "EMR_INSTANCE_PATH"):
        monkeypatch.delenv(var, raising=False)
    # No app context is held open across requests: each request gets its own, as in production
    # (a shared one would keep per-request caches such as the chosen language alive).
    yield build_app(tmp_path, migrated_sqlite)
    db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Create a user with the given roles (and the shared test password)."""

    def make(username: str, *roles: str, password: str = PASSWORD) -> User:
        user = create_user(db.session(), username, password, list(roles), method=FAST_HASH)
        db.session.commit()
        return user

    return make


def _login(client: FlaskClient, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/auth/login", data={"username": username, "password": password})


@pytest.fixture
def login() -> Callable[..., object]:
    """Post the sign-in form: login(client, username, password=PASSWORD)."""
    return _login


@pytest.fixture
def build(tmp_path: Path, migrated_sqlite: Path) -> Callable[..., Flask]:
    """Build another app on this test's database with config overrides."""
    return lambda **overrides: build_app(tmp_path, migrated_sqlite, **overrides)


@pytest.fixture
def signed_in(app: Flask, make_user: Callable[..., User]) -> Callable[..., FlaskClient]:
    """A fresh client signed in as a new user holding `roles`."""

    def sign_in(username: str, *roles: str) -> FlaskClient:
        make_user(username, *roles)
        c = app.test_client()
        response = _login(c, username)
        assert response.status_code == 302, response.data
        return c

    return sign_in
