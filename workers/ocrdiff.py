"""Verification OCR of a redacted page that re-reads only what redaction changed, and around it.

Used when verification is asked to be fast (`emr-redact run --verify-ocr changed`); by default
it reads every output page whole, since a whole reading can differ from pass 1's where no pixel
changed (`verify.verify_export`). Without a source page, the page is read whole here too.

An outsider OCRs the whole exported page. Where its pixels are exactly those of the source page
that pass 1 already read (same region, same resolution, so the same content key), Tesseract
would be given the same pixels again and read the same text. So the output is compared with the
source, both as rendered: each change (a box, a label, a page number, a watermark) is widened to
a window reaching WINDOW_PT either side along its line, where a new reading can differ (the
recogniser reads a line as a sequence, so a change alters what it makes of its neighbours), and
grown to whole characters of pass 1's reading. Only the windows are OCR'd again, with the rest of
the page blanked to its paper's tone, so the new reading keeps the page's geometry; pass 1's characters outside
them are kept as they were read. When the source reading is not in the cache, or the images do
not line up, the whole region is OCR'd as before.

Tesseract's time grows with the text it is given (a white page costs its start-up, 0.15 s), so
a page with a few redactions costs a fraction of a full reading (FINDINGS.md: verification OCR).
"""
from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Self

import pymupdf

from dsl.model import Rule

from .cells import cell_counts, grown_box
from .extract import OcrModeName, OcrRegion, ocr_plan
from .lazy import LazyModule
from .ocr import OcrEngine, done_future, gather, region_dpi, region_job
from .pdfopen import UnreadableDocument, open_pdf, release_caches
from .textlayer import PageLayer, TextLine

np = LazyModule("numpy", globals())
Image = LazyModule("PIL.Image", globals())

# A pixel has changed when its grey level moved by more than this: JPEG re-encoding of a
# redacted scan moves untouched pixels by a few levels, a box or a glyph by far more.
CHANGED_LEVEL = 48
# Changes are found in cells of CELL x CELL pixels; a cell with fewer changed pixels than this
# is re-encoding noise, not a change.
CELL = 8
CHANGED_PIXELS = 3
# How far along its line a change may alter a new reading (points either side), and above and
# below it (the line's own height is added by growing to whole characters).
WINDOW_PT = 48.0
ROW_PAD_PT = 3.0
# Lines pass 1 read with a mean word confidence below this are read again whole on a page that
# changed: clean print reads at 80-93, handwriting and crowded scanned tables at 9-80, and
# there a new reading finds names the first one missed (FINDINGS.md: verification OCR).
SURE = 80.0
# Growing the windows to the characters they touch, at most this many times (each round may
# touch a neighbour's character; a few rounds settle every real page).
GROW_ROUNDS = 3


def submit_verification(engine: OcrEngine, page: pymupdf.Page, layer: PageLayer,
                        source: pymupdf.Page | None, mode: OcrModeName = "auto",
                        unsure: bool = True, previous: pymupdf.Page | None = None) -> Future:
    """Future[list[TextLine]]: the OCR lines of an output page, re-reading only what changed
    (and, when `unsure`, the lines pass 1 read with little confidence).

    `mode` is the OCR setting pass 1 used for the page's document ("always" for an ECG).
    `previous`: the same output page before a second look redacted more on it; only what that
    changed is read again, the first look's reading is kept elsewhere.
    """
    futures = []
    for region in ocr_plan(page, layer, mode).regions:
        dpi = region_dpi(page, region)
        if source is None:
            futures.append(engine.submit(replace(region_job(page, region, dpi), edges=False)))
        else:
            futures.append(_changed_only(engine, page, source, region, dpi, unsure, previous))
    return gather(futures)


