"""Header and footer lines a whole-page reading skipped.

Tesseract (psm 6) reads a page as one block, top to bottom; below a chart (fetal monitoring,
an ECG) it may stop, and the footer's hospital name under it is never read, so never hidden
(seed 30 V0018-02: page 2's footer read, page 1's not). The page's top and bottom bands are
where a hospital prints its name; rows of ink there that no line read covers are read again,
cut out on their own.
"""
from __future__ import annotations

from .lazy import LazyModule
from .scanprep import INK

np = LazyModule("numpy", globals())

EDGE_SHARE = 0.12      # the top and bottom bands of the page looked at
ROW_INK_IN = 0.08      # a row of print holds at least this much ink across (a speck does not)
MIN_LINE_IN = 0.05     # a run of such rows this tall is a line of print
MAX_LINE_IN = 0.6      # taller is a picture, a stamp or a chart: not a footer's line
MARGIN_IN = 0.06       # paper kept above and below a line cut out
# A line of print whose rows the lines read cover less than this share of was not read: a
# footer under a chart, or a hospital's name over the title the reading began with (seed 46
# V0001-04, "。1 病程记录" read for the two lines, boxed over the title's rows).
READ_SHARE = 0.5


def unread_lines(grey: np.ndarray, read_rows: list[tuple[int, int]], dpi: float
                 ) -> list[tuple[int, int]]:
    """(top, bottom) pixel rows, margins added, of the lines of print in the page's top and
    bottom bands that no reading covers (`read_rows`: the rows of the lines read)."""
    h = grey.shape[0]
    band = int(h * EDGE_SHARE)
    if band <= 0:
        return []
    ink = (grey < INK).sum(axis=1) >= max(4, ROW_INK_IN * dpi)
    ink[band:h - band] = False
    read = np.zeros(h, dtype=bool)
    for y0, y1 in read_rows:
        read[max(y0, 0):max(y1, 0)] = True
    out = []
    margin = int(MARGIN_IN * dpi)
    rows = np.flatnonzero(ink)
    if not len(rows):
        return []
    for run in np.split(rows, np.flatnonzero(np.diff(rows) > 2) + 1):
        height = run[-1] + 1 - run[0]
        if (MIN_LINE_IN * dpi <= height <= MAX_LINE_IN * dpi
                and read[run[0]:run[-1] + 1].sum() < READ_SHARE * height):
            out.append((max(run[0] - margin, 0), min(run[-1] + 1 + margin, h)))
    return out
