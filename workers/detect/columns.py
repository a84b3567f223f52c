"""Table columns under a header cell (签名, 医师, 护士): where the header is, how far down its
column runs, and what stands in it. OCR joins header cells and rows across columns; both are
read apart here."""
from __future__ import annotations

from typing import NamedTuple

from dsl.model import Column

from ..textlayer import Finding, Rect
from .geometry import image_findings
from .rows import band, column_bounds
from .ruled import between_rules, char_width, ruled_headers
from .shapes import take_name
from .view import PageView, span_rect
from .vocab import field_words, words_in

HEADER_MAX_CHARS = 8          # a header cell is short; a longer cell is a sentence
MISREAD_IN_HEADER = 3         # characters OCR may misread in a header row read as one cell
DATE_HEADERS = frozenset({"日期", "时间"})
# A page's tilt is measured on OCR lines of SLOPE_CHARS characters or more, SLOPE_RUN pt long,
# from SLOPE_LINES of them; below SKEWED (0.23 degrees) a column is taken as upright.
SLOPE_CHARS, SLOPE_RUN, SLOPE_LINES = 6, 100.0, 3
SKEWED = 0.004
LEAN_STEP = 24.0              # pt: the height of the slices a leaning column is blanked in


class ColumnArea(NamedTuple):
    area: Rect
    head: Rect
    # Set when printed rules bound the column (`workers.ruling`): how far they move right per
    # point down. Only the characters between them are taken then, not whole joined cells.
    lean: float | None = None


def column_areas(view: PageView, col: Column) -> list[ColumnArea]:
    """The column area under each header naming one of `col.headers`: found once per page and
    scope, as every rule with that scope asks (a column rule twice: its scope, its finding)."""
    return view.remember(("column_areas", col), lambda: _column_areas(view, col))


def _column_areas(view: PageView, col: Column) -> list[ColumnArea]:
    headers = ["".join(h.split()) for h in col.headers if h.strip()]
    out: list[ColumnArea] = []
    for li, t in enumerate(view.texts):
        whole = "".join(t.split())
        # A ruled table's header is read even misread ("护芋答名"): the rules confirm it.
        ruled = [ColumnArea(*found) for found in ruled_headers(view, li, tuple(headers))] \
            if view.page.rules else []
        out.extend(ruled)
        if not any(h in whole for h in headers):
            continue
        # A header the rules did not confirm (a rule missing beside it) is read from the text.
        out.extend(a for a in _text_headers(view, li, headers)
                   if not any(a.head[0] < r.head[2] and r.head[0] < a.head[2] for r in ruled))
    return out


def _text_headers(view: PageView, li: int, headers: list[str]) -> list[ColumnArea]:
    """The columns under the header cells of line `li`, from the geometry of the text."""
    t, out = view.texts[li], []
    ocr = view.lines[li].source == "ocr"
    for k, (s, e) in enumerate(view.cells(li)):
        compact = "".join(t[s:e].split()).rstrip(":：")
        if (not compact or len(compact) > HEADER_MAX_CHARS or ":" in compact
                or "：" in compact or not any(h in compact for h in headers)):
            if ocr:
                out.extend(_headers_in_merged_cell(view, li, k, headers))
            continue
        # A column header has neighbours in its row ("日期 时间 记录 签名").
        if len(view.cells(li)) < 2 and not band(view, li):
            continue
        part = _after_date_header(view, li, k, headers)
        if part is None:
            out.append(ColumnArea(_column_below(view, li, k), view.cell_rect(li, k)))
            continue
        (left, head), right = part, column_bounds(view, li, k)[1]
        out.append(ColumnArea(_area_below(view, li, head, left, right), head))
    return out


