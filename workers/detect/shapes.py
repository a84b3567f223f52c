"""How far a value runs after its label: a name, a list of names, a number, a date, a text."""
from __future__ import annotations

import re

from .text import is_cjk, is_latin, is_mark
from .vocab import (
    AFTER_NAME,
    COMPOUND_SURNAMES,
    FIELD_WORDS,
    NAME_ENDERS,
    NAME_STOPS,
    NARRATIVE_STOPS,
    NEWBORN_SUFFIXES,
    NOT_A_NAME,
    NOT_A_NAME_START,
    SURNAMES,
    TITLES,
    starts_with_any,
)

Span = tuple[int, int]

_LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z'\-]*(?: [A-Za-z][A-Za-z'\-]*){0,3}")
# A leading + or 加 marks an extra bed ("床位号：+6", "加3").
_NUMBER = re.compile(r"(?:No\.?|NO\.?|#)? ?([+＋加]?[A-Za-z0-9][A-Za-z0-9\-]*(?: [0-9]+)*)")
# On a scan OCR reads a digit inside a long number as a mark ("330106198802080505" read
# "ao1o6; 98802080505"): a run of 4+ letters or digits after one such mark goes on the number.
# A group after a space may hold a digit read as a letter ("132 58s7 6151", seed 47 V0028-01).
_OCR_NUMBER = re.compile(r"(?:No\.?|NO\.?|#)? ?([+＋加]?[A-Za-z0-9][A-Za-z0-9\-]*"
                         r"(?: (?=[A-Za-z]?[0-9])[A-Za-z0-9]+)*"
                         r"(?: ?[;:,.，；：。] ?[A-Za-z0-9]{4,})*)")
_DATE = re.compile(
    r"[0-9]{4} ?[-/.年] ?[0-9]{1,2} ?[-/.月] ?[0-9]{1,2} ?日?"
    r"(?: ?[0-9]{1,2} ?[:：时] ?[0-9]{1,2}(?: ?[:：分] ?[0-9]{1,2})?[分秒]?)?"
    r"|[0-9]{8}|[0-9]{1,2}月[0-9]{1,2}日")
# Where a free-text value ends: the next "字段：" in the same cell.
_NEXT_LABEL = re.compile(r"[\u4e00-\u9fffA-Za-z]{1,6} ?[:：]")
_SEPARATORS = "、，,;；/ \t和及"
# What joins the names of a short list that a single-name label heads ("王旭、周成").
_JOINERS = "、和及"
_LETTER_IN_NAME = re.compile(r"(?<=[\u4e00-\u9fff])[a-z](?=[\u4e00-\u9fff])")
_TRAIL = " \t,，;；。.、:："
OPEN_BRACKETS = "(（〈<[【"
CLOSE_BRACKETS = ")）〉>]】"


def take_name(t: str, i: int, end: int, strict: bool = False, min_len: int = 2) -> Span | None:
    """A 2-4 character Chinese name (or a Latin one) starting at t[i], within [i, end).

    `strict` is for a label with no colon in running text: the value must start with a common
    surname and stops before narrative words ("患者张三因腹痛" -> 张三).
    """
    while i < end and t[i].isspace():
        i += 1
    if i >= end:
        return None
    if is_latin(t[i]):
        m = _LATIN_NAME.match(t, i, end)
        return (m.start(), m.end()) if m and m.end() - m.start() >= 2 else None
    if not is_cjk(t[i]) or starts_with_any(t, i, FIELD_WORDS):
        return None
    if t[i:i + 2] in NOT_A_NAME:
        # "主任医师：同意上述诊断": a clause, not a name (nor "上述" once the allow list
        # takes 同意 off the front of "同意上述").
        return None
    compound = t[i:i + 2] in COMPOUND_SURNAMES
    if strict and (not compound
                   and (t[i] in NOT_A_NAME_START or t[i] not in SURNAMES)):
        return None
    # In running text a name is 2-3 characters; a fourth is more often the next word (陈可馨陪同).
    limit = 5 if compound else 3 if strict else 4
    j, n, last, spaced = i, 0, i, False
    while j < end:
        c = t[j]
        if is_cjk(c):
            if n >= 2 and t[j:min(j + 2, end)] in NEWBORN_SUFFIXES:
                last = j + 2     # "曾可馨之女": a newborn is named after the mother, whole
                break
            if n >= 2 and (c in NAME_STOPS
                           or (strict and (c in NARRATIVE_STOPS or t[j:j + 2] in NOT_A_NAME))
                           or starts_with_any(t, j, NAME_ENDERS)):
                break
            if n >= limit:
                break
            n, j = n + 1, j + 1
            last = j
        elif c in "·•" and n and j + 1 < end and is_cjk(t[j + 1]):
            limit, j = 10, j + 1          # 阿不都·热合曼
        elif c.isspace() and (n == 1 or spaced):
            # A spaced-out name ("张  三"): single characters a few spaces apart.
            k = j
            while k < end and t[k].isspace():
                k += 1
            if (k - j <= 3 and k < end and is_cjk(t[k]) and n < limit
                    and t[k] not in NAME_STOPS
                    and not starts_with_any(t, k, NAME_ENDERS)):
                spaced, j = True, k
                continue
            break
        else:
            break
    return (i, last) if n >= min_len else None


