"""Values after labels: on the same line, in the next table cell, or below the label."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache

from dsl.model import AfterLabel

from ..textlayer import Finding, Rect
from .rows import BELOW_EM, below_cell, right_cell
from .shapes import before_person_word, skip_title, take, take_names
from .text import BARS, COLONS, OCR_COLONS, SPACE, alternation, blanked, is_cjk, is_mark
from .unreadvalue import empty_cell, unread_value, unsure_surname
from .view import PageView
from .vocab import (
    COMPOUND_SURNAMES,
    FIELD_WORDS,
    LABEL_SUFFIXES,
    NOT_A_NAME,
    STAFF_ENDINGS,
    SURNAMES,
    TITLES,
    starts_with_any,
    words_in,
)

OCR_LABEL_MISREADS = (("人员", "入员"), ("签名", "答名"), ("签名", "符名"), ("签字", "答字"),
                      ("签字", "符字"), ("床号", "床写"))
_LABEL_CELL = re.compile(r"[\u4e00-\u9fffA-Za-z]{1,8}[:：]")


@dataclass(frozen=True, slots=True)
class LabelHit:
    """A label on line `li`: characters [start, end), its value searched from `pos`."""

    li: int
    start: int
    end: int
    pos: int
    colon: bool


@dataclass(frozen=True, slots=True)
class Slot:
    """Where a value may stand: characters [start, end) of line `li`."""

    li: int
    start: int
    end: int
    strict: bool          # no colon, same phrase: only a clear name counts
    where: str            # same | next | right | below | wrap


@lru_cache(maxsize=256)
def label_regex(labels: tuple[str, ...]) -> re.Pattern:
    """Labels, longest first, spaced-out tolerant, with the words that extend them (医师签名)."""
    suffix = alternation(LABEL_SUFFIXES)
    # A Latin label is a word of its own: "ID" inside "静滴 bid" took the date below as a number.
    latin = [lb for lb in labels if lb[:1].isascii() and lb[:1].isalpha()]
    other = [lb for lb in labels if lb not in latin]
    # OCR reads 人 as 入 ("参加入员") and 签 as 答 or 符, the bamboo top kept ("答名: -史曼",
    # seed 34 V0007-03; "医师符名:全", seed 76 V0009-03), and 号 as 写 ("床写" over "床号: 7",
    # seed 82 V0023-09); neither "入员" nor "答名" nor "符名" nor "床写" is a word, so the
    # misread can only be the label.
    other += [lb.replace(word, misread) for word, misread in OCR_LABEL_MISREADS
              for lb in other if word in lb]
    parts = [f"(?:{alternation(other)})"] if other else []
    if latin:
        parts.append(f"(?<![A-Za-z])(?:{alternation(latin)})(?![A-Za-z])")
    return re.compile(f"(?:{'|'.join(parts)})(?:{SPACE}*(?:{suffix}))*", re.IGNORECASE)


def label_hits(view: PageView, labels: tuple[str, ...]) -> Iterator[LabelHit]:
    """Every occurrence of a label on the page, with where its value would begin."""
    for m in label_regex(labels).finditer(view.stream):
        li, start = view.locate(m.start())
        t = view.texts[li]
        end = start + m.end() - m.start()
        if _title_of_named(t, start, end):
            continue
        pos = _skip_field_words(t, end)
        q = pos
        while q < len(t) and t[q].isspace():
            q += 1
        colon = q < len(t) and t[q] in COLONS
        if view.lines[li].source == "ocr":
            # OCR reads a colon as ; “ | 。 or several of them ("门诊号“|5265092596").
            r = q
            while r < len(t) and (t[r] in OCR_COLONS or t[r].isspace()):
                r += 1
            if r > q:
                yield LabelHit(li, start, end, r, True)
                continue
        yield LabelHit(li, start, end, q + 1 if colon else pos, colon)


def _title_of_named(t: str, start: int, end: int) -> bool:
    """A title right after a name ("何雨桐主任医师：...") introduces that person's words."""
    label = "".join(t[start:end].split())
    if not any(label.endswith(w) for w in TITLES):
        return False
    b = start
    while b > 0 and is_cjk(t[b - 1]) and start - b <= 4:
        b -= 1
    run = t[b:start]
    return (2 <= len(run) <= 4 and (b == 0 or not is_cjk(t[b - 1]))
            and (run[0] in SURNAMES or run[:2] in COMPOUND_SURNAMES))


