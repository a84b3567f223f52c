"""Lines a page's reading garbled, read again on their own.

Tesseract (psm 6) reads a scanned page, or a table's columns stacked (`scanprep.unrolled`), as
one block of lines of about one height. A cell whose note wrapped onto a second line is twice
that height, and its reading can come out as noise: seed 40 V0015-10 read "生生同人的全人人们生生"
for "哭声弱，…父亲吴家豪陪" / "护", every word unsure, and the relative's name stayed in the export.
Cut out with the paper around them, such lines read right. They are set one under another in
one strip (one Tesseract call a page), and what that reading finds joins the page's lines
beside the garbled reading.
"""
from __future__ import annotations

import unicodedata

from . import handwriting
from .cells import paper_tone
from .hocr import HocrLine
from .lazy import LazyModule
from .textlayer import HANDWRITING, UNSURE_CONF, TextLine
from .unread import DARK_BELOW_PAPER

np = LazyModule("numpy", globals())

# A line is read again when OCR was unsure of this many of its characters, and of this share:
# a signature's two or three marks are handwriting (`handwriting`), not a garbled line.
MIN_UNSURE = 5
UNSURE_SHARE = 0.3
PAD = 1 / 3          # of the line's height: paper above and below, twice that either side
MAX_LINES = 40       # more is a page too poor to read twice, not a few garbled lines
MAX_STRIP = 30000    # pixels down; Tesseract refuses an image taller than 32767


# A Chinese character read with less confidence than print, boxed this many times wider than
# tall, stands for a stretch of ink it did not read: "签名： 兰家豪" (a signature written print
# size) came back as "E各", 各 boxed over all of it (seed 53 V0022-03).
SMEARED_WIDE = 3.0
SMEARED_CONF = 50.0
# Of a line's height, the ink a column needs to be part of its print, not a paper speck.
COLUMN_INK = 0.1


def garbled(parsed: list[HocrLine], gray: np.ndarray | None = None
            ) -> list[tuple[int, int, int, int]]:
    """Pixel boxes of the lines whose reading OCR was mostly unsure of, or that a character
    smeared over (`_smeared`); those are cut down to their print (with `gray`): read with the
    specks either side that the page's reading took into the line, "签名： 兰家豪" read "3"."""
    out = []
    for line in parsed:
        low = sum(line.word_conf(word) < UNSURE_CONF for _c, _b, word in line.chars)
        if low >= MIN_UNSURE and low >= UNSURE_SHARE * len(line.chars):
            out.append(line.bbox)
        elif _smeared(line):
            box = _print_of(gray, line.bbox) if gray is not None else line.bbox
            if box is not None:
                out.append(box)
    if gray is not None:
        out = [box for box in out if print_like(gray, box)]
    return out if len(out) <= MAX_LINES else []


# A row of ink this many times wider than tall whose columns stack strokes less than this
# share is a chart's trace (an ECG's rhythm strip: 0.004-0.01 measured), not print (0.33-0.6):
# read again, it cost a second look's time and found nothing. Shorter rows ("17", "+1": no
# stroke over another) are left to be read.
TRACE_WIDE = 8.0
TRACE_STACKED = 0.1


def print_like(gray: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    """Whether the ink in pixel box `box` may be a line of print, not a chart's trace."""
    x0, y0, x1, y1 = (max(v, 0) for v in box)
    if x1 - x0 < TRACE_WIDE * (y1 - y0):
        return True
    ink = gray[y0:y1, x0:x1] < paper_tone(gray) - DARK_BELOW_PAPER
    return handwriting.stacked_share(ink, y1 - y0) >= TRACE_STACKED


def _smeared(line: HocrLine) -> bool:
    # A box as tall as the line's print: Tesseract also puts characters it read right in
    # boxes a few pixels high and wide as the line (a rule's), and rereading those finds nothing.
    tall = (line.bbox[3] - line.bbox[1]) / 2
    return any(unicodedata.east_asian_width(ch) == "W" and line.word_conf(word) < SMEARED_CONF
               and b[3] - b[1] >= tall and b[2] - b[0] > SMEARED_WIDE * (b[3] - b[1])
               for ch, b, word in line.chars)


def _print_of(gray: np.ndarray, box: tuple[int, int, int, int]
              ) -> tuple[int, int, int, int] | None:
    """`box` from its first column of print to its last, or None when it holds none."""
    x0, y0, x1, y1 = box
    part = gray[max(y0, 0):y1, max(x0, 0):x1] < paper_tone(gray) - DARK_BELOW_PAPER
    cols = np.flatnonzero(part.sum(axis=0) >= max(2, COLUMN_INK * (y1 - y0)))
    return (max(x0, 0) + int(cols[0]), y0, max(x0, 0) + int(cols[-1]) + 1, y1) \
        if len(cols) else None


def strip(gray: np.ndarray, boxes: list[tuple[int, int, int, int]], padded: bool = True
          ) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """The lines `boxes` cut out of `gray` with the paper around them (`padded`; else as
    given), one under another on its paper, and for each the strip's rows it occupies and the
    offset from the strip to the image: (sy0, sy1, dx, dy). Lines that would make the strip
    too tall are left out."""
    height, width = gray.shape
    crops = []
    for x0, y0, x1, y1 in boxes:
        pad = max(4, round((y1 - y0) * PAD)) if padded else 0
        crops.append((max(0, x0 - 2 * pad), max(0, y0 - pad),
                      min(width, x1 + 2 * pad), min(height, y1 + pad)))
    gap = max(y1 - y0 for _x0, y0, _x1, y1 in crops)
    slots, y = [], gap
    for x0, y0, x1, y1 in crops:
        if y + (y1 - y0) + gap > MAX_STRIP:
            break
        slots.append((y, y + y1 - y0, x0 - gap, y0 - y))
        y += y1 - y0 + gap
    out = np.full((y, max(x1 - x0 for x0, _y0, x1, _y1 in crops) + 2 * gap), paper_tone(gray),
                  dtype=np.uint8)
    for (x0, y0, x1, y1), (sy0, sy1, _dx, _dy) in zip(crops, slots):
        out[sy0:sy1, gap:gap + x1 - x0] = gray[y0:y1, x0:x1]
    return out, slots


def placed(lines: list[tuple[TextLine, float]], slots: list[tuple[int, int, int, int]]
           ) -> list[tuple[str, list[tuple[float, float, float, float]], str, float]]:
    """The strip's reading (`lines`, boxes in the strip's pixels) moved back to where each
    line stood: (text, pixel boxes in the image, unsure characters, confidence)."""
    out = []
    for line, conf in lines:
        if line.text == HANDWRITING:
            continue
        _x0, y0, _x1, y1 = line.bbox
        middle = (y0 + y1) / 2
        slot = next((s for s in slots if s[0] <= middle < s[1]), None)
        if slot is None:
            continue
        _sy0, _sy1, dx, dy = slot
        out.append((line.text, [(b[0] + dx, b[1] + dy, b[2] + dx, b[3] + dy) for b in line.boxes],
                    line.unsure, conf))
    return out
