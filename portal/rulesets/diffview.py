"""A line diff of two ruleset texts, as rows a template shows with line numbers. No Flask."""
from __future__ import annotations

import difflib
from dataclasses import dataclass

CONTEXT = 3


@dataclass(frozen=True)
class Row:
    """One row of the diff. kind: same | removed | added | skip (a run of unchanged lines)."""

    kind: str
    old_no: int | None
    new_no: int | None
    text: str
    skipped: int = 0


def rows(old: str, new: str, context: int = CONTEXT) -> list[Row]:
    """Changed lines with `context` unchanged lines around them; longer runs become one skip."""
    a, b = old.splitlines(), new.splitlines()
    out: list[Row] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.extend(_same(a, i1, i2, j1, context, first=not out, last=i2 == len(a)))
            continue
        out.extend(Row("removed", i + 1, None, a[i]) for i in range(i1, i2))
        out.extend(Row("added", None, j + 1, b[j]) for j in range(j1, j2))
    return out


def _same(a: list[str], i1: int, i2: int, j1: int, context: int, *, first: bool,
          last: bool) -> list[Row]:
    keep_head = 0 if first else context
    keep_tail = 0 if last else context
    n = i2 - i1
    if n <= keep_head + keep_tail + 1:
        return [Row("same", i1 + k + 1, j1 + k + 1, a[i1 + k]) for k in range(n)]
    head = [Row("same", i1 + k + 1, j1 + k + 1, a[i1 + k]) for k in range(keep_head)]
    tail = [Row("same", i1 + k + 1, j1 + k + 1, a[i1 + k]) for k in range(n - keep_tail, n)]
    return [*head, Row("skip", None, None, "", skipped=n - keep_head - keep_tail), *tail]


def stats(diff: list[Row]) -> dict[str, int]:
    """How many lines were added and removed."""
    return {"added": sum(r.kind == "added" for r in diff),
            "removed": sum(r.kind == "removed" for r in diff)}
