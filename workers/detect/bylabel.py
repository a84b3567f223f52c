"""A short number by its label on a scan, as OCR misreads both: the patterns and the column
geometry the record-wide hunt (`propagate`) uses to find a bed number beside, after or under
its label when neither was read as printed."""
from __future__ import annotations

import re

from ..textlayer import UNREAD, Finding
from .rows import BELOW_EM
from .text import SPACE, fold, is_cjk, is_mark, spaced
from .view import PageView
from .vocab import FIELD_WORDS, field_words

# Between two digits of a value: spaces, full-width spaces or one line break, and the dashes
# and brackets of phone and ID formatting.
DIGIT_GAP = r"[\s\-()]*"
# A short number is hunted only just after the first character of the label it was found
# after: OCR mangles the rest of a label more often than its value ("床 号 汪 23", "床,号: 15",
# "床 屿? 22" for 床号: 23 on one record's scans). Between them at most this many characters
# besides the label's own and a colon, none a digit; the number not part of a time or a decimal.
LABEL_SLACK = 1


def label_length(label: str) -> int:
    """A label's characters, not counting the spaces a form sets between them ("姓 名")."""
    return len("".join(label.split()))


def beside_label(key: str, label: str) -> re.Pattern:
    """A short number just after its label's first character, whatever OCR made of the rest;
    an extra bed's sign read as a mark or not read at all ("床号 |2", "床 王 3" for +2, +3)."""
    rest = label_length(label) + LABEL_SLACK   # the label's other characters, a colon
    value = DIGIT_GAP.join(re.escape(c) for c in key.lstrip("+"))
    if key.startswith("+"):
        # Unsigned only apart from what stands before it ("床4" is no "床号 +4").
        value = f"(?:[+{LOOKALIKES['+']}|]{DIGIT_GAP}|(?<=[\\s:：])){value}"
    elif len(key) > 1 and key.isdigit():
        # Its last digit read as a character standing apart, on the field's underline: "床号:
        # 20" read "床下 2 人" (seed 65 V0003-09, unseen). Or every digit read as a letter like
        # it, standing alone: an ECG's "床号: 10" read "床 瑟:TO" (seed 68 V0011-08, unseen).
        value = (rf"{value}|{DIGIT_GAP.join(map(re.escape, key[:-1]))}[ \t]+[\u4e00-\u9fff]"
                 rf"(?=\s|$)|(?<![A-Za-z]){_like(key)}(?=\s|$)")
    # As few of the label's characters as will do: the sign is the value's, not the label's.
    # A lone digit may stand between, the colon's ink misread ("床写:2 14" for 床号: 14, seed 65
    # V0019-09), or run into the number (the caller checks it is as thin as a colon).
    return re.compile(rf"{re.escape(fold(label[0]))}(?:\s*[^\d\s]){{0,{rest}}}?\s*"
                      rf"(?:(?<!\d)\d[ \t]+|(?<!\d)\d(?=\d)|(?<!\d))(?<!\d\.)({value})"
                      rf"(?!\d|[:：.]\d)", re.IGNORECASE)


# A colon's ink is a quarter of an em wide, a digit's half: a digit OCR boxed narrower than this
# is a colon misread.
COLON_EM = 0.35


def no_thick_digit_before(line, text: str, at: int, em: float) -> bool:
    """Whether the character before `at` is no digit, or one as thin as a colon's ink."""
    if at == 0 or not text[at - 1].isdigit():
        return True
    x0, _y0, x1, _y1 = line.boxes[at - 1]
    return x1 - x0 <= COLON_EM * em


def unread_after(label: str) -> re.Pattern:
    """A word OCR was unsure of (the caller checks), standing apart just after its label's
    first character, whatever OCR made of the rest of the label: digits or signs, or a few
    characters of anything ("床与 请]" for 床号 +1, seed 30 V0019-04)."""
    rest = label_length(label) + LABEL_SLACK
    return re.compile(rf"{re.escape(fold(label[0]))}(?:[ \t]*[^\d\s]){{0,{rest}}}[ \t]+"
                      rf"([0-9+]{{1,6}}|[^\s]{{1,3}})(?=\s|$)")


