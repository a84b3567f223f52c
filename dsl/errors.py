"""Errors raised while compiling a policy, rendered as `file:line:col: message` with a caret."""
from __future__ import annotations

import unicodedata


class PolicyError(Exception):
    """A policy that cannot be compiled; knows where in its file the mistake is."""

    def __init__(
        self,
        message: str,
        *,
        filename: str = "<policy>",
        line: int = 0,
        column: int = 0,
        hint: str | None = None,
        source_line: str | None = None,
        width: int = 1,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.filename = filename
        self.line = line
        self.column = column
        self.hint = hint
        self.source_line = source_line
        self.width = max(1, width)

    def __str__(self) -> str:
        parts = [f"{self.filename}:{self.line}:{self.column}: {self.message}"]
        if self.source_line is not None and self.line > 0:
            parts.append(self.source_line)
            parts.append(caret_line(self.source_line, self.column, self.width))
        if self.hint:
            parts.append(f"hint: {self.hint}")
        return "\n".join(parts)


class PolicySyntaxError(PolicyError):
    """The text does not follow the grammar (misspelt keyword, missing `as`, bad indentation)."""


class PolicySemanticError(PolicyError):
    """The text parses but means something impossible (bad regex, unknown list, region off page)."""


def caret_line(source_line: str, column: int, width: int = 1) -> str:
    """Spaces then carets under `width` characters from 1-based `column`.

    Chinese characters take two terminal cells, and tabs are copied, so the caret lands under
    the mistake whatever the terminal's tab stops.
    """
    start = max(0, column - 1)
    pad = "".join("\t" if ch == "\t" else " " * _cells(ch) for ch in source_line[:start])
    marked = source_line[start:start + width] or " "
    return pad + "^" * sum(_cells(ch) for ch in marked)


def _cells(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
