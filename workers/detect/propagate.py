"""Record-wide propagation: every known value hunted on every page, however it is spaced or split."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from ..textlayer import UNREAD, UNSURE, Finding, PageLayer, contains, overlaps
from .bylabel import (
    DIGIT_GAP,
    after_unread_label,
    alone,
    beside_header_row,
    beside_label,
    header,
    label_length,
    misread_after,
    misread_first,
    no_thick_digit_before,
    under_label,
    unread_after,
    unread_header,
    unread_joined,
    unread_name_after,
)
from .nearnames import NearLong, NearNames, NearShort
from .pagebreak import split_values
from .shapes import more_names
from .text import canonical, fold, is_cjk, trie_source
from .view import PageView
from .vocab import FIELD_WORDS, RECORD_WORDS, starts_with_any
from .wrapped import WrapIndex, cell_runs, continuation

# Between two characters of a value: spaces, full-width spaces or one line break ("张 三",
# "张\n三"); between digits `DIGIT_GAP`, which also takes a phone's or an ID's dashes.
_GAP = r"\s*"
_DIGITISH = frozenset("0123456789xX")

# Values too short to hunt: one character, or a short number, would hit all over a page.
MIN_CJK = 2
MIN_OTHER = 4
# Shorter than this, a value is not hunted at all, not even beside its label: a single
# character would hit everywhere, a one-digit bed number hides in any count.
MIN_HUNTED = 2


def key_of(value: str) -> str:
    """The comparison form of a value: canonical, digits without separators, case-folded."""
    s = canonical(value)
    if any(c.isdigit() for c in s):
        s = "".join(c for c in s if c not in "-()")
    return s.casefold()


def huntable(key: str) -> bool:
    # Two Chinese characters make a name; one with a digit is a short number OCR misread
    # ("了7" for a bed "+7") and would hit "予吸氧了7次". A record's own words are no one's
    # name: a nurse's signature OCR read "出院" was hidden where it stood, and hunted it hit
    # every "出院记录" and the export's outline (seed 42 V0001-04, the record refused).
    return (sum(is_cjk(c) for c in key) >= MIN_CJK or len(key) >= MIN_OTHER) \
        and key not in RECORD_WORDS


def _gap(prev: str, ch: str) -> str:
    alnum = prev.isascii() and prev.isalnum() and ch.isascii() and ch.isalnum()
    return DIGIT_GAP if alnum else _GAP


class ValueHunter:
    """Built once per record from the values to hunt; `find(page)` returns every occurrence.

    `values` maps each value to (category, rule id). Findings carry the value as given, so a
    value split over two lines gives two findings with the same value (and pseudonym).
    """

    def __init__(self, values: Mapping[str, tuple[str, str]],
                 allow: Iterable[str] = (),
                 beside_labels: Mapping[tuple[str, str], tuple[str, str]] | None = None,
                 header_synonyms: Mapping[tuple[str, str], tuple[str, str]] | None = None):
        allow_keys = [key_of(w) for w in allow]
        self._allow = frozenset(w for w in allow if w.strip())
        self._meta: dict[str, tuple[str, str, str]] = {}
        for value, (category, rule) in values.items():
            key = key_of(value)
            if not huntable(key) or any(key in a for a in allow_keys):
                continue
            self._meta.setdefault(key, (value, category, rule))
        self._rx = (re.compile(trie_source(self._meta, _gap), re.IGNORECASE)
                    if self._meta else None)
        self._reach = 2 * max(map(len, self._meta), default=0)   # spaces OCR put inside
        self._pairs = frozenset(k[i:i + 2] for k in self._meta for i in range(len(k) - 1))
        self._near = NearNames(self._meta)
        self._near_long = NearLong(self._meta)
        self._near_short = NearShort(self._meta)
        self._wrap = WrapIndex(self._meta)
        # (value, label) -> (category, rule): short numbers, hunted beside their label only.
        short = [(value, label, meta) for (value, label), meta in (beside_labels or {}).items()
                 if _short_number(key_of(value)) and label[:1] and is_cjk(label[0])]
        # Or after its label's last character, the first misread ("羔 号”习19" for 床号 19).
        self._beside = [(rx(key_of(value), label), value, meta, False)
                        for value, label, meta in short for rx in (beside_label, misread_first)]
        # A one-digit number only beside a label OCR could not read the rest of ("床|写生 9"
        # for 床位号 9, seed 45 V0028-10): after "床" and a word, it may be any count.
        self._beside += [(beside_label(key, label), value, meta, True)
                         for (value, label), meta in (beside_labels or {}).items()
                         for key in [key_of(value)]
                         if len(key) == 1 and key.isdigit() and label[:1] and is_cjk(label[0])]
        # A word OCR could not read where such a number stands after its label's first
        # character ("床号：+2" read "床于 5932", the 5932 at confidence 0).
        self._unread = [(rx, value, meta) for value, label, meta in short
                        for rx in (unread_after(label), unread_joined(label))]
        # The number read right after a label OCR could not read at all ("科室:心内科 厅二 15
        # 住院号码" for 床号 15, seed 34 V0027-01).
        self._after_unread = [(after_unread_label(key_of(value), label), value, meta)
                              for value, label, meta in short]
        # Its label read right, the number read as characters ("床号和局" for 床号 23).
        # Numbers of any length: "住院号 击二记" for 住院号 25121254 (seed 32 V0009-04).
        self._misread = [(misread_after(label, key_of(value)), value, meta)
                         for (value, label), meta in (beside_labels or {}).items()
                         if any(c.isdigit() for c in key_of(value))
                         and label_length(label) >= 2 and is_cjk(label[0])]
        # A name after its label, OCR unsure of every character of it.
        self._unread_names = [(unread_name_after(label, key_of(value)), value, meta)
                              for (value, label), meta in (beside_labels or {}).items()
                              if _a_name(key_of(value)) and label_length(label) >= 2
                              and is_cjk(label[0])]
        # In the label's own column a one-digit bed number is specific enough.
        # Under another label of the rule that found it, only that label read as printed.
        self._under = [(header(label, misread), alone(key_of(value)), value, meta, False)
                       for pairs, misread in ((beside_labels, True), (header_synonyms, False))
                       for (value, label), meta in (pairs or {}).items()
                       if len(key_of(value)) < MIN_OTHER and key_of(value).lstrip("+").isdigit()
                       and len(label) >= 2]
        # Read alone beside the header line whose label OCR misread (`beside_header_row`):
        # no label in it, so once a value, not once for each of its labels (床号, 床位号).
        # A one-digit extra bed only with its sign, in whatever OCR read for it ("二了" for +3).
        self._alone = [(alone(key, lost_sign=long), value, meta)
                       for value, meta in dict.fromkeys((v, m) for v, _label, m in short)
                       for key in [key_of(value)]
                       for long in [MIN_HUNTED <= len(key.lstrip("+"))]
                       if long or key.startswith("+")]
        # Its header not read at all: the number itself read as printed, under an unread word
        # in a row of other headers.
        self._under += [(unread_header(label), alone(key_of(value)), value, meta, True)
                        for (value, label), meta in (beside_labels or {}).items()
                        if MIN_HUNTED <= len(key_of(value)) < MIN_OTHER
                        and key_of(value).isdigit() and label_length(label) >= 2]

    def __len__(self) -> int:
        return len(self._meta) + len(self._beside) + len(self._under) + len(self._misread)

    def __bool__(self) -> bool:
        return (self._rx is not None or bool(self._beside) or bool(self._under)
                or bool(self._misread))

    def _matches(self, text: str):
        """(start, end, key) of each hunted value in a folded text, digits not inside numbers."""
        rx, pos = self._rx, 0
        if rx is None:
            return
        while True:
            m = rx.search(text, pos)
            if m is None:
                return
            s, e = m.span()
            key = key_of(m.group())
            # A number inside a longer number is another number ("1381234567890").
            if ((key[:1].isdigit() and s > 0 and text[s - 1].isdigit())
                    or (key[-1:] in _DIGITISH and e < len(text) and text[e].isdigit())
                    or key not in self._meta):
                pos = s + 1
                continue
            yield s, e, key
            pos = e

    def contains(self, text: str) -> bool:
        """Whether any hunted value occurs in a plain text (outline titles, metadata)."""
        return next(self._matches(fold(text)), None) is not None

    def find(self, page: PageLayer, before: Sequence[str] = (), after: Sequence[str] = ()
             ) -> list[Finding]:
        """Every occurrence of every value on the page, one finding per line it touches; with
        the texts of the previous page's last rows and the next page's first rows
        (`pagebreak.page_edges`), the part on this page of a value a page break split."""
        if not self or not page.lines:
            return []
        view = PageView.of(page)
        out: list[Finding] = self._beside_findings(view)
        for li, s, e, key in split_values(self._matches, view, before, after,
                                             self._reach, self._pairs):
            value, category, rule = self._meta[key]
            out.extend(view.text_findings(li, s, e, category, f"{rule}:page-break", self._allow,
                                          value=value))
            if _a_name(key) and s == 0:
                out.extend(self._listed_after(view, li, e, category, rule))
        for s, e, key in self._matches(view.stream):
            value, category, rule = self._meta[key]
            out.extend(view.stream_findings(s, e, category, rule, self._allow, value=value))
            if _a_name(key):
                last_li, last_col = view.locate(e - 1)
                out.extend(self._listed_after(view, last_li, last_col + 1, category, rule))
        if self._near or self._near_long or self._near_short:
            out.extend(self._near_findings(view, out))
        if self._wrap:
            out.extend(self._wrapped_findings(view, out))
        return out

    def _beside_findings(self, view: PageView) -> list[Finding]:
        """Short numbers beside their label, on OCR lines only: a text layer's label is read
        as printed, and the label rule found what stands after it."""
        if not any(line.source == "ocr" for line in view.lines):
            return []   # a born-digital page: every pattern below would be searched for nothing
        out: list[Finding] = []
        found: set[tuple[str, int]] = set()   # (value, line) found beside its label
        for rx, value, (category, rule), garbled in self._beside:
            for m in rx.finditer(view.stream):
                li, col = view.locate(m.start(1))
                if view.lines[li].source != "ocr" or (garbled and not _unread_between(
                        view.lines[li], view.texts[li], view.locate(m.start())[1] + 1, col)
                ) or not no_thick_digit_before(view.lines[li], view.texts[li], col, view.em(li)):
                    continue
                found.add((value, li))
                out.extend(view.stream_findings(*m.span(1), category, f"{rule}:beside-label",
                                                self._allow, value=value))
        out.extend(self._unread_findings(view, self._unread, found))
        for rx, value, (category, rule) in self._after_unread:
            for m in rx.finditer(view.stream):
                li, col = view.locate(m.start(1))
                line, stop = view.lines[li], col + m.end(1) - m.start(1)
                if (line.source == "ocr" and (value, li) not in found
                        and line.unread(col, stop)):
                    found.add((value, li))
                    out.extend(view.stream_findings(*m.span(2), category,
                                                    f"{rule}:beside-label", self._allow,
                                                    value=value))
        for rx, value, (category, rule) in self._misread:
            for m in rx.finditer(view.stream):
                li, col = view.locate(m.start(1))
                if (view.lines[li].source == "ocr" and (value, li) not in found
                        and not starts_with_any("".join(view.texts[li][col:].split()), 0,
                                                FIELD_WORDS)):   # "住 院 号", spaced
                    out.extend(view.text_findings(li, col, col + m.end(1) - m.start(1),
                                                  category, f"{rule}{UNREAD}", self._allow,
                                                  value=value))
        out.extend(self._unread_findings(view, self._unread_names, found))
        for rx, value, (category, rule) in self._alone:
            out.extend(beside_header_row(view, rx, value, category, rule, self._allow))
        for label, rx, value, (category, rule), unread in self._under:
            out.extend(under_label(view, label, rx, key_of(value), value, category, rule,
                                   self._allow, unread))
        return list(dict.fromkeys(out))   # under a label and its synonym (床位号, 床位): once

    def _unread_findings(self, view: PageView, hunted, found: set[tuple[str, int]]
                         ) -> list[Finding]:
        """Group 1 of each pattern of `hunted` where OCR could not read any of it, hidden as
        its value; (value, line) noted in `found`."""
        out: list[Finding] = []
        for rx, value, (category, rule) in hunted:
            for m in rx.finditer(view.stream):
                li, col = view.locate(m.start(1))
                line, stop = view.lines[li], col + m.end(1) - m.start(1)
                if line.source == "ocr" and line.unread(col, stop):
                    found.add((value, li))
                    out.extend(view.text_findings(li, col, stop, category, f"{rule}{UNREAD}",
                                                  self._allow, value=value))
        return out

    def _listed_after(self, view: PageView, li: int, col: int, category: str, rule: str,
                      ) -> list[Finding]:
        """Names listed right after a known name ("与家属明军、幸莉沟通"): the label before
        the first may be missed in running text (明 opens common words too), and the others
        never had a label of their own. Each keeps its own value, so its own pseudonym."""
        text = view.texts[li]
        if col >= len(text) or text[col] != "、":
            return []
        out: list[Finding] = []
        for s, e in more_names(text, col + 1, len(text)):
            out.extend(view.text_findings(li, s, e, category, f"{rule}:list", self._allow))
        return out

    def _wrapped_findings(self, view: PageView, found: list[Finding]) -> list[Finding]:
        """Values a cell's line wrap split, the halves apart in reading order (`wrapped`)."""
        out: list[Finding] = []
        for key, *halves in self._wrap.matches(view):
            value, category, rule = self._meta[key]
            parts = [f for li, s, e in halves
                     for f in view.text_findings(li, s, e, category, rule, self._allow,
                                                 value=value)]
            if not all(_already(f, found + out) for f in parts):
                out.extend(parts)
        return out

    def _near_findings(self, view: PageView, exact: list[Finding]) -> list[Finding]:
        """Known names, and long values (an institution, an address), OCR read one character
        off (`nearnames`), on OCR lines only: a text layer says what it says, and "韩志钢"
        there is another person."""
        out: list[Finding] = []
        for li, line in enumerate(view.lines):
            if line.source != "ocr":
                continue
            # Spaces OCR put inside a name ("韩 志刚") are read through.
            cols = [i for i, ch in enumerate(view.texts[li]) if not ch.isspace()]
            compact = "".join(view.texts[li][i] for i in cols)
            near = self._near.matches(compact) if self._near else []
            if self._near_long:
                near += self._near_long.matches(compact)
            if self._near_short:
                near += self._short_matches(view, li, cols, compact)
                if line.unsure:
                    at = {c: i for i, c in enumerate(cols)}
                    near += [(at[s], at[e - 1] + 1, key) for s, e, key
                             in self._near_short.unsure_apart(view.texts[li], line.unsure)
                             if (at[s], at[e - 1] + 1, key) not in near]
            for s, e, key in near:
                start, stop = cols[s], cols[e - 1] + 1
                value, category, rule = self._meta[key]
                for f in view.text_findings(li, start, stop, category, rule, self._allow,
                                            value=value):
                    if not _covered(f, exact):
                        out.append(f)
                # The names listed after it, as after a name read right: "与家属攀文博、邓可芯
                # 沟通" for 樊文博、邓可馨, the second known nowhere else (seed 68 V0016-02).
                if _a_name(key):
                    out.extend(f for f in self._listed_after(view, li, stop, category, rule)
                               if not _covered(f, exact))
        return out

    def _short_matches(self, view: PageView, li: int, cols: list[int], compact: str):
        """`NearShort` matches in a line's `compact` text, and in each of its cells with the
        start of the line its text wrapped onto: a carer's word there still follows the name
        ("浆夫严入" / "陪护" for 丈夫严佳陪护, seed 37 V0008-09)."""
        short = self._near_short.matches(compact)
        for a, b in cell_runs(view, li, cols):
            if not self._near_short.may_end(compact[a:b]):
                continue
            nxt = continuation(view, li, cols[a], cols[b - 1])
            if nxt:
                short += [(s + a, e + a, key) for s, e, key
                          in self._near_short.matches(compact[a:b] + nxt)
                          if e <= b - a and (s + a, e + a, key) not in short]
        return short


