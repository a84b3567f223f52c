"""Ink on a scan that OCR did not read as print: a handwritten signature, a stamp, a logo.

A signature is found by its label ("签名：") in most places, but on a scan the handwriting
beside the label often spoils OCR of the whole row: "签名：孟辉" came back as "0有0 RE", no
label was read and the name stayed in the export. So the ink itself is looked at: what is left
once the characters OCR read with confidence are taken away, in blobs taller than the print
around them (handwriting is written bigger than a form is printed) and no bigger than a stamp.
Such a blob comes back as an OCR line of one mark character (`textlayer.HANDWRITING`) with its
box, for the policy's `handwriting` detector to find.

Printed words OCR was unsure of are a line high and are left alone; so are a chart's traces
(wider than any signature, and a graph: one stroke over each point of the time axis, where
written characters stack strokes), solid boxes and the labelled boxes redaction draws, and
table rules (a rule a cropped image cut short is no taller than handwriting, and beside print
it made the print a blob).
"""
from __future__ import annotations

import unicodedata

from .cells import cell_counts, components, grown, paper_tone
from .lazy import LazyModule
from .redact import LABEL_FILL
from .scanprep import runs

np = LazyModule("numpy", globals())

# A word read with at least this confidence is print, and its ink is explained.
PRINT_CONF = 60.0
# Unless a character's box is this many times taller than the line's print (its median):
# a signature read as confident letters ("医师签名 入|", seed 30 V0006-08) is no print.
PRINT_TALL = 1.6
# A half-width character's box is at most this wide (em), its padding included.
HALF_WIDTH_MAX_EM = 1.2
# A blob counts from this height (in the em of the confident print) and up to these sizes.
MIN_HEIGHT_EM = 1.25
MAX_HEIGHT_EM = 12.0
MIN_WIDTH_EM = 1.0
MAX_WIDTH_EM = 12.0   # a round stamp is 8-11 em across
# Handwriting and stamps are strokes on paper; a filled box is not.
MAX_INK_SHARE = 0.5
CELL_EM = 1 / 6        # blobs are found on a grid of cells this wide
JOIN_CELLS = 2          # cells of gap along a row that do not part a blob
CELL_INK = 4           # dark pixels a cell needs (paper specks have fewer)
DARK_BELOW_PAPER = 80  # grey levels under the paper's tone that count as ink
# Straight ink runs this long (in em) are rules, not strokes; thin ones (a scanned rule is a
# pixel or three, a pen's stroke wider or slanting) from THIN_RULE_EM: a table's rule between
# two cells is a row high, and a crop cuts a longer one short.
RULE_EM = 3.0
THIN_RULE_EM = 1.2
THIN_EM = 0.2
# Of a blob's inked columns, the share crossing two strokes or more (apart by STACK_GAP_EM):
# written characters stack strokes (0.33-0.87 measured), a trace's beats do not (0.0-0.18).
MIN_STACKED = 0.25
STACK_GAP_EM = 0.1
# Blobs sharing this much of the lower one's height and at most this far apart (in em) are
# one signature; a printed label between two signatures is wider.
BRIDGE_SHARE = 0.5
BRIDGE_EM = 3.0
LABEL_GREY = round(255 * LABEL_FILL[0])
LABEL_TONE = 10        # grey levels around LABEL_GREY that are a redaction label's fill


