"""Values a page break split: a paragraph's last line on one page ends in the first characters
of a name, and the next page, below its repeated header, goes on with the rest ("…与家属平" /
"亮、李小红沟通", seed 44 V0002-05). Each page is detected alone, so neither half is a known
value there; joined across the break, the record's hunt (`propagate`) finds them.

Pass 1 keeps the texts of each page's first and last rows (`page_edges`), a few short strings;
the hunt of a page then joins its first rows to the previous page's last ones, and its last
rows to the next page's first ones, and takes the part of a known value on its own side.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from ..textlayer import HANDWRITING, PageLayer
from .view import PageView

# Below a page's top edge come the hospital's name, the title and the patient's header, a row
# or two each; above the bottom edge, the footer and a signature line.
HEAD_ROWS = 6
TAIL_ROWS = 3
ROW_SHARE = 0.5    # lines whose middles are nearer than this share of their height: one row

Edges = tuple[tuple[str, ...], tuple[str, ...]]


def page_edges(page: PageLayer) -> Edges:
    """The folded texts of the lines in the page's first rows and in its last rows."""
    view = PageView.of(page)
    heads, tails = edge_lines(view)
    return tuple(view.texts[li] for li in heads), tuple(view.texts[li] for li in tails)


def edge_lines(view: PageView) -> tuple[list[int], list[int]]:
    """Indices of the lines in the page's first HEAD_ROWS rows and last TAIL_ROWS rows (a
    line placed by its first character: a line's own union of boxes costs more)."""
    first = {li: line.boxes[0] for li, line in enumerate(view.lines)
             if line.boxes and line.text.strip() and line.text != HANDWRITING}
    rows: list[list[int]] = []
    for li in sorted(first, key=lambda li: first[li][1] + first[li][3]):
        b = first[li]
        if rows:
            a = first[rows[-1][-1]]
            if abs((a[1] + a[3]) - (b[1] + b[3])) / 2 < ROW_SHARE * max(b[3] - b[1], 1e-6):
                rows[-1].append(li)
                continue
        rows.append([li])
    return ([li for row in rows[:HEAD_ROWS] for li in row],
            [li for row in rows[-TAIL_ROWS:] for li in row])


def split_values(matches: Callable[[str], Iterator[tuple[int, int, str]]], view: PageView,
                 before: Sequence[str], after: Sequence[str], reach: int,
                 pairs: frozenset[str]) -> list[tuple[int, int, int, str]]:
    """(line, start, end, key): this page's part of each hunted value a page break split.
    `matches(text)` gives (start, end, key) of the hunted values in a folded text; `before`:
    the previous page's last rows, `after`: the next page's first rows (`page_edges`);
    `reach`: characters of a line's end or start that a value may take; `pairs`: every two
    characters that follow each other in a value, so that most joins cost a set lookup."""
    if not before and not after:
        return []
    heads, tails = edge_lines(view)
    out = []
    for li in heads if before else ():
        head = view.texts[li][:reach]
        for tail in before:
            tail = tail[-reach:]
            if _joins(tail, head, pairs):
                out.extend((li, 0, e - len(tail), key) for s, e, key in matches(tail + head)
                           if s < len(tail) < e)
    for li in tails if after else ():
        text = view.texts[li]
        tail = text[-reach:]
        for head in after:
            if _joins(tail, head, pairs):
                out.extend((li, len(text) - len(tail) + s, len(text), key)
                           for s, e, key in matches(tail + head[:reach]) if s < len(tail) < e)
    return out


def _joins(tail: str, head: str, pairs: frozenset[str]) -> bool:
    end, start = tail.rstrip()[-1:], head.lstrip()[:1]
    return bool(end and start) and end + start in pairs

