"""What a page says and where: the shared shape of extracted and OCR'd text, and findings.

Coordinates are PDF points with PyMuPDF's convention: origin at the page's top-left corner,
y growing downwards. Chinese has no spaces, so a line is a string with one box per character;
detectors match on `TextLine.text` and map character offsets back to boxes.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Literal

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1


def union(rects: list[Rect]) -> Rect:
    # One transposition, then min/max over plain tuples: twice as fast as four generator
    # passes, and every line's and finding's box goes through here.
    x0s, y0s, x1s, y1s = zip(*rects)
    return (min(x0s), min(y0s), max(x1s), max(y1s))


def overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def overlap_share(a: Rect, b: Rect) -> float:
    """Their intersection over the smaller one's area (0 when apart)."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1])) or 1.0
    return w * h / smaller


def contains(outer: Rect, inner: Rect, slack: float = 1.0) -> bool:
    return (outer[0] - slack <= inner[0] and outer[1] - slack <= inner[1]
            and inner[2] <= outer[2] + slack and inner[3] <= outer[3] + slack)


# A word Tesseract read with less confidence than this was not read: "床号：+2" came out as
# "床于 5932", the 5932 at 0 and the 于 at 8, where a printed word it reads scores 80-96.
UNSURE_CONF = 20.0
UNSURE = "?"
# The rule id's ending of a finding made of a word OCR could not read where a value stands
# (after its label, under its header): not evidence that anything can be read there, so
# verification does not count it.
UNREAD = ":unread"

# The text of an OCR line that stands for a blob of handwriting, not for characters read
# (`workers.handwriting`): ✍.
HANDWRITING = "\u270d"

@dataclass(slots=True)
class TextLine:
    """One visual line of text. `boxes[i]` is the box of `text[i]`; spaces have boxes too."""

    text: str
    boxes: list[Rect]
    source: Literal["text", "ocr"] = "text"
    reused: bool = False    # verification kept pass 1's reading of these unchanged pixels
    # OCR only: "" or as long as `text`, UNSURE at the characters of words Tesseract could
    # not read (confidence under UNSURE_CONF), a space elsewhere.
    unsure: str = ""

    @property
    def bbox(self) -> Rect:
        return union(self.boxes)

    def span_rect(self, start: int, end: int) -> Rect:
        """The box covering characters [start, end) of this line."""
        return union(self.boxes[start:end])

    def unread(self, start: int, end: int) -> bool:
        """Whether OCR was unsure of every character of [start, end) (`UNSURE`)."""
        return set(self.unsure[start:end]) == {UNSURE}


@dataclass(slots=True)
class ImageBox:
    """An image drawn on the page (a scan, a stamp, a signature)."""

    rect: Rect
    xref: int = 0
    digest: str = ""  # content hash of the image's pixels, for the OCR cache


# A text-layer character as redaction places its removal band: (centre y, centre x, x0, x1,
# baseline y, font size, horizontal). Pass 1 keeps them so pass 2 need not read the page again.
Glyph = tuple[float, float, float, float, float, float, bool]


@dataclass(slots=True)
class PageLayer:
    """Everything the detectors see of one page."""

    number: int                     # 0-based, within its document
    width: float
    height: float
    lines: list[TextLine] = field(default_factory=list)
    images: list[ImageBox] = field(default_factory=list)
    ocr_used: bool = False
    # The text layer's characters for redaction, when extracted with them (pass 1 only).
    glyphs: list[Glyph] | None = field(default=None, compare=False, repr=False)
    # A scan's vertical table rules (`workers.ruling`), pass 1 only: where columns end.
    rules: list[tuple[float, float, float, float]] = field(default_factory=list, compare=False,
                                                           repr=False)
    # Whether the page draws shapes that may be characters (`extract.vector_glyphs`), where
    # deciding what to OCR looked (an "ocr always" page with a live text layer); else None.
    vector_glyphs: bool | None = field(default=None, compare=False, repr=False)


FindingKind = Literal["text", "image", "region"]


@dataclass(frozen=True, slots=True)
class Finding:
    """Something to remove. `value` stays in memory only: reports carry `value_hash`."""

    page: int
    rect: Rect
    category: str
    rule: str
    value: str = ""
    kind: FindingKind = "text"
    # The label a value stood after, as read ("床号"): a value too short to hunt on its own
    # ("23") is hunted beside that label elsewhere in the record (`propagate`). Not PHI.
    label: str = ""


def value_hash(value: str, key: bytes) -> str:
    """A short tag for a value, so a report can group findings without holding PHI.

    Keyed per run: names are few enough that an unkeyed hash could be reversed by trying them.
    """
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:16]
