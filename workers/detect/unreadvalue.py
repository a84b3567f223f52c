"""A value after its label and colon that OCR read as no value: a word it could not read any
of, or a number read as a wide bar. Hidden where it stands (`UNREAD`), never hunted: what OCR
made of it is no reading of anything. And a name in running text whose surname OCR could not
read. `hit` and `slot` are the label rules' (`labels`)."""
from __future__ import annotations

from ..ruling import ruled_column
from ..textlayer import UNREAD, UNSURE, Finding
from .ruled import RULES_START_EM, in_column
from .shapes import take_name
from .text import BARS, COLONS, OCR_COLONS, is_cjk, is_mark
from .view import PageView
from .vocab import STAFF_ACTS

ANY_SURNAME = "王"     # stands in for a surname OCR could not read

# A number OCR could not read after its label and colon is a word of at most this many
# characters, none of which it was sure of ("床位号:尼子”检查时间" for 床位号: 27, seed 33 V0017-09).
UNREAD_MOST = 4


def unread_value(view: PageView, hit, slot, category: str, rule: str,
                 allow: frozenset[str], bar: bool = True) -> list[Finding]:
    """A number (or a name) after its label and colon that OCR read as no number (no name): a
    word it was unsure of, on the label's own line (a cell below may hold any such word), or,
    with `bar`, a wide bar. No value to hunt elsewhere: what OCR made of it is no reading of
    anything. A name: "病人姓名 段璐 性别" read "病人姓名|段 性别", 段 unsure (seed 41
    V0016-07)."""
    got = (_unread_word(view.lines[hit.li], slot.start, slot.end)
           if slot is not None and slot.li == hit.li else None)
    if got is None and bar:
        got = _wide_bar(view, hit)
        if got is None:
            return empty_cell(view, hit, category, rule)
    if got is None:
        return []
    return view.text_findings(hit.li, *got, category, f"{rule}{UNREAD}", allow, value="")


def empty_cell(view: PageView, hit, category: str, rule: str) -> list[Finding]:
    """A number's label read with no colon and nothing after it but a cell's width of gap (a
    table's cells need none): the number was dropped from its cell (`_empty_cell`). Or an
    extra bed's sign alone: "床 号 + 检查时间" over 床 号 +1 (seed 80 V0003-10)."""
    return _gap_finding(view, _lone_sign(view, hit) or _empty_cell(view, hit)
                        or _in_column(view, hit), category, rule)


def _gap_finding(view: PageView, gap, category: str, rule: str) -> list[Finding]:
    return [] if gap is None else [
        Finding(view.page.number, gap, category, f"{rule}{UNREAD}", "", "text")]


# Where a number's label is followed by nothing but a gap this wide (em) and the table's bar
# ending the line, the number was dropped from its cell.
EMPTY_CELL_EM = 1.5


# Or by a gap this wide before the next cell's words: "床 号 检查时间" read over "床 号 | 8 |
# 检查时间", the 8 against its cell's rule boxed inside an 11 em space (seed 54 V0005-12).
NEXT_CELL_EM = 3.0


def _empty_cell(view: PageView, hit) -> tuple[float, float, float, float] | None:
    """The gap OCR read as nothing after a number's label, up to the bar that ends the line
    or, a cell wide, up to the next cell: "床号 |" read over "床号 | 9 |", the 9 boxed inside
    the space (seed 45 V0028-04). Hidden whole: the number stands somewhere in it, and a cell
    holds nothing else."""
    line, t = view.lines[hit.li], view.texts[hit.li]
    if line.source != "ocr":
        return None
    i = hit.end
    while i < len(t) and t[i] in COLONS and not t[i].isspace() and t[i] not in BARS:
        i += 1
    if i >= len(t) or not t[i].isspace():
        return None
    j = i
    while j < len(t) and t[j].isspace():
        j += 1
    ends = j >= len(t) or (t[j] in BARS and not t[j + 1:].strip())
    em = view.em(hit.li)
    x0 = line.boxes[i][0]
    x1 = line.boxes[j][0] if j < len(t) else line.boxes[j - 1][2]
    if x1 - x0 < (EMPTY_CELL_EM if ends else NEXT_CELL_EM) * em:
        return None
    label = line.span_rect(hit.start, hit.end)
    return x0, label[1], x1, label[3]


