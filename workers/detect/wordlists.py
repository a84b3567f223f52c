"""Word lists (hospital names, staff): every occurrence, spaced out or split over two lines."""
from __future__ import annotations

from functools import lru_cache

from dsl.model import WordList

from ..textlayer import Finding
from .propagate import ValueHunter
from .view import PageView


@lru_cache(maxsize=64)
def _hunter(words: tuple[str, ...], allow: frozenset[str]) -> ValueHunter:
    # Built once per list: a trie-shaped regex over all words, longest match first.
    return ValueHunter({w: ("", "") for w in words}, allow)


def find_words(view: PageView, det: WordList, category: str, rule: str,
               allow: frozenset[str]) -> list[Finding]:
    """Every occurrence of any word of the list; the finding's value is the word found."""
    found = _hunter(tuple(det.words), allow).find(view.page)
    return [Finding(f.page, f.rect, category, rule, f.value, f.kind) for f in found]
