"""Character-level helpers: width folding that keeps offsets, CJK tests, spaced-out patterns."""
from __future__ import annotations

import re
import unicodedata

# One character in, one character out: offsets into a folded line are offsets into the original,
# so a match maps straight back to character boxes. Punctuation such as ：stays as it is because
# policy regexes may name it; only what our own detectors must see through is folded.
_FOLD = {0x3000: " ", 0xA0: " ", 0x2002: " ", 0x2003: " ", 0x2009: " ",
         0xFF08: "(", 0xFF09: ")", 0xFF0B: "+", 0xFF0D: "-", 0x2010: "-", 0x2011: "-",
         0x2012: "-", 0x2013: "-", 0x2212: "-", 0xFE63: "-"}
_FOLD.update({0xFF10 + i: chr(0x30 + i) for i in range(10)})
_FOLD.update({0xFF21 + i: chr(0x41 + i) for i in range(26)})
_FOLD.update({0xFF41 + i: chr(0x61 + i) for i in range(26)})
FOLD_TABLE = str.maketrans(_FOLD)

# What may stand between the characters of a spaced-out word. The patterns built on it run over
# folded text (`fold` turns U+3000 and the other wide spaces into " "), so ASCII is enough; and a
# class holding a character above U+00FF costs re's compiler a 64K-entry map at each of its
# hundreds of uses: the policy's label regexes took 0.11 s to compile in each process, now 0.015.
SPACE = "[ \t]"
COLONS = ":："
# What OCR reads for a colon after a label, alone or several together ("门诊号“|5265092596").
OCR_COLONS = ":：;；“”\"'|丨。.,，、_?？"


# Stands for a mark redaction drew (verification reads the export with its marks so
# replaced): no label, and a cell holding it holds its label's value, hidden.
BLANK = "\u25a0"
# What OCR reads for a table cell's rule: a bar, a full-width one, or the ideograph 丨.
BARS = "|｜丨"


def blanked(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] holds a redaction mark (BLANK) and nothing else but spaces."""
    part = text[start:end].strip()
    return bool(part) and set(part) == {BLANK}


def fold(text: str) -> str:
    """Full-width digits, letters, spaces and dashes to ASCII; same length as `text`."""
    return text.translate(FOLD_TABLE)


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


def is_latin(ch: str) -> bool:
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z")


def canonical(value: str) -> str:
    """The form a found value is reported and compared in: folded, no spaces (except in Latin)."""
    s = fold(value).strip()
    if not s:
        return ""
    out = []
    for i, ch in enumerate(s):
        if ch.isspace():
            # Keep one space between two Latin words ("John Smith"), drop all others ("张 三").
            prev, nxt = out[-1] if out else "", s[i + 1] if i + 1 < len(s) else ""
            if is_latin(prev) and is_latin(nxt):
                out.append(" ")
            continue
        out.append(ch)
    return "".join(out)


def is_mark(ch: str) -> bool:
    """Punctuation: a comma, a colon, a bracket, a quote (OCR's misreadings of ink included)."""
    return unicodedata.category(ch).startswith("P")


def spaced(word: str) -> str:
    """A regex source matching `word` with spaces allowed between its characters ("姓 名"), in
    folded text."""
    chars = [c for c in fold(word) if not c.isspace()]
    return (SPACE + "*").join(re.escape(c) for c in chars)


def alternation(words) -> str:
    """A spaced-out alternation where the longest word wins at a position, for folded text.

    Shaped as a trie (shared prefixes merged), so a position costs one test per distinct
    first character instead of one per word: label lists run to 150 words.
    """
    keys = {"".join(fold(w).split()).casefold() for w in words if w and w.strip()}
    return trie_source(keys, lambda prev, ch: SPACE + "*")


def trie_source(keys, gap) -> str:
    """One regex source for all keys; `gap(prev, ch)` is what may stand between two characters."""
    trie: dict = {}
    for k in keys:
        node = trie
        for ch in k:
            node = node.setdefault(ch, {})
        node[""] = {}

    def body(node: dict, prev: str) -> str:
        alts = []
        for ch, child in sorted(node.items()):
            if ch == "":
                continue
            piece = r"\s+" if ch == " " else (gap(prev, ch) if prev else "") + re.escape(ch)
            alts.append(piece + body(child, ch))
        if not alts:
            return ""
        inner = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        # Greedy: where one key is a prefix of another, the longer one wins.
        return f"(?:{inner})?" if "" in node else inner

    return body(trie, "")


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) without leading/trailing whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
