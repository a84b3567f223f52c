"""Print a page's reading passed over: small blobs of ink no character read covers.

Tesseract (psm 6) now and then drops a short word standing alone in a table cell: on seed 30
V0015-05 the bed number "7" under its header "床号" was not read at all, so nothing could
find it and the export showed it. Such blobs, the size of print, are cut out and read once
more, side by side in one strip (one Tesseract call a page), and what that reading finds goes
into the page's lines like any other: the hunters know where a bed number stands.
"""
from __future__ import annotations

import unicodedata

from . import scanprep
from .cells import components, paper_tone
from .lazy import LazyModule
from .textlayer import HANDWRITING, TextLine

np = LazyModule("numpy", globals())

# A blob counts from this height (in the em of the page's print) up to print's own height with
# room for a skewed line; longer than a few characters is a line a reading would not drop.
MIN_HEIGHT_EM = 0.4
MAX_HEIGHT_EM = 1.4
MAX_WIDTH_EM = 3.0
CELL_EM = 1 / 6        # blobs are found on a grid of cells this wide
CELL_INK = 4           # dark pixels a cell needs (paper specks have fewer)
DARK_BELOW_PAPER = 80  # grey levels under the paper's tone that count as ink
# Print's strokes have a dark core; grey dust a blurred scan kept (140 on paper 240) has none.
CORE_BELOW_PAPER = 150
READ_PAD_EM = 0.15     # around a character read: its ink's blur and antialiasing
MAX_INK_SHARE = 0.6    # a filled box is no print
# The strip read again: blobs side by side on the page's paper, this far apart and around.
GAP_EM = 1.5            # of the tallest blob
MAX_STRIP = 30000      # pixels across; Tesseract refuses an image wider than 32767
MIN_CHARS = 5         # Chinese characters read, to know the em by
MAX_BLOBS = 60         # more is a noisy page, not a few dropped words
JOIN_EM = 0.5          # blobs closer than this on a row are one word
MISFIT_EM = 2.5        # a character boxed wider than this did not read what its box holds
# A straight run of ink this long (em) is a rule: a character's longest stroke is about 1 em.
STUB_EM = 1.2
CELL_MAX_EM = 5.0      # a group of ink up to this size may be a word against a cell's rule


def reads_ink(text: str, ch: str, box, em: float) -> bool:
    """Whether a character read explains the ink in its box. A digit, letter or mark boxed
    several em wide is a misfit (seed 33 V0004-07: a "0" boxed from one cell over the bed
    number "20" in the next, read "Te" beside it); a Chinese character boxed wide still read
    the ink at one end of it ("5.90下" for a lab flag's arrow). A space's box spans the gap
    between two words: counted as read, since Tesseract drops a lab table's flag arrows from
    almost every row, and each such page would cost a second call. A mark of handwriting
    explains its whole blob."""
    if ch.isspace():
        return box[2] - box[0] <= WIDE_SPACE_EM * em or not _header_line(text)
    if text == HANDWRITING or unicodedata.east_asian_width(ch) in "WF":
        return True
    return box[2] - box[0] <= MISFIT_EM * em


# A space this wide (em) on a patient's header line may hide a field OCR passed over: "床号： 28"
# read "2" then a 14 em space (seed 61 V0017-07). Its ink is looked at; not a lab row's gaps,
# where Tesseract drops the flag arrows from almost every row.
WIDE_SPACE_EM = 4.0
HEADER_WORDS = ("床号", "病案号", "住院号", "门诊号", "科别", "科室", "性别", "年龄", "姓名")


def _header_line(text: str) -> bool:
    return any(w in text for w in HEADER_WORDS)


def dropped(gray: np.ndarray, read: list[tuple[int, int, int, int]], em: float,
            lines: list[tuple[int, int]] | None = None) -> list[tuple[int, int, int, int]]:
    """Pixel boxes (x0, y0, x1, y1) of print-sized ink in `gray` that none of the boxes of
    `read` (characters read, handwriting marks) covers; with `lines` (the pixel rows of the
    lines read), only ink level with one of them: a word dropped from a row whose other
    cells were read, not a chart's trace (an ECG's cost a Tesseract call reading nothing)."""
    if em < 4 or gray.size == 0:
        return []
    cell = max(2, min(15, round(em * CELL_EM)))   # 15: a cell's count fits a byte
    rows, cols = gray.shape[0] // cell, gray.shape[1] // cell
    paper = paper_tone(gray)
    ink = gray[:rows * cell, :cols * cell] < paper - DARK_BELOW_PAPER
    pad = max(1, round(READ_PAD_EM * em))
    for x0, y0, x1, y1 in read:
        ink[max(0, y0 - pad):max(0, y1 + pad), max(0, x0 - pad):max(0, x1 + pad)] = False
    out = []
    for x0, y0, x1, y1 in _blobs(ink, cell, em):
        middle = (y0 + y1) / 2
        if lines is not None and not any(top <= middle <= bottom for top, bottom in lines):
            continue
        if (ink[y0:y1, x0:x1].mean() > MAX_INK_SHARE
                or gray[y0:y1, x0:x1].min() > paper - CORE_BELOW_PAPER):
            continue
        out.append((x0, y0, x1, y1))
    out = _words(out, em)
    return out if len(out) <= MAX_BLOBS else []


