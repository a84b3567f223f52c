"""Read a page's text layer (one box per character) and its images, and decide what to OCR.

Coordinates are those of `workers.textlayer`: PDF points, top-left origin, in the unrotated page
(the space `get_text` and redaction annotations use).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

import pymupdf

from .textlayer import Glyph, ImageBox, PageLayer, Rect, TextLine, contains

# rawdict's defaults minus TEXT_PRESERVE_IMAGES: with it, MuPDF re-encodes every image into the
# dict (100+ ms for a scanned page). Images come from get_image_info instead.
TEXT_FLAGS = pymupdf.TEXTFLAGS_RAWDICT & ~pymupdf.TEXT_PRESERVE_IMAGES
# With no image XObjects the only images left are inline ones (small by nature): keep them in
# the dict, which costs nothing when there are none.
INLINE_FLAGS = pymupdf.TEXTFLAGS_RAWDICT

# A page is a scan when it carries hardly any text and images cover this much of it.
SCANNED_MAX_CHARS = 40
SCANNED_MIN_COVER = 0.5
# An image smaller than this (points) cannot hold a legible character: rules, bullets, dots.
MIN_TEXT_SIDE = 8.0
MIN_TEXT_LONG_SIDE = 16.0

# Vector shapes no larger than this (points) may be characters; this many of them may be text.
GLYPH_MAX_PT = 24.0
GLYPH_PATHS = 6

OcrModeName = Literal["auto", "always", "never"]


def page_rect(page: pymupdf.Page) -> pymupdf.Rect:
    """The page's rectangle in unrotated coordinates."""
    return page.rect * page.derotation_matrix if page.rotation else page.rect


def page_layer(page: pymupdf.Page, number: int, glyphs: bool = False) -> PageLayer:
    """The page's text lines (one box per character, spaces included) and images.

    With `glyphs`, also each character as redaction needs it (`PageLayer.glyphs`), from the
    same extraction: what `redact._Glyphs` would otherwise read from the page a second time.
    """
    rect = page_rect(page)
    layer = PageLayer(number=number, width=rect.width, height=rect.height)
    if page.get_images():
        layer.images = [_image_box(info) for info in page.get_image_info(hashes=True, xrefs=True)]
        raw = page.get_text("rawdict", flags=TEXT_FLAGS)
    else:
        raw = page.get_text("rawdict", flags=INLINE_FLAGS)
    rows: list[Glyph] | None = [] if glyphs else None
    for block in raw["blocks"]:
        if block["type"] == 1:
            layer.images.append(ImageBox(tuple(block["bbox"]), 0,
                                         hashlib.md5(block["image"]).hexdigest()))
            continue
        for line in block["lines"]:
            made = _line(line)
            if made is not None:
                layer.lines.append(made)
            if rows is not None:
                rows.extend(_glyphs(line))
    if rows is not None:
        rows.sort()
        layer.glyphs = rows
    return layer


# Characters that leave no ink: no removal band is drawn for them (as in `redact._Glyphs`).
_BLANK = frozenset(" \u3000\t\n\r")


def _glyphs(line: dict) -> list[Glyph]:
    horizontal = abs(line["dir"][1]) < 1e-3 and line["dir"][0] > 0
    out: list[Glyph] = []
    for span in line["spans"]:
        size = span["size"]
        # one comprehension per span: ~400 characters a page, in pass 1's hot loop
        out += [((b[1] + b[3]) / 2, (b[0] + b[2]) / 2, b[0], b[2], ch["origin"][1], size,
                 horizontal)
                for ch in span["chars"] if ch["c"] not in _BLANK for b in (ch["bbox"],)]
    return out


def _image_box(info: dict) -> ImageBox:
    digest = info.get("digest") or b""
    return ImageBox(tuple(info["bbox"]), int(info.get("xref") or 0), digest.hex())


def _line(line: dict) -> TextLine | None:
    spans = line["spans"]
    if len(spans) > 1 and line["dir"][0] > 0.9:
        # Horizontal text: reading order is left to right whatever order the PDF drew it in.
        spans = sorted(spans, key=lambda s: s["bbox"][0])
    chars = [ch for span in spans for ch in span["chars"]]
    if not chars:
        return None
    text = "".join(ch["c"] for ch in chars)
    boxes: list[Rect] = [ch["bbox"] for ch in chars]
    if len(text) != len(boxes):
        text, boxes = _split_multichar(chars)
    return TextLine(text, boxes, "text")


