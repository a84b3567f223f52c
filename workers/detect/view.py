"""One page prepared for detection: folded text, line geometry, table cells, allow-list masks."""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

from ..textlayer import Finding, FindingKind, PageLayer, Rect, TextLine, union
from .text import alternation, canonical, fold, is_mark

# A gap wider than this many character heights ends a table cell ("姓名：      张三").
CELL_GAP_EM = 1.5
# In a text layer a narrower gap does too where the characters after it stand on another
# baseline, at their full size: the next cell's text, centred in a row of another height.
SHIFTED_GAP_EM = 0.3
SHIFT_EM = 0.15
# A rule-like character wider than this many character heights separates cells ("姓名____").
RULE_CHARS = frozenset("_-—－~～＿")
RULE_EM = 2.0
_NO_RECT: Rect = (0.0, 0.0, 0.0, 0.0)
T = TypeVar("T")
# A paragraph's line wraps into the next when the next starts at most this far below it (em),
# at its margin or up to a first-line indent to the left, and the line ends this close to the
# right edge of the paragraph's lines.
WRAP_GAP_EM = 1.2
WRAP_INDENT_EM = 3.0
WRAP_RIGHT_EM = 1.5
WRAP_RAGGED_EM = 4.0
SENTENCE_ENDS = "。；：！？.;:!?）)"


@lru_cache(maxsize=32)
def allow_regex(words: frozenset[str]) -> re.Pattern | None:
    """The allow-list as one spaced-out alternation (compiled once per distinct list)."""
    source = alternation(words)
    return re.compile(source, re.IGNORECASE) if source else None