def _after_date_header(view: PageView, li: int, k: int, headers: list[str]
                       ) -> tuple[float, Rect] | None:
    """(left edge, header rect) of the part of a header cell after a date or time header
    ("停止日期停止医师": two header cells drawn so close they extract as one). A date column
    is never a signature: the dates in it stay readable. None when the cell is one header."""
    t, line = view.texts[li], view.lines[li]
    s, e = view.cells(li)[k]
    tokens, stray = words_in(t, s, e, headers)
    ends = [n for n, (a, b, is_head) in enumerate(tokens[:-1])
            if "".join(t[a:b].split()) in DATE_HEADERS]
    if stray or not ends or any(h for _a, _b, h in tokens[:ends[-1] + 1]):
        return None
    cut, start = tokens[ends[-1]][1], tokens[ends[-1] + 1][0]
    left = (line.boxes[cut - 1][2] + line.boxes[start][0]) / 2
    return left, span_rect(line, start, e)


def _headers_in_merged_cell(view: PageView, li: int, k: int,
                            headers: list[str]) -> list[tuple[Rect, Rect]]:
    """OCR joins neighbouring header cells into one ("医师签名。护士签名", "病情观察及护理措施”。，
    护士签名"): each header word in it heads its own column, from its own text.

    A header word counts when the cell holds field words and little else (a header row read as
    one cell, with a misread character or two: "停止攻师", or a quarter of a long row:
    "护十签对"), or when it ends its cell in a row holding other field words (日期, 时间): a
    sentence that merely mentions 签名 is no header.
    """
    t, line = view.texts[li], view.lines[li]
    s, e = view.cells(li)[k]
    tokens, stray = words_in(t, s, e, headers)
    row_words = field_words(t)
    heads = [(a, b) for a, b, is_head in tokens if is_head]
    words = sum(len("".join(t[a:b].split())) for a, b, _h in tokens)
    if len(tokens) >= 2 and 2 * stray <= words and (
            stray <= MISREAD_IN_HEADER or 4 * stray <= words):
        stray = 0       # a header row: every header word in it counts
    if not heads or not (stray == 0 and len(tokens) >= 2 or row_words >= 3):
        return []
    em, cells = view.em(li), view.cells(li)
    width = char_width(line, s, e)
    next_cell = view.cell_rect(li, k + 1)[0] if k + 1 < len(cells) else None
    out = []
    for a, b in heads:
        after = next((x for x, _y, _h in tokens if x >= b), None)
        if stray and (after is not None or any(c.isalnum() for c in t[b:e])):
            continue    # in a sentence or a long note, only a header ending the cell counts
        head = span_rect(line, a, b)
        # OCR stretches the first character after a gap over the gap ("容医" ... "师"): a
        # header starts at most a character and a half left of its first character's end.
        head = (max(head[0], line.boxes[a][2] - 1.5 * width), *head[1:])
        # The column is wider than its header's text: half the way to the next word, and an
        # em to the left (a signature is centred under its header, as wide as it or a bit more).
        if after is not None:
            right = (head[2] + line.boxes[after][0]) / 2
        elif next_cell is not None:
            right = (head[2] + next_cell) / 2
        else:
            right = head[2] + 3 * em
        out.append(ColumnArea(_area_below(view, li, head, head[0] - em, right), head))
    return out


def column_everything(view: PageView, areas: list[ColumnArea], category: str,
                      rule: str) -> list[Finding]:
    """Whole cells standing in each column, and the images in it.

    A cell belongs to the column when its centre lies in the column or it sits mostly under
    the header: a long cell of the neighbouring column that reaches in stays readable. On a
    scan put on the glass askew the column leans with the page (`page_slope`). A column
    bounded by printed rules takes the characters between them, whatever cell OCR made.
    """
    out: list[Finding] = []
    page_lean = -page_slope(view)
    for area, head, ruled_lean in areas:
        lean = page_lean if ruled_lean is None else ruled_lean
        hy = (head[1] + head[3]) / 2
        reach = abs(lean) * (area[3] - area[1])
        for li, b in enumerate(view.bboxes):
            if (b[3] < area[1] or b[1] > area[3] or b[2] < area[0] - reach
                    or b[0] > area[2] + reach):
                continue
            if ruled_lean is not None:
                out.extend(between_rules(view, li, area, hy, lean, category, rule))
                continue
            for k in range(len(view.cells(li))):
                r = view.cell_rect(li, k)
                cx, cy = (r[0] + r[2]) / 2, (r[1] + r[3]) / 2
                if not area[1] <= cy <= area[3]:
                    continue
                dx = lean * (cy - hy)
                under = min(r[2], head[2] + dx) - max(r[0], head[0] + dx)
                if area[0] + dx <= cx <= area[2] + dx or under >= 0.5 * (r[2] - r[0]):
                    out.append(Finding(view.page.number, r, category, rule,
                                       _name_in(view, li, k), "region"))
                elif view.lines[li].source == "ocr" and r[2] > head[0] + dx:
                    out.extend(_tail_in_column(view, li, k, head[0] + dx, category, rule))
    leaning = [s for area, head, ruled_lean in areas
               for s in _leaning(area, head, -(page_lean if ruled_lean is None else ruled_lean))]
    out.extend(image_findings(view, leaning, category, rule))
    return out