def print_sized(chars: list[tuple[int, int, int, int, str]]
                ) -> list[tuple[int, int, int, int, str]]:
    """The characters of one line read with confidence whose boxes are no taller than print."""
    if len(chars) < 3:
        return chars
    heights = sorted(c[3] - c[1] for c in chars)
    limit = PRINT_TALL * heights[len(heights) // 2]
    return [c for c in chars if c[3] - c[1] <= limit]


def blobs(gray: np.ndarray, printed: list[tuple[int, int, int, int, str]]
          ) -> list[tuple[int, int, int, int]]:
    """Pixel boxes of unexplained ink blobs in `gray`, given the pixel boxes of characters
    read as print, with the character (the em is the width of a Chinese one: their boxes are
    as tall as the line)."""
    widths = [b[2] - b[0] for b in printed if unicodedata.east_asian_width(b[4]) == "W"]
    if len(widths) < 5 or gray.size == 0:
        return []
    em = float(np.median(widths))
    if em < 4:
        return []
    # A digit or letter boxed over more than a Chinese character's width was fitted onto ink
    # not its own: "住院医师: 冯莉 2024-08-16" read "住院医师: /藉、2024-08-16", the date's
    # first digits fitted over the signature's flourish, which then seemed print and stayed
    # in the export (seed 66 V0026-02, unseen).
    printed = [b for b in printed if unicodedata.east_asian_width(b[4]) in "WF"
               or b[2] - b[0] <= HALF_WIDTH_MAX_EM * em]
    paper = paper_tone(gray)
    ink = gray < paper - DARK_BELOW_PAPER
    # Rules are looked for in all the ink: OCR reads a table's rule as a confident "|", and with
    # that character taken away the rule's stub below it was too short to be one and made the
    # date beside it (unsure print) tall enough for handwriting.
    whole = ink.copy()
    pad = max(1, round(0.1 * em))
    for x0, y0, x1, y1, _ch in printed:
        ink[max(0, y0 - pad):y1 + pad, max(0, x0 - pad):x1 + pad] = False
    cell = max(2, round(em * CELL_EM))
    out = []
    for y0, x0, y1, x1 in _sized(ink, em, cell):
        # Rules are taken out around each blob only (a whole page costs a second at 300 dpi),
        # looking far enough either side to see a rule's length; what is left is looked at again.
        m = round(RULE_EM * em)
        ay, ax = max(0, y0 - m), max(0, x0 - m)
        around = whole[ay:y1 + m, ax:x1 + m]
        rules = _rules(around, em, 0) | _rules(around, em, 1)
        inner = rules[y0 - ay:y1 - ay, x0 - ax:x1 - ax]
        if not inner.any():
            parts = [(y0, x0, y1, x1)]
        else:
            left = ink[y0:y1, x0:x1] & ~inner
            parts = [(y0 + a, x0 + b, y0 + c, x0 + d) for a, b, c, d in _sized(left, em, cell)]
        for py0, px0, py1, px1 in parts:
            box = ink[py0:py1, px0:px1]
            if box.mean() > MAX_INK_SHARE or stacked_share(box, em) < MIN_STACKED:
                continue
            if _on_label(gray[py0:py1, px0:px1], box, paper):
                continue
            out.append((px0, py0, min(px1, gray.shape[1]), min(py1, gray.shape[0])))
    return _bridged(out, em)


def _bridged(boxes: list[tuple[int, int, int, int]], em: float
             ) -> list[tuple[int, int, int, int]]:
    """Blobs side by side on one row, close enough to be one signature, joined with what lies
    between: OCR read the middle of "王成" written over a stamp as confident print ("王怀"),
    and only its first and last strokes were left as blobs (seed 30 V0025-08)."""
    out: list[list[int]] = []
    for box in sorted(boxes):
        for joined in out:
            shared = min(joined[3], box[3]) - max(joined[1], box[1])
            if (shared >= BRIDGE_SHARE * min(joined[3] - joined[1], box[3] - box[1])
                    and box[0] - joined[2] <= BRIDGE_EM * em):
                joined[:] = [min(joined[0], box[0]), min(joined[1], box[1]),
                             max(joined[2], box[2]), max(joined[3], box[3])]
                break
        else:
            out.append(list(box))
    return [tuple(b) for b in out]


def _sized(ink: np.ndarray, em: float, cell: int) -> list[tuple[int, int, int, int]]:
    """Pixel boxes (y0, x0, y1, x1) of the blobs of `ink` as large as handwriting."""
    inked = cell_counts(ink, cell) >= CELL_INK
    # Joined across narrow gaps along the row: a chart's trace that taking out the grid's
    # rules cut into beats is one long blob again (no signature), a column of signatures in a
    # table is not joined to the rows above and below.
    joined = grown(inked, JOIN_CELLS, 1)
    out = []
    for r0, c0, r1, c1 in components(joined):
        y0, x0, y1, x1 = r0 * cell, c0 * cell, r1 * cell, c1 * cell
        h, w = (y1 - y0) / em, (x1 - x0) / em
        if MIN_HEIGHT_EM <= h <= MAX_HEIGHT_EM and MIN_WIDTH_EM <= w <= MAX_WIDTH_EM:
            out.append((y0, x0, y1, x1))
    return out


def _rules(ink: np.ndarray, em: float, axis: int) -> np.ndarray:
    """Ink in straight runs along `axis` long enough to be a rule."""
    wide = max(2, round(THIN_EM * em))
    thin = ink & ~runs(ink, wide + 1, 1 - axis)
    rules = runs(ink, round(RULE_EM * em), axis) | runs(thin, round(THIN_RULE_EM * em),
                                                                     axis)
    # A scanned rule's blurred edges are shorter runs beside it: they go with it.
    return grown(rules, wide, 1 - axis) & ink


def stacked_share(box: np.ndarray, em: float) -> float:
    """Of the inked columns of `box`, the share where ink stands above a gap above more ink."""
    cols = box.any(axis=0)
    if not cols.any():
        return 0.0
    above = np.maximum.accumulate(box, axis=0)
    below = np.maximum.accumulate(box[::-1], axis=0)[::-1]
    gap = ~box & above & below
    gaps = runs(gap, max(2, round(STACK_GAP_EM * em)), 0).any(axis=0)
    return float((gaps & cols).sum() / cols.sum())


def _on_label(gray: np.ndarray, ink: np.ndarray, paper: int) -> bool:
    """Whether the blob stands on a redaction label's grey fill (its text OCR was unsure of)."""
    ground = gray[~ink & (gray < paper - DARK_BELOW_PAPER // 4)]
    if ground.size < 0.3 * gray.size:
        return False
    return abs(int(np.median(ground)) - LABEL_GREY) <= LABEL_TONE