def _changed_only(engine: OcrEngine, page: pymupdf.Page, source: pymupdf.Page,
                  region: OcrRegion, dpi: float, unsure: bool = True,
                  previous: pymupdf.Page | None = None) -> Future:
    # Pass 1's job for the source, as rendered: its key finds what pass 1 read, its tilt is the
    # one the output is levelled by (so both are measured on the same, unredacted pixels).
    before = region_job(source, region, dpi).with_key(engine.lang, engine.config)
    job = replace(region_job(page, region, dpi, before.level), edges=False)
    if job.image.size != before.image.size:
        return engine.submit(job)
    job = job.with_key(engine.lang, engine.config)
    cached = _reading(engine, job.key)
    if cached is not None:
        return done_future([line for line, _ in cached])
    read = None
    if previous is not None:
        # The first look stored its reading of the page (below).
        earlier = replace(region_job(previous, region, dpi, before.level),
                          edges=False).with_key(engine.lang, engine.config)
        if earlier.image.size == job.image.size:
            read = _reading(engine, earlier.key)
            if read is not None:
                before = earlier
    if read is None:
        read = engine.cache.get(before.key)
    if read is None:
        return engine.submit(job)
    grey = np.asarray(job.image.convert("L"))
    changed = _changed_cells(grey, np.asarray(before.image.convert("L")))
    lines = [line for line, _ in read]
    if not changed.any():
        for line in lines:
            line.reused = True
        return done_future(lines)
    to_cells = ~pymupdf.Matrix(*job.transform) * pymupdf.Matrix(1 / CELL, 1 / CELL)
    # Each changed cell grown along its line and a little above and below it.
    windows = grown_box(changed, round(ROW_PAD_PT * dpi / 72.0 / CELL),
                        round(WINDOW_PT * dpi / 72.0 / CELL))
    # Lines pass 1 read with little confidence (handwriting, a crowded table row) are where it
    # misread: read them again whole, a second chance to see a name it missed.
    if unsure:
        for line, conf in read:
            if conf < SURE:
                for span in _cell_spans(line.boxes, to_cells, windows.shape):
                    windows[span] = True
    touched = _grow(windows, lines, to_cells)
    kept = [(piece, conf) for (line, conf), hit in zip(read, touched)
            for piece in _untouched(line, hit)]
    keep = np.repeat(np.repeat(windows, CELL, axis=0), CELL, axis=1)[:grey.shape[0],
                                                                      :grey.shape[1]]
    partial = replace(job, keep=Image.fromarray(keep.astype(np.uint8) * 255, "L")).with_key(
        engine.lang, engine.config)
    out: Future = Future()

    def settle(f: Future) -> None:
        if f.exception() is not None:
            out.set_exception(f.exception())
            return
        new = engine.cache.get(partial.key) or [(line, 0.0) for line in f.result()]
        order = {id(line): i for i, line in enumerate(reading_order(
            [line for line, _ in kept] + [line for line, _ in new]))}
        combined = sorted(kept + new, key=lambda pair: order[id(pair[0])])
        # Kept, so a second look after more redaction on it re-reads only that (`previous`),
        # not again all the first look re-read.
        engine.cache.put(_windowed(job.key), combined)
        out.set_result([line for line, _ in combined])

    engine.submit(partial).add_done_callback(settle)
    return out


def _windowed(key: str) -> str:
    """Where a windowed reading of a page is kept. Not under the page's own key: that one must
    give what Tesseract reads of the whole page, which a whole-page verification asks for and
    a windowed reading is not (untouched pixels read differently once a line is boxed)."""
    return f"{key}-windowed"


def _reading(engine: OcrEngine, key: str) -> list | None:
    """The cached reading of a page: a whole one (Tesseract's own), else a windowed one."""
    return engine.cache.get(key) or engine.cache.get(_windowed(key))