def page_slope(view: PageView) -> float:
    """How far the page's lines of text fall per point to the right: a scan put on the glass
    askew (a vertical rule then moves left by as much per point down). The median over long
    OCR lines of the slope from their first character to their last; 0 below SKEWED. Once per
    page: each column rule asks."""
    return view.remember(("page_slope",), lambda: _page_slope(view))


def _page_slope(view: PageView) -> float:
    slopes = []
    for line in view.lines:
        ink = [b for ch, b in zip(line.text, line.boxes) if not ch.isspace()]
        if line.source != "ocr" or len(ink) < SLOPE_CHARS:
            continue
        first, last = ink[0], ink[-1]
        run = (last[0] + last[2] - first[0] - first[2]) / 2
        if run >= SLOPE_RUN:
            slopes.append((last[1] + last[3] - first[1] - first[3]) / 2 / run)
    if len(slopes) < SLOPE_LINES:
        return 0.0
    slope = sorted(slopes)[len(slopes) // 2]
    return slope if abs(slope) >= SKEWED else 0.0


def _leaning(area: Rect, head: Rect, slope: float) -> list[Rect]:
    """The column as horizontal slices, each moved as far as the page leans at its height."""
    if not slope:
        return [area]
    hy, out, y = (head[1] + head[3]) / 2, [], area[1]
    pad = abs(slope) * LEAN_STEP / 2
    while y < area[3]:
        y1 = min(area[3], y + LEAN_STEP)
        dx = -slope * ((y + y1) / 2 - hy)
        out.append((area[0] + dx - pad, y, area[2] + dx + pad, y1))
        y = y1
    return out


def _tail_in_column(view: PageView, li: int, k: int, x0: float, category: str,
                    rule: str) -> list[Finding]:
    """The end of an OCR cell that runs into the column: OCR joined the note and the signature
    beside it ("记录出入量王桂芝"). Its characters right of where the header's text starts
    (`x0`: the column is wider, but a note may end close to its rule) are the signature."""
    s, e = view.cells(li)[k]
    line = view.lines[li]
    i = e
    while i > s and (line.boxes[i - 1][0] + line.boxes[i - 1][2]) / 2 >= x0:
        i -= 1
    t = view.texts[li]
    # Only a name counts ("出入量" ending a note that reaches in is clinical): the column's
    # edge is known to a character or so, so the name may start a little later.
    for j in range(i, min(i + 3, e - 1)):
        got = take_name(t, j, e, strict=True)
        if got is not None and got[1] == e:
            value = "".join(t[got[0]:e].split())
            return [Finding(view.page.number, span_rect(line, got[0], e), category, rule,
                            value, "region")]
    return []


def _name_in(view: PageView, li: int, k: int) -> str:
    """The name a column cell holds ("郭冬梅"), so it is hunted on every page; else ""."""
    s, e = view.cells(li)[k]
    got = take_name(view.texts[li], s, e, strict=True)
    if got is None or got[1] - got[0] > 4 or view.texts[li][got[1]:e].strip():
        return ""
    return "".join(view.texts[li][got[0]:got[1]].split())


def _column_below(view: PageView, li: int, k: int) -> Rect:
    left, right = column_bounds(view, li, k)
    return _area_below(view, li, view.cell_rect(li, k), left, right)


def _area_below(view: PageView, li: int, head: Rect, left: float, right: float) -> Rect:
    em = view.em(li)
    table_left = min(view.cell_rect(lj, k2)[0] for lj in [li, *band(view, li)]
                     for k2 in range(len(view.cells(lj))))
    bottom = view.page.height
    # The table ends at the first line whose text runs across the column, or from the table's
    # left edge into it (a footer, a note): a table's own cells keep to their columns. OCR
    # joins a row's note and its signature into one cell, so there only text running right
    # across the column ends the table; and not even that where the next row has a cell ending
    # in the column again: OCR joined the row's signatures too ("病危" and both signatures).
    for lj, b in enumerate(view.bboxes):
        if (b[1] <= head[3] - 0.3 * em or b[1] >= bottom or not view.lines[lj].boxes
                or b[0] >= left - em or b[2] <= left + em):
            continue
        joined = view.lines[lj].source == "ocr"
        for k2 in range(len(view.cells(lj))):
            r = view.cell_rect(lj, k2)
            if r[0] < left - em and (r[2] > right + em or not joined
                                     and r[0] <= table_left + em and r[2] > left + em):
                # A joined cell after another cell of its line is a row's end read as one
                # ("11:21 阿莫西林 ... q8h。_C楷淹，。欢雪帮"): a note under a table opens its line.
                if not (joined and (k2 > 0 or _row_goes_on(view, lj, left, right))
                        or not joined and _signed_beside(view, b, r, head, left, right)):
                    bottom = b[1]
                break
    left = max(left, _left_column_ends(view, li, head, left, bottom))
    return (max(0.0, left), head[3], min(view.page.width, right), bottom)


def _signed_beside(view: PageView, b: Rect, r: Rect, head: Rect, left: float,
                   right: float) -> bool:
    """Whether cell `r` of a line (box `b`) that reaches into the column short of its header's
    text is a table row: a long order beside its signature image ("卡前列素氨丁三醇 250μg 肌注
    st" and the doctor's hand). A footer has nothing beside it."""
    if r[2] > head[0]:
        return False
    return any(i.rect[1] < b[3] and i.rect[3] > b[1] and i.rect[0] < right and i.rect[2] > left
               for i in view.page.images)


def _left_column_ends(view: PageView, li: int, head: Rect, left: float, bottom: float) -> float:
    """Where the text of the column left of `head` ends, when that is right of `left`.

    A header is centred and its column's bounds are guesses ("halfway to the next header", "an
    em left of the header"); on a scan the area is blanked whole, so a guess reaching into the
    notes column cuts the ends of its lines ("遵医嘱静脉输液"). Cells starting well left of the
    guess (three line heights) and ending before the header's text show how far that column
    reaches. A short signature under a wide header starts near the column's edge, not there.
    """
    em = view.em(li)
    ends = left
    for lj, b in enumerate(view.bboxes):
        if b[1] <= head[3] - 0.3 * em or b[1] >= bottom or not view.lines[lj].boxes:
            continue
        for k in range(len(view.cells(lj))):
            r = view.cell_rect(lj, k)
            if r[0] < left - 3 * em and left < r[2] < head[0] - 1:
                ends = max(ends, r[2] + 0.5)
    return ends


def _row_goes_on(view: PageView, li: int, left: float, right: float, most: int = 4) -> bool:
    """Whether one of the next rows below line `li` (a few, close by) has a cell ending or
    starting in the column [left, right] and none running across it: the table goes on, so
    `li` was one of its rows, OCR joined across the column (several such rows may follow)."""
    b, em = view.bboxes[li], view.em(li)
    below = sorted((o[1], lj) for lj, o in enumerate(view.bboxes) if view.lines[lj].boxes
                   and b[1] + 0.5 * em < o[1] <= b[3] + 2 * most * em)
    rows: list[list[Rect]] = []
    for top, lj in below:
        if not rows or top > rows[-1][0][1] + 0.5 * em:
            if len(rows) == most:
                break
            rows.append([])
        rows[-1].extend(view.cell_rect(lj, k) for k in range(len(view.cells(lj))))
    return any(any(left < r[2] <= right + em or left - em <= r[0] < right for r in row)
               and not any(r[0] < left - em and r[2] > right + em for r in row) for row in rows)