def _in_column(view: PageView, hit) -> tuple[float, float, float, float] | None:
    """The cell under a number's header in a ruled table when what OCR read between the
    column's rules there is nothing it was sure of, or digits with no Chinese character:
    "床位号" over "+5" read "产科* |嫩nl" and, another time, "产科45", the row's cells joined
    across the rule, so no cell stood under the header (seed 80 V0027-09). The whole cell
    between the rules goes: a number's cell holds nothing else."""
    line = view.lines[hit.li]
    if line.source != "ocr" or not view.page.rules:
        return None
    em = _label_em(view, hit)
    head = line.span_rect(hit.start, hit.end)
    got = ruled_column(view.page.rules, head, em, RULES_START_EM * em)
    if got is None:
        return None
    area, lean = got
    hy = (head[1] + head[3]) / 2
    rows = []
    for lj, row in enumerate(view.lines):
        if lj != hit.li and row.source == "ocr":
            inside = [i for i, yes in enumerate(in_column(row, area, hy, lean)) if yes]
            if inside:
                rows.append((view.bboxes[lj][1], lj, inside))
    if not rows:
        return None
    _top, lj, inside = min(rows)
    row = view.lines[lj]
    unread = len(inside) <= UNREAD_MOST and all(row.unsure[i:i + 1] == UNSURE for i in inside)
    digits = (any(row.text[i].isdigit() for i in inside)
              and not any(is_cjk(row.text[i]) for i in inside))
    if not unread and not digits:
        return None
    return (area[0], min(row.boxes[i][1] for i in inside), area[2],
            max(row.boxes[i][3] for i in inside))


def _past_colon(t: str, i: int) -> int:
    """Past the spaces and the marks OCR read for a colon from t[i] on; a bar is no colon here:
    it may be the number itself."""
    while i < len(t) and (t[i].isspace() or (t[i] in OCR_COLONS and t[i] not in BARS)):
        i += 1
    return i


def _lone_sign(view: PageView, hit) -> tuple[float, float, float, float] | None:
    """An extra bed's sign read alone after its label, the number read as the gap after it
    ("床 号:+ 住 院号" for 床号: +1, seed 52 V0006-06): the sign and that gap, up to the next
    word or one em on at the line's end."""
    line, t = view.lines[hit.li], view.texts[hit.li]
    if line.source != "ocr":
        return None
    i = _past_colon(t, hit.end)
    if i >= len(t) or t[i] != "+" or (i + 1 < len(t) and not t[i + 1].isspace()):
        return None
    j = i + 1
    while j < len(t) and t[j].isspace():
        j += 1
    sign = line.span_rect(i, i + 1)
    x1 = line.boxes[j][0] if j < len(t) else sign[2] + view.em(hit.li)
    return sign[0], sign[1], max(x1, sign[2]), sign[3]


# A "|" boxed at least this wide (in em) after a number's label holds more ink than a table's
# rule: the number read as a bar ("床号 |" for 床号 11 in its cell, seed 35 V0015-03).
WIDE_BAR_EM = 0.5


def _wide_bar(view: PageView, hit) -> tuple[int, int] | None:
    """The bar OCR read for a number after its label and before the line's end or a space,
    with the marks it read for the colon before it: "床 号“|" over "床 号 +3", the 3 read
    nowhere and the bar boxed over the + (seed 48 V0010-04)."""
    line, t = view.lines[hit.li], view.texts[hit.li]
    if line.source != "ocr":
        return None
    first = hit.end
    while first < len(t) and t[first].isspace():
        first += 1
    i = _past_colon(t, first)
    if i >= len(t) or t[i] not in BARS or (i + 1 < len(t) and not t[i + 1].isspace()):
        return None
    if line.boxes[i][2] - line.boxes[i][0] >= WIDE_BAR_EM * _label_em(view, hit):
        return first, i + 1
    return None


def _label_em(view: PageView, hit) -> float:
    """The em of the label's own characters: a table row's line is taller than its print."""
    line, t = view.lines[hit.li], view.texts[hit.li]
    chars = [b for ch, b in zip(t[hit.start:hit.end], line.boxes[hit.start:hit.end])
             if not ch.isspace()]
    return (chars[-1][2] - chars[0][0]) / len(chars)


def _unread_word(line, start: int, end: int) -> tuple[int, int] | None:
    """The word opening [start, end) of an OCR line, if OCR was unsure of all of it."""
    unsure = line.unsure
    if line.source != "ocr" or not unsure:
        return None
    while start < end and line.text[start].isspace():
        start += 1
    stop = start
    while stop < end and unsure[stop] == UNSURE and not line.text[stop].isspace():
        stop += 1
    if stop == start or stop - start > UNREAD_MOST:
        return None
    if stop < end and not (line.text[stop].isspace() or is_mark(line.text[stop])):
        return None   # the word goes on in characters OCR was sure of: it read a word
    return start, stop


def unsure_surname(view: PageView, slot) -> list[tuple[int, int]]:
    """A staff member named in running text, the surname read as a character OCR was unsure
    of that is no surname ("值班医师仁思远立即组织抢救" for 龚思远, seed 80 V0029-10): the
    name, as a surname would have made it, when a word a staff member does follows it."""
    line, t = view.lines[slot.li], view.texts[slot.li]
    i = slot.start
    while i < slot.end and t[i].isspace():
        i += 1
    if line.source != "ocr" or line.unsure[i:i + 1] != UNSURE:
        return []
    got = take_name(f"{t[:i]}{ANY_SURNAME}{t[i + 1:]}", i, slot.end, strict=True)
    if got is None or not any(t.startswith(w, got[1]) for w in STAFF_ACTS):
        return []
    return [got]
