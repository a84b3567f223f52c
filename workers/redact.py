"""True redaction of one page's findings: remove glyphs and pixels, then draw what replaces them.

MuPDF removes every glyph whose *ink* box (not its advance box) touches a redaction rect, and
blanks image pixels under it. Character boxes from `rawdict` run from the font's ascender to its
descender, so in dense tables they overlap the lines above and below: redacting a whole finding
rect removed characters of the neighbouring lines (measured: line spacing ≤ 1.17 em). So glyphs
are removed through a thin band around each selected character's baseline, which touches the
finding's own ink and no neighbour's; images are blanked over the full, padded finding rect in a
second pass that leaves text alone; and the visible box is drawn afterwards over the finding rect.
"""
from __future__ import annotations

import bisect
import functools
from collections.abc import Callable
from dataclasses import dataclass

import pymupdf

from dsl.model import Action
from workers.pseudonyms import Pseudonyms
from workers.textlayer import Finding

PIXEL_PAD = 1.0        # pt around pixel findings: OCR boxes run short (FINDINGS.md)
BOX_PAD_Y = 0.5        # pt above/below the drawn box, so ascenders' ink is covered
BAND_TOP = 0.70        # removal band, in em above the baseline ...
BAND_BOTTOM = 0.15     # ... down to this: inside CJK, digit and x-height ink, clear of neighbours
BAND_INSET = 0.05      # em taken off each end: neighbours' ink may reach their advance edge
LABEL_FILL = (0.85, 0.85, 0.85)
BOX_FILL = (0.0, 0.0, 0.0)
MIN_FONT_SIZE = 2.0
# A label over a large area (a band, a stamp) stays at body-text size: it names, not shouts.
MAX_FONT_SIZE = 12.0


@dataclass(slots=True)
class RedactStats:
    """What one page's redaction did (counts only: no values)."""

    findings: int = 0
    boxes: int = 0
    labels: int = 0
    pseudonyms: int = 0
    glyph_rects: int = 0    # removal bands over characters
    pixel_rects: int = 0    # rects blanked in images (and regions)


@functools.cache
def cjk_font() -> pymupdf.Font:
    """The embedded CJK font (Droid Sans Fallback) for replacement text; loaded on first use."""
    return pymupdf.Font("cjk")


class _Glyphs:
    """The page's characters as plain tuples, sorted by centre y (PyMuPDF's Rect is slow)."""

    def __init__(self, page: pymupdf.Page) -> None:
        rows = []
        for span in page.get_texttrace():
            horizontal = abs(span["dir"][1]) < 1e-3 and span["dir"][0] > 0
            size = span["size"]
            for ucs, _gid, origin, (x0, y0, x1, y1) in span["chars"]:
                if ucs in (32, 0x3000, 9, 10, 13):
                    continue
                rows.append(((y0 + y1) / 2, (x0 + x1) / 2, x0, x1, origin[1], size, horizontal))
        rows.sort()
        self.rows = rows
        self.keys = [r[0] for r in rows]

    def centred_in(self, rect: pymupdf.Rect) -> list[tuple]:
        lo = bisect.bisect_left(self.keys, rect.y0)
        hi = bisect.bisect_right(self.keys, rect.y1)
        return [r for r in self.rows[lo:hi] if rect.x0 <= r[1] <= rect.x1]


def _removal_bands(rect: pymupdf.Rect, glyphs: _Glyphs) -> list[pymupdf.Rect] | None:
    """Thin rects touching the ink of the characters centred in `rect`, one per baseline.

    None when the rect holds no characters (the text is pixels) or holds rotated text (the
    band geometry assumes horizontal lines, so the full rect is used instead).
    """
    inside = glyphs.centred_in(rect)
    if not inside or not all(g[6] for g in inside):
        return None
    rows: dict[tuple[float, float], list[tuple]] = {}
    for g in inside:
        rows.setdefault((round(g[4], 1), g[5]), []).append(g)
    bands = []
    for (baseline, size), row in rows.items():
        x0 = min(g[2] for g in row) + BAND_INSET * size
        x1 = max(g[3] for g in row) - BAND_INSET * size
        if x1 <= x0:
            mid = (x0 + x1) / 2
            x0, x1 = mid - 0.1, mid + 0.1
        bands.append(pymupdf.Rect(x0, baseline - BAND_TOP * size, x1, baseline - BAND_BOTTOM * size))
    return bands


def _replacement(finding: Finding, action: Action, pseudonyms: Pseudonyms) -> str:
    if action.kind == "label":
        return action.text or f"[{finding.category}]"
    if action.kind == "pseudonym":
        return pseudonyms.name_for(action.text or finding.category, action.sequence, finding.value)
    return ""


