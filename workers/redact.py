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
from collections.abc import Callable
from dataclasses import dataclass

import pymupdf
from pymupdf import mupdf

from dsl.model import Action
from workers.drawing import (
    commit,
    fill_op,
    fit_text,
    pdf_number,
    use_replacement_font,
)
from workers.pseudonyms import Pseudonyms
from workers.rescan import image_xrefs, reencode_rewritten
from workers.textlayer import Finding, Glyph, Rect, overlap_share, overlaps

PIXEL_PAD = 1.0        # pt around pixel findings: OCR boxes run short (FINDINGS.md)
BOX_PAD_Y = 0.5        # pt above/below the drawn box, so ascenders' ink is covered
BAND_TOP = 0.70        # removal band, in em above the baseline ...
BAND_BOTTOM = 0.15     # ... down to this: inside CJK, digit and x-height ink, clear of neighbours
BAND_INSET = 0.05      # em taken off each end: neighbours' ink may reach their advance edge
LABEL_FILL = (0.85, 0.85, 0.85)
BOX_FILL = (0.0, 0.0, 0.0)
# Replacement texts whose rects share more than this of the smaller one are not both written.
OVERLAP = 0.3


@dataclass(slots=True)
class RedactStats:
    """What one page's redaction did (counts only: no values)."""

    findings: int = 0
    boxes: int = 0
    labels: int = 0
    pseudonyms: int = 0
    glyph_rects: int = 0    # removal bands over characters
    pixel_rects: int = 0    # rects blanked in images (and regions)


class _Glyphs:
    """The page's characters as plain tuples, sorted by centre y (PyMuPDF's Rect is slow).

    `rows` are the same tuples from pass 1's extraction of the page (`PageLayer.glyphs`):
    given, the page is not read again.
    """

    def __init__(self, page: pymupdf.Page, rows: list[Glyph] | None = None) -> None:
        if rows is not None:
            self.rows = rows
            self.keys = [r[0] for r in rows]
            return
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

    def centred_in(self, rect: Rect) -> list[tuple]:
        x0, y0, x1, y1 = rect
        lo = bisect.bisect_left(self.keys, y0)
        hi = bisect.bisect_right(self.keys, y1)
        return [r for r in self.rows[lo:hi] if x0 <= r[1] <= x1]


def _removal_bands(rect: Rect, glyphs: _Glyphs) -> list[Rect] | None:
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
        bands.append((x0, baseline - BAND_TOP * size, x1, baseline - BAND_BOTTOM * size))
    return bands


def replacement_text(finding: Finding, action: Action, pseudonyms: Pseudonyms) -> str:
    """What is drawn over a finding (a label, a pseudonym issued on first sight, or nothing)."""
    if action.kind == "label":
        return action.text or f"[{finding.category}]"
    if action.kind == "pseudonym":
        return pseudonyms.name_for(action.text or finding.category, action.sequence, finding.value)
    return ""


def _area(r: Rect) -> float:
    return max(r[2] - r[0], 0.0) * max(r[3] - r[1], 0.0)


def redact_page(page: pymupdf.Page, findings: list[Finding],
                action_for: Callable[[Finding], Action], pseudonyms: Pseudonyms,
                glyphs: list[Glyph] | None = None, shape: pymupdf.Shape | None = None,
                ) -> RedactStats:
    """Remove every finding's glyphs and pixels from `page` and draw its replacement.

    `glyphs`: the page's characters as pass 1 extracted them (sorted), else they are read here.
    `shape`: the page's shape to draw the replacements into, committed by the caller with
    whatever else it draws over the page; else they are drawn and committed here.
    """
    stats = RedactStats(findings=len(findings))
    if not findings:
        return stats
    if any(f.kind == "text" for f in findings):
        # Pass 1's rows are in unrotated coordinates, as is the text trace only when unrotated.
        glyphs = _Glyphs(page, glyphs if not page.rotation else None)
    else:
        glyphs = None
    has_images = bool(page.get_images(full=True))
    image_rects = [tuple(i["bbox"]) for i in page.get_image_info()] if has_images else []
    page_rect = tuple(page.rect)

    # Rects are plain tuples here: PyMuPDF's Rect arithmetic cost ~1 ms a page.
    glyph_rects: list[Rect] = []
    pixel_rects: list[Rect] = []
    visuals: list[tuple[Rect, str, bool]] = []   # rect, replacement text, is_box
    for finding in findings:
        rect = finding.rect
        padded = _clip(_grow(rect, PIXEL_PAD, PIXEL_PAD), page_rect)
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
                if any(overlaps(padded, r) for r in image_rects):
                    # an invisible OCR layer over a scan: the ink is in the image too
                    pixel_rects.append(padded)
                shown = _clip(_grow(rect, 0.0, BOX_PAD_Y), page_rect)
        action = action_for(finding)
        text = replacement_text(finding, action, pseudonyms)
        visuals.append((shown, text, action.kind == "box"))
        if action.kind == "box":
            stats.boxes += 1
        elif action.kind == "label":
            stats.labels += 1
        else:
            stats.pseudonyms += 1

    _apply(page, glyph_rects, text=pymupdf.PDF_REDACT_TEXT_REMOVE)
    before = image_xrefs(page) if has_images else set()
    _apply(page, pixel_rects, text=pymupdf.PDF_REDACT_TEXT_NONE, only_if_images=has_images)
    if has_images:
        reencode_rewritten(page, before)
    stats.glyph_rects, stats.pixel_rects = len(glyph_rects), len(pixel_rects)
    if shape is None:
        drawn = page.new_shape()
        _draw(drawn, visuals)
        commit(drawn)
    else:
        _draw(shape, visuals)
    return stats


