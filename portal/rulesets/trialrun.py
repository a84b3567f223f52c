"""The OCR engine a try-out runs with: the jobs' sealed cache, in a folder of its own.

A try-out belongs to no export request, so its OCR results are kept under DATA_DIR/rulesets/ocr
(sealed with the site key, as the jobs' are: recognised text is patient data). Trying the same
document again after an edit then reads the cache instead of running Tesseract again.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from portal.jobs.context import private_dir
from portal.jobs.ocrcache import sealed_engine
from workers.ocr import OcrEngine, OcrUnavailable

log = logging.getLogger(__name__)


def cache_dir(app: Any) -> Path:
    """The private folder of the try-outs' sealed OCR cache (made on first use)."""
    return private_dir(Path(app.config["DATA_DIR"]) / "rulesets") / "ocr"


@contextmanager
def ocr_engine(app: Any) -> Iterator[OcrEngine | None]:
    """Tesseract for one try-out; None when OCR is off (JOBS_USE_OCR) or not installed.

    Without an engine the try-out reads the text layer only: a scanned page then shows no
    findings, which the page says (result.ocr_pages is 0).
    """
    with sealed_engine(app, lambda: cache_dir(app)) as engine:
        if engine is not None:
            try:
                engine.check()
            except OcrUnavailable as exc:
                log.warning("try-out without OCR: %s", exc)
                engine = None
        yield engine
