"""Running one compiled rule on one page: pick the detector, apply the scope."""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from dsl.model import (
    AfterLabel,
    Column,
    Everything,
    Handwriting,
    IdCard,
    Images,
    Pattern,
    Phone,
    Region,
    Rule,
    Signature,
    UnreadText,
    WordList,
)

from ..textlayer import HANDWRITING, UNREAD, UNSURE, Finding, PageLayer, Rect, overlaps
from .columns import column_areas, column_everything
from .geometry import (
    everything,
    image_findings,
    inside_any,
    page_selected,
    region_rect,
    signatures,
)
from .identifiers import find_ids, find_phones
from .labels import find_after_label
from .literals import may_match
from .text import canonical, spaced
from .view import PageView
from .wordlists import find_words


@lru_cache(maxsize=256)
def _compiled(regex: str) -> re.Pattern:
    return re.compile(regex)


def find_pattern(view: PageView, det: Pattern, category: str, rule: str,
                 allow: frozenset[str]) -> list[Finding]:
    """The policy's regex over each line's own text; group `det.group` is the finding. Where a
    paragraph's line wraps into the next ("…护理常规。焦磊主" / "治医师查房后指示"), the regex
    is also read over the two joined, for what only the join shows. A page without a word
    the regex cannot match without (`literals`) is not read."""
    if not may_match(det.regex, _lines_end_to_end(view)):
        return []
    rx = _compiled(det.regex)
    wrapping = view.wrapping_lines()
    alone: dict[int, set[tuple[int, int]]] = {}   # a wrapping line's own matches
    out: list[Finding] = []
    for li, line in enumerate(view.lines):
        for m in rx.finditer(line.text):
            s, e = _group_span(m, det.group)
            if li in wrapping:
                alone.setdefault(li, set()).add((s, e))
            if s < e:
                out.extend(view.text_findings(li, s, e, category, rule, allow))
    for li in sorted(wrapping):
        first = view.lines[li].text
        joined = first + view.lines[li + 1].text
        cut = len(first)
        for m in rx.finditer(joined):
            s, e = _group_span(m, det.group)
            if s >= e or s >= cut or (s, e) in alone.get(li, ()):
                continue
            value = canonical(joined[s:e])
            out.extend(view.text_findings(li, s, min(e, cut), category, rule, allow, value=value))
            if e > cut:
                out.extend(view.text_findings(li + 1, 0, e - cut, category, rule, allow,
                                              value=value))
    return out


def _lines_end_to_end(view: PageView) -> str:
    # Every text find_pattern searches (a line, a line joined to the next) is a part of this.
    return view.remember(("lines_end_to_end",), lambda: "".join(ln.text for ln in view.lines))


def _group_span(m: re.Match, group: int) -> tuple[int, int]:
    try:
        return m.span(group)
    except IndexError:
        # The compiler checks group numbers; a stale policy must not crash a job.
        return m.span()


def _scope_rects(view: PageView, rule: Rule, page_count: int | None) -> list[Rect] | None:
    """The scope's areas on this page ([] when the page is out of scope); None = whole page."""
    scope = rule.scope
    if scope is None:
        return None
    if isinstance(scope, Region):
        if not page_selected(scope, view.page.number, page_count):
            return []
        return [region_rect(scope, view.page)]
    if isinstance(scope, Column):
        return [c.area for c in column_areas(view, scope)]
    raise TypeError(f"unknown scope {type(scope).__name__}")


def run_rule(rule: Rule, page: PageLayer, allow: frozenset[str] = frozenset(), *,
             page_count: int | None = None) -> list[Finding]:
    """Findings of one rule on one page. `page_count` tells whether the page is the last."""
    view = PageView.of(page)
    rects = _scope_rects(view, rule, page_count)
    if rects is not None and not rects:
        return []
    det, cat, rid = rule.detector, rule.category, rule.id
    if isinstance(det, Everything):
        if isinstance(rule.scope, Column):
            return column_everything(view, column_areas(view, rule.scope), cat, rid)
        return everything(view, rects, cat, rid)
    if isinstance(det, Images):
        # Pictures placed on the page (logos, stamps, signatures), never the scan that is the
        # page itself: cutting a band out of a scan would hide its clinical header lines too.
        return image_findings(view, rects, cat, rid, sizes="small")
    if isinstance(det, Signature):
        column = rects if isinstance(rule.scope, Column) else None
        found = signatures(view, det, cat, rid, allow, column)
    elif isinstance(det, Handwriting):
        found = handwriting_findings(view, cat, rid)
    elif isinstance(det, UnreadText):
        found = unread_text(view, cat, rid, det.labels)
    elif isinstance(det, IdCard):
        found = find_ids(view, cat, rid, allow)
    elif isinstance(det, Phone):
        found = find_phones(view, cat, rid, allow)
    elif isinstance(det, Pattern):
        found = find_pattern(view, det, cat, rid, allow)
    elif isinstance(det, AfterLabel):
        found = find_after_label(view, det, cat, rid, allow)
    elif isinstance(det, WordList):
        found = find_words(view, det, cat, rid, allow)
    else:
        raise TypeError(f"unknown detector {type(det).__name__}")
    if rects is None:
        return found
    return [f for f in found if inside_any(f.rect, rects)
            or f.kind == "image" and any(overlaps(f.rect, r) for r in rects)]


