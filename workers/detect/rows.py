"""Rows and columns of a page's cells: which lines share a row, the column a cell heads, and
the cell under it. Label rules look for a value there; column rules for a column's extent.
"""
from __future__ import annotations

from .view import PageView

BELOW_EM = 3.0          # how far below a label its value may stand, in line heights


def band(view: PageView, li: int) -> list[int]:
    """Other lines on the same row: their vertical centres within half a line height. Once
    per page and line: every label rule asks it of the lines its labels are on, and each
    walks every line of the page."""
    return view.remember(("band", li), lambda: _band(view, li))


def _band(view: PageView, li: int) -> list[int]:
    b = view.bboxes[li]
    cy, tol = (b[1] + b[3]) / 2, view.em(li) * 0.5
    return [lj for lj, o in enumerate(view.bboxes)
            if lj != li and view.lines[lj].boxes and abs((o[1] + o[3]) / 2 - cy) <= tol]


def right_cell(view: PageView, li: int, k: int | None) -> tuple[int, int] | None:
    """The nearest cell on another line of the same row, right of cell k of line li."""
    if k is None:
        return None
    x1 = view.cell_rect(li, k)[2]
    best = None
    for lj in band(view, li):
        for k2 in range(len(view.cells(lj))):
            r = view.cell_rect(lj, k2)
            if r[0] >= x1 - 1 and (best is None or r[0] < best[0]):
                best = (r[0], lj, k2)
                break
    return None if best is None else (best[1], best[2])


def column_bounds(view: PageView, li: int, k: int) -> tuple[float, float]:
    """A cell's column: its x-range widened halfway to the neighbouring cells of its row (once
    per page and cell: label and column rules ask it of the same cells)."""
    return view.remember(("column_bounds", li, k), lambda: _column_bounds(view, li, k))


def _column_bounds(view: PageView, li: int, k: int) -> tuple[float, float]:
    r, em = view.cell_rect(li, k), view.em(li)
    lefts, rights = [], []
    for lj in [li, *band(view, li)]:
        for k2 in range(len(view.cells(lj))):
            if lj == li and k2 == k:
                continue
            o = view.cell_rect(lj, k2)
            if o[2] <= r[0] + 0.5:
                lefts.append(o[2])
            elif o[0] >= r[2] - 0.5:
                rights.append(o[0])
    left = (max(lefts) + r[0]) / 2 if lefts else r[0] - 3 * em
    right = (min(rights) + r[2]) / 2 if rights else r[2] + 3 * em
    return left, right


def below_cell(view: PageView, li: int, k: int, reach_em: float = BELOW_EM
               ) -> tuple[int, int] | None:
    """The nearest cell under cell k of line li, within its column and `reach_em` lines."""
    r, em = view.cell_rect(li, k), view.em(li)
    left, right = column_bounds(view, li, k)
    best = None
    # Cells, not lines, are compared: on a skewed scan a row's left end stands higher than its
    # right end, and may be higher than the label's cell while its value is under it.
    for lj, b in enumerate(view.bboxes):
        if (lj == li or not view.lines[lj].boxes or b[3] <= r[3] or b[1] > r[3] + reach_em * em
                or b[2] < left or b[0] > right):
            continue
        for k2 in range(len(view.cells(lj))):
            o = view.cell_rect(lj, k2)
            # Below: starting under the label's middle, or its bottom less a little (OCR boxes
            # a small label above its value as tall as its line, reaching over the value's
            # top: "送检医师" over "朱超" in a form's grid, seed 77 V0022-09, unseen).
            if (o[1] < min(r[3] - 0.3 * em, (r[1] + r[3]) / 2) or o[1] > r[3] + reach_em * em
                    or best is not None and o[1] >= best[0]):
                continue
            # A cell starting far left of the column is a paragraph, not this column's value.
            if o[2] > left and o[0] < right and o[0] >= left - em:
                best = (o[1], lj, k2)
                break
    return None if best is None else (best[1], best[2])
