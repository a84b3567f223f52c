"""Known names OCR read with one character wrong: handwriting and stamps ("孟凡谨" for 孟凡瑾).

A name found in a typed document is hunted exactly everywhere (`propagate`); on a scan or in a
signature OCR often gets one of its characters wrong, and the exact hunt misses it while an
outsider still reads it. Here a known three-character name (a common surname first) matches
an OCR window of three Chinese characters that agrees on two of them, in place.

Only OCR lines are searched, and only where a name stands: at a cell's or line's edge, next
to punctuation or Latin text, or right after a label, title or relation word ("姓名时志刚",
"配偶孟几瑾"). Inside running Chinese text a name's two given characters may be an ordinary
word ("明显" in 病情明显好转), so a window with a Chinese character on each side is left.
Agreeing on one given character only, a window is taken where a sentence opens with it and a
word that follows a person closes it ("。雇梓芝在场" for 廖梓萱).
"""
from __future__ import annotations

from collections.abc import Mapping

from ..textlayer import UNSURE
from .text import BARS, is_cjk, is_mark
from .vocab import (
    AFTER_NAME,
    COMPOUND_SURNAMES,
    FIELD_WORDS,
    NOT_RELATIONS,
    RELATIVE_ACTS,
    STAFF_ACTS,
    STAFF_ENDINGS,
    SURNAMES,
    TITLES,
    starts_with_any,
)

NAME_LENGTH = 3
_PAIRS = ((0, 1), (0, 2), (1, 2))
# Words a name follows in notes and forms ("配偶张三", "护士李四").
BEFORE_NAME = FIELD_WORDS | TITLES | frozenset((
    "配偶", "丈夫", "妻子", "爱人", "父亲", "母亲", "儿子", "女儿", "家属", "患者", "患儿",
    "产妇", "孕妇", "病人", "签名", "签字", "陪护"))


def name_like(key: str) -> bool:
    """A three-character Chinese name starting with a common surname."""
    return (len(key) == NAME_LENGTH and all(is_cjk(c) for c in key)
            and (key[0] in SURNAMES or key[:2] in COMPOUND_SURNAMES))


class NearNames:
    """Index of known names by each pair of their characters, in place."""

    def __init__(self, keys: Mapping[str, object]):
        self._by_pair: dict[tuple[int, int, str], list[str]] = {}
        self._keys = frozenset(k for k in keys if name_like(k))
        for key in self._keys:
            for a, b in _PAIRS:
                self._by_pair.setdefault((a, b, key[a] + key[b]), []).append(key)

    def __bool__(self) -> bool:
        return bool(self._keys)

    def matches(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, name) of each window of `text` reading a known name one character off."""
        out: list[tuple[int, int, str]] = []
        j, n = 0, len(text)
        while j + NAME_LENGTH <= n:
            window = text[j:j + NAME_LENGTH]
            name = None
            if window not in self._keys and all(is_cjk(c) for c in window):
                if name_place(text, j, j + NAME_LENGTH):
                    name = self._near(window)
                if name is None and _sentence_person(text, j, j + NAME_LENGTH):
                    name = self._given_one(window)
            if name is None:
                j += 1
                continue
            out.append((j, j + NAME_LENGTH, name))
            j += NAME_LENGTH
        return out

    def _given_one(self, window: str) -> str | None:
        """A known name agreeing with `window` on one given character in place: weak, taken
        only where `_sentence_person` says a person stands."""
        found = {key for key in self._keys
                 if sum(a == b for a, b in zip(key, window)) == 1
                 and (key[1] == window[1] or key[2] == window[2])}
        return min(found) if found else None

    def _near(self, window: str) -> str | None:
        found = {key for a, b in _PAIRS
                 for key in self._by_pair.get((a, b, window[a] + window[b]), ())}
        # Two known names both one character off: either way it is hidden, but the pseudonym
        # must not depend on set order, so take the first in order.
        return min(found) if found else None


def _sentence_person(text: str, start: int, end: int) -> bool:
    """text[start:end] opens the line or a sentence, and a word that follows a person closes it
    ("效死亡。雇梓芝在场，" for 廖梓萱在场, two characters misread, seed 60 V0030-11)."""
    window = text[start:end]
    return ((start == 0 or text[start - 1] in "。；;，,")
            and not any(w in window for w in BEFORE_NAME if len(w) == 2)   # "。其丈夫陪护"
            and any(text.startswith(w, end) for w in AFTER_NAME))


def name_place(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] stands where a name stands rather than inside a phrase: after
    a relation's last character opening a cell too, its first wrapped onto the line above
    ("配" / "偶杨梓董陪护" for 配偶杨梓萱陪护, seed 45 V0013-09)."""
    if start == 0 or not is_cjk(text[start - 1]) or end == len(text) or not is_cjk(text[end]):
        return True
    return (any(text[max(0, start - k):start] in BEFORE_NAME for k in (2, 3, 4))
            or (start == 1 or not is_cjk(text[start - 2])) and _relation_ends(text, start))


