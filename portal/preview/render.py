"""Page images for the preview: PyMuPDF renders at 110 dpi, cached on disk. No Flask.

Originals are cached per archive document (the same page looks the same in every request);
redacted pages per request and output file (its SHA-256), so a re-assembled export never
shows a stale image. Cache files are private (0600) and purged with the export.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pymupdf

DPI = 110
# Pages rendered per opening of a redacted export: decrypting it is the costly part.
PREFETCH = 4


class PreviewUnavailable(Exception):
    """The page image cannot be made (file missing, password-protected); the message says why."""


def _key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def original_dir(cache_root: Path, doc_key: str) -> Path:
    """Where the page images of one archive document are cached."""
    return Path(cache_root) / "original" / _key(doc_key)


def redacted_dir(cache_root: Path, request_id: int) -> Path:
    """Where the page images of one request's outputs are cached."""
    return Path(cache_root) / "redacted" / str(int(request_id))


def _write_png(page: pymupdf.Page, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    data = page.get_pixmap(dpi=DPI, alpha=False).tobytes("png")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, target)  # atomic: a concurrent reader sees the old file or the whole new one


def _open(source: Path | bytes) -> pymupdf.Document:
    try:
        doc = pymupdf.open(stream=source) if isinstance(source, bytes) else pymupdf.open(source)
    except Exception as exc:
        raise PreviewUnavailable("the file could not be opened") from exc
    if doc.needs_pass:
        doc.close()
        raise PreviewUnavailable("the export is protected by a password")
    return doc


def original_png(doc_path: Path, page: int, cache_root: Path, doc_key: str) -> Path:
    """The cached image of 0-based `page` of an archive document, rendered on first use."""
    target = original_dir(cache_root, doc_key) / f"p{page}.png"
    if target.exists():
        return target
    if not Path(doc_path).exists():
        raise PreviewUnavailable("the archived document is missing")
    with _open(Path(doc_path)) as doc:
        if not 0 <= page < doc.page_count:
            raise PreviewUnavailable("no such page")
        _write_png(doc[page], target)
    return target


def redacted_png(load: Callable[[], bytes], page: int, cache_root: Path, request_id: int,
                 tag: str) -> Path:
    """The cached image of 1-based output `page`; `load` returns the decrypted export."""
    folder = redacted_dir(cache_root, request_id) / _key(tag)
    target = folder / f"p{page}.png"
    if target.exists():
        return target
    with _open(load()) as doc:
        if not 1 <= page <= doc.page_count:
            raise PreviewUnavailable("no such page")
        for n in range(page, min(doc.page_count, page + PREFETCH - 1) + 1):
            path = folder / f"p{n}.png"
            if n == page or not path.exists():
                _write_png(doc[n - 1], path)
    return target


def page_size(doc_path: Path, page: int) -> tuple[float, float]:
    """Width and height in PDF points of 0-based `page`, as the page is displayed unrotated."""
    with _open(Path(doc_path)) as doc:
        rect = doc[page].rect
        return float(rect.width), float(rect.height)


def drop_request(cache_root: Path, request_id: int) -> None:
    """Delete a request's cached redacted pages."""
    shutil.rmtree(redacted_dir(cache_root, request_id), ignore_errors=True)


def prune(cache_root: Path, max_age_s: float, now: float | None = None) -> int:
    """Delete cached images not used for `max_age_s` seconds; returns how many went."""
    now = now or time.time()
    gone = 0
    for path in Path(cache_root).glob("*/*/**/*.png"):
        try:
            if now - path.stat().st_mtime > max_age_s:
                path.unlink()
                gone += 1
        except FileNotFoundError:
            continue
    return gone