def _split_multichar(chars: list[dict]) -> tuple[str, list[Rect]]:
    """A glyph mapped to several characters (ligature, decomposed form): share its box."""
    text: list[str] = []
    boxes: list[Rect] = []
    for ch in chars:
        c = ch["c"]
        x0, y0, x1, y1 = ch["bbox"]
        step = (x1 - x0) / max(len(c), 1)
        for i, one in enumerate(c):
            text.append(one)
            boxes.append((x0 + i * step, y0, x0 + (i + 1) * step, y1))
    return "".join(text), boxes


@dataclass(frozen=True, slots=True)
class OcrRegion:
    """A part of the page to render and OCR; `xrefs` are the images it is meant for."""

    rect: Rect
    xrefs: tuple[int, ...] = ()
    whole_page: bool = False


@dataclass(frozen=True, slots=True)
class OcrPlan:
    """What to OCR on one page. False when there is nothing to do."""

    regions: tuple[OcrRegion, ...] = ()
    scanned: bool = False   # the page is a scan: its pixels are all it says

    def __bool__(self) -> bool:
        return bool(self.regions)


def needs_ocr(layer: PageLayer, mode: OcrModeName) -> OcrPlan:
    """Decide what to OCR: nothing, the whole page, or the images that can hold text."""
    page = (0.0, 0.0, layer.width, layer.height)
    if mode == "never":
        return OcrPlan()
    if mode == "always":
        return OcrPlan((OcrRegion(page, tuple(i.xref for i in layer.images), True),))
    images = [(im, _clip(im.rect, page)) for im in layer.images]
    images = [(im, r) for im, r in images if r is not None and _holds_text(r)]
    if not images:
        return OcrPlan()
    chars = _live_chars(layer)
    covered = min(1.0, sum(_area(r) for _, r in images) / max(_area(page), 1e-6))
    if chars <= SCANNED_MAX_CHARS and covered >= SCANNED_MIN_COVER:
        # A scan, perhaps in strips or tiles: one region, so no text line is cut in two.
        union = (min(r[0] for _, r in images), min(r[1] for _, r in images),
                 max(r[2] for _, r in images), max(r[3] for _, r in images))
        return OcrPlan((OcrRegion(union, tuple(im.xref for im, _ in images)),), scanned=True)
    # Largest first, so a stamp drawn on a bigger image is read with it, not twice.
    images.sort(key=lambda item: -_area(item[1]))
    regions: list[OcrRegion] = []
    for im, r in images:
        if any(contains(done.rect, r) for done in regions):
            continue
        regions.append(OcrRegion(r, (im.xref,)))
    return OcrPlan(tuple(regions))


def ocr_plan(page: pymupdf.Page, layer: PageLayer, mode: OcrModeName,
             flat: bool = False) -> OcrPlan:
    """`needs_ocr`, where "always" on a page with a live text layer and no vector shapes the
    size of characters reads nothing "auto" would not (its images): it is read as "auto".

    "always" is for printouts (ECG, fetal monitoring) that draw some text as vector shapes or
    into a picture. Where every shape is a long line or curve (a grid, a trace), a whole-page
    OCR only repeated the text layer: 0.5-1 s a page for nothing (FINDINGS.md). The answer is
    kept in `layer.vector_glyphs`. `flat`: the page is known to draw none (an output page
    whose source page drew none), so its drawings are not listed again.
    """
    if mode == "always" and _live_chars(layer) > SCANNED_MAX_CHARS:
        if not flat:
            layer.vector_glyphs = vector_glyphs(page)
        if flat or not layer.vector_glyphs:
            mode = "auto"
    return needs_ocr(layer, mode)


def vector_glyphs(page: pymupdf.Page) -> bool:
    """Whether the page draws shapes that may be characters: enough small paths of more than
    one stroke or with curves (a stroke font's "姓", an outlined digit). Grid lines and traces
    are long; a lone short line is a tick or a rule."""
    small = 0
    for path in page.get_cdrawings():
        x0, y0, x1, y1 = path["rect"]
        items = path["items"]
        if max(x1 - x0, y1 - y0) <= GLYPH_MAX_PT and (
                len(items) >= 2 or any(item[0] == "c" for item in items)):
            small += 1
            if small >= GLYPH_PATHS:
                return True
    return False


def _live_chars(layer: PageLayer) -> int:
    return sum(len(line.text) - line.text.count(" ") for line in layer.lines
               if line.source == "text")


def _clip(r: Rect, page: Rect) -> Rect | None:
    x0, y0 = max(r[0], page[0]), max(r[1], page[1])
    x1, y1 = min(r[2], page[2]), min(r[3], page[3])
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def _holds_text(r: Rect) -> bool:
    w, h = r[2] - r[0], r[3] - r[1]
    return min(w, h) >= MIN_TEXT_SIDE and max(w, h) >= MIN_TEXT_LONG_SIDE


def _area(r: Rect) -> float:
    return (r[2] - r[0]) * (r[3] - r[1])

