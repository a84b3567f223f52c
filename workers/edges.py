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


# Between the bands, a line of print is at most this tall: a chart's rows are all ink.
MAX_BODY_LINE_IN = 0.3


def unread_lines(grey: np.ndarray, read_rows: list[tuple[int, int]], dpi: float,
                 body: bool = False) -> list[tuple[int, int]]:
    """(top, bottom) pixel rows, margins added, of the lines of print in the page's top and
    bottom bands that no reading covers (`read_rows`: the rows of the lines read); with
    `body`, of those between the bands instead."""
    h = grey.shape[0]
    band = int(h * EDGE_SHARE)
    if band <= 0:
        return []
    ink = (grey < INK).sum(axis=1) >= max(4, ROW_INK_IN * dpi)
    if body:
        ink[:band] = ink[h - band:] = False
    else:
        ink[band:h - band] = False
    tallest = (MAX_BODY_LINE_IN if body else MAX_LINE_IN) * dpi
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
        if (MIN_LINE_IN * dpi <= height <= tallest
                and read[run[0]:run[-1] + 1].sum() < READ_SHARE * height):
            out.append((max(run[0] - margin, 0), min(run[-1] + 1 + margin, h)))
    return out


def ink_across(grey: np.ndarray, top: int, bottom: int) -> tuple[int, int, int, int] | None:
    """Rows [top, bottom) from the first ink across to the last, or None when there is none."""
    cols = np.flatnonzero((grey[top:bottom] < INK).any(axis=0))
    return (int(cols[0]), top, int(cols[-1]) + 1, bottom) if len(cols) else None


SPECK_PX = 3           # ink pixels in a row that are more than a speck
PART_IN = 0.02         # paper between two lines of print


def stacked_lines(grey: np.ndarray, boxes: list[tuple[int, int, int, int]], dpi: float,
                  chars: list[tuple[int, int, int, int]] = ()) -> list[tuple[int, int, int, int]]:
    """Pixel boxes of the lines of print inside a line's box (`boxes`: the boxes of the lines
    read) that holds more than one, parted by paper: the reading took in a line it did not
    read (small grey labels over their values, the line boxed over both and only the values
    read, seed 50 V0003-03). A line the characters read already cover (`chars`: their pixel
    boxes) is left out: a signature's tail hung one line's box over the footnote below it,
    both read (the scanned benchmark's lab report), and reading them again cost a call."""
    out = []
    least, most = MIN_LINE_IN * dpi, MAX_BODY_LINE_IN * dpi
    apart, margin = max(3, round(PART_IN * dpi)), int(MARGIN_IN * dpi / 2)
    for x0, y0, x1, y1 in boxes:
        part = grey[max(y0, 0):y1, max(x0, 0):x1] < INK
        if part.size == 0:
            continue
        # Any ink in a row counts (a row through a few thin strokes has little), specks aside;
        # lines are parted by a band of paper, not by one clean row.
        rows = np.flatnonzero(part.sum(axis=1) >= SPECK_PX)
        if not len(rows):
            continue
        runs = [r for r in np.split(rows, np.flatnonzero(np.diff(rows) > apart) + 1)
                if least <= r[-1] + 1 - r[0] <= most]
        if len(runs) < 2:
            continue
        # Each line cut out down to the middle of the paper parting it from the next: more
        # took in the tops of the next line's characters, read as a line of garbage.
        top0 = max(y0, 0)
        for i, run in enumerate(runs):
            cols = np.flatnonzero(part[run[0]:run[-1] + 1].any(axis=0))
            if _covered(chars, top0 + run[0], top0 + run[-1] + 1, max(x0, 0) + cols):
                continue
            above = (runs[i - 1][-1] + 1 + run[0]) // 2 if i else max(run[0] - margin, -top0)
            below = ((run[-1] + 1 + runs[i + 1][0]) // 2 if i + 1 < len(runs)
                     else run[-1] + 1 + margin)
            out.append((max(x0, 0) + int(cols[0]), top0 + int(above),
                        max(x0, 0) + int(cols[-1]) + 1, min(top0 + int(below), grey.shape[0])))
    return out


# A character boxed this much taller than a line of print took in the line over or under it
# too (the seed 50 labels and values): it does not show that either line was read.
CHAR_TALLER = 1.5


def _covered(chars, top: int, bottom: int, cols: np.ndarray) -> bool:
    """Whether characters no taller than a line's own print, on its rows, cover the inked
    columns `cols` of the line of print between pixel rows `top` and `bottom`."""
    height = bottom - top
    read = np.zeros(len(cols), dtype=bool)
    for x0, y0, x1, y1 in chars:
        if (y1 - y0 <= CHAR_TALLER * height and min(y1, bottom) - max(y0, top) >= height / 2):
            read |= (cols >= x0) & (cols < x1)
    return len(cols) > 0 and read.mean() >= READ_SHARE
