"""The Lark parser for policy text, and the translation of its errors into PolicySyntaxError."""
from __future__ import annotations

import difflib
import re
import threading
from pathlib import Path
from typing import ClassVar

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput, UnexpectedToken
from lark.indenter import Indenter
from lark.lexer import PatternStr

from dsl.errors import PolicySyntaxError

_GRAMMAR = Path(__file__).with_name("policy.lark")
_parser: Lark | None = None
# Lark's Indenter keeps its indentation stack on the instance, so one shared parser must not
# run two parses at once (the portal compiles in request threads).
_lock = threading.Lock()

_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|“[^”\n]*”')
DETECTORS = ("idcard", "phone", "pattern", "after", "words", "images", "handwriting", "everything")
SHAPES = ("name", "names", "number", "date", "text")


class _BadDedent(Exception):
    def __init__(self, line: int, column: int) -> None:
        super().__init__(line, column)
        self.line, self.column = line, column


class _PolicyIndenter(Indenter):
    NL_type = "_NL"
    OPEN_PAREN_types: ClassVar[tuple[str, ...]] = ()
    CLOSE_PAREN_types: ClassVar[tuple[str, ...]] = ()
    INDENT_type = "_INDENT"
    DEDENT_type = "_DEDENT"
    tab_len = 8
    # WORD in every lexer state: a misspelt keyword becomes one WORD token, never a prefix match.
    always_accept = ("_NL", "WORD")

    def handle_NL(self, token: Token):
        indent_str = token.rsplit("\n", 1)[1]
        indent = indent_str.count(" ") + indent_str.count("\t") * self.tab_len
        if indent < self.indent_level[-1] and indent not in self.indent_level:
            raise _BadDedent(token.end_line, len(indent_str) + 1)
        yield from super().handle_NL(token)


def _get_parser() -> Lark:
    global _parser
    if _parser is None:
        _parser = Lark.open(
            str(_GRAMMAR), parser="lalr", propagate_positions=True, postlex=_PolicyIndenter(),
            maybe_placeholders=False,
        )
    return _parser


