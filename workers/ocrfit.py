"""Fit Tesseract's character boxes to the ink they stand for.

Tesseract's LSTM reports where it *emitted* a character, not where the glyph is: for Chinese the
box starts up to 1.5 em right of the glyph (FINDINGS.md). Redacting from those boxes leaves ink
visible. So each text line's ink is cut into column runs, and the recognised characters are
aligned to those runs in order (a small dynamic programme on expected glyph widths, with
Tesseract's positions only as a loose guide). Each character then gets the box of its ink,
padded a little; characters with no ink of their own fall back to a stretched guess.
"""
from __future__ import annotations

import unicodedata

from .cells import true_runs
from .lazy import LazyModule

np = LazyModule("numpy", globals())

VERSION = 20  # part of the OCR cache key: bump when what a reading returns changes

PAD_EM = 0.08          # margin around a glyph's ink
MAX_GAP_IN_GLYPH = 0.4  # em; wider blank runs inside one glyph are unlikely (儿, 川 are narrower)
SKIP_COST = 0.8         # leaving an ink run to no character (table rule, speck, stamp edge)
MISS_COST = 1.5         # a character with no ink run of its own
MAX_RUNS = 4            # ink runs one character may span (川 has three)
SPECK_BOX_EM = 0.25     # a Chinese character boxed narrower than this was not boxed on its ink
INF = float("inf")

Box = tuple[float, float, float, float]


def expected_width(c: str) -> float:
    """Typical ink width in em: CJK ideographs are square, digits half, marks narrow."""
    if c in "，。、；：！？,.;:!'\"`·":
        return 0.2
    if c in "（）()[]【】《》<>「」":
        return 0.3
    if unicodedata.east_asian_width(c) in ("W", "F"):
        return 0.85
    return 0.5


def ink_runs(counts: np.ndarray, x0: int, em: float) -> list[tuple[int, int]]:
    """Runs of inked columns [a, b), cut where glyphs touch; specks are dropped.

    `counts` is the number of ink pixels per column. A run with less ink than a full stop is
    scanner noise. A run wider than a glyph is cut at its thinnest column (two glyphs joined by
    a speck or blur); cutting one glyph in two costs nothing, the alignment joins them again.
    """
    least = max(4.0, (0.1 * em) ** 2)
    runs: list[tuple[int, int]] = []
    for a, b in true_runs(counts > 0):
        if counts[a:b].sum() >= least:
            _cut(counts, a, b, em, runs)
    return [(a + x0, b + x0) for a, b in runs]


def _cut(counts: np.ndarray, a: int, b: int, em: float, out: list) -> None:
    margin = int(0.3 * em)
    if b - a > 0.75 * em and b - a > 2 * margin:
        inner = counts[a + margin:b - margin]
        k = int(np.argmin(inner))
        if inner[k] <= 0.25 * float(np.median(counts[a:b])) or b - a > 1.3 * em:
            cut = a + margin + k
            _cut(counts, a, cut, em, out)
            _cut(counts, cut, b, em, out)
            return
    out.append((a, b))


def _align(chars, runs, em) -> list[tuple[int, int] | None]:
    """For each character, the range [first, last] of runs it covers, or None."""
    n, m = len(chars), len(runs)
    cost = [[INF] * (m + 1) for _ in range(n + 1)]
    back: dict[tuple[int, int], tuple[int, int, int]] = {}
    cost[0][0] = 0.0
    skip = [SKIP_COST + (b - a) / em * 0.5 for a, b in runs]
    for i in range(n + 1):
        if i:
            c, raw, _ = chars[i - 1]
            want = expected_width(c) * em
            # Ink may start up to ~2 em left of Tesseract's box, never much right of it.
            lo_a, hi_a = raw[0] - 2.2 * em, raw[0] + 0.4 * em
            lo_b, hi_b = raw[0] - 1.2 * em, raw[2] + 0.5 * em
            if i < n and _wide(c) and raw[2] - raw[0] < SPECK_BOX_EM * em:
                # Emitted on a speck, not on its glyph: a 2-pixel box for 已 1.5 em left of
                # it, and every character after took the ink of the one before (seed 51
                # V0021-01). Its glyph may stand anywhere up to the next one's box.
                nxt = chars[i][1][0]
                hi_a, hi_b = max(hi_a, nxt + 0.4 * em), max(hi_b, nxt + 0.5 * em)
        for j in range(m + 1):
            best, how = cost[i][j], None
            if j and cost[i][j - 1] + skip[j - 1] < best:
                best, how = cost[i][j - 1] + skip[j - 1], (i, j - 1, -1)
            if i:
                if cost[i - 1][j] + MISS_COST < best:
                    best, how = cost[i - 1][j] + MISS_COST, (i - 1, j, 0)
                b = runs[j - 1][1] if j else 0
                if j and lo_b - em <= b <= hi_b + em:
                    gap = 0
                    for k in range(1, min(MAX_RUNS, j) + 1):
                        a = runs[j - k][0]
                        if k > 1:
                            gap = max(gap, runs[j - k + 1][0] - runs[j - k][1])
                        prev = cost[i - 1][j - k]
                        if prev == INF:
                            continue
                        step = abs((b - a) - want) / em
                        step += max(0.0, gap / em - MAX_GAP_IN_GLYPH) * 4
                        step += 2 * (max(0.0, lo_a - a) + max(0.0, a - hi_a)
                                     + max(0.0, lo_b - b) + max(0.0, b - hi_b)) / em
                        if prev + step < best:
                            best, how = prev + step, (i - 1, j - k, k)
            cost[i][j] = best
            if how is not None:
                back[(i, j)] = how
    out: list[tuple[int, int] | None] = [None] * n
    i, j = n, m
    while (i, j) in back:
        pi, pj, k = back[(i, j)]
        if k > 0:
            out[pi] = (runs[pj][0], runs[j - 1][1])
        i, j = pi, pj
    return out