def unread_joined(label: str) -> re.Pattern:
    """The rest of the label and the number run together into one word OCR could not read
    (the caller checks), right after the label's first character: "床写涪光" for 床号 17
    (seed 35 V0021-05)."""
    rest = label_length(label) + LABEL_SLACK
    return re.compile(rf"{re.escape(fold(label[0]))}([^\s\d:：]{{2,{rest}}})(?=\s|$)")


def _label_sized_word(label: str) -> str:
    """Regex source: a word standing apart, no digit in it, as long as the label or one
    shorter or longer (group 1): the label, whatever OCR made of its characters."""
    n = label_length(label)
    return rf"(?:^|(?<=\s))([^\s\d]{{{max(1, n - 1)},{n + 1}}})"


def after_unread_label(key: str, label: str) -> re.Pattern:
    """A short number standing alone right after a word as long as its label or one shorter
    or longer (the caller checks OCR was unsure of all of that word), a stray mark between
    maybe ("订二 > 21" for 床号 21, seed 45 V0005-06)."""
    value = DIGIT_GAP.join(re.escape(c) for c in key)
    return re.compile(rf"{_label_sized_word(label)}[ \t:：]+(?:[^\w\s][ \t]+)?({value})"
                      rf"(?=[ \t]|$)", re.MULTILINE)


def misread_first(key: str, label: str) -> re.Pattern:
    """A short number just after its label's last character, the label's other characters
    read as others standing apart before it, and at most two marks between (seed 42 V0017-06,
    an ECG's header: "床号 19" read "羔 号”习19", then "康 号”中19"). Any label's first
    character misread fits: the number hunted is the record's own, beside its label's end."""
    rest = label_length(label) - 1
    if rest < 1:
        return re.compile(r"(?!)")   # a one-character label has no last apart from its first
    digits = key.lstrip("+")
    value = DIGIT_GAP.join(re.escape(c) for c in digits)
    if key.startswith("+"):
        value = f"[+{LOOKALIKES['+']}|]?{value}"
    if len(digits) > 1:
        # Its first digits read as as many letters, its last read right ("床号 | 16" read
        # "订号 |h6", seed 61 V0016-03): standing alone, after a bar maybe.
        value = rf"{value}|\|?[A-Za-z]{{{len(digits) - 1}}}{re.escape(digits[-1])}(?=\s|$)"
    last = re.escape(fold(label.strip()[-1]))
    return re.compile(rf"(?:^|(?<=\s))[^\s\d:：]{{1,{rest}}}[ \t]*{last}[^\s\d]{{0,2}}[ \t]*"
                      rf"({value})(?![\d.:：])")


def misread_after(label: str, key: str) -> re.Pattern:
    """The word right after a label read whole (spaced, a colon inside or after it), a word of
    characters no digit among them, and no longer than the number plus one: the number read
    as something else ("床号和局" for 床号 23, "床:号 过" for 床号 14, seed 31 V0004-03 and
    V0020-01). Not a word after a comma OCR saw between a header row's cells ("床号，孚周"
    for 床号 孕周); the caller leaves a field word ("床号 姓名") and a line where the number
    was found beside its label (its colon read as a character: "床 号 汪 23")."""
    chars = [re.escape(c) for c in fold(label) if not c.isspace()]
    return re.compile("[ \t:：]*".join(chars) + rf"[ \t:：|]*((?![^\w\s])[^\s\d:：|]"
                      rf"{{1,{len(key) + 1}}})(?=[ \t|]|$)", re.MULTILINE)