def prepare(text: str) -> str:
    """Normalise line ends and a BOM; end with a newline so the Indenter closes every block."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text if text.endswith("\n") else text + "\n"


def parse(text: str, filename: str = "<policy>") -> Tree:
    """Parse prepared policy text into a Lark tree; raise PolicySyntaxError on bad input."""
    with _lock:
        parser = _get_parser()
        try:
            return parser.parse(text)
        except _BadDedent as e:
            raise PolicySyntaxError(
                "indentation does not match any outer block", filename=filename, line=e.line,
                column=e.column, source_line=_line(text, e.line),
                hint="indent this line exactly like the lines of the block it belongs to",
            ) from None
        except UnexpectedInput as e:
            raise _syntax_error(parser, e, text, filename) from None


# --- friendly messages --------------------------------------------------------------------------

_H = 'policy "p" version 1\n'
_MISSING_AS = "missing 'as CATEGORY' at the end of the rule"
_EXAMPLES: dict[str, list[str]] = {
    _MISSING_AS: [
        _H + line + "\n" for line in (
            "find idcard", "find phone", "find everything", "find images", 'find after label "a"',
            'find name after label "a"', "find pattern /a/", "find pattern /a/ group 1",
            'find words from list "a"', 'find words "a"', 'find images near label "a"',
            "find images in region top 1% to 2%", "find images in region top 1%",
            "find images in region top 1% to 2% of every page", 'column under header "a"',
            "region top 0% to 9%", "region top 9%", "region top 0% to 9% of first page",
            "region box 1% 1% to 2% 2%", 'find idcard in column under header "a"',
        )
    ],
    "missing the category name after 'as'": [_H + "find idcard as\n", _H + "region top 9% as\n"],
    'a policy file starts with: policy "NAME" version N': [
        "find idcard as x\n", "\n", "policy\n", 'policy "p"\n', 'policy "p" version\n',
    ],
    "a document type needs a condition: when title matches /REGEX/, or when meta FIELD = \"VALUE\"": [
        _H + 'document "d"\n', _H + 'document "d" when\n', _H + 'document "d" when title\n',
        _H + 'document "d" when meta\n', _H + 'document "d" when meta x\n',
        _H + 'document "d" when title matches /a/ or\n',
    ],
    "a position needs a unit: % or mm": [
        _H + "region top 0 to 9% as x\n", _H + "region top 0% to 9 as x\n",
        _H + "region box 1 as x\n",
    ],
    "a region is 'top A% to B%', 'bottom A% to B%' or 'box X0 Y0 to X1 Y1' (in % or mm)": [
        _H + "region 0% to 9% as x\n", _H + "region as x\n", _H + "find images in region as x\n",
    ],
    "pages are chosen with 'of every page', 'of first page' or 'of last page'": [
        _H + "region top 9% of page as x\n", _H + "region top 9% of every as x\n",
        _H + "region top 9% of as x\n",
    ],
    "an action is 'action box', 'action label \"TEXT\"' or 'action pseudonym \"TEXT\"'": [
        _H + "find idcard as x action\n", _H + "find idcard as x action label\n",
        _H + "find idcard as x action pseudonym\n", _H + "default action\n", _H + "default\n",
    ],
    "'group' needs a number: group 1": [_H + "find pattern /a/ group\n"],
    "a pattern is written between slashes: pattern /REGEX/": [_H + "find pattern\n"],
    "a word list is named in quotes: from list \"NAME\"": [
        _H + "find words from\n", _H + "find words from list\n", _H + "allow words from list\n",
    ],
    "'ocr' takes one of: auto, always, never": [_H + "ocr\n"],
}

_TOKEN_WORDS = {
    "STRING": "a quoted string", "REGEX": "a /regex/", "CATEGORY": "a category name",
    "NUM": "a number", "WORD": "a word", "_NL": "end of line", "_INDENT": "an indented block",
    "_DEDENT": "end of block", "$END": "end of file", "VERSION_NUM": "a version number",
}


def _syntax_error(parser: Lark, e: UnexpectedInput, text: str, filename: str) -> PolicySyntaxError:
    """Build the error the user sees: position, a message in words and a hint where possible."""
    line, column, width, found = _where(e, text)
    expected = set(getattr(e, "accepts", None) or getattr(e, "expected", None) or
                   getattr(e, "allowed", None) or ())
    keywords = sorted(filter(None, (_keyword(parser, name) for name in expected)))
    message, hint = None, None

    source = _line(text, line)
    word_m = re.match(r"\w+", source[column - 1:]) if line else None
    char = source[column - 1:column] if line else ""
    if word_m and word_m.group(0) not in keywords and keywords:
        word = word_m.group(0)
        if "idcard" in keywords:
            message = f"unknown detector '{word}'"
            close = difflib.get_close_matches(word.lower(), DETECTORS + SHAPES, n=1, cutoff=0.5)
            hint = (f"did you mean '{close[0]}'?" if close else "detectors are: idcard, phone, "
                    "pattern /REGEX/, after label, words from list, images, images near label, "
                    "handwriting, everything")
        else:
            close = difflib.get_close_matches(word.lower(), keywords, n=1, cutoff=0.6)
            if close:
                message, hint = f"unknown keyword '{word}'", f"did you mean '{close[0]}'?"
        width = len(word)
    if message is None and char in ('"', "“") and not _STRING.match(source[column - 1:]):
        message, hint = "string is not closed", "end it with a matching quote on the same line"
        width = len(source) - column + 1
    elif message is None and char == "/" and "REGEX" in expected:
        message, hint = "regex is not closed", "end it with '/' on the same line (write \\/ inside)"
        width = len(source) - column + 1
    if message is None:
        message = e.match_examples(
            lambda s: parser.parse(s), _EXAMPLES, use_accepts=True)
        if message is None and "AS" in expected:
            message = _MISSING_AS
        if message is None and found == "_INDENT":
            message = "unexpected indentation"
            hint = "only settings under 'policy' and rules under 'document' are indented"
        if message is None:
            message = f"unexpected {_describe(found, e)}"
        if hint is None and expected:
            hint = "expected " + ", ".join(sorted(_expected_words(parser, expected))[:10])
    return PolicySyntaxError(message, filename=filename, line=line, column=column, hint=hint,
                             source_line=source if line else None, width=width)


def _where(e: UnexpectedInput, text: str) -> tuple[int, int, int, str]:
    """Line, column, caret width and token type of the offending input."""
    if isinstance(e, UnexpectedToken):
        tok = e.token
        if tok.type in ("_INDENT",):
            return tok.end_line, tok.end_column, 1, tok.type
        if tok.type == "$END" or tok.line is None:
            lines = text.rstrip("\n").split("\n")
            return len(lines), len(lines[-1]) + 1, 1, "$END"
        if tok.type in ("_NL", "_DEDENT"):
            # The newline token starts at the end of the unfinished line (maybe after a comment).
            src, col = _line(text, tok.line), tok.column
            while col > 1 and src[col - 2] in " \t\u3000":
                col -= 1
            return tok.line, col, 1, tok.type
        return tok.line, tok.column, max(1, (tok.end_column or tok.column + 1) - tok.column), tok.type
    return e.line, e.column, 1, ""


def _describe(found: str, e: UnexpectedInput) -> str:
    if found in _TOKEN_WORDS and found not in ("WORD", "CATEGORY", "STRING"):
        return _TOKEN_WORDS[found]
    tok = getattr(e, "token", None)
    return f"'{tok}'" if tok else "text"


def _keyword(parser: Lark, name: str) -> str | None:
    term = _terminals(parser).get(name)
    if term is not None and isinstance(term.pattern, PatternStr) and term.pattern.value.isalpha():
        return term.pattern.value
    return None


def _expected_words(parser: Lark, names: set[str]) -> set[str]:
    out = set()
    for name in names:
        if name == "WORD" and len(names) > 1:
            continue        # WORD is always accepted (see _PolicyIndenter); it is not advice
        term = _terminals(parser).get(name)
        if term is not None and isinstance(term.pattern, PatternStr):
            out.add(f"'{term.pattern.value}'")
        else:
            out.add(_TOKEN_WORDS.get(name, name))
    return out


def _terminals(parser: Lark) -> dict:
    return {t.name: t for t in parser.terminals}


def _line(text: str, line: int) -> str:
    lines = text.split("\n")
    return lines[line - 1] if 0 < line <= len(lines) else ""
