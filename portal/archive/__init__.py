"""The archive area: the configured adapter, search and visit pages, thumbnails.

Config (EMR_ prefix in the environment):
  ARCHIVE          a folder with manifest.json, or an SQL URL (postgresql://...). Default:
                   DATA_DIR/archive if it exists, else var/demo of the source tree.
  ARCHIVE_TABLE    the table or view to read when ARCHIVE is an SQL URL ("schema.view" allowed)
  ARCHIVE_COLUMNS  JSON mapping of our column names to the view's ({"visit_id": "zyh", ...})
  ARCHIVE_FILES    the folder the view's relative file paths start from
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from archive import Archive, is_sql_url, open_archive

REPO_DEMO = Path(__file__).resolve().parents[2] / "var" / "demo"
DEFAULTS: dict[str, Any] = {
    "ARCHIVE": None,
    "ARCHIVE_TABLE": None,
    "ARCHIVE_COLUMNS": None,
    "ARCHIVE_FILES": None,
    "THUMB_DPI": 24,
}


def archive_location(app: Any) -> str:
    """Where the site's archive is: the configured value or the default folder."""
    configured = app.config.get("ARCHIVE") or app.config.get("ARCHIVE_DIR")
    if configured:
        return str(configured)
    data_archive = Path(app.config["DATA_DIR"]) / "archive"
    return str(data_archive if (data_archive / "manifest.json").exists() else REPO_DEMO)


def _stamp(location: str) -> float:
    """Changes when a folder archive's manifest is rewritten (SQL indexes are read live)."""
    if is_sql_url(location):
        return 0.0
    manifest = Path(location) / "manifest.json"
    return manifest.stat().st_mtime if manifest.exists() else -1.0


def get_archive(app: Any) -> Archive:
    """The site's archive adapter, opened once per process (reopened if the manifest changes)."""
    location = archive_location(app)
    cached = app.extensions.get("emr_archive")
    stamp = _stamp(location)
    if cached and cached[0] == (location, stamp):
        return cached[1]
    columns = app.config.get("ARCHIVE_COLUMNS")
    if isinstance(columns, str):
        columns = json.loads(columns)
    adapter = open_archive(location, table=app.config.get("ARCHIVE_TABLE"), columns=columns,
                           files_root=app.config.get("ARCHIVE_FILES"))
    app.extensions["emr_archive"] = ((location, stamp), adapter)
    return adapter


def init_app(app: Any) -> None:
    """Settings defaults and the blueprint."""
    from portal.archive.views import bp

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.register_blueprint(bp)