# Replacement text (labels, pseudonyms, page numbers) uses the standard Simplified Chinese font
# that PDF viewers carry ('china-s', referenced, not embedded). Embedding our CJK font cost
# 1.7 MB and ~190 ms per written part, and subsetting it at assembly grew memory with every
# page (benchmarks/born_digital.py; FINDINGS 2026-11-22). Its glyphs are all one em wide.
REPLACEMENT_FONT = "china-s"
_ASCENT = 0.88


def fit_text(shape: pymupdf.Shape, rect: pymupdf.Rect, text: str,
             color: tuple[float, float, float] = (0, 0, 0),
             max_size: float = MAX_FONT_SIZE) -> None:
    """Write `text` centred in `rect`, shrunk until it fits."""
    ems = max(len(text), 1)
    size = max(MIN_FONT_SIZE, min(rect.height * 0.8, rect.width * 0.95 / ems, max_size))
    x = rect.x0 + (rect.width - ems * size) / 2
    y = rect.y0 + (rect.height + (2 * _ASCENT - 1) * size) / 2
    shape.insert_text((x, y), text, fontname=REPLACEMENT_FONT, fontsize=size, color=color)


def redact_page(page: pymupdf.Page, findings: list[Finding],
                action_for: Callable[[Finding], Action], pseudonyms: Pseudonyms) -> RedactStats:
    """Remove every finding's glyphs and pixels from `page` and draw its replacement."""
    stats = RedactStats(findings=len(findings))
    if not findings:
        return stats
    glyphs = _Glyphs(page) if any(f.kind == "text" for f in findings) else None
    has_images = bool(page.get_images(full=True))
    image_rects = [pymupdf.Rect(i["bbox"]) for i in page.get_image_info()] if has_images else []
    page_rect = page.rect

    glyph_rects: list[pymupdf.Rect] = []
    pixel_rects: list[pymupdf.Rect] = []
    visuals: list[tuple[pymupdf.Rect, str, bool]] = []   # rect, replacement text, is_box
    for finding in findings:
        rect = pymupdf.Rect(finding.rect)
        padded = (rect + (-PIXEL_PAD, -PIXEL_PAD, PIXEL_PAD, PIXEL_PAD)) & page_rect
        if finding.kind == "region":
            # a region takes everything it touches, by design
            glyph_rects.append(rect)   # the glyph pass blanks pixels too
            shown = rect
        elif finding.kind == "image":
            pixel_rects.append(padded)
            shown = padded
        else:
            bands = _removal_bands(rect, glyphs) if glyphs else None
            if bands is None:
                # pixels (OCR'd text): blank them with a margin, touch no glyph
                pixel_rects.append(padded)
                shown = padded
            else:
                glyph_rects.extend(bands)
                if any(padded.intersects(r) for r in image_rects):
                    # an invisible OCR layer over a scan: the ink is in the image too
                    pixel_rects.append(padded)
                shown = (rect + (0, -BOX_PAD_Y, 0, BOX_PAD_Y)) & page_rect
        action = action_for(finding)
        text = _replacement(finding, action, pseudonyms)
        visuals.append((shown, text, action.kind == "box"))
        if action.kind == "box":
            stats.boxes += 1
        elif action.kind == "label":
            stats.labels += 1
        else:
            stats.pseudonyms += 1

    _apply(page, glyph_rects, text=pymupdf.PDF_REDACT_TEXT_REMOVE)
    _apply(page, pixel_rects, text=pymupdf.PDF_REDACT_TEXT_NONE, only_if_images=has_images)
    stats.glyph_rects, stats.pixel_rects = len(glyph_rects), len(pixel_rects)
    _draw(page, visuals)
    return stats


def _apply(page: pymupdf.Page, rects: list[pymupdf.Rect], *, text: int,
           only_if_images: bool = True) -> None:
    if not rects or not only_if_images:
        return
    for r in rects:
        # no fill here: the visible box is drawn over the finding rect afterwards
        page.add_redact_annot(r, fill=False, cross_out=False)
    page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_PIXELS,
                          graphics=pymupdf.PDF_REDACT_LINE_ART_REMOVE_IF_COVERED, text=text)


def _draw(page: pymupdf.Page, visuals: list[tuple[pymupdf.Rect, str, bool]]) -> None:
    shape = page.new_shape()
    for rect, _text, is_box in visuals:
        shape.draw_rect(rect)
        shape.finish(fill=BOX_FILL if is_box else LABEL_FILL, color=None, width=0)
    for rect, text, _is_box in visuals:
        if text:
            fit_text(shape, rect, text)
    shape.commit(overlay=True)