def reading_order(lines: list[TextLine]) -> list[TextLine]:
    """Lines top to bottom, and left to right where they share a row: a line pass 1 read and
    the window read again beside it follow each other, so a value across them is hunted whole
    (the hunt reads through one line break)."""
    rows: list[list[TextLine]] = []
    for line in sorted(lines, key=lambda ln: (ln.bbox[1] + ln.bbox[3]) / 2):
        b = line.bbox
        if rows:
            r = rows[-1][-1].bbox
            if min(b[3], r[3]) - max(b[1], r[1]) > 0.5 * min(b[3] - b[1], r[3] - r[1]):
                rows[-1].append(line)
                continue
        rows.append([line])
    return [line for row in rows for line in sorted(row, key=lambda ln: ln.bbox[0])]


def _changed_cells(grey: np.ndarray, old: np.ndarray) -> np.ndarray:
    """Cells (CELL x CELL pixels) where the output differs from the source."""
    diff = np.abs(grey.astype(np.int16) - old.astype(np.int16)) > CHANGED_LEVEL
    return cell_counts(diff, CELL) >= CHANGED_PIXELS


def _cell_spans(boxes, to_cells: pymupdf.Matrix, shape) -> list[tuple[slice, slice]]:
    """The cells each box covers: its corners mapped by `to_cells` (all boxes at once: a
    Rect per character cost ~30 ms a page)."""
    if not len(boxes):
        return []
    b = np.asarray(boxes, dtype=float).reshape(-1, 4)
    m = to_cells
    xs = np.stack([m.a * b[:, i] + m.c * b[:, j] + m.e for i in (0, 2) for j in (1, 3)])
    ys = np.stack([m.b * b[:, i] + m.d * b[:, j] + m.f for i in (0, 2) for j in (1, 3)])
    x0 = np.maximum(0, np.floor(xs.min(axis=0))).astype(int)
    y0 = np.maximum(0, np.floor(ys.min(axis=0))).astype(int)
    x1 = np.minimum(shape[1], np.floor(xs.max(axis=0)).astype(int) + 1)
    y1 = np.minimum(shape[0], np.floor(ys.max(axis=0)).astype(int) + 1)
    return [(slice(a, c), slice(p, q)) for a, c, p, q in
            zip(y0.tolist(), y1.tolist(), x0.tolist(), x1.tolist())]


def _grow(windows: np.ndarray, lines: list[TextLine], to_cells) -> list[list[bool]]:
    """Mark pass 1's characters that a window touches, and grow the windows (in place) over
    them, so Tesseract is never given half a glyph. Returns, per line, touched per character."""
    spans = [_cell_spans(line.boxes, to_cells, windows.shape) for line in lines]
    touched = [[False] * len(line.boxes) for line in lines]
    for _round in range(GROW_ROUNDS):
        grew = False
        for marks, boxes in zip(touched, spans):
            for i, (ys, xs) in enumerate(boxes):
                if not marks[i] and windows[ys, xs].any():
                    marks[i] = True
                    windows[ys, xs] = True
                    grew = True
        if not grew:
            break
    return touched


def _untouched(line: TextLine, touched: list[bool]) -> list[TextLine]:
    """The runs of a pass-1 line that no window touches, as lines of their own (reused)."""
    pieces, start = [], None
    for i, hit in enumerate([*touched, True]):
        if not hit and start is None:
            start = i
        elif hit and start is not None:
            if line.text[start:i].strip():
                pieces.append(TextLine(line.text[start:i], line.boxes[start:i], line.source,
                                       True, line.unsure[start:i]))
            start = None
    return pieces


@dataclass(frozen=True)
class PageSource:
    """Where an output page came from: its source file and page, and how pass 1 read it."""

    path: Path
    page: int
    ocr_mode: OcrModeName = "auto"
    label_rules: tuple[Rule, ...] = ()   # the document's after-label rules, for new readings
    # Pass 1 found the source page to draw no vector shapes that may be characters. Redaction
    # only removes paths (those its rects cover) and draws rectangles and text, so the output
    # page draws none either: `ocr_plan` need not list its drawings (~3 ms an ECG page).
    flat: bool = False


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