def _words(boxes: list[tuple[int, int, int, int]], em: float) -> list[tuple[int, int, int, int]]:
    """Blobs level with each other and closer than JOIN_EM joined: one word's characters, read
    again as one ("28" came back as "2" and "8", neither the bed number hunted)."""
    out: list[list[int]] = []   # x0, y0, x1, y1, and where the word's first blob was found
    for at, (x0, y0, x1, y1) in sorted(enumerate(boxes), key=lambda item: item[1]):
        word = next((b for b in out if x0 - b[2] <= JOIN_EM * em
                     and min(y1, b[3]) - max(y0, b[1]) >= 0.5 * min(y1 - y0, b[3] - b[1])), None)
        if word is None:
            out.append([x0, y0, x1, y1, at])
        else:
            word[1:4] = [min(y0, word[1]), max(x1, word[2]), max(y1, word[3])]
    return [(x0, y0, x1, y1) for x0, y0, x1, y1, _at in sorted(out, key=lambda b: b[4])]


def _blobs(ink: np.ndarray, cell: int, em: float, stubs: bool = True):
    """Pixel boxes of print-sized groups of ink cells in `ink` (its sides whole cells). A group
    a cell's size may be a word touching the cell's rule, a stub scan preparation left (its
    rules are longer): the rule is taken away and what is left looked at again (seed 39
    V0020-03, a bed number "9" against its cell's left rule)."""
    rows, cols = ink.shape[0] // cell, ink.shape[1] // cell
    counts = (ink.reshape(rows, cell, cols, cell).sum(axis=3, dtype=np.uint8)
              .sum(axis=1, dtype=np.uint16))
    for r0, c0, r1, c1 in components(counts >= CELL_INK):
        y0, x0, y1, x1 = r0 * cell, c0 * cell, r1 * cell, c1 * cell
        height, width = (y1 - y0) / em, (x1 - x0) / em
        if MIN_HEIGHT_EM <= height <= MAX_HEIGHT_EM and width <= MAX_WIDTH_EM:
            yield x0, y0, x1, y1
        elif stubs and height <= CELL_MAX_EM and width <= CELL_MAX_EM:
            inside = ink[y0:y1, x0:x1]
            length = max(2, round(STUB_EM * em))
            inside = inside & ~(scanprep.runs(inside, length, 0) | scanprep.runs(inside, length, 1))
            yield from ((a + x0, b + y0, c + x0, d + y0)
                        for a, b, c, d in _blobs(inside, cell, em, stubs=False))


def strip(gray: np.ndarray, boxes: list[tuple[int, int, int, int]]
          ) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """The blobs `boxes` cut out of `gray` and set side by side on its paper, and for each the
    strip's columns it occupies and the offset from the strip to the page: (sx0, sx1, dx, dy).
    Blobs that would make the strip too wide are left out."""
    paper = paper_tone(gray)
    tallest = max(y1 - y0 for _x0, y0, _x1, y1 in boxes)
    gap = max(8, round(GAP_EM * tallest))
    slots, x = [], gap
    for x0, y0, x1, y1 in boxes:
        if x + (x1 - x0) + gap > MAX_STRIP:
            break
        slots.append((x, x + x1 - x0, x0 - x, y0 - gap))
        x += x1 - x0 + gap
    out = np.full((tallest + 2 * gap, x), paper, dtype=np.uint8)
    for (x0, y0, x1, y1), (sx0, sx1, _dx, _dy) in zip(boxes, slots):
        out[gap:gap + y1 - y0, sx0:sx1] = gray[y0:y1, x0:x1]
    return out, slots


def placed(lines: list[tuple[TextLine, float]], slots: list[tuple[int, int, int, int]]
           ) -> list[tuple[str, list[tuple[float, float, float, float]], str, float]]:
    """The strip's reading (`lines` with their confidence, boxes in the strip's pixels) cut
    back into its blobs: (text, pixel boxes on the page, unsure characters, confidence) for
    each blob something was read in."""
    out = []
    for line, conf in lines:
        if line.text == HANDWRITING:
            continue
        groups: dict[int, list[int]] = {}
        for i, (ch, b) in enumerate(zip(line.text, line.boxes)):
            middle = (b[0] + b[2]) / 2
            k = next((k for k, s in enumerate(slots) if s[0] - 1 <= middle < s[1] + 1), None)
            if k is not None and not ch.isspace():
                groups.setdefault(k, []).append(i)
        for k, chars in groups.items():
            _sx0, _sx1, dx, dy = slots[k]
            out.append(("".join(line.text[i] for i in chars),
                        [(line.boxes[i][0] + dx, line.boxes[i][1] + dy,
                          line.boxes[i][2] + dx, line.boxes[i][3] + dy) for i in chars],
                        "".join(line.unsure[i] for i in chars) if line.unsure else "", conf))
    return out
