"""Ink on a scan that OCR did not read as print: a handwritten signature, a stamp, a logo.

A signature is found by its label ("签名：") in most places, but on a scan the handwriting
beside the label often spoils OCR of the whole row: "签名：孟辉" came back as "0有0 RE", no
label was read and the name stayed in the export. So the ink itself is looked at: what is left
once the characters OCR read with confidence are taken away, in blobs taller than the print
around them (handwriting is written bigger than a form is printed) and no bigger than a stamp.
Such a blob comes back as an OCR line of one mark character (`textlayer.HANDWRITING`) with its
box, for the policy's `handwriting` detector to find.

Printed words OCR was unsure of are a line high and are left alone; so are a chart's traces
(wider than any signature) and solid boxes (a redaction's box is not handwriting).
"""
from __future__ import annotations

import unicodedata

import numpy as np

from .cells import cell_counts

# A word read with at least this confidence is print, and its ink is explained.
PRINT_CONF = 60.0
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
    paper = int(np.median(gray[::4, ::4]))
    ink = gray < paper - DARK_BELOW_PAPER
    pad = max(1, round(0.1 * em))
    for x0, y0, x1, y1, _ch in printed:
        ink[max(0, y0 - pad):y1 + pad, max(0, x0 - pad):x1 + pad] = False
    cell = max(2, round(em * CELL_EM))
    inked = cell_counts(ink, cell) >= CELL_INK
    # Joined across narrow gaps along the row: a chart's trace that taking out the grid's
    # rules cut into beats is one long blob again (no signature), a column of signatures in a
    # table is not joined to the rows above and below.
    joined = inked.copy()
    for step in range(1, JOIN_CELLS + 1):
        joined[:, step:] |= inked[:, :-step]
        joined[:, :-step] |= inked[:, step:]
    out = []
    for r0, c0, r1, c1 in _components(joined):
        y0, x0, y1, x1 = r0 * cell, c0 * cell, r1 * cell, c1 * cell
        h, w = (y1 - y0) / em, (x1 - x0) / em
        if not (MIN_HEIGHT_EM <= h <= MAX_HEIGHT_EM and MIN_WIDTH_EM <= w <= MAX_WIDTH_EM):
            continue
        if ink[y0:y1, x0:x1].mean() > MAX_INK_SHARE:
            continue
        out.append((x0, y0, min(x1, gray.shape[1]), min(y1, gray.shape[0])))
    return out


def _components(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Bounding boxes (row0, col0, row1, col1) of the 8-connected groups of true cells."""
    seen = np.zeros_like(mask)
    out = []
    height, width = mask.shape
    for r, c in zip(*np.nonzero(mask)):
        if seen[r, c]:
            continue
        seen[r, c] = True
        stack, box = [(r, c)], [r, c, r + 1, c + 1]
        while stack:
            y, x = stack.pop()
            box[0], box[1] = min(box[0], y), min(box[1], x)
            box[2], box[3] = max(box[2], y + 1), max(box[3], x + 1)
            for ny in (y - 1, y, y + 1):
                for nx in (x - 1, x, x + 1):
                    if 0 <= ny < height and 0 <= nx < width and mask[ny, nx] and not seen[ny, nx]:
                        seen[ny, nx] = True
                        stack.append((ny, nx))
        out.append(tuple(int(v) for v in box))
    return out
