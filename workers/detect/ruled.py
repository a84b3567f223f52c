"""Columns of a table whose rules are printed (`workers.ruling`): a header between two rules
heads what lies between them, down to where they stop, and only the characters between them
are taken from rows OCR read across the whole table."""
from __future__ import annotations

import re
from functools import lru_cache

from ..ruling import ruled_column
from ..textlayer import Finding, Rect
from .shapes import take_name
from .text import alternation
from .view import PageView, span_rect

# A header heads a ruled column when the column's rules start at most this far above it (em):
# the table's top rule, over a header row of two lines. A word deep in the table is no header.
RULES_START_EM = 4.0
# Between rules, a header of MISREAD_MIN characters or more counts with this many misread.
MISREAD_MIN, MISREAD_IN_RULED = 4, 2
# Words that head other columns than a signature's: a misread header holds none of them.
OTHER_COLUMNS = ("日期", "时间", "内容", "医嘱", "措施", "观察", "结果", "项目", "剂量", "用法")


def ruled_headers(view: PageView, li: int, headers: tuple[str, ...]
                  ) -> list[tuple[Rect, Rect, float]]:
    """Header words of line `li` that stand between two printed rules starting just above
    them: each heads the column between those rules, down to where they stop. However OCR
    joined the header row's cells, the rules say where each column is."""
    t, line, em = view.texts[li], view.lines[li], view.em(li)
    width = char_width(line, 0, len(t))
    out = []
    spans = [(m.start(), m.end()) for m in _header_regex(headers).finditer(t.casefold())]
    spans += [(a, b) for a, b in _misread_headers(t, headers)
              if not any(a < e and s < b for s, e in spans)]
    for a, b in spans:
        head = span_rect(line, a, b)
        head = (max(head[0], line.boxes[a][2] - 1.5 * width), *head[1:])
        got = ruled_column(view.page.rules, head, em, RULES_START_EM * em)
        if got is not None:
            out.append((got[0], head, got[1]))
    return out


def _misread_headers(t: str, headers: tuple[str, ...]) -> list[tuple[int, int]]:
    """[start, end) of the places in `t` reading as a header of four characters or more with
    one or two of them misread ("护芋答名", "护十签对" for 护士签名), spaces aside: its first
    character right, and no word of another column in it ("停止日期" is not "停止医师")."""
    where = [i for i, c in enumerate(t) if not c.isspace()]
    compact = "".join(t[i] for i in where)
    out = []
    for h in (h for h in headers if len(h) >= MISREAD_MIN):
        n = len(h)
        for i in range(len(compact) - n + 1):
            part = compact[i:i + n]
            if (part[0] == h[0] and sum(x != y for x, y in zip(part, h)) <= MISREAD_IN_RULED
                    and not any(w in part for w in OTHER_COLUMNS)):
                out.append((where[i], where[i + n - 1] + 1))
    return out


@lru_cache(maxsize=64)
def _header_regex(headers: tuple[str, ...]) -> re.Pattern:
    return re.compile(alternation(headers))


def between_rules(view: PageView, li: int, area: Rect, hy: float, lean: float,
                   category: str, rule: str) -> list[Finding]:
    """The runs of line `li`'s characters centred between a ruled column's rules (at their
    height, the rules leaning by `lean`), each a finding with the name it holds, if any."""
    line, t = view.lines[li], view.texts[li]
    inside = in_column(line, area, hy, lean)
    out, i = [], 0
    while i < len(inside):
        if not inside[i]:
            i += 1
            continue
        j = i
        while j < len(inside) and (inside[j] or t[j].isspace()):
            j += 1
        while j > i and t[j - 1].isspace():
            j -= 1
        got = take_name(t, i, j, strict=True)
        value = "".join(t[got[0]:got[1]].split()) if got is not None and got[1] == j else ""
        # OCR stretches a character over the gap before it, across a rule: kept inside them.
        x0, y0, x1, y1 = span_rect(line, i, j)
        dx = lean * ((y0 + y1) / 2 - hy)
        rect = (max(x0, area[0] + dx), y0, min(x1, area[2] + dx), y1)
        out.append(Finding(view.page.number, rect, category, rule, value, "region"))
        i = j
    return out


def in_column(line, area: Rect, hy: float, lean: float) -> list[bool]:
    """Whether each character of `line` (a space never) is centred between a ruled column's
    rules, at their height, the rules leaning by `lean` from the header's height `hy`."""
    out = []
    for ch, (x0, y0, x1, y1) in zip(line.text, line.boxes):
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        dx = lean * (cy - hy)
        out.append(not ch.isspace() and area[1] <= cy <= area[3]
                   and area[0] + dx <= cx <= area[2] + dx)
    return out


def char_width(line, s: int, e: int) -> float:
    """The usual width of a character of line[s:e]: its median, stretched boxes being few."""
    widths = sorted(line.boxes[i][2] - line.boxes[i][0] for i in range(s, e)
                    if not line.text[i].isspace())
    return widths[len(widths) // 2] if widths else 0.0