def unread_name_after(label: str, key: str) -> re.Pattern:
    """As many Chinese characters as the name right after its label read whole (spaced, a
    colon after it); the caller checks OCR could not read any of them: "配偶壮栖于" for 配偶
    龚鑫于 (seed 37 V0001-11)."""
    chars = [re.escape(c) for c in fold(label) if not c.isspace()]
    return re.compile("[ \t]*".join(chars) + rf"[ \t:：]*([\u4e00-\u9fff]{{{len(key)}}})")


# Characters OCR reads in place of a lone digit (a bed "7" in a table cell read "了", "10"
# read "TO") or of an extra bed's sign ("+5" read "45" or "*5", "+2" read "汪2", seed 69
# V0009-02; "+3" read "二了", seed 73 V0016-07).
LOOKALIKES = {"7": "了", "1": "lI|T", "0": "oO〇", "2": "zZ", "3": "了", "5": "sS", "8": "B",
              "9": "gq", "+": "十干了4*汪二"}


def _like(key: str) -> str:
    """Regex source: each character of `key`, or what OCR reads in its place."""
    return "".join(f"[{re.escape(c + LOOKALIKES.get(c, ''))}]" for c in key)


def header(label: str, misread: bool = True) -> re.Pattern:
    """A table header: the label, spaced or not, or a word of its length that starts with
    its first character, or ends with its last, and stands alone between the row's other
    headers. OCR misreads a header's characters more than its value (seed 27 V0016-07: "床号"
    over "+4" read "床王", then "床写" in the export)."""
    if not misread:
        return re.compile(spaced(label))
    chars = [c for c in fold(label) if not c.isspace()]
    other = r"[^\s\d:：]"
    first = (SPACE + "*").join([re.escape(chars[0])] + [other] * (len(chars) - 1))
    # Or, a number's label (床号, 床位号), its first character misread and its last read:
    # "奈号", "庆号" over a bed "+3", "+1" (seed 45 V0022-04, V0026-03). Only "…号": another
    # word ending like a label ending in 位 heads clinical values (部位, 体位).
    if chars[-1] == "号":
        last = (SPACE + "*").join([other] * (len(chars) - 1) + [re.escape(chars[-1])])
        first = f"{first}|{last}"
    # After a speck OCR read as a mark too: "。床虽" for the first header 床号 (seed 59 V0016-07).
    return re.compile(rf"{spaced(label)}|(?<!\w)(?:{first})(?=\s|$)")


def unread_header(label: str) -> re.Pattern:
    """A header word about as long as the label, standing alone (the caller checks OCR could
    not read any of it, and that other headers share its row): "本" for 床号 over a bed 26
    (seed 36 V0003-01)."""
    return re.compile(rf"{_label_sized_word(label)}(?=\s|$)")


def column(line, start: int, end: int) -> tuple[float, float]:
    """The x range of the column a header word [start, end) heads: from the header before it
    (else the page's edge) to the header after it (a header is centred, its values
    left-aligned under it), not counting the marks OCR put between them."""
    def word(i: int) -> bool:
        ch = line.text[i]
        return not ch.isspace() and not is_mark(ch)

    before = [i for i in range(start) if word(i)]
    after = [i for i in range(end, len(line.text)) if word(i)]
    # The first header's column reaches the table's left edge: a centred header stood 5.5 em
    # right of its left-aligned "07" (seed 46 V0019-12).
    left = line.boxes[before[-1]][2] if before else 0.0
    right = line.boxes[after[0]][0] if after else line.boxes[end - 1][2]
    return left, right


def word_in(line, left: float, right: float, x: float) -> tuple[int, int] | None:
    """The word of `line` standing between x `left` and `right` by its middle, the one
    nearest `x`."""
    best = None
    # A colon parts words as a space does: "产科:和Si", a speck in the gap read as one, holds
    # the department's cell and the bed's (seed 77 V0024-11).
    for m in re.finditer(r"[^\s:：]+", line.text):
        r = line.span_rect(*m.span())
        middle = (r[0] + r[2]) / 2
        if left < middle < right and (best is None or abs(middle - x) < best[0]):
            best = (abs(middle - x), m.span())
    return best[1] if best else None