def run_rules(rules: Iterable[Rule], page: PageLayer, allow: frozenset[str] = frozenset(), *,
              page_count: int | None = None) -> list[Finding]:
    """All rules on one page, sharing one prepared view of it."""
    out: list[Finding] = []
    for rule in rules:
        out.extend(run_rule(rule, page, allow, page_count=page_count))
    return out


def unread_text(view: PageView, category: str, rule: str, labels: tuple[str, ...] = ()
                ) -> list[Finding]:
    """Each word (`_WORD`) of an OCR line that OCR was unsure of in every character, hidden
    where it stands (`UNREAD`: no value to hunt, nothing verification should count). With `labels`,
    only on lines that hold one of them, spaced or not, and there a word OCR was unsure of in
    half its characters or more too: a patient's header holds no clinical words, and "床号 7"
    came out "哑 革是类", unsure of 革是 only (seed 42 V0030-10)."""
    out: list[Finding] = []
    holds = _any_label(labels) if labels else None
    ends: list[tuple[int, Rect]] = []   # header lines' unread words a number may follow
    for li, line in enumerate(view.lines):
        if line.source != "ocr" or not line.unsure or line.text == HANDWRITING:
            continue
        if holds is not None and not holds.search(view.texts[li]):
            continue
        after_unread = False
        for m in _WORD.finditer(line.text):
            # On a header line, a short number after a word OCR could not read is that
            # field's value, read as printed or not ("床位号 9" came out "质呈 8", seed 45
            # V0028-10); so is a short word it was unsure of in part ("床 号:+1" came out
            # "床 晤全|", 床 and 晤 unsure, seed 52 V0006-14). No value to match.
            unread = line.unread(*m.span()) or (holds is not None and 2 * line.unsure.count(
                UNSURE, *m.span()) >= m.end() - m.start())
            value = after_unread and (SHORT_NUMBER.fullmatch(m.group()) is not None or (
                m.end() - m.start() <= 3 and UNSURE in line.unsure[m.start():m.end()]))
            if unread or value:
                # No allow list: it keeps words read as such, and inside a word OCR could not
                # read an allowed word is no reading of anything ("必呈本本人" over "床号 21",
                # its 本人 kept over the 21, seed 86 V0022-09).
                out.extend(view.text_findings(li, *m.span(), category, f"{rule}{UNREAD}",
                                              frozenset(), value=""))
            after_unread = (holds is not None and unread
                            and not SHORT_NUMBER.fullmatch(m.group()))
            if after_unread:
                ends.append((li, line.span_rect(*m.span())))
    return out + _number_apart(view, ends, category, rule)


# How far (em) right of a header line's unread word a number read apart may stand.
APART_EM = 1.5


def _number_apart(view: PageView, ends: list[tuple[int, Rect]], category: str, rule: str
                  ) -> list[Finding]:
    """A short number the page's reading passed over and a second reading found alone
    (`workers.unread`), just right of a header line's unread word, in that line's row: "床号：9"
    read "床号 人" with the colon unread, then "9" alone (seed 65 V0005-07, unseen)."""
    out: list[Finding] = []
    if not ends:
        return out
    for li, line in enumerate(view.lines):
        if line.source != "ocr" or not SHORT_NUMBER.fullmatch(line.text.strip()):
            continue
        box = line.bbox
        middle = (box[1] + box[3]) / 2
        for hi, word in ends:
            if (hi != li and word[1] <= middle <= word[3]
                    and 0 <= box[0] - word[2] <= APART_EM * view.em(hi)
                    and not _between(view.lines[hi], word[2], box[0])):
                out.append(Finding(view.page.number, box, category, f"{rule}{UNREAD}", "",
                                   "text"))
                break
    return out


def _between(line, x0: float, x1: float) -> bool:
    """Whether the line read a character between x0 and x1."""
    return any(not ch.isspace() and x0 <= (b[0] + b[2]) / 2 <= x1
               for ch, b in zip(line.text, line.boxes))


SHORT_NUMBER = re.compile(r"[+]?\d{1,3}")
# A word, up to a space or a Chinese text's separator: OCR joins a footer's name to the page
# number with one it made up of the rule's ink ("宙丰民主，第1页/共2页" for "青岛市人民医院 第1页/共2页",
# the name unsure throughout, seed 58 V0030-09).
_WORD = re.compile(r"[^\s，。；、]+")


@lru_cache(maxsize=64)
def _any_label(labels: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(spaced(w) for w in labels))


def handwriting_findings(view: PageView, category: str, rule: str) -> list[Finding]:
    """The handwriting marks OCR left, except over live text: a text layer's characters are
    print whatever OCR made of them, and the text rules deal with them."""
    live = [b for line in view.lines if line.source == "text" for b in line.boxes]
    return [Finding(view.page.number, line.boxes[0], category, rule, "", "image")
            for line in view.lines if line.source == "ocr" and line.text == HANDWRITING
            and not any(overlaps(line.boxes[0], b) for b in live)]

