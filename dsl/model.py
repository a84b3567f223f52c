"""The compiled policy: frozen dataclasses the pipeline reads. Nothing here parses text."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Pos:
    """Where a construct stands in its ruleset file (1-based)."""

    line: int
    column: int


# --- actions -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Action:
    """What replaces a finding in the released PDF.

    box: a plain black box; label: a box carrying `text` ("[患者姓名]");
    pseudonym: `text` + a sequence mark that is stable across the whole record
    ("患者" -> 患者甲, 患者乙 ... with sequence "cjk"; "医师" -> 医师A, 医师B with "latin").
    """

    kind: Literal["box", "label", "pseudonym"] = "box"
    text: str = ""
    sequence: Literal["cjk", "latin"] = "cjk"


# --- detectors: what to find ----------------------------------------------------------------

@dataclass(frozen=True)
class IdCard:
    """Resident ID numbers: 18 digits (last may be X) with a valid check digit, or 15 digits."""


@dataclass(frozen=True)
class Phone:
    """Mainland mobile numbers (1[3-9]x, 11 digits, any grouping) and landlines (0xx-xxxxxxxx)."""


@dataclass(frozen=True)
class Pattern:
    """A regular expression (Python `re` syntax); `group` picks the part to redact (0 = whole)."""

    regex: str
    group: int = 0


ValueShape = Literal["name", "names", "text", "number", "date", "place"]


@dataclass(frozen=True)
class AfterLabel:
    """The value after a label: same line, next table cell, or the line below.

    `shape` bounds how much is taken: name (2-4 CJK chars or a Latin name), names (a list of
    names), number (letters/digits run), date, text (up to the end of the cell or the next label),
    place (a text opening with three Chinese characters: a workplace, not a unit such as mmol/L).
    """

    labels: tuple[str, ...]
    shape: ValueShape = "text"


@dataclass(frozen=True)
class WordList:
    """Every occurrence of any word of a list kept beside the ruleset (lists/NAME.txt)."""

    name: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Everything:
    """All text and images inside the rule's scope (used with a region or a column)."""


@dataclass(frozen=True)
class Images:
    """Every image inside the rule's scope (whole page when unscoped)."""


@dataclass(frozen=True)
class Signature:
    """Images (handwriting) and short text standing right of or below one of `labels`."""

    labels: tuple[str, ...]


@dataclass(frozen=True)
class Handwriting:
    """Ink OCR read as no print and taller than the text around it, on scans: a signature or
    a stamp, found by its ink where its label was misread (`workers.handwriting`)."""


@dataclass(frozen=True)
class UnreadText:
    """Words OCR read but was unsure of every character of, on scans: in a footer, a hospital's
    name read as one wrong character boxed over all of it. Hidden where they stand, never
    hunted elsewhere, not counted by verification (what it read is no reading of anything).
    With `labels`, only on lines holding one of them: a patient's header line, where a word
    OCR could not read is an identifier misread ("永 呈 有 8" for 床号: +5)."""

    labels: tuple[str, ...] = ()


Detector = (IdCard | Phone | Pattern | AfterLabel | WordList | Everything | Images | Signature
            | Handwriting | UnreadText)


# --- scopes: where to look ----------------------------------------------------------------

PageSel = Literal["every", "first", "last"]


@dataclass(frozen=True)
class Region:
    """A box on the page; coordinates in `unit` from the page's top-left corner.

    A band ("top 0% to 9%") is a box spanning the full width: x0=0, x1=100 with unit "%".
    """

    x0: float
    y0: float
    x1: float
    y1: float
    unit: Literal["%", "mm"] = "%"
    pages: PageSel = "every"


@dataclass(frozen=True)
class Column:
    """The table column under a header cell whose text is one of `headers` (签名, 医师, 护士)."""

    headers: tuple[str, ...]


Scope = Region | Column


# --- rules, document types, policy ------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """One `find` (or region/column) statement."""

    id: str                      # stable name for reports: "<file>:<line>"
    detector: Detector
    category: str                # "患者姓名", "电话" ...
    action: Action | None        # None: the policy's default action
    scope: Scope | None = None
    pos: Pos = Pos(0, 0)


@dataclass(frozen=True)
class TitleMatches:
    """The document's title text (first lines of page 1) matches `regex`."""

    regex: str


@dataclass(frozen=True)
class MetaEquals:
    """An archive metadata field (e.g. doc_type, department) equals `value`."""

    field: str
    value: str


Condition = TitleMatches | MetaEquals
OcrMode = Literal["auto", "always", "never"]


@dataclass(frozen=True)
class DocumentType:
    """Rules and OCR setting for documents whose title or metadata matches any condition."""

    name: str
    when: tuple[Condition, ...]
    rules: tuple[Rule, ...] = ()
    ocr: OcrMode | None = None   # None: the policy's default
    pos: Pos = Pos(0, 0)


@dataclass(frozen=True)
class Policy:
    """A compiled ruleset. `digest` is the SHA-256 of the source text and every list it loaded."""

    name: str
    version: int
    default_action: Action = Action()
    ocr: OcrMode = "auto"
    rules: tuple[Rule, ...] = ()           # apply to every document
    documents: tuple[DocumentType, ...] = ()
    propagate: tuple[str, ...] = ()        # categories hunted record-wide once found
    allow: tuple[str, ...] = ()            # words never redacted (主任医师 ...)
    digest: str = ""
    source: str = field(default="", repr=False, compare=False)

    def action_for(self, rule: Rule) -> Action:
        return rule.action or self.default_action

    def rules_for(self, doc_type: DocumentType | None) -> tuple[Rule, ...]:
        return self.rules + (doc_type.rules if doc_type else ())

    def ocr_for(self, doc_type: DocumentType | None) -> OcrMode:
        return (doc_type.ocr if doc_type and doc_type.ocr else None) or self.ocr
