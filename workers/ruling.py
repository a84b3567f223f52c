"""The vertical rules of a scanned table, in PDF points: where its columns begin, end and stop.

OCR reads a ruled table a row at a time and joins a row's cells ("缩宫素注射液10U肌注st张各党"),
so from its text alone a signature column's edges are guesses, and a row read across the column
looks like the end of the table: the last signatures stayed visible. The printed rules say
both: a column lies between two vertical rules, down to where they stop.
"""
from __future__ import annotations

import pymupdf

from . import scanprep
from .cells import grown, true_runs
from .lazy import LazyModule
from .ocr import render_region
from .textlayer import Rect

np = LazyModule("numpy", globals())

DPI = 100              # rules are long and dark: a coarse rendering finds them, in ~20 ms
MIN_RULE_PT = 40.0     # a straight vertical run of ink this long is a rule (no stroke is: 3 em)
GAP_PT = 2.0           # a scanner's dropout in a rule shorter than this does not break it
# Two pieces this close in line (pt), apart by at most JOIN_PT (a table row) along it, are one
# rule: a scanner drops out a rule where a signature or a stamp crosses it.
ALIGN_PT, JOIN_PT = 2.0, 24.0
# A segment: (x, y) of its top end and (x, y) of its bottom end, unrotated page coordinates.
Segment = tuple[float, float, float, float]


def vertical_rules(page: pymupdf.Page, rect: Rect) -> list[Segment]:
    """The vertical rules drawn in `rect` of a scanned page (levelled, so a tilted scan's
    rules are found whole), longest first."""
    job = render_region(page, rect, DPI)
    flat = scanprep.levelled(job, scanprep.tilt(job.image))
    ink = np.asarray(flat.image.convert("L")) < scanprep.RULE_INK
    # A faint rule a pixel off vertical is dark enough only across two pixel columns, each
    # lighter than the threshold in turn: taken with both neighbours, it runs on unbroken (a
    # nursing sheet's right border, 170-205 on paper 252, seemed to end a row below its
    # header, and the signature column with it: seed 66 V0023-13, unseen).
    scale = DPI / 72.0
    long = scanprep.runs(grown(ink, 1, axis=1), round(MIN_RULE_PT * scale), axis=0)
    counts = long.sum(axis=0)
    xs = np.flatnonzero(counts)
    if not len(xs):
        return []
    m = pymupdf.Matrix(*flat.transform)
    out: list[Segment] = []
    # Neighbouring pixel columns with rule ink are one rule (a rule is 1-3 pixels wide here).
    for group in np.split(xs, np.flatnonzero(np.diff(xs) > 1) + 1):
        rows = long[:, group[0]:group[-1] + 1].any(axis=1)
        x = float(group.mean()) + 0.5
        for y0, y1 in _spans(rows, round(GAP_PT * scale)):
            if y1 - y0 < MIN_RULE_PT * scale:
                continue
            top, bottom = pymupdf.Point(x, y0) * m, pymupdf.Point(x, y1) * m
            out.append((top.x, top.y, bottom.x, bottom.y))
    return sorted(_joined(out), key=lambda s: s[1] - s[3])


def _joined(segments: list[Segment]) -> list[Segment]:
    """Pieces of one rule made whole: a rule the levelling left a pixel off vertical splits
    where it steps to the next pixel column, and a column then seemed to end there."""
    out = list(segments)
    merged = True
    while merged:
        merged = False
        for i, a in enumerate(out):
            for j in range(i + 1, len(out)):
                b = out[j]
                if a[1] > b[3] + JOIN_PT or b[1] > a[3] + JOIN_PT:
                    continue
                y = (max(a[1], b[1]) + min(a[3], b[3])) / 2
                if abs(x_at(a, y) - x_at(b, y)) <= ALIGN_PT:
                    top = a if a[1] <= b[1] else b
                    bottom = a if a[3] >= b[3] else b
                    out[i] = (top[0], top[1], bottom[2], bottom[3])
                    del out[j]
                    merged = True
                    break
            if merged:
                break
    return out


def _spans(rows: np.ndarray, gap: int) -> list[tuple[int, int]]:
    """[start, end) of the runs of True in `rows`, runs apart by `gap` or less joined."""
    spans: list[tuple[int, int]] = []
    for s, e in true_runs(rows):
        if spans and s - spans[-1][1] <= gap:
            spans[-1] = (spans[-1][0], e)
        else:
            spans.append((s, e))
    return spans


def x_at(rule: Segment, y: float) -> float:
    """Where the rule stands at height `y` (it leans as the scan does)."""
    x0, y0, x1, y1 = rule
    return x0 if y1 == y0 else x0 + (x1 - x0) * (y - y0) / (y1 - y0)


def lean(rules: list[Segment]) -> float:
    """How far the page's vertical rules move right per point down (median), 0 without any."""
    slopes = sorted((x1 - x0) / (y1 - y0) for x0, y0, x1, y1 in rules if y1 > y0)
    return slopes[len(slopes) // 2] if slopes else 0.0


def ruled_column(rules: list[Segment], head: Rect, em: float,
                 starts_within: float) -> tuple[Rect, float] | None:
    """(area, lean) of the column under header `head`: between the rules either side of it,
    from the header's bottom to where the nearer-ending of the two stops.

    None when `head` does not stand between two rules that start at most `starts_within` above
    it (a table's header row, not a word in a cell deep in it) and run on below it, or when
    they are so far apart that they enclose more than one column.
    """
    hy = (head[1] + head[3]) / 2
    down = [r for r in rules if head[1] - starts_within <= r[1] <= hy
            and r[3] >= head[3] + 2 * em]
    lefts = [r for r in down if x_at(r, hy) <= head[0] + 0.5 * em]
    rights = [r for r in down if x_at(r, hy) >= head[2] - 0.5 * em]
    if not lefts or not rights:
        return None
    left = max(lefts, key=lambda r: x_at(r, hy))
    right = min(rights, key=lambda r: x_at(r, hy))
    x0, x1 = x_at(left, hy), x_at(right, hy)
    if x1 - x0 > head[2] - head[0] + 8 * em:
        return None
    # Inside the rules by half a point: the rules stay, what is written between them goes.
    return (x0 + 0.5, head[3], x1 - 0.5, min(left[3], right[3])), lean([left, right])
