"""Known values a line wrap split, where the next line of the cell is not the next line read.

A note in a table cell wraps inside its cell ("…安抚家属情绪，丈夫贾" / "俊陪护"), and OCR reads a
row at a time: the row's other cells, centred in it, come between the two halves, so the hunt
over the page's text in reading order never sees "贾俊" together. Here the head of a value ending
a cell is joined to its tail opening the text that starts below that cell, at its left edge (or
a paragraph's margin, up to a few em further left for a first-line indent).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from .view import PageView

# Where the continuation may start, relative to the left edge of the cell that wrapped (em).
LEFT_REACH_EM = 3.0
RIGHT_REACH_EM = 1.5
# How far below the wrapped line the continuation's line may start (em past its bottom).
BELOW_EM = 1.5
# Characters OCR may put before the continuation at a cell's edge ("，俊陪护").
NOISE = frozenset("，,。.、;；:：'\"“”‘’|丨_-—~")


class WrapIndex:
    """Every way to cut each hunted key in two, looked up by the text of the page."""

    def __init__(self, keys: Iterable[str]):
        # A head must end a cell: the page's few cell endings are looked up by their last
        # characters, rather than every head searched for over the page (a name's one-character
        # head occurs all over it). Cuts in sorted order: matches come out in the same order
        # whatever the hash seed.
        self._by_head: dict[str, list[tuple[str, str]]] = {}
        for key, head, rest in sorted({(k, k[:n], k[n:])
                                       for k in keys for n in range(1, len(k))}):
            self._by_head.setdefault(head, []).append((key, rest))
        # The head lengths worth slicing, by a cell's last character.
        lengths: dict[str, set[int]] = {}
        for head in self._by_head:
            lengths.setdefault(head[-1], set()).add(len(head))
        self._lengths = {last: sorted(ns) for last, ns in lengths.items()}

    def __bool__(self) -> bool:
        return bool(self._by_head)

    def matches(self, view: PageView) -> Iterator[tuple[str, tuple[int, int, int],
                                                   tuple[int, int, int]]]:
        """(key, (line, start, end) of its head, (line, start, end) of its tail)."""
        openings: dict[str, list[tuple[int, int, int]]] | None = None
        for li, raw in enumerate(view.texts):
            text = raw.casefold()
            if len(text) != len(raw):   # a character folded to two: offsets would drift
                text = raw
            for k, (s, e) in enumerate(view.cells(li)):
                while e > s and text[e - 1].isspace():
                    e -= 1
                if e == s:
                    continue
                for n in self._lengths.get(text[e - 1], ()):
                    if n > e - s:
                        break
                    cuts = self._by_head.get(text[e - n:e])
                    if cuts is None:
                        continue
                    # A number inside a longer number is another number, as in the hunt
                    # over the stream: "2021" ending a cell does not open "13812345678".
                    if text[e - n].isdigit() and e - n > s and text[e - n - 1].isdigit():
                        continue
                    if openings is None:
                        openings = _cell_openings(view)
                    for key, rest in cuts:
                        tail = _tail(view, li, k, rest, openings)
                        if tail is not None:
                            yield key, (li, e - n, e), tail


def cell_runs(view: PageView, li: int, cols: list[int]) -> list[tuple[int, int]]:
    """[a, b) runs of the line's compact characters (`cols`: their places in the line) that
    stand in one cell: a gap twice as wide as the narrower of two characters ends one (not
    the line's em: a row joined from a table's columns is as tall as the row, and a mark OCR
    read in the next cell may be boxed wide)."""
    boxes = view.lines[li].boxes
    cuts = [k for k in range(1, len(cols))
            if boxes[cols[k]][0] - boxes[cols[k - 1]][2]
            > 2 * min(boxes[cols[k]][2] - boxes[cols[k]][0],
                      boxes[cols[k - 1]][2] - boxes[cols[k - 1]][0])]
    return list(zip([0, *cuts], [*cuts, len(cols)]))


def continuation(view: PageView, li: int, first: int, last: int) -> str:
    """The first characters of the OCR line the text of a cell (characters `first` to `last`
    of line `li`) wrapped onto: it starts where the cell's text starts, within an em, and
    just under its last character. (A row joined from a table's columns spans the whole row,
    its wrapped notes included: the line's own box says nothing.)"""
    boxes = view.lines[li].boxes
    x0, y1 = boxes[first][0], boxes[last][3]
    em = min(view.em(li), boxes[last][2] - boxes[last][0]) or view.em(li)
    for lj, b in enumerate(view.bboxes):
        if (lj != li and view.lines[lj].source == "ocr" and abs(b[0] - x0) <= em
                and y1 - em / 2 <= b[1] <= y1 + em):
            return "".join(view.texts[lj].split())[:2]
    return ""


def _cell_openings(view: PageView) -> dict[str, list[tuple[int, int, int]]]:
    """(line, cell start, text start past OCR's noise) of each cell, by its first character, in
    line order: a wrapped value's tail is looked up, not searched for over every line."""
    out: dict[str, list[tuple[int, int, int]]] = {}
    for lj, text in enumerate(view.texts):
        for j, _end in view.cells(lj):
            start = j + 1 if text[j] in NOISE else j
            if start < len(text):
                out.setdefault(text[start].casefold(), []).append((lj, j, start))
    return out


def _tail(view: PageView, li: int, k: int, rest: str,
          openings: dict[str, list[tuple[int, int, int]]]) -> tuple[int, int, int] | None:
    candidates = openings.get(rest[0])
    if not candidates:
        return None
    # The text is compared first: most cells opening with the right character go on otherwise.
    texts = view.texts
    ends_digit = rest[-1].isdigit()
    place: tuple[float, float, float, float] | None = None
    for lj, j, start in candidates:
        end = start + len(rest)
        if lj == li or texts[lj][start:end].casefold() != rest:
            continue
        if ends_digit and end < len(texts[lj]) and texts[lj][end].isdigit():
            continue
        if place is None:
            em = view.em(li)
            left = view.cell_rect(li, k)[0]
            place = (view.bboxes[li][1] + 0.3 * em, view.bboxes[li][3] + BELOW_EM * em,
                     left - LEFT_REACH_EM * em, left + RIGHT_REACH_EM * em)
        top, low, west, east = place
        if top < view.bboxes[lj][1] <= low and west <= view.lines[lj].boxes[j][0] <= east:
            return lj, start, end
    return None