def _skip_field_words(t: str, pos: int) -> int:
    """Past field words between a label and its colon: "联系人" + "电话：" is one label."""
    for n in range(min(6, len(t) - pos), 1, -1):
        if t[pos:pos + n] in FIELD_WORDS:
            q = pos + n
            while q < len(t) and t[q].isspace():
                q += 1
            if q < len(t) and t[q] in COLONS:
                return q
    return pos


def value_slot(view: PageView, hit: LabelHit, labels: tuple[str, ...]) -> Slot | None:
    """Where the value of a label stands, or None when the form leaves it empty."""
    li, t = hit.li, view.texts[hit.li]
    cells = view.cells(li)
    k_label = view.cell_at(li, hit.end - 1)
    q = hit.pos
    while q < len(t) and t[q].isspace():
        q += 1
    k = view.cell_at(li, q) if q < len(t) else None
    if k is not None and k == k_label:
        if not hit.colon and (starts_with_any(t, q, FIELD_WORDS)
                              or any(t.startswith(w, q) for w in labels)):
            # A header row set with narrow spaces ("姓名 性别 年龄"): values are below.
            return _below_token(view, hit, labels)
        clear = (_staff_cell(t, hit, cells[k]) or _form_cell(t, hit, cells, k)
                 or _form_line(t, hit, cells, labels))
        return Slot(li, q, cells[k][1], not hit.colon and not clear, "same")
    if k_label is not None and cells[k_label][0] < hit.start and not hit.colon:
        if words_in(t, cells[k_label][0], hit.start)[1] == 0:
            # Header cells read as one ("入院时间病史陈述者"): the value is the cell below it.
            return _below_span(view, hit, labels)
        if not _after_marks(t, hit.start):
            # The label closes a sentence ("...通知值班医师"): what stands below is the next one.
            return None
        # Specks OCR read as marks joined the label to the cell before it ("住院号
        # |zY3837436。。床号" / "9", seed 39 V0020-03): the label opens a cell of its own.
    if k is not None:
        if not label_like(t, cells[k], labels):
            return Slot(li, cells[k][0], cells[k][1], False, "next")
        return _below(view, li, k_label, labels, hit.colon)
    right = right_cell(view, li, k_label)
    if right is not None:
        lj, k = right
        if not label_like(view.texts[lj], view.cells(lj)[k], labels):
            s, e = view.cells(lj)[k]
            return Slot(lj, s, e, False, "right")
    return _below(view, li, k_label, labels, hit.colon)




def _after_marks(t: str, at: int) -> bool:
    """Whether the last character before t[at], spaces aside, is a mark: no phrase runs on
    into what stands there."""
    before = t[:at].rstrip()
    return bool(before) and (is_mark(before[-1]) or before[-1] in BARS)


def _staff_cell(t: str, hit: LabelHit, cell: tuple[int, int]) -> bool:
    """Whether a staff label opens its cell and the rest is a name of 2-3 characters. Then
    the name is taken even when it opens with a character that is more often a function word
    (文, 明, 安): "送检医师文林" is no sentence."""
    rest = "".join(t[hit.pos:cell[1]].split())
    label = "".join(t[hit.start:hit.end].split())
    return (not t[cell[0]:hit.start].strip() and label.endswith(STAFF_ENDINGS)
            and 2 <= len(rest) <= 3 and all(is_cjk(c) for c in rest)
            and (rest[0] in SURNAMES or rest[:2] in COMPOUND_SURNAMES)
            and rest[:2] not in NOT_A_NAME and rest[1:3] not in NOT_A_NAME)


def _form_cell(t: str, hit: LabelHit, cells: list[tuple[int, int]], k: int) -> bool:
    """Whether the label opens its cell, 2-3 Chinese characters fill the rest, and the next
    cell opens with a field word: a form row ("姓 名 狗静 | 性别 女"), no sentence. Then the
    value is taken whatever its first character: OCR misreads surnames (蒋 as 狗)."""
    rest = "".join(t[hit.pos:cells[k][1]].split())
    return (not t[cells[k][0]:hit.start].strip() and k + 1 < len(cells)
            and 2 <= len(rest) <= 3 and all(is_cjk(c) for c in rest)
            and rest[:2] not in NOT_A_NAME and rest[1:3] not in NOT_A_NAME
            and starts_with_any("".join(t[slice(*cells[k + 1])].split()), 0, FIELD_WORDS))


def _form_line(t: str, hit: LabelHit, cells: list[tuple[int, int]],
               labels: tuple[str, ...]) -> bool:
    """Whether the label opens a line holding nothing but it, a space and one word that is no
    label: a form's field on a line of its own ("单位 昆明纺织三", 厂 misread, seed 49
    V0010-02), no sentence."""
    rest = t[hit.pos:]
    return (len(cells) == 1 and not t[:hit.start].strip() and rest[:1].isspace()
            and len(rest.split()) == 1
            and not label_like(t, (len(t) - len(rest.lstrip()), len(t)), labels))