RELATIONS = ("配偶", "丈夫", "妻子", "爱人", "父亲", "母亲", "儿子", "女儿", "家属", "监护人",
             "祖父", "祖母", "外祖父", "外祖母", "哥哥", "姐姐", "弟弟", "妹妹",
             # a form's labels for a relative ("联系人姓名并雪" for 萧雪, seed 36 V0026-01)
             "联系人", "联系人姓名", "家属姓名", "监护人姓名", "陪护人",
             # "丈夫姓名 虽峰" for 吕峰 (seed 42 V0014-03)
             "丈夫姓名", "配偶姓名", "父亲姓名", "母亲姓名")
RELATION_WORDS = frozenset(RELATIONS)


class NearShort:
    """Known two-character names (a surname and one given character) OCR read with one
    character wrong: the given one ("黄麻陪护" for 黄琳陪护 in a scanned nursing note), or the
    surname ("丈夫末欢陪" for 丈夫宋欢陪护).

    Agreeing on one character of two is weak evidence, so the window must be followed by a word
    that follows a person ("陪护", "诉", "签字"): "黄疸史" next to a known 黄琳 is no name. A
    misread surname leaves only the given character, so a relation word must also come before.
    Or the window fills a form's cell after a relation's label, itself maybe cut short by OCR
    ("监护 但成" for 监护人 吕成, seed 31 V0004-02): it closes the line, or a "|" or the next
    field's word follows.
    """

    def __init__(self, keys: Mapping[str, object]):
        self._by_surname: dict[str, list[str]] = {}
        self._by_given: dict[str, list[str]] = {}
        for key in sorted(keys):
            if len(key) == 2 and all(is_cjk(c) for c in key) and key[0] in SURNAMES:
                self._by_surname.setdefault(key[0], []).append(key)
                self._by_given.setdefault(key[1], []).append(key)

    def __bool__(self) -> bool:
        return bool(self._by_surname)

    def may_end(self, text: str) -> bool:
        """Whether a name's character stands among the last two of `text`: only then can a
        word wrapped onto the next line follow a name there."""
        return any(c in self._by_surname or c in self._by_given for c in text[-2:])

    def matches(self, text: str) -> list[tuple[int, int, str]]:
        out: list[tuple[int, int, str]] = self._surname_dropped(text) + self._given_as_mark(text)
        for j in range(len(text) - 1):
            if not (is_cjk(text[j]) and is_cjk(text[j + 1])):
                continue
            by_surname, by_given = self._by_surname.get(text[j]), self._by_given.get(text[j + 1])
            if not by_surname and not by_given:
                continue
            field = (_relation_field(text, j) or _staff_field(text, j) or _titled(text, j)
                     or _name_field(text, j) or _patient_named(text, j))
            if not field and not _person_follows(text, j + 2) and not (
                    _relation_before(text, j) and (_person_word_misread(text, j + 2) or any(
                        text.startswith(w, j + 2) for w in RELATIVE_ACTS))):
                continue
            if (by_surname and text[j:j + 2] not in by_surname
                    and (field or name_place(text, j, j + 2) or _relation_ends(text, j))):
                out.append((j, j + 2, by_surname[0]))
                continue
            if by_given and text[j:j + 2] not in by_given and (
                    field or _after_relation(text, j)
                    or (_misread_relation(text, j) and _person_follows(text, j + 2))):
                out.append((j, j + 2, by_given[0]))
        return out

    def unsure_apart(self, text: str, unsure: str) -> list[tuple[int, int, str]]:
        """Two characters in a line's own `text`, one of a known name's read right in place and
        OCR unsure of the other, standing where a name stands: apart (no Chinese character
        before, the line's end, a space or a bar after: a table's cell), or opening a sentence
        that a person's word goes on with. "0504。。陈胸" for a guardian 陈鹏 in a scanned
        outpatient table, the specks between the cells joining the phone's cell to the name's
        so no column reached it (seed 65 V0014-01, unseen); "亡。罗杨在场" for 樊杨 (seed 67
        V0001-11, unseen)."""
        out = []
        for j in range(len(text) - 1):
            if not (is_cjk(text[j]) and is_cjk(text[j + 1])):
                continue
            apart = not (j and is_cjk(text[j - 1])) and (
                j + 2 == len(text) or text[j + 2].isspace() or text[j + 2] in BARS)
            if not apart and not _sentence_person(text, j, j + 2):
                continue
            # Apart, the character agreeing must be read with confidence; opening a sentence,
            # the words around say enough.
            doubt = unsure[j:j + 2].ljust(2)
            sure = " " if apart else " " + UNSURE
            keys = ((doubt[1] == UNSURE and doubt[0] in sure and self._by_surname.get(text[j]))
                    or (doubt[0] == UNSURE and doubt[1] in sure
                        and self._by_given.get(text[j + 1])))
            if keys and text[j:j + 2] not in keys:
                out.append((j, j + 2, keys[0]))
        return out

    def _surname_dropped(self, text: str) -> list[tuple[int, int, str]]:
        """The given character alone between a relation word and a person's word: OCR dropped
        the surname ("日由母亲雪陪同" for 母亲萧雪陪同, seed 36 V0026-01)."""
        out = []
        for j, ch in enumerate(text):
            keys = self._by_given.get(ch)
            if keys and _relation_before(text, j) and _person_follows(text, j + 1):
                out.append((j, j + 1, keys[0]))
        return out


    def _given_as_mark(self, text: str) -> list[tuple[int, int, str]]:
        """A known name's surname right after a relation word, its given character read as a
        mark or a letter ("配偶张《隧护" for 配偶张飞陪护, seed 38 V0027-06): no word of
        running text is a surname and a mark."""
        out = []
        for j in range(len(text) - 1):
            keys = self._by_surname.get(text[j])
            after = text[j + 1]
            if (keys and _relation_before(text, j) and not is_cjk(after)
                    and not after.isdigit() and not after.isspace()):
                out.append((j, j + 2, keys[0]))
        return out


