"""Verification OCR of a redacted page that re-reads only the rows redaction changed.

An outsider OCRs the whole exported page. Where its pixels are exactly those of the source page
that pass 1 already read (same region, same resolution, so the same content key), Tesseract
would be given the same pixels again. So only the rows that differ from the source (boxes,
labels, page numbers, a watermark), widened to whole text lines, are OCR'd again: the rest of
the image is whitened, so the new reading keeps the page's geometry. Lines pass 1 read outside
those rows are kept as they are. When the source reading is not in the cache, or the images
do not line up, the whole region is OCR'd as before.

Tesseract is given mostly white pages for verification; how much time that saves depends on
how many rows a page's redactions touch (FINDINGS.md: verification OCR).
"""
from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import numpy as np
import pymupdf
from PIL import Image

from dsl.model import Rule

from .extract import OcrModeName, OcrRegion, needs_ocr
from .ocr import OcrEngine, OcrJob, done_future, gather, region_dpi, region_job
from .pdfopen import UnreadableDocument, open_pdf, release_caches
from .textlayer import PageLayer, Rect

# A pixel has changed when its grey level moved by more than this: JPEG re-encoding of a
# redacted scan moves untouched pixels by a few levels, a box or a glyph by far more.
CHANGED_LEVEL = 48
# Rows with fewer changed pixels than this are re-encoding noise, not a change.
CHANGED_PIXELS = 3
# Changed rows are widened by this much (points) above and below, before whole lines are added.
ROW_PAD_PT = 6.0


def submit_verification(engine: OcrEngine, page: pymupdf.Page, layer: PageLayer,
                        source: pymupdf.Page | None, mode: OcrModeName = "auto") -> Future:
    """Future[list[TextLine]]: the OCR lines of an output page, re-reading only what changed.

    `mode` is the OCR setting pass 1 used for the page's document ("always" for an ECG).
    """
    futures = []
    for region in needs_ocr(layer, mode).regions:
        dpi = region_dpi(page, region)
        if source is None:
            futures.append(engine.submit(region_job(page, region, dpi)))
        else:
            futures.append(_changed_rows_only(engine, page, source, region, dpi))
    return gather(futures)


def _changed_rows_only(engine: OcrEngine, page: pymupdf.Page, source: pymupdf.Page,
                       region: OcrRegion, dpi: float) -> Future:
    # Pass 1 levelled the source by the tilt it measured: the same turn lines the pixels up.
    before = region_job(source, region, dpi).with_key(engine.lang, engine.config)
    job = region_job(page, region, dpi, before.angle).with_key(engine.lang, engine.config)
    cached = engine.cache.get(job.key)
    if cached is not None:
        return done_future([line for line, _ in cached])
    read = engine.cache.get(before.key) if before.image.size == job.image.size else None
    if read is None:
        return engine.submit(job)
    grey = np.asarray(job.image.convert("L"))
    old = np.asarray(before.image.convert("L"), dtype=np.int16)
    rows = (np.abs(grey.astype(np.int16) - old) > CHANGED_LEVEL).sum(axis=1) >= CHANGED_PIXELS
    if not rows.any():
        for line, _ in read:
            line.reused = True
        return done_future([line for line, _ in read])
    to_pixels = ~pymupdf.Matrix(*job.transform)
    rows = _widen(rows, [_pixel_rows(line.bbox, to_pixels) for line, _ in read],
                  round(ROW_PAD_PT * dpi / 72.0))
    kept = [line for line, _ in read
            if not rows[slice(*_clamp(_pixel_rows(line.bbox, to_pixels), len(rows)))].any()]
    for line in kept:
        line.reused = True
    masked = grey.copy()
    masked[~rows] = 255
    partial = OcrJob(Image.fromarray(masked, "L"), job.transform).with_key(engine.lang,
                                                                            engine.config)
    out: Future = Future()

    def settle(f: Future) -> None:
        if f.exception() is not None:
            out.set_exception(f.exception())
        else:
            out.set_result(kept + f.result())

    engine.submit(partial).add_done_callback(settle)
    return out


def _pixel_rows(bbox: Rect, to_pixels: pymupdf.Matrix) -> tuple[int, int]:
    r = pymupdf.Rect(bbox) * to_pixels
    return int(r.y0), int(r.y1) + 1


def _clamp(span: tuple[int, int], n: int) -> tuple[int, int]:
    return max(0, span[0]), min(n, max(0, span[1]))


def _widen(rows: np.ndarray, lines: list[tuple[int, int]], pad: int) -> np.ndarray:
    """Changed rows, padded, then grown to every whole line they touch (until nothing grows)."""
    n = len(rows)
    idx = np.flatnonzero(rows)
    out = np.zeros(n, dtype=bool)
    for i in idx:
        out[max(0, i - pad):i + pad + 1] = True
    grown = True
    while grown:
        grown = False
        for span in lines:
            a, b = _clamp(span, n)
            if b > a and out[a:b].any() and not out[a:b].all():
                out[a:b] = True
                grown = True
    return out


@dataclass(frozen=True)
class PageSource:
    """Where an output page came from: its source file and page, and how pass 1 read it."""

    path: Path
    page: int
    ocr_mode: OcrModeName = "auto"
    label_rules: tuple[Rule, ...] = ()   # the document's after-label rules, for new readings


class SourcePages:
    """The source page behind each output page, from its `PageSource`, opened lazily.

    One source document stays open at a time: verification reads the output in page order.
    """

    def __init__(self, sources: Sequence[PageSource | None]):
        self.sources = list(sources)
        self._path: Path | None = None
        self._doc: pymupdf.Document | None = None

    def __call__(self, number: int) -> pymupdf.Page | None:
        if number >= len(self.sources) or self.sources[number] is None:
            return None
        path, page = self.sources[number].path, self.sources[number].page
        if path != self._path:
            self.close()
            self._path = path
            try:
                self._doc = open_pdf(path)
            except UnreadableDocument:
                self._doc = None
        doc = self._doc
        return doc[page] if doc is not None and page < doc.page_count else None

    def info(self, number: int) -> PageSource | None:
        return self.sources[number] if number < len(self.sources) else None

    def close(self) -> None:
        if self._doc is not None:
            self._doc.close()
            release_caches()    # each source's fonts and images would stay decoded in MuPDF
        self._doc = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
