"""A whole portal site for browser tests: the app served over HTTP, real RQ workers, real Redis.

The portal runs in a thread of the test process (werkzeug's server) and the workers run as
`flask --app portal worker` subprocesses, configured through the same EMR_* environment a site
uses, so the browser test exercises what `make run` starts.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from werkzeug.serving import make_server

from portal import create_app, migrate

REDIS_URL = os.environ.get("EMR_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
CHROMIUM = os.environ.get("EMR_TEST_CHROMIUM", "/usr/bin/chromium")


@dataclass
class Site:
    url: str
    app: object
    env: dict[str, str]
    logs: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def site_env(root: Path, archive: Path) -> dict[str, str]:
    """The EMR_* settings of a private site under `root` (database, instance, queue name)."""
    name = uuid.uuid4().hex[:10]
    return {
        "EMR_INSTANCE_PATH": str(root / "instance"),
        "EMR_DATABASE_URL": f"sqlite:///{root / 'emr.db'}",
        "EMR_SECRET_KEY": f"browser-test-{name}",
        "EMR_ARCHIVE": str(archive),
        "EMR_REDIS_URL": REDIS_URL,
        "EMR_JOBS_QUEUE": f"emr-test-{name}",
        "EMR_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "EMR_JOBS_RECONCILE_SECONDS": "5",
    }


@contextmanager
def running_site(root: Path, archive: Path, workers: int = 1) -> Iterator[Site]:
    """Migrate a fresh database, start `workers` RQ workers and serve the portal."""
    root.mkdir(parents=True, exist_ok=True)
    env = site_env(root, archive)
    migrate.upgrade(env["EMR_DATABASE_URL"])
    full_env = {**{k: v for k, v in os.environ.items() if not k.startswith("EMR_")}, **env}
    flask = Path(sys.executable).with_name("flask")
    logs = root / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    seed = subprocess.run([str(flask), "--app", "portal", "rulesets", "seed"], env=full_env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert seed.returncode == 0, seed.stderr
    procs = [subprocess.Popen([str(flask), "--app", "portal", "worker"], env=full_env,
                              stdout=open(logs / f"worker-{n}.log", "wb"),  # noqa: SIM115 - the worker keeps it
                              stderr=subprocess.STDOUT)
             for n in range(workers)]
    config = {key[4:]: value for key, value in env.items()}
    config["INSTANCE_PATH"] = env["EMR_INSTANCE_PATH"]
    config["JOBS_RECONCILE_SECONDS"] = 5
    app = create_app(config)
    port = _free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{port}", app, full_env, logs)
    finally:
        server.shutdown()
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def browser_available() -> bool:
    return Path(CHROMIUM).exists() and shutil.which(CHROMIUM) is not None
