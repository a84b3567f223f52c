"""The OCR cache of one request on the shared folder, sealed: recognised text is patient data."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from portal.crypto import SealError, file_key, open_text, seal_text
from workers.ocr import OcrEngine
from workers.ocrcache import OcrCache, dump_lines, load_lines
from workers.textlayer import TextLine


class SealedOcrCache(OcrCache):
    """An OcrCache whose entries are sealed with the site key; a damaged entry is a miss."""

    def __init__(self, directory: Path, key: bytes) -> None:
        super().__init__(directory)
        self._key = key

    def get(self, key: str) -> list[tuple[TextLine, float]] | None:
        try:
            blob = self._path(key).read_bytes()
            return load_lines(open_text(blob, self._key))
        except (FileNotFoundError, SealError, ValueError):
            return None  # OCR again rather than trust a damaged entry

    def put(self, key: str, lines: list[tuple[TextLine, float]]) -> None:
        path = self._path(key)
        path.parent.mkdir(exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(seal_text(dump_lines(lines), self._key))
        os.replace(tmp, path)


@contextmanager
def sealed_engine(app: Any, cache_dir: Callable[[], Path]) -> Iterator[OcrEngine | None]:
    """Tesseract with its results sealed in `cache_dir()`; None when JOBS_USE_OCR is off.

    `cache_dir` is called only when OCR is on, so no folder is made for a run without OCR.
    """
    if not app.config.get("JOBS_USE_OCR", True):
        yield None
        return
    cache = SealedOcrCache(cache_dir(), file_key(app))
    engine = OcrEngine(cache, workers=int(app.config.get("JOBS_OCR_WORKERS", 1)))
    try:
        yield engine
    finally:
        engine.close()