def _relation_before(text: str, j: int) -> bool:
    """Whether a relation word ends right before text[j]."""
    return any(text.endswith(r, 0, j) for r in RELATIONS)


def _after_relation(text: str, j: int) -> bool:
    """A relation word ends at text[j]; or its last character opens a cell there, the first
    having wrapped onto the line above ("丈" / "夫喜鹏陪护" for 丈夫彭鹏陪护, seed 30 V0019)."""
    if _relation_before(text, j):
        return True
    return (j == 1 or j >= 2 and not is_cjk(text[j - 2])) and _relation_ends(text, j)


def _relation_ends(text: str, j: int) -> bool:
    """A two-character relation word's last character stands right before text[j], whatever
    OCR made of its first ("浆夫邹讲陪护" for 丈夫邹鑫陪护, seed 35 V0025-11). Only with the
    surname read right and a person's word after the name."""
    return j >= 1 and any(len(r) == 2 and r[1] == text[j - 1] for r in RELATIONS)


def _misread_relation(text: str, j: int) -> bool:
    """A relation's last character right before text[j], its first misread ("今日由浆夫印楠陪同"
    for 丈夫邱楠, seed 76 V0022-02, unseen); text[j] no relation's end ("母亲雪": 母亲 whole)."""
    return (_relation_ends(text, j) and text[max(0, j - 2):j] not in NOT_RELATIONS
            and not _relation_before(text, j + 1))


def _staff_field(text: str, j: int) -> bool:
    """Two characters at text[j] fill a form's cell right after a staff label ("送检医师山强"
    for 送检医师祝强, seed 33 V0026-06): the line ends after them, or a "|" or a field's word
    follows. Or they name the member of staff a note goes on about: a staff member's act
    follows ("值班医师化帆立即组织抢救" for 龚帆, seed 75 V0026-11, unseen)."""
    return any(text.endswith(w, 0, j) for w in STAFF_ENDINGS) and (
        _cell_ends(text, j + 2) or starts_with_any(text, j + 2, STAFF_ACTS))


def _titled(text: str, j: int) -> bool:
    """Two characters at text[j] are a member of staff named by title: they open the line or
    an entry of a list, and a title closes the entry after them, maybe in brackets
    ("、.锁成(住院医师)、" and "印成住院医师:" for 邝成, seed 60 V0027-10). "完成主治医师查房" is
    a phrase: the title runs on into it."""
    if j > 0 and is_cjk(text[j - 1]) and text[j - 1] not in LIST_SEPARATORS:
        return False
    at = j + 3 if j + 2 < len(text) and text[j + 2] in "(（" else j + 2
    return any(text.startswith(t, at) and (at + len(t) == len(text)
                                           or not is_cjk(text[at + len(t)])) for t in TITLES)


def _name_field(text: str, j: int) -> bool:
    """Two characters at text[j] fill the cell after a name's own label, a colon maybe
    between: the cell ends after them, a mark OCR read at its end aside ("病人姓名本坤”性别男"
    for 丁坤, seed 58 V0020-07)."""
    if not text.endswith("姓名", 0, _before_colon(text, j)):
        return False
    at = j + 2
    if at < len(text) and is_mark(text[at]):
        at += 1
    return _cell_ends(text, at)


