"""Whether a demo archive's handwritten signatures, or identifiers drawn on scanned pages, still
show in an output: a check by pixels.

OCR cannot read handwriting, so a signature left whole in the output is no leak to the text and
OCR counts of `evaluate`; nor is a name on a scan that OCR misreads, though a person reads it.
The ground truth says where each was drawn; that region of the source page is compared with the
same region of the output page, both rendered in grey, cell by cell. A cell is intact when most
of its ink is not lighter than it was and most of its paper not darker: a black box darkens the
paper, a label's grey fill or blanked pixels lighten the ink, while re-encoding a scan as JPEG
moves grey levels by a few. Ink and paper are measured against
the region's own paper tone, since scans are darker than white and some inks scan light grey.
The signature is visible when intact cells hold at least half of its ink: half a name written by
hand still names, and a box that covers most of it leaves only strokes.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pymupdf

from .cells import cell_counts, cell_sums, grown
from .lazy import LazyModule
from .ocr import render_region
from .ocrdiff import CHANGED_LEVEL
from .pdfopen import open_pdf

np = LazyModule("numpy", globals())

DPI = 144.0          # 2 px a point: a rect at whole points falls on whole pixels
CELL = 12            # px, 6 pt: about a third of a written character
PAPER_SHARE = 75     # percentile of the region's grey taken as its paper: ink covers far less
INK = 80             # levels darker than the paper: ink (blue ink scanned light grey is ~100)
PAPER = 30           # levels within the paper's: paper; between them the edges of strokes,
                     # which blur and JPEG move most, are counted as neither
MOST = 0.6           # share of a cell's ink (and of its paper) that must be as it was
VISIBLE_SHARE = 0.5  # share of the signature's ink in intact cells from which it shows
# Printed identifiers: a pseudonym label is written where the name was, about its size, so its
# strokes land on much of the old ink and its grey fill is within CHANGED_LEVEL of a dark scan's
# paper ("家属甲" over "毛晨阳" kept 70% of the ink "intact"). The strokes have other shapes: a
# cell is intact only if its grey levels still follow the source's (Pearson correlation), which
# JPEG re-encoding leaves near 1 and a different glyph drops below 0.3 (FINDINGS.md).
TEXT_MIN_CORRELATION = 0.7
RULE_SHARE = 0.9     # of a region's pixel row (column) inked: a table's rule crossing it
RULE_DRIFT_PX = 1    # either way: how far a skewed rule wanders across a value's rect


@dataclass(frozen=True)
class Visibility:
    share: float     # of the source's ink in the rect, the part in intact cells
    visible: bool


def _grey(page: pymupdf.Page, rect) -> np.ndarray:
    return np.asarray(render_region(page, tuple(rect), DPI).image)


def visibility(source: pymupdf.Page, output: pymupdf.Page, rect,
               min_correlation: float | None = None) -> Visibility:
    """How much of what `rect` shows on the source page shows unchanged on the output page;
    with `min_correlation`, a cell whose grey levels no longer follow the source's is not."""
    rect = pymupdf.Rect(rect) & source.rect
    if rect.is_empty:
        return Visibility(0.0, False)
    before, after = _grey(source, rect), _grey(output, rect)
    h, w = min(before.shape[0], after.shape[0]), min(before.shape[1], after.shape[1])
    before, after = before[:h, :w].astype(np.int16), after[:h, :w].astype(np.int16)
    tone = np.percentile(before, PAPER_SHARE)
    ink, paper = before < tone - INK, before > tone - PAPER
    ink &= ~_rules(ink)
    # CHANGED_LEVEL: what verification takes for a change, not JPEG noise (ocrdiff).
    ink_kept, paper_kept = after - before <= CHANGED_LEVEL, before - after <= CHANGED_LEVEL
    ink_n, paper_n = cell_counts(ink, CELL), cell_counts(paper, CELL)
    intact = (cell_counts(ink & ink_kept, CELL) >= MOST * ink_n) \
        & (cell_counts(paper & paper_kept, CELL) >= MOST * paper_n)
    if min_correlation is not None:
        intact &= _correlation(before, after) >= min_correlation
    total = int(ink_n.sum())
    share = float(ink_n[intact].sum()) / total if total else 0.0
    return Visibility(share, share >= VISIBLE_SHARE)


def _rules(ink: np.ndarray) -> np.ndarray:
    """The table's rules crossing a region: pixel rows (columns) inked over RULE_SHARE of its
    width (height). The ground truth's rect of a value is its line's height, which on a
    tight table reaches the rule under it; a rule left whole is no value shown (seed 33
    V0010-03: the bed "1" hidden, the rule under it "59% visible"). A scan's skew moves a
    rule a pixel or two across the region, so it is measured over RULE_DRIFT_PX neighbours:
    a cell's left rule, 1.7 px off upright over a bed "3" hidden whole, made it "57% visible"
    (seed 57 V0001-08)."""
    rows = grown(ink, RULE_DRIFT_PX, 0).mean(axis=1) >= RULE_SHARE
    cols = grown(ink, RULE_DRIFT_PX, 1).mean(axis=0) >= RULE_SHARE
    return (rows[:, None] | cols[None, :]) & ink


def _correlation(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson correlation of two images' grey levels in each CELL x CELL square."""
    a, b = a.astype(np.float64), b.astype(np.float64)
    n, sa, sb = cell_sums(np.ones_like(a), CELL), cell_sums(a, CELL), cell_sums(b, CELL)
    cov = cell_sums(a * b, CELL) - sa * sb / n
    var = (cell_sums(a * a, CELL) - sa * sa / n) * (cell_sums(b * b, CELL) - sb * sb / n)
    return cov / np.sqrt(np.maximum(var, 1e-9))


def region_visibility(regions: Sequence[dict], sources: Mapping[str, tuple[int, Path]],
                      page_map: Sequence[tuple[int, int]], out: Path,
                      min_correlation: float | None = None) -> list[dict]:
    """Each ground-truth region ({"doc", "page" from 1, "rect"}: a signature, or an identifier
    drawn on a scanned page) with its `share` and `visible` in the output `out`. `sources`
    gives a document id's index among the record's inputs and its file; `page_map` the (input
    index, page from 0) of every output page. A region whose page is not in the output (its
    document could not be read) is not visible.
    """
    at = {src: n for n, src in enumerate(page_map)}
    checked = []
    with pymupdf.open(out) as output:
        for doc_id in dict.fromkeys(r["doc"] for r in regions):
            index, path = sources[doc_id]
            mine = [r for r in regions if r["doc"] == doc_id]
            if not any(d == index for d, _ in page_map):      # unreadable: nothing to open
                checked.extend({**r, "share": 0.0, "visible": False} for r in mine)
                continue
            # As the pipeline read it: open_pdf bakes notes into the page, as redaction saw it.
            with open_pdf(path) as source:
                for region in mine:
                    page = at.get((index, region["page"] - 1))
                    seen = Visibility(0.0, False) if page is None else \
                        visibility(source[region["page"] - 1], output[page], region["rect"],
                                   min_correlation)
                    checked.append({**region, "share": round(seen.share, 3),
                                    "visible": seen.visible})
    return checked
