"""Values a page break split: a paragraph's last line on one page ends in the first characters
of a name, and the next page, below its repeated header, goes on with the rest ("…与家属平" /
"亮、李小红沟通", seed 44 V0002-05). Each page is detected alone, so neither half is a known
value there; joined across the break, the record's hunt (`propagate`) finds them.

Pass 1 keeps the texts of each page's first and last rows (`page_edges`), a few short strings;
the hunt of a page then joins its first rows to the previous page's last ones, and its last
rows to the next page's first ones, and takes the part of a known value on its own side. A
label that ends a page ("…与家属" / "李小红沟通") has its value found by pass 1 itself, reading
that line and the next page's first ones as one (`PageBreaks`).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from functools import lru_cache, partial

from dsl.model import AfterLabel, IdCard, Pattern, Phone, Rule, WordList

from ..textlayer import HANDWRITING, Finding, PageLayer, TextLine
from .text import alternation, fold
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
    return _texts(view, *edge_lines(view))


def _texts(view: PageView, heads: list[int], tails: list[int]) -> Edges:
    return tuple(view.texts[li] for li in heads), tuple(view.texts[li] for li in tails)


def edge_lines(view: PageView) -> tuple[list[int], list[int]]:
    """Indices of the lines in the page's first HEAD_ROWS rows and last TAIL_ROWS rows."""
    return _edge_rows(_rows(view))


def _edge_rows(rows: list[list[int]]) -> tuple[list[int], list[int]]:
    return ([li for row in rows[:HEAD_ROWS] for li in row],
            [li for row in rows[-TAIL_ROWS:] for li in row])


def _rows(view: PageView) -> list[list[int]]:
    """The page's lines of text in rows, top to bottom (a line placed by its first character:
    a line's own union of boxes costs more)."""
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
    return rows


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


# The rest of a line joined on after a line ending in a label, this many em after it.
JOIN_GAP_EM = 0.25


@lru_cache(maxsize=32)
def label_ends(rules: tuple[Rule, ...]) -> re.Pattern | None:
    """A line ending in one of the labels of `rules` (a colon after it or not)."""
    labels = {w for r in rules if isinstance(r.detector, AfterLabel) for w in r.detector.labels}
    if not labels:
        return None
    return re.compile(rf"(?:{alternation(labels)})[\s:：]*$")


def across_break(detect: Callable[[PageLayer], list[Finding]], ends: re.Pattern,
                 before: Sequence[TextLine], page: PageLayer, heads: Sequence[TextLine],
                 previous: int) -> tuple[list[Finding], list[Finding]]:
    """What the rules (`detect`) find where a line of the previous page's last rows (`before`)
    ends in a label (`ends`, `label_ends`) and one of this page's first rows goes on with its
    value ("…与家属" / "李小红沟通，…"): `heads`, the lines of its first row that the previous
    page did not open with too. Each such pair is read as one line, the second moved to go
    on where the first ends; what is found is cut at the join and each part put back on its
    own page. Returns (findings on page `previous`, findings on this page)."""
    back: list[Finding] = []
    here: list[Finding] = []
    for tail in before:
        if not tail.boxes or not ends.search(fold(tail.text)):
            continue
        last = tail.boxes[-1]
        for head in heads:
            if not head.boxes or head.source != tail.source:
                continue
            first = head.boxes[0]
            dx = last[2] + JOIN_GAP_EM * (last[3] - last[1]) - first[0]
            dy = last[3] - first[3]
            unsure = ((tail.unsure or " " * len(tail.text)) + (head.unsure or " " * len(head.text))
                      if tail.unsure or head.unsure else "")
            joined = TextLine(tail.text + head.text,
                              list(tail.boxes) + [(b[0] + dx, b[1] + dy, b[2] + dx, b[3] + dy)
                                                  for b in head.boxes], tail.source,
                              unsure=unsure)
            for f in detect(PageLayer(previous, page.width, page.height, [joined])):
                x0, y0, x1, y1 = f.rect
                if x0 < last[2]:
                    back.append(replace(f, page=previous, rect=(x0, y0, min(x1, last[2]), y1)))
                # The value opens the line: what a label took further in is no continuation.
                if x1 > first[0] + dx and x0 <= first[2] + dx:
                    here.append(replace(f, page=page.number, rect=(
                        max(x0, first[0] + dx) - dx, y0 - dy, x1 - dx, y1 - dy)))
    return back, here


# Only what text says is read across a break: a signature's area right of its label, or a
# band of the page, is no place on the next page.
TEXT_DETECTORS = (AfterLabel, Pattern, IdCard, Phone, WordList)


class PageBreaks:
    """Pass 1's look across a document's page breaks, its pages given in order (`read`).
    `detect(rules, page)` runs rules on a page."""

    def __init__(self, detect: Callable[[tuple[Rule, ...], PageLayer], list[Finding]],
                 rules: tuple[Rule, ...]):
        text_rules = tuple(r for r in rules
                           if isinstance(r.detector, TEXT_DETECTORS) and r.scope is None)
        self._detect = partial(detect, text_rules)
        self._ends = label_ends(text_rules)
        self._tails: list[TextLine] = []
        self._heads: tuple[str, ...] = ()
        self._number = -2

    def read(self, page: PageLayer, findings: dict[int, list[Finding]]) -> Edges:
        """The page's `page_edges`; and what the rules find across the break before it, added
        to `findings` (page number -> findings) of both pages."""
        view = PageView.of(page)
        rows = _rows(view)
        heads, tails = _edge_rows(rows)
        previous = page.number - 1
        if (self._ends is not None and self._tails and self._number == previous
                and previous in findings and page.number in findings):
            # Where the page goes on from the last: its first row the last did not open with
            # too (the hospital, the title, the patient's header are repeated).
            new = next(([li for li in row if view.texts[li] not in self._heads]
                        for row in rows[:HEAD_ROWS]
                        if any(view.texts[li] not in self._heads for li in row)), [])
            back, here = across_break(self._detect, self._ends, self._tails, page,
                                      [view.lines[li] for li in new], previous)
            for number, found in ((previous, back), (page.number, here)):
                # What either page's own lines held is found there already.
                known = {(f.rect, f.category) for f in findings[number]}
                findings[number].extend(f for f in dict.fromkeys(found)
                                        if (f.rect, f.category) not in known)
        edges = _texts(view, heads, tails)
        self._tails, self._heads, self._number = [view.lines[li] for li in tails], edges[0], \
            page.number
        return edges