# A summary opens with the patient named after these, then a comma and the sex ("患者廖梅，女，
# 11天" read "患者座梅，", seed 60 V0030-11).
PATIENT_WORDS = ("患者", "患儿", "产妇", "孕妇")


def _patient_named(text: str, j: int) -> bool:
    """Two characters at text[j] name the patient: a patient's word before them (a colon
    maybe between), a comma and the sex after."""
    k, at = _before_colon(text, j), j + 2
    return (any(text.endswith(w, 0, k) for w in PATIENT_WORDS)
            and text[at:at + 1] in ("，", ",") and text[at + 1:at + 2] in ("男", "女"))


def _before_colon(text: str, j: int) -> int:
    """Where the spaces and colons right before text[j] start."""
    while j > 0 and text[j - 1] in " :：":
        j -= 1
    return j


def _relation_field(text: str, j: int) -> bool:
    """Two characters at text[j] fill a form's cell after a relation's label, or the first two
    characters of one: the cell ends after them, or the relative's next field opens there
    ("丈夫姓名 虽峰 丈夫电话" for 吕峰, seed 42 V0014-03)."""
    if not any(text.endswith(r[:k], 0, j) for r in RELATIONS for k in range(2, len(r) + 1)):
        return False
    return _cell_ends(text, j + 2) or starts_with_any(text, j + 2, RELATION_WORDS)


def _cell_ends(text: str, at: int) -> bool:
    """Whether a form's cell ends at text[at]: the line ends, or a "|" or a field's word
    follows."""
    return at == len(text) or text[at] in BARS or starts_with_any(text, at, FIELD_WORDS)


def _person_follows(text: str, at: int) -> bool:
    """A word that follows a person opens text[at:], or is cut by the line's end ("陪" of 陪护);
    or the name is the first of a list whose last name that word follows ("与家属蔷婷、谭建沟通"
    for 贾婷, seed 39 V0030-03)."""
    if _person_word(text, at):
        return True
    return (at < len(text) and text[at] in LIST_SEPARATORS
            and any(all(is_cjk(c) for c in text[at + 1:at + 1 + k])
                    and _person_word(text, at + 1 + k) for k in (2, 3)))


LIST_SEPARATORS = "、和及"


def _person_word(text: str, at: int) -> bool:
    rest = text[at:]
    if any(rest.startswith(w) or (len(rest) < len(w) and rest and w.startswith(rest))
           for w in AFTER_NAME):
        return True
    return (at < len(text) and text[at] in "(（"
            and any(text.startswith(w, at + 1) for w in RELATIONS))


def _person_word_misread(text: str, at: int) -> bool:
    """A two-character word that follows a person opens text[at:], its first character
    misread: "配偶丘瑞隔护" for 配偶顾瑞陪护 (seed 45 V0022-07), surname and 陪 both wrong.
    Only after a relation word: the name's place says the rest."""
    return (at + 1 < len(text) and is_cjk(text[at])
            and any(len(w) == 2 and text[at + 1] == w[1] for w in AFTER_NAME))


# A long value (a hospital's name, an address, a workplace) read with one character wrong is
# still that value: two different institutions' names differ in more than one of 6+ characters.
LONG_MIN_CJK = 6


class NearLong:
    """Known long values, found on OCR text with one character substituted ("武汉市妇产科医阮").

    With one substitution in a value, one of its halves is read exactly: each half is looked
    for, and the window around it compared whole.
    """

    def __init__(self, keys: Mapping[str, object]):
        self._keys = sorted(k for k in keys if sum(is_cjk(c) for c in k) >= LONG_MIN_CJK)

    def __bool__(self) -> bool:
        return bool(self._keys)

    def matches(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, value) of each window reading a known long value one character off."""
        out: list[tuple[int, int, str]] = []
        taken: set[int] = set()
        for key in self._keys:
            n, half = len(key), len(key) // 2
            for part, offset in ((key[:half], 0), (key[half:], half)):
                at = text.find(part)
                while at >= 0:
                    start = at - offset
                    window = text[start:start + n] if start >= 0 else ""
                    if (len(window) == n and window != key and start not in taken
                            and sum(a != b for a, b in zip(window, key)) == 1):
                        out.append((start, start + n, key))
                        taken.add(start)
                    at = text.find(part, at + 1)
            # Its last character lost, to a logo or seal over it ("郑州市第三人民医" / "✍" for
            # 郑州市第三人民医院, seed 65 V0003-02): only where no Chinese character follows.
            head = key[:-1]
            at = text.find(head)
            while at >= 0:
                after = at + len(head)
                if at not in taken and (after == len(text) or not is_cjk(text[after])):
                    out.append((at, after, key))
                    taken.add(at)
                at = text.find(head, at + 1)
        return sorted(out)