def label_like(t: str, cell: tuple[int, int], labels: tuple[str, ...]) -> bool:
    """A header cell or another "字段：", not a value."""
    compact = "".join(t[cell[0]:cell[1]].split())
    return (starts_with_any(compact, 0, FIELD_WORDS) or any(compact.startswith(w) for w in labels)
            or _LABEL_CELL.match(compact) is not None
            or any(compact.endswith(w) for w in ("日期", "时间", "签名", "签字", "医师", "内容")))


def _below(view: PageView, li: int, k: int | None, labels: tuple[str, ...],
           colon: bool) -> Slot | None:
    if k is None:
        return None
    got = below_cell(view, li, k)
    if got is not None:
        lj, k2 = got
        if label_like(view.texts[lj], view.cells(lj)[k2], labels):
            return None
        s, e = view.cells(lj)[k2]
        return Slot(lj, s, e, False, "below")
    # "患者姓名：" closing a line, the name opening the next one: only a clear name counts.
    if colon and li + 1 < len(view.lines) and view.cells(li + 1):
        b, r = view.bboxes[li + 1], view.cell_rect(li, k)
        if r[3] - 0.3 * view.em(li) <= b[1] <= r[3] + 2 * view.em(li):
            s, e = view.cells(li + 1)[0]
            return Slot(li + 1, s, e, True, "wrap")
    return None


def _below_token(view: PageView, hit: LabelHit, labels: tuple[str, ...]) -> Slot | None:
    """The space-separated word under a label in a narrowly spaced table."""
    line, em = view.lines[hit.li], view.em(hit.li)
    lr = line.span_rect(hit.start, hit.end)
    best = None
    for lj, b in enumerate(view.bboxes):
        if (lj == hit.li or b[1] < lr[3] - 0.3 * em or b[1] > lr[3] + BELOW_EM * em
                or b[2] < lr[0] or b[0] > lr[2] or (best is not None and b[1] >= best[0])):
            continue
        t, boxes = view.texts[lj], view.lines[lj].boxes
        for i, ch in enumerate(t):
            if not ch.isspace() and boxes[i][2] > lr[0] - 0.5 * em:
                if boxes[i][0] < lr[2] + em:
                    best = (b[1], lj, i)
                break
    if best is None:
        return None
    _, lj, i = best
    t = view.texts[lj]
    while i > 0 and not t[i - 1].isspace():
        i -= 1
    k = view.cell_at(lj, i)
    end = view.cells(lj)[k][1]
    if label_like(t, (i, end), labels):
        return None
    return Slot(lj, i, end, False, "below")


def _below_span(view: PageView, hit: LabelHit, labels: tuple[str, ...]) -> Slot | None:
    """The cell of the nearest line below that stands most under the label itself: its
    header cell holds other headers too, so the cell's own column says nothing."""
    lr = view.lines[hit.li].span_rect(hit.start, hit.end)
    reach = BELOW_EM * (lr[3] - lr[1])
    best = None
    for lj, b in enumerate(view.bboxes):
        if lj == hit.li or b[1] < lr[3] - 0.3 * (lr[3] - lr[1]) or b[1] > lr[3] + reach:
            continue
        for k, (s, e) in enumerate(view.cells(lj)):
            r = view.cell_rect(lj, k)
            share = (min(r[2], lr[2]) - max(r[0], lr[0])) / max(r[2] - r[0], 1e-6)
            if share >= 0.5 and (best is None or (b[1], -share) < best[0]):
                best = ((b[1], -share), lj, s, e)
    if best is None or label_like(view.texts[best[1]], (best[2], best[3]), labels):
        return None
    return Slot(best[1], best[2], best[3], False, "below")