def take_names(t: str, i: int, end: int, strict: bool = False) -> list[Span]:
    """Names separated by 、，, or spaces, each maybe followed by a title ("张三主任医师、李四")."""
    spans: list[Span] = []
    while i < end:
        got = take_name(t, i, end, strict and not spans)
        if got is None:
            break
        spans.append(got)
        i = got[1]
        moved, start = True, i
        while moved and i < end:
            moved = False
            while i < end and t[i] in _SEPARATORS:
                i, moved = i + 1, True
            j = skip_title(t, i, end)
            if j > i:
                i, moved = j, True
        if i == start or i < end and (starts_with_any(t, i, FIELD_WORDS)
                                      or _NEXT_LABEL.match(t, i, end)):
            break   # a name runs on into a word ("金欢沟通"), or the next field starts
    return spans


def skip_title(t: str, i: int, end: int) -> int:
    """Past the title after a name at t[i]: "（副主任医师）", "主治医师", or both; else i.

    The bracket holds a title, not another name. OCR reads brackets as 〈 < [ 【 too.
    """
    if i < end and t[i] in OPEN_BRACKETS:
        close = min((k for k in (t.find(c, i, end) for c in CLOSE_BRACKETS) if k > 0),
                    default=-1)
        if 0 < close - i <= 10:
            i = close + 1
    for n in range(min(6, end - i), 1, -1):
        if t[i:i + n] in TITLES:
            return i + n
    return i


def take_number(t: str, i: int, end: int, ocr: bool = False) -> Span | None:
    m = (_OCR_NUMBER if ocr else _NUMBER).match(t, _skip_space(t, i, end), end)
    if not m or not any(c.isdigit() for c in m.group(1)):
        return None
    return m.span(1)


def take_misread_sign(t: str, i: int, end: int) -> Span | None:
    """A number whose leading sign OCR read as a character: "床号：+7" read "床号：了7" (十, 干).

    One character that is no letter or digit of a number, then the number right after it.
    """
    i = _skip_space(t, i, end)
    if i + 1 >= end or t[i].isascii() or t[i].isspace():
        return None
    got = take_number(t, i + 1, end)
    if got is None or got[0] != i + 1:
        return None
    return (i, got[1])


# A short number OCR read as letters ("床号 Si" for 床号 7): one to three letters, digits or
# marks, a letter among them, standing alone, an extra bed's sign before them maybe ("床 号:
# +T" for +1, seed 86 V0010-01); not an ECG lead's name. Or a long one read as a word of
# letters ("门诊号 |wzzaasoosa" for MZ24390053 on a scanned ECG, seed 33 V0002-07).
_MISREAD_NUMBER = re.compile(r"(?!(?:I{1,3}|aV[RLF]|V[1-6])(?:\s|$))"
                             r"(\+?(?=[^\s]{0,2}[A-Za-z])[A-Za-z0-9|!?'\[\]()<>~]{1,3}"
                             r"|[A-Za-z0-9]{6,16})(?=\s|$)")


def take_misread_number(t: str, i: int, end: int) -> Span | None:
    m = _MISREAD_NUMBER.match(t, _skip_space(t, i, end), end)
    return m.span(1) if m else None


def take_date(t: str, i: int, end: int) -> Span | None:
    m = _DATE.match(t, _skip_space(t, i, end), end)
    return m.span() if m else None


def take_text(t: str, i: int, end: int) -> Span | None:
    """Up to the end of the cell or the next "字段：" in it."""
    i = _skip_space(t, i, end)
    if _label_at(t, i, end):
        return None
    for c in range(i + 1, end):
        if t[c] in "：:":
            cut = _label_start(t, c, i)
            if cut is not None:
                end = cut
                break
    while end > i and t[end - 1] in _TRAIL:
        end -= 1
    return (i, end) if end > i else None


