"""Where the preview finds files: the archived originals and the site's cache folder."""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from flask import Flask

from portal.models import ExportDocument, ExportRequest

# The archive area's accessor for the configured adapter (folder or SQL index), tried in order.
ARCHIVE_ACCESSORS = (("portal.archive", "get_archive"), ("portal.archive", "archive_for"),
                     ("portal.archive.adapters", "get_archive"))


def cache_root(app: Flask) -> Path:
    """The folder holding cached page images (DATA_DIR/preview)."""
    return Path(app.config["DATA_DIR"]) / "preview"


def _archive(app: Flask) -> Any:
    for module_name, attr in ARCHIVE_ACCESSORS:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        accessor = getattr(module, attr, None)
        if accessor is not None:
            return accessor(app)
    from archive.folder import FolderArchive

    return FolderArchive(app.config["ARCHIVE_DIR"])


def document_path(app: Flask, req: ExportRequest, doc: ExportDocument) -> Path:
    """The archived PDF of one document of the request."""
    archive = _archive(app)
    return Path(archive.document_path(archive.visit(req.visit_id).document(doc.doc_id)))