def find_after_label(view: PageView, det: AfterLabel, category: str, rule: str,
                     allow: frozenset[str]) -> list[Finding]:
    """The value after each label of `det`, bounded by its shape."""
    out: list[Finding] = []
    labels = tuple(det.labels)
    for hit in label_hits(view, labels):
        slot = value_slot(view, hit, labels)
        if slot is None:
            if det.shape == "number":
                out.extend(unread_value(view, hit, None, category, rule, allow) if hit.colon
                           else empty_cell(view, hit, category, rule))
            continue
        spans = take(det.shape, view.texts[slot.li], slot.start, slot.end, slot.strict,
                     view.lines[slot.li].source == "ocr")
        # A header cell's label, then what OCR read of nothing ("患者姓名了" over 患者姓名, the
        # 了 unsure and boxed to the cell's rule, seed 48 V0014-05): its value is below. Only a
        # label opening its cell: "…查房记录人和", a signature read beside a note's heading,
        # has the note's next line below (seed 76 V0009-03).
        junk = (slot.where == "same" and not hit.colon and not spans
                and view.lines[slot.li].unread(slot.start, slot.end)
                and _opens_cell(view, hit))
        if (slot.where in ("next", "right") or junk) and (not spans or not hit.colon) \
                and not blanked(view.texts[slot.li], slot.start, slot.end):
            # A label without a colon in a header row ("标本号 送检医师 临床诊断"): its value
            # stands in the row below, and the cell beside is the next header, not a value.
            below = _below(view, hit.li, view.cell_at(hit.li, hit.end - 1), labels, hit.colon)
            if below is not None:
                got = take(det.shape, view.texts[below.li], below.start, below.end,
                           below.strict, view.lines[below.li].source == "ocr")
                if got:
                    slot, spans = below, got
        if not spans and det.shape == "name" and slot.strict:
            spans = unsure_surname(view, slot)
        label = "".join(view.texts[hit.li][hit.start:hit.end].split())
        if not spans and det.shape in ("number", "name") and hit.colon:
            out.extend(unread_value(view, hit, slot, category, rule, allow,
                                      bar=det.shape == "number"))
        elif not spans and det.shape == "number":
            out.extend(empty_cell(view, hit, category, rule))
        for s, e in spans:
            out.extend(replace(f, label=label)
                       for f in view.text_findings(slot.li, s, e, category, rule, allow))
        if det.shape in ("name", "names") and spans and _list_runs_to_the_end(
                view.texts[slot.li], spans[-1][1], det.shape == "names"):
            for lj, s, e in _list_continues(view, slot.li):
                out.extend(view.text_findings(lj, s, e, category, rule, allow))
    return out


def _opens_cell(view: PageView, hit: LabelHit) -> bool:
    """Whether the label opens its cell: no letter or digit before it there but field words."""
    cell = view.cells(hit.li)[view.cell_at(hit.li, hit.start)]
    return words_in(view.texts[hit.li], cell[0], hit.start)[1] == 0


def _list_runs_to_the_end(t: str, end: int, titled: bool) -> bool:
    """Whether a list of names ends its line unfinished, right after its last name.

    "与家属吴秀兰、" goes on below; "与家属吴秀兰沟通，患者病情、" does not. A participant list
    may also break inside the title after the name ("桂梓萱（副主任医").
    """
    if titled:
        # Past the last name's title: "（主治医师）、", "护士、".
        while end < len(t) and t[end].isspace():
            end += 1
        end = skip_title(t, end, len(t))
    tail = t[end:].strip()
    if tail in ("、", "，", ","):
        return True
    return titled and len(tail) <= 8 and tail[:1] in "（(" and ")" not in tail and "）" not in tail


def _list_continues(view: PageView, li: int, most: int = 3) -> list[tuple[int, int, int]]:
    """Names of a list wrapped onto the following lines ("…、桂梓萱（副主任医" / "师）、张家豪")."""
    out: list[tuple[int, int, int]] = []
    for _ in range(most):
        t = view.texts[li].rstrip()
        open_bracket = t.count("（") + t.count("(") > t.count("）") + t.count(")")
        if not t or li + 1 >= len(view.lines) or not (open_bracket or t[-1] in "、，,"):
            break
        b, nb, em = view.bboxes[li], view.bboxes[li + 1], view.em(li)
        if not (b[3] - 0.5 * em <= nb[1] <= b[3] + 1.5 * em):
            break
        li, nt = li + 1, view.texts[li + 1]
        i = 0
        if open_bracket:
            close = min((k for k in (nt.find("）"), nt.find(")")) if k >= 0), default=-1)
            if close < 0 or close > 6:
                break
            i = close + 1
        while i < len(nt) and nt[i] in "、，, ":
            i += 1
        # Or a name that OCR misread, if a person's word follows it ("锅琳沟通" for 贺琳).
        spans = take_names(nt, i, len(nt), strict=True) or [
            got for got in [before_person_word(nt, i, len(nt))] if got]
        if not spans:
            break
        out.extend((li, s, e) for s, e in spans)
    return out


def label_rect(view: PageView, hit: LabelHit) -> Rect:
    return view.lines[hit.li].span_rect(hit.start, hit.end)