def _grow(r: Rect, dx: float, dy: float) -> Rect:
    return (r[0] - dx, r[1] - dy, r[2] + dx, r[3] + dy)


def _clip(r: Rect, bounds: Rect) -> Rect:
    """`r` inside `bounds` (as Rect & Rect: an empty rect where they do not meet)."""
    x0, y0 = max(r[0], bounds[0]), max(r[1], bounds[1])
    x1, y1 = min(r[2], bounds[2]), min(r[3], bounds[3])
    return (x0, y0, x1, y1) if x0 < x1 and y0 < y1 else (0.0, 0.0, 0.0, 0.0)


def _apply(page: pymupdf.Page, rects: list[Rect], *, text: int,
           only_if_images: bool = True) -> None:
    if not rects or not only_if_images:
        return
    images, graphics = pymupdf.PDF_REDACT_IMAGE_PIXELS, pymupdf.PDF_REDACT_LINE_ART_REMOVE_IF_COVERED
    if page.rotation:
        # add_redact_annot takes unrotated rects by turning the page upright for the call
        for r in rects:
            # no fill here: the visible box is drawn over the finding rect afterwards
            page.add_redact_annot(r, fill=False, cross_out=False)
        page.apply_redactions(images=images, graphics=graphics, text=text)
        return
    # The same MuPDF calls as add_redact_annot + apply_redactions, without what those add per
    # annotation (an appearance stream, an id, a scan of the page's annotations): ~3 ms a page.
    # The rects are the quads of one annotation, not one annotation each: MuPDF tests glyphs,
    # images and paths against each quad in turn exactly as against each annotation's rect, but
    # creates, walks and deletes one annotation (deleting n restarts its walk n times). The
    # annotation has no fill and MuPDF deletes it once applied.
    pdf_page = mupdf.pdf_page_from_fz_page(page.this)
    annot = mupdf.pdf_create_annot(pdf_page, mupdf.PDF_ANNOT_REDACT)
    for r in rects:
        mupdf.pdf_add_annot_quad_point(annot, mupdf.FzQuad(mupdf.FzRect(*r)))
    opts = mupdf.PdfRedactOptions()
    opts.black_boxes = 0
    opts.text = text
    opts.image_method = images
    opts.line_art = graphics
    if not mupdf.pdf_redact_page(pdf_page.doc(), pdf_page, opts):
        raise RuntimeError("MuPDF did not apply the redactions")


def _draw(shape: pymupdf.Shape, visuals: list[tuple[Rect, str, bool]]) -> None:
    # The operators Shape.draw_rect + finish(fill=..., color=None, width=0) write, composed
    # here: those calls cost ~0.1 ms a box through PyMuPDF's Rect and Matrix.
    a, b, c, d, e, f = shape.ipctm
    fills = {True: fill_op(BOX_FILL), False: fill_op(LABEL_FILL)}
    parts = []
    for (x0, y0, x1, y1), _text, is_box in visuals:
        # the rect's bottom-left corner in PDF space, then its size
        parts.append(f"\nq\n{pdf_number(x0 * a + y1 * c + e)} {pdf_number(x0 * b + y1 * d + f)} "
                     f"{pdf_number(x1 - x0)} {pdf_number(y1 - y0)} re\nh\n{fills[is_box]}f\nQ\n")
    shape.totalcont += "".join(parts)
    texts = _apart([(rect, text) for rect, text, _is_box in visuals if text])
    if texts:
        use_replacement_font(shape.page)   # once, not per label (~30 µs each, ~19 a page)
    for rect, text in texts:
        fit_text(shape, pymupdf.Rect(rect), text, font_ready=True)


def _apart(texts: list[tuple[Rect, str]]) -> list[tuple[Rect, str]]:
    """The replacement texts to write: where two rects mostly overlap (an ID number found both
    by its shape and after its label), only the larger one's text, since two texts written
    over each other read as neither ("[[身份证号]" over "[证件号]"). Every box is still drawn."""
    kept: list[tuple[Rect, str]] = []
    for rect, text in sorted(texts, key=lambda t: -_area(t[0])):
        if not any(overlap_share(rect, other) > OVERLAP for other, _ in kept):
            kept.append((rect, text))
    return kept
