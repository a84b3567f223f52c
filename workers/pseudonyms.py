"""Record-wide pseudonyms: the same person gets the same stand-in name on every page."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from typing import Literal

Sequence = Literal["cjk", "latin"]

STEMS = "甲乙丙丁戊己庚辛壬癸"
_SPACE = re.compile(r"\s+")


def normalise(value: str) -> str:
    """The form a value is keyed by: full-width folded to half-width, no spaces, case-folded."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", value)).casefold()


def cjk_mark(index: int) -> str:
    """0 -> 甲 ... 9 -> 癸, 10 -> 甲1, 19 -> 癸1, 20 -> 甲2."""
    cycle, pos = divmod(index, len(STEMS))
    return STEMS[pos] + (str(cycle) if cycle else "")


def latin_mark(index: int) -> str:
    """0 -> A ... 25 -> Z, 26 -> AA, 27 -> AB (spreadsheet columns)."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


class Pseudonyms:
    """Hands out 患者甲, 患者乙 ... / 医师A, 医师B ...; one object per record.

    Values are kept only as keyed hashes under a salt that dies with the object, so the
    object (or a pickle of it) never holds a patient's name in clear.
    """

    def __init__(self) -> None:
        self._salt = secrets.token_bytes(16)
        self._assigned: dict[tuple[str, str, bytes], str] = {}
        self._counts: dict[tuple[str, str], int] = {}

    def __repr__(self) -> str:
        return f"<Pseudonyms {len(self._assigned)} assigned>"

    def __len__(self) -> int:
        return len(self._assigned)

    def issued(self) -> set[str]:
        """Every pseudonym handed out: text the verifier must not count as a residual."""
        return set(self._assigned.values())

    def name_for(self, prefix: str, sequence: Sequence, value: str) -> str:
        """The pseudonym for `value` under `prefix`, assigning the next mark on first sight."""
        if sequence not in ("cjk", "latin"):
            raise ValueError(f"unknown pseudonym sequence {sequence!r}")
        digest = hmac.new(self._salt, normalise(value).encode(), hashlib.sha256).digest()
        key = (prefix, sequence, digest)
        name = self._assigned.get(key)
        if name is None:
            index = self._counts.get((prefix, sequence), 0)
            self._counts[(prefix, sequence)] = index + 1
            mark = cjk_mark(index) if sequence == "cjk" else latin_mark(index)
            name = self._assigned[key] = prefix + mark
        return name