def fit_line(line_box, chars, gray: np.ndarray) -> tuple[str, list[Box]]:
    """The line's text (spaces where words stand apart) and one pixel box per character."""
    height, width = gray.shape
    lx0, ly0, lx1, ly1 = line_box
    if len(chars) > 1 and ly1 - ly0 > 1.5 * (lx1 - lx0):
        # A vertical line (text turned on the page): the ink fitting assumes rows. Give every
        # character the whole line's box rather than a guess that might miss ink.
        box = _clamp((lx0 - 2, ly0 - 2, lx1 + 2, ly1 + 2), width, height)
        return "".join(c for c, _, _ in chars), [box] * len(chars)
    em = max(ly1 - ly0, 8)
    reach = int(0.35 * em)   # how far a glyph may stick out of Tesseract's line box
    # Tesseract's line box is true to the ink (only its character boxes lag): look no further.
    x0 = max(0, lx0 - int(0.1 * em))
    x1 = min(width, lx1 + int(0.1 * em) + 1)
    top = max(0, ly0 - reach)
    area = gray[top:min(height, ly1 + reach + 1), x0:x1]
    band = gray[ly0:ly1 + 1, x0:x1]
    spans: list[tuple[int, int] | None] = [None] * len(chars)
    ink = None
    if band.size:
        white, black = float(np.percentile(band, 90)), float(band.min())
        if white - black >= 40:
            ink = area < (white + black) / 2
            lines_ink = ink[ly0 - top:ly1 - top + 1]
            em = _ink_height(lines_ink, em)
            counts = lines_ink.sum(axis=0)
            spans = _align(chars, ink_runs(counts, x0, em), em)
    pad = max(2.0, PAD_EM * em)
    boxes: list[Box] = []
    for i, (_c, raw, _w) in enumerate(chars):
        if spans[i] is not None:
            a, b = spans[i]
            y0, y1 = _vertical(ink, a - x0, b - x0, ly0 - top, ly1 - top, reach)
            boxes.append((a - pad, top + y0 - pad, b + pad, top + y1 + pad))
        else:
            # No ink of its own: cover from the previous glyph to Tesseract's right edge.
            left = boxes[-1][2] if boxes else raw[0] - 1.2 * em
            boxes.append((min(left, raw[0] - 0.5 * em), ly0 - pad, raw[2] + pad, ly1 + pad))
    return _with_spaces(chars, [_clamp(b, width, height) for b in boxes], em, pad)


def _clamp(box: Box, width: int, height: int) -> Box:
    return (max(0.0, box[0]), max(0.0, box[1]), min(float(width), box[2]),
            min(float(height), box[3]))


def _ink_height(ink: np.ndarray, fallback: float) -> float:
    """The line's height from rows well filled with ink: a speck must not make the em grow."""
    rows = np.flatnonzero(ink.sum(axis=1) >= max(2, 0.01 * ink.shape[1]))
    return float(max(8, rows[-1] - rows[0] + 1)) if rows.size else fallback


def _vertical(ink, a, b, top, bottom, limit) -> tuple[int, int]:
    """Grow the line's band up and down while this glyph's columns still hold ink."""
    if ink is None:
        return top, bottom
    cols = ink[:, a:b]
    for _ in range(limit):
        if top <= 0 or not cols[top - 1].any():
            break
        top -= 1
    for _ in range(limit):
        if bottom >= cols.shape[0] - 1 or not cols[bottom + 1].any():
            break
        bottom += 1
    return top, bottom


def _with_spaces(chars, boxes, em, pad) -> tuple[str, list[Box]]:
    """Join characters; a space (with its own box) where the words stand apart.

    Tesseract splits Chinese into 1-2 character "words" that were never apart on the page, so
    between Chinese characters only a wide blank counts (never next to a full-width mark, whose
    ink sits in one corner of its cell). Elsewhere a word boundary is a space.
    """
    text, out = [chars[0][0]], [boxes[0]]
    for i in range(1, len(chars)):
        prev, cur = chars[i - 1][0], chars[i][0]
        gap = boxes[i][0] - boxes[i - 1][2] + 2 * pad   # blank between the two glyphs' ink
        if _wide(prev) or _wide(cur):
            apart = gap > 0.45 * em and not (_mark(prev) or _mark(cur))
        else:
            apart = chars[i - 1][2] != chars[i][2]
        if apart:
            left = boxes[i - 1][2]
            out.append((left, boxes[i - 1][1], max(left, boxes[i][0]), boxes[i - 1][3]))
            text.append(" ")
        text.append(cur)
        out.append(boxes[i])
    return "".join(text), out


def _wide(c: str) -> bool:
    return unicodedata.east_asian_width(c) in ("W", "F")


def _mark(c: str) -> bool:
    return unicodedata.category(c).startswith("P")
