"""Text a regex cannot match without: a pattern rule skips a page that holds none of it.

Most of the policy's patterns name a word their matches must contain ("单位", "床", one of the
titles after a name): on a page without it the regex would be run over every line (and every
wrapped pair of lines) to find nothing. The words are read from the regex's own parse
(`re._parser`, the standard library's), so they are exactly what `re` requires.
"""
from __future__ import annotations

from functools import lru_cache
from re import _constants as sre
from re import _parser

# At least one of these strings occurs in any text the regex matches.
Need = frozenset[str]

_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)


@lru_cache(maxsize=256)
def required(regex: str) -> tuple[Need, ...]:
    """What a text must hold for `regex` to match anywhere in it; () when nothing is known
    (a regex that ignores case, or one this reading does not understand)."""
    try:
        parsed = _parser.parse(regex)
    except Exception:   # noqa: BLE001 - the compiler checked it; unknown here means "no need"
        return ()
    if parsed.state.flags & sre.SRE_FLAG_IGNORECASE:
        return ()
    return tuple(_needs(parsed))


def may_match(regex: str, text: str) -> bool:
    """False only when `text` lacks something every match of `regex` needs. A match's
    lookarounds read only the searched text too, so any text holding the searched ones (each
    line, each line joined to the next) end to end is as good as searching each."""
    return all(any(s in text for s in need) for need in required(regex))


def _needs(items) -> list[Need]:
    """The needs of a sequence: its runs of literal characters, and what the parts it cannot
    match without (groups, repeats of at least one, positive lookarounds) need."""
    needs: list[Need] = []
    run: list[str] = []
    for op, arg in items:
        if op is sre.LITERAL:
            run.append(chr(arg))
            continue
        if run:
            needs.append(frozenset({"".join(run)}))
            run = []
        if op is sre.SUBPATTERN:
            _group, add_flags, _del_flags, sub = arg
            if not add_flags & sre.SRE_FLAG_IGNORECASE:
                needs.extend(_needs(sub))
        elif op in _REPEATS:
            least, _most, sub = arg
            if least >= 1:
                needs.extend(_needs(sub))
        elif op is sre.ATOMIC_GROUP:
            needs.extend(_needs(arg))
        elif op is sre.ASSERT:   # ASSERT_NOT needs nothing: it is absence
            _direction, sub = arg
            needs.extend(_needs(sub))
        elif op is sre.BRANCH:
            need = _any_branch(arg[1])
            if need:
                needs.append(need)
        elif op is sre.IN and all(o is sre.LITERAL for o, _a in arg):
            needs.append(frozenset(chr(a) for _o, a in arg))   # [:：]
    if run:
        needs.append(frozenset({"".join(run)}))
    return needs


def _any_branch(alternatives) -> Need | None:
    """One of the alternatives' needs: the most telling need of each (longest shortest
    string), together. None when an alternative needs nothing (an anchor, an empty one)."""
    out: set[str] = set()
    for alt in alternatives:
        needs = _needs(alt)
        if not needs:
            return None
        out |= max(needs, key=lambda n: (min(map(len, n)), -len(n)))
    return frozenset(out)