class PageView:
    """Derived views of a PageLayer, computed once and shared by every rule run on the page."""

    __slots__ = (
        "_allowed",
        "_bboxes",
        "_cells",
        "_ems",
        "_nlines",
        "_wrapping",
        "lines",
        "memo",
        "page",
        "starts",
        "stream",
        "texts",
    )

    _last: PageView | None = None

    def __init__(self, page: PageLayer):
        self.page = page
        self.lines: list[TextLine] = page.lines
        self._nlines = len(page.lines)
        self.texts = [_one_as_dash.sub("一", fold(line.text)) if line.source == "ocr"
                      else fold(line.text) for line in page.lines]
        starts, pos = [], 0
        for t in self.texts:
            starts.append(pos)
            pos += len(t) + 1
        self.starts = starts
        # Lines joined by "\n": one regex pass per rule instead of one per line.
        self.stream = "\n".join(self.texts)
        self._bboxes: list[Rect] | None = None
        self._ems: list[float] | None = None
        self._cells: dict[int, list[tuple[int, int]]] = {}
        self._allowed: dict[tuple[int, int], list[tuple[int, int]]] = {}
        self._wrapping: set[int] | None = None
        # What the detectors derive from the page and ask for again and again (a scope's
        # column areas, ...), under keys of their own: `remember`.
        self.memo: dict[tuple, object] = {}

    @classmethod
    def of(cls, page: PageLayer) -> PageView:
        """The view of `page`, reused while the same unchanged page object is passed again."""
        last = cls._last
        if (last is not None and last.page is page and last.lines is page.lines
                and last._nlines == len(page.lines)):
            return last
        view = cls(page)
        cls._last = view
        return view

    def remember(self, key: tuple, make: Callable[[], T]) -> T:
        """`make()`, computed once for this page view under `key` (the caller's own: a tuple
        whose first item names what it is). The result is shared: never change it."""
        try:
            return self.memo[key]   # type: ignore[return-value]
        except KeyError:
            got = self.memo[key] = make()
            return got

    # --- offsets and geometry ---------------------------------------------------------------

    def locate(self, offset: int) -> tuple[int, int]:
        """(line index, column) of a stream offset."""
        li = bisect_right(self.starts, offset) - 1
        return li, offset - self.starts[li]

    @property
    def bboxes(self) -> list[Rect]:
        if self._bboxes is None:
            self._bboxes = [_bbox(line) for line in self.lines]
        return self._bboxes

    def em(self, li: int) -> float:
        """The line's character height: the unit for gaps and distances."""
        if self._ems is None:
            self._ems = [0.0] * len(self.lines)
        em = self._ems[li]
        if not em:
            em = self._ems[li] = _em(self.lines[li])
        return em

    def cells(self, li: int) -> list[tuple[int, int]]:
        """[start, end) of each run of characters not broken by a wide gap (a table cell)."""
        got = self._cells.get(li)
        if got is None:
            got = self._cells[li] = _cells(self.lines[li], self.texts[li], self.em(li))
        return got

    def cell_at(self, li: int, col: int) -> int | None:
        """Index of the cell holding column `col`, or of the first cell after it."""
        for k, (s, e) in enumerate(self.cells(li)):
            if col < e:
                return k
        return None

    def cell_rect(self, li: int, k: int) -> Rect:
        s, e = self.cells(li)[k]
        return span_rect(self.lines[li], s, e)

    def wrapping_lines(self) -> set[int]:
        """Lines a paragraph wraps into the next line (li + 1): the line reaches the right
        edge of the lines that start where it starts, and the next one starts just below it
        at the same margin (or up to a first-line indent further left)."""
        if self._wrapping is None:
            self._wrapping = {li for li in range(self._nlines - 1) if self._wraps(li)}
        return self._wrapping

    def _wraps(self, li: int) -> bool:
        this, below = self.lines[li], self.lines[li + 1]
        if not this.boxes or not below.boxes or this.source != below.source:
            return False
        em = self.em(li)
        a, b = self.bboxes[li], self.bboxes[li + 1]
        if not (a[1] + 0.5 * em < b[1] <= a[3] + WRAP_GAP_EM * em
                and a[0] - WRAP_INDENT_EM * em <= b[0] <= a[0] + em):
            return False
        right = max(box[2] for box in self.bboxes
                    if abs(box[0] - a[0]) <= WRAP_INDENT_EM * em or abs(box[0] - b[0]) <= em)
        # A line wrapped before a Latin word that did not fit ends further from the edge
        # ("...6mg 肌注 q12h，记24小时出入量。郭丽华主治" / "医师查房后", seed 42 V0007-05); a
        # sentence or a heading ends with its mark, or well short of it.
        reach = WRAP_RIGHT_EM if this.text.rstrip()[-1:] in SENTENCE_ENDS else WRAP_RAGGED_EM
        return a[2] >= right - reach * em

    # --- allow list and findings ------------------------------------------------------------

    def allowed(self, li: int, allow: frozenset[str]) -> list[tuple[int, int]]:
        """Spans of line `li` covered by an allow-list word."""
        if not allow:
            return []
        key = (id(allow_regex(allow)), li)
        got = self._allowed.get(key)
        if got is None:
            rx = allow_regex(allow)
            got = [m.span() for m in rx.finditer(self.texts[li])] if rx else []
            self._allowed[key] = got
        return got

    def text_findings(self, li: int, start: int, end: int, category: str, rule: str,
                      allow: frozenset[str], value: str | None = None,
                      kind: FindingKind = "text") -> list[Finding]:
        """Findings for characters [start, end) of a line, minus what allow words cover."""
        line = self.lines[li]
        text = line.text
        out = []
        for s, e in _subtract(start, end, self.allowed(li, allow)):
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if s >= e:
                continue
            v = canonical(text[s:e]) if value is None else value
            a, b = _with_marks(line, s, e) if line.source == "ocr" else (s, e)
            out.append(Finding(self.page.number, span_rect(line, a, b), category, rule, v, kind))
        return out

    def stream_findings(self, start: int, end: int, category: str, rule: str,
                        allow: frozenset[str], value: str | None = None) -> list[Finding]:
        """Findings for stream offsets [start, end), one per line they touch: a number's
        digits may stand either side of a line break."""
        out: list[Finding] = []
        li, col = self.locate(start)
        last_li, last_col = self.locate(end - 1)
        while li <= last_li:
            stop = last_col + 1 if li == last_li else len(self.texts[li])
            out.extend(self.text_findings(li, col, stop, category, rule, allow, value=value))
            li, col = li + 1, 0
        return out

    def region_findings(self, rect: Rect, category: str, rule: str) -> list[Finding]:
        """Every visible character whose centre lies in `rect`, as one box per run per line."""
        x0, y0, x1, y1 = rect
        out = []
        for li, line in enumerate(self.lines):
            b = self.bboxes[li]
            if b[2] < x0 or b[0] > x1 or b[3] < y0 or b[1] > y1:
                continue
            run: list[int] = []
            for i, (ch, box) in enumerate(zip(line.text, line.boxes)):
                cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
                if x0 <= cx <= x1 and y0 <= cy <= y1:
                    if not ch.isspace() or run:
                        run.append(i)
                elif run:
                    out.append(self._run_finding(li, run, category, rule))
                    run = []
            if run:
                out.append(self._run_finding(li, run, category, rule))
        return [f for f in out if f is not None]

    def _run_finding(self, li: int, run: list[int], category: str, rule: str) -> Finding | None:
        text = self.lines[li].text
        while run and text[run[-1]].isspace():
            run.pop()
        if not run:
            return None
        rect = span_rect(self.lines[li], run[0], run[-1] + 1)
        return Finding(self.page.number, rect, category, rule, "", "region")


NARROW_SPACE_EM = 0.2