def _label_at(t: str, i: int, end: int) -> bool:
    """A field word with its colon starts at t[i]: the value before it is empty."""
    m = _NEXT_LABEL.match(t, i, end)
    return bool(m and starts_with_any(t, i, FIELD_WORDS))


def _label_start(t: str, colon: int, lo: int) -> int | None:
    """Where the label ending at t[colon] begins: a known field word, else 2-4 letters."""
    c = colon
    while c > lo and t[c - 1] == " ":
        c -= 1
    for n in range(min(6, c - lo), 1, -1):
        if t[c - n:c] in FIELD_WORDS:
            return c - n
    b = c
    while b > lo and c - b < 4 and (is_cjk(t[b - 1]) or is_latin(t[b - 1])):
        b -= 1
    return b if b < c else None     # "10:30" is a time, not a label


def take_short(t: str, i: int, end: int, strict: bool = False) -> Span | None:
    """A signature's text: 1-4 CJK characters or a Latin name."""
    return take_name(t, i, end, strict, min_len=1)


def take(shape: str, t: str, i: int, end: int, strict: bool, ocr: bool = False) -> list[Span]:
    """Spans of the value of `shape` starting at t[i], not beyond `end`; `ocr`: t is OCR's
    reading of pixels, with its misreadings."""
    if ocr and shape in ("name", "names"):
        # A speck left of a cell is read as a mark and joined to the name after it ("。胡若"
        # under 患者姓名, seed 48 V0014-05); no name starts with one.
        while i < end and (is_mark(t[i]) or t[i].isspace()):
            i += 1
        # A stroke of a Chinese character read as a small letter between two others ("欧阳想"
        # read "欧p昌想", seed 62 V0025-02) is a character of the name. Same length.
        t = _LETTER_IN_NAME.sub("口", t)
    if shape == "names":
        return take_names(t, i, end, strict)
    if shape == "name":
        got = take_name(t, i, end, strict)
        if got and got[1] < end and t[got[1]] in _JOINERS:
            # "与家属王旭、周成沟通": a label may head a short list; the others must look like
            # names (common surname, no narrative word), as in running text.
            return [got, *more_names(t, got[1] + 1, end)]
    elif shape == "number":
        got = take_number(t, i, end, ocr) or (
            (take_misread_sign(t, i, end) or take_misread_number(t, i, end)) if ocr else None)
    elif shape == "date":
        got = take_date(t, i, end)
    elif shape == "place":
        # Not in running text ("患者单位同事陪同"), and three Chinese characters at least: a
        # units column holds mmol/L, 片 or 毫升, a workplace 昆明纺织厂.
        got = None if strict else take_text(t, i, end)
        if got and not (got[1] - got[0] >= 3 and all(is_cjk(c) for c in t[got[0]:got[0] + 3])):
            got = None
    elif shape == "signature":
        got = take_short(t, i, end, strict)
    else:
        got = take_text(t, i, end)
    return [got] if got else []


def more_names(t: str, i: int, end: int, most: int = 3) -> list[Span]:
    out: list[Span] = []
    while len(out) < most:
        # In a list after a name, a surname that also opens common words (文, 高) still counts.
        loose = i < end and (t[i] in SURNAMES or t[i:i + 2] in COMPOUND_SURNAMES)
        got = take_name(t, i, end, strict=not loose)
        # Three characters at most, four after a compound surname ("夏丹丹、欧阳建平沟通", seed
        # 61 V0018-02): longer runs on into a word.
        if got is None or got[1] - got[0] > 3 + (t[got[0]:got[0] + 2] in COMPOUND_SURNAMES):
            got = before_person_word(t, i, end)
        if got is None:
            break
        out.append(got)
        if got[1] >= end or t[got[1]] not in _JOINERS:
            break
        i = got[1] + 1
    return out


def before_person_word(t: str, i: int, end: int) -> Span | None:
    """Two or three Chinese characters that a word following a person ends ("毛秀荣、融凤英沟通":
    OCR read 禹 as 融, no surname): in a list after a name, that is the next name. The line's
    end may cut that word ("陈霞、赵一诺沟" / "通"): its head then ends the text."""
    for n in (3, 2):
        rest = t[i + n:end]
        if (i + n < end and all(is_cjk(c) for c in t[i:i + n])
                and any(w.startswith(rest) if len(rest) < len(w) else rest.startswith(w)
                        for w in AFTER_NAME)):
            return i, i + n
    return None


def _skip_space(t: str, i: int, end: int) -> int:
    while i < end and t[i].isspace():
        i += 1
    return i
