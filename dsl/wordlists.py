"""Word lists kept beside a ruleset: lists/NAME.txt, one word per line, `#` starts a comment."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

_NAME = re.compile(r"^[\w\-]+$")


class WordListError(Exception):
    """A list that cannot be loaded; the compiler adds the position in the policy."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


@dataclass(frozen=True)
class LoadedList:
    """The words of one list, and its raw bytes for the policy digest."""

    name: str
    words: tuple[str, ...]
    raw: bytes


def parse_words(text: str) -> tuple[str, ...]:
    """Words of a list file in order, without comments, blanks and repeats."""
    seen: dict[str, None] = {}
    for line in text.splitlines():
        word = line.split("#", 1)[0].strip(" \t\u3000\ufeff")
        if word:
            seen.setdefault(word, None)
    return tuple(seen)


def load_list(lists_dir: Path | None, name: str) -> LoadedList:
    """Read lists_dir/NAME.txt; raise WordListError naming the path looked for."""
    if not _NAME.match(name):
        raise WordListError(
            f"'{name}' is not a list name",
            "a list name is a plain file name without .txt, slashes or dots: \"hospitals\"")
    if lists_dir is None:
        raise WordListError(
            f"word list '{name}' cannot be loaded: no lists directory for this policy",
            "compile the policy from its file (lists/NAME.txt beside it) or pass lists_dir")
    path = Path(lists_dir) / f"{name}.txt"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        known = sorted(p.stem for p in Path(lists_dir).glob("*.txt")) if Path(lists_dir).is_dir() else []
        close = difflib.get_close_matches(name, known, n=1)
        hint = (f"did you mean '{close[0]}'?" if close else
                f"create {path} with one word per line")
        raise WordListError(f"unknown word list '{name}': {path} not found", hint) from None
    except OSError as e:
        raise WordListError(f"word list '{name}': cannot read {path} ({e.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise WordListError(f"word list '{name}': {path} is not UTF-8 text",
                            "save the list as UTF-8") from None
    return LoadedList(name, parse_words(text), raw)