def _with_marks(line: TextLine, start: int, end: int) -> tuple[int, int]:
    """[start, end) grown over the punctuation OCR read right beside it. Such a mark is often
    a piece of the value's own ink read apart, and the boxes fitted to the line's ink shift with
    it: "床位号 12" read "床位号12." gave "12" the ink of "号1" and "." that of "2". A space
    boxed a fifth of an em wide or less is no gap between words: "床位号+3 ”", the ” boxed over
    the 3 and the space 0 pt wide (seed 50 V0013-04); "床号: 16 ”", the 6 boxed inside the 1
    and the ” over the 6 past a space 1.2 pt wide (seed 55 V0025-07)."""
    text, boxes = line.text, line.boxes
    narrow = NARROW_SPACE_EM * _em(line)
    while start > 0 and is_mark(text[start - 1]):
        start -= 1
    while end < len(text):
        if is_mark(text[end]):
            end += 1
        elif (text[end].isspace() and end + 1 < len(text) and is_mark(text[end + 1])
              and boxes[end][2] - boxes[end][0] <= narrow):
            end += 2
        else:
            break
    return start, end


# OCR reads the character 一 as a dash: between two Chinese characters on a scan a dash is
# 一 ("姓名 黄-诺" for 黄一诺, seed 51 V0008-15). Same length: columns stay where they were.
# Not an underscore, on the baseline where 一 never is: "记录医师_房-艺" is the label, its
# colon read as the signature's underline, then the name (seed 54 V0027-02).
_one_as_dash = re.compile(r"(?<=[\u4e00-\u9fff])[-\u2013\u2014](?=[\u4e00-\u9fff])")


def span_rect(line: TextLine, start: int, end: int) -> Rect:
    """Union of the boxes of characters [start, end): TextLine.span_rect."""
    return union(line.boxes[start:end])


def _bbox(line: TextLine) -> Rect:
    return span_rect(line, 0, len(line.boxes)) if line.boxes else _NO_RECT


def _em(line: TextLine) -> float:
    # The median height of a sample of characters: enough to size gaps, and cheap.
    heights = []
    for ch, b in zip(line.text, line.boxes):
        if not ch.isspace():
            heights.append(b[3] - b[1])
            if len(heights) == 15:
                break
    if not heights:
        return 10.0
    heights.sort()
    h = heights[len(heights) // 2]
    return h if h > 0 else 10.0


def _cells(line: TextLine, text: str, em: float) -> list[tuple[int, int]]:
    cells: list[tuple[int, int]] = []
    boxes = line.boxes
    start = prev = -1
    prev_x1 = 0.0
    gap = CELL_GAP_EM * em
    # Only a text layer's glyphs shift baseline between cells; the gap is tested here first
    # because this loop runs over every character of every line.
    shift_gap = SHIFTED_GAP_EM * em if line.source == "text" else float("inf")
    for i in range(min(len(text), len(boxes))):
        if text[i].isspace():
            continue
        b = boxes[i]
        if text[i] in RULE_CHARS and b[2] - b[0] > RULE_EM * em:
            # A stretched "_" or "-" is a rule between cells, not a character in one: OCR
            # makes one of handwriting's underline, and it bridged an order and its signature.
            if start >= 0:
                cells.append((start, prev + 1))
            start = -1
            prev_x1 = b[2]
            continue
        if start < 0:
            start = i
        elif b[0] - prev_x1 > gap or (b[0] - prev_x1 > shift_gap
                                      and _shifted(boxes[prev], b, em)):
            cells.append((start, prev + 1))
            start = i
        prev, prev_x1 = i, b[2]
    if start >= 0:
        cells.append((start, prev + 1))
    return cells


def _shifted(a: Rect, b: Rect, em: float) -> bool:
    """Whether glyph box `b` starts a new cell after `a` on a text layer's line: apart by a
    gap, on another baseline, and as tall (a superscript is smaller): "遵医嘱静脉输液" then
    "杨春梅" 6 pt on and 3 pt lower, the nurse's signature in the next column (seed 44 V0023-08)."""
    return (b[0] - a[2] > SHIFTED_GAP_EM * em and abs(b[3] - a[3]) > SHIFT_EM * em
            and abs((b[3] - b[1]) - (a[3] - a[1])) < SHIFT_EM * em)


def _subtract(start: int, end: int, covered: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """[start, end) minus the covered spans, as the pieces that remain."""
    pieces = [(start, end)]
    for cs, ce in covered:
        if ce <= start or cs >= end:
            continue
        nxt = []
        for s, e in pieces:
            if ce <= s or cs >= e:
                nxt.append((s, e))
                continue
            if s < cs:
                nxt.append((s, cs))
            if ce < e:
                nxt.append((ce, e))
        pieces = nxt
    return pieces