def _letters(text: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) without the marks and bars at either end."""
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end


def alone(key: str, lost_sign: bool = True) -> re.Pattern:
    """A number standing alone, its digits or what OCR reads for them (an extra bed's sign
    maybe lost): not part of a longer number, a decimal, a time or a sum (a cell's value may
    run into the cell before it: "心内科14")."""
    digits = _like(key)
    if key.startswith("+") and lost_sign:   # lost: "+4" read "4", seed 40 V0029-05
        digits = digits.replace("]", "]?", 1)
    return re.compile(rf"(?<![0-9A-Za-z.:+/-])({digits})(?![\w.:+/])")


def under_label(view: PageView, label: re.Pattern, rx: re.Pattern, key: str, value: str,
            category: str, rule: str, allow, unread_label: bool = False) -> list[Finding]:
    """A short number in the cell under its label, on a scanned table whose header row OCR
    ran together ("住院吧码，床号，孚周" over "80947499 30 37+5周", seed 28 V0009-03): the
    label rule took the next header for the value. Only a number standing alone, in the
    label's column, on a line starting under the header: by where it stands, not where
    it comes in the page's lines (a word the page's reading dropped, read again on its
    own, comes last: `workers.unread`). `unread_label`: `label` matches words OCR could
    not read, taken as the label in a header row only, and only over the number as
    printed."""
    out: list[Finding] = []
    for li, text in enumerate(view.texts):
        line = view.lines[li]
        if line.source != "ocr":
            continue
        if unread_label:
            hit = _unread_header(line, text, label) if _header_row(text) else None
        else:
            hit = label.search(text)
        if hit is None:
            continue
        hx0, y0, hx1, y1 = line.span_rect(*hit.span())
        x0, x1 = column(line, *hit.span())
        em = view.em(li)
        found, unread = False, []
        for lj, b in enumerate(view.bboxes):
            below = view.lines[lj]
            # Below by its middle: a row's line may reach up beside the header's (a tall
            # mark OCR read at its end, seed 32 V0021-01).
            if (lj == li or below.source != "ocr" or b[1] + b[3] <= y0 + y1
                    or b[1] > y1 + BELOW_EM * em):
                continue
            for m in rx.finditer(view.texts[lj]):
                if (not m.group(1).lstrip("+").isdigit() and m.start(1) > 0
                        and not view.texts[lj][m.start(1) - 1].isspace()):
                    continue   # a stand-in character ("了") only where it stands apart
                if unread_label and m.group(1) != key:
                    continue
                r = below.span_rect(*m.span(1))
                if x0 - em < (r[0] + r[2]) / 2 < x1 + em:
                    found = True
                    out.extend(view.text_findings(lj, *m.span(1), category,
                                                  f"{rule}:under-label", allow,
                                                  value=value))
            word = word_in(below, x0 - em, x1 + em, (hx0 + hx1) / 2)
            if word is not None:
                unread.append((b[1], lj, word))
        if unread and not found and not unread_label:
            # The nearest row's word in the label's column, if OCR could not read it: the
            # number read as something else ("全" under 床 号 for a bed 11, seed 33 V0011-07).
            # Under a header read as printed, one Chinese character alone however sure OCR
            # was of it: no word a bed's cell holds ("地" for a bed 13, seed 43 V0004-08); or
            # one for each digit boxed no wider than digits ("了过" over the ink of a bed 17,
            # 1.1 em for the two, seed 68 V0027-01, unseen).
            # A bar or mark read beside it is the number's own stroke and says nothing of how
            # sure OCR was ("+1" read "本|", only the 本 unsure, seed 60 V0017-09).
            _top, lj, (s, e) = min(unread)
            cs, ce = _letters(view.texts[lj], s, e)
            word = view.texts[lj][cs:ce]
            if e - s <= len(key) + 1 and ce > cs and (
                    view.lines[lj].unread(cs, ce) or _sign_in_place(word, key) or (
                    (all(is_cjk(c) for c in word)
                     and (ce - cs == 1 or ce - cs == len(key.lstrip("+")) and _digit_wide(
                         view.lines[lj].span_rect(cs, ce), ce - cs, view.em(lj)))
                     or _one_in_place(word, key))
                    and _number_header("".join(hit.group().split()), text))):
                out.extend(view.text_findings(lj, s, e, category, f"{rule}{UNREAD}",
                                              allow, value=value))
    return out


def _one_in_place(word: str, key: str) -> bool:
    """Whether a word OCR read for a number keeps one of its digits, or a stand-in for it, in
    place, a stray character after maybe, and no other digit: "和Si" for a bed 05, its 5 read
    S (seed 77 V0024-11, unseen)."""
    digits = key.lstrip("+")
    if not len(digits) <= len(word) <= len(digits) + 1:
        return False
    kept = {i for i, d in enumerate(digits) if word[i] in d + LOOKALIKES.get(d, "")}
    return bool(kept) and not any(c.isdigit() for i, c in enumerate(word) if i not in kept)


def _sign_in_place(word: str, key: str) -> bool:
    """Whether a word OCR read for an extra bed keeps its sign, or a stand-in for it, first,
    and after it no digit and no more characters than the number's and a stray one: "十双"
    for +2 under a header read "床宇" (seed 84 V0026-08, unseen). A word that is no header
    heads it, but a sign in place says what stands under it."""
    digits = key.lstrip("+")
    return (key.startswith("+") and word[:1] in "+" + LOOKALIKES["+"]
            and len(digits) <= len(word) - 1 <= len(digits) + 1
            and not any(c.isdigit() for c in word[1:]))


# A digit's ink is about half an em wide; with the boxes' padding, n of them span at most this.
DIGIT_EM, DIGITS_PAD_EM = 0.6, 0.3


def _digit_wide(box, n: int, em: float) -> bool:
    """Whether n characters boxed over `box` stand on no more ink than n digits would."""
    return box[2] - box[0] <= (DIGIT_EM * n + DIGITS_PAD_EM) * em


def beside_header_row(view: PageView, rx: re.Pattern, value: str, category: str, rule: str,
                      allow) -> list[Finding]:
    """A short number read alone as a line of its own, level with a patient's header line (two
    field words or more): what a second look read of ink the page's reading passed over. The
    header's "床号： 28" read "2" and a wide space, the 28 read again alone (seed 61 V0017-07):
    no label stands before it in any line."""
    out: list[Finding] = []
    for li, text in enumerate(view.texts):
        line = view.lines[li]
        m = rx.fullmatch(text.strip())
        if line.source != "ocr" or m is None:
            continue
        _x0, y0, _x1, y1 = line.bbox
        if any(lj != li and view.lines[lj].source == "ocr" and _header_row(view.texts[lj])
               and min(y1, b[3]) - max(y0, b[1]) >= 0.5 * (y1 - y0)
               for lj, b in enumerate(view.bboxes)):
            start = text.index(m.group(1))
            out.extend(view.text_findings(li, start, start + len(m.group(1)), category,
                                          f"{rule}:beside-header", allow, value=value))
    return out


def _number_header(word: str, text: str) -> bool:
    """Whether a header word is a number's label: read as printed, or ending in 号 beside
    another field word, its first character misread ("奈号 住院号" over "+1 ZY5671789", the
    +1 read "下" with confidence, seed 57 V0030-08)."""
    return word in FIELD_WORDS or (word.endswith("号") and field_words(text) >= 1)


def _header_row(text: str) -> bool:
    """Whether a line holds at least two field words: a table's header row."""
    return field_words(text) >= 2


def _unread_header(line, text: str, label: re.Pattern) -> re.Match | None:
    """The first word `label` matches in `text` (the line's, folded) that OCR could not read
    any of."""
    return next((m for m in label.finditer(text) if line.unread(*m.span(1))), None)
