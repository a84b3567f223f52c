"""Thumbnails of a document's first page, rendered once and kept under DATA_DIR/thumbs."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pymupdf


class ThumbnailUnavailable(Exception):
    """The document cannot be rendered (missing or damaged file)."""


def thumb_path(cache_dir: Path, doc_id: str, source: Path, dpi: int = 24) -> Path:
    """The cache file for `source` as it is now: keyed by document, file mtime/size and dpi."""
    st = source.stat()
    key = hashlib.sha256(
        f"{doc_id}\0{source}\0{st.st_mtime_ns}\0{st.st_size}\0{dpi}".encode())
    return cache_dir / key.hexdigest()[:2] / f"{key.hexdigest()[2:32]}.png"


def thumbnail(source: Path, cache_dir: Path, doc_id: str, dpi: int = 24) -> Path:
    """The PNG of page 1 of `source`, rendered on first use at low resolution."""
    try:
        path = thumb_path(cache_dir, doc_id, source, dpi)
    except OSError:
        raise ThumbnailUnavailable("document file missing") from None
    if path.exists():
        return path
    # Thumbnails show patient data: the cache is readable by the portal's user only.
    cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.parent.mkdir(mode=0o700, exist_ok=True)
    try:
        with pymupdf.open(source) as doc:
            if doc.needs_pass or doc.page_count == 0:
                raise ThumbnailUnavailable("document cannot be rendered")
            png = doc[0].get_pixmap(dpi=dpi).tobytes("png")
    except ThumbnailUnavailable:
        raise
    except Exception:  # noqa: BLE001 - MuPDF raises several types for damaged files
        raise ThumbnailUnavailable("document cannot be rendered") from None
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(png)
    os.replace(tmp, path)
    return path