def _unread_between(line, text: str, start: int, end: int) -> bool:
    """Whether text[start:end] holds characters, and OCR was unsure of every one of them."""
    chars = [i for i in range(start, end) if not text[i].isspace()]
    return bool(chars) and all(line.unsure[i:i + 1] == UNSURE for i in chars)


def _short_number(key: str) -> bool:
    return MIN_HUNTED <= len(key) < MIN_OTHER and any(c.isdigit() for c in key)


def _a_name(key: str) -> bool:
    return 2 <= len(key) <= 4 and all(is_cjk(c) for c in key)


def _already(f: Finding, found: list[Finding]) -> bool:
    """Whether a finding on the same page already covers part of `f`."""
    return any(g.page == f.page and overlaps(g.rect, f.rect) for g in found)


def _covered(f: Finding, found: list[Finding]) -> bool:
    """Whether one finding on the same page already holds all of `f`: a near reading around a
    shorter exact value ("合肥市妇幼保健哮" around "市妇幼") reaches further, and is kept."""
    return any(g.page == f.page and contains(g.rect, f.rect) for g in found)


def find_values(values: Mapping[str, tuple[str, str]], page: PageLayer,
                allow: Iterable[str] = ()) -> list[Finding]:
    """One-off hunt; for many pages build a ValueHunter once and call `find` on each."""
    return ValueHunter(values, allow).find(page)
