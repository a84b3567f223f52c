"""Tiny synthetic PDFs for tests: Chinese text pages, scans of them, and broken files."""
from __future__ import annotations

import io
from pathlib import Path

import pymupdf

_FONT: pymupdf.Font | None = None


def cjk_font() -> pymupdf.Font:
    global _FONT
    if _FONT is None:
        _FONT = pymupdf.Font("cjk")
    return _FONT


def text_page(doc: pymupdf.Document, lines: list[str], fontsize: float = 11,
              top: float = 60) -> pymupdf.Page:
    page = doc.new_page(width=595, height=842)
    page.insert_font(fontname="cjk", fontbuffer=cjk_font().buffer)
    y = top
    for line in lines:
        page.insert_text((50, y), line, fontname="cjk", fontsize=fontsize)
        y += fontsize * 2
    return page


def text_pdf(path: Path, pages: list[list[str]], metadata: dict | None = None) -> Path:
    doc = pymupdf.open()
    for lines in pages:
        text_page(doc, lines)
    if metadata:
        doc.set_metadata(metadata)
    doc.subset_fonts()
    doc.save(path, garbage=3, deflate=True)
    doc.close()
    return path


def scanned_pdf(path: Path, pages: list[list[str]], dpi: int = 200,
                black: tuple[str, ...] = ()) -> Path:
    """Image-only PDF: each text page rendered to pixels, no text layer left. The texts in
    `black` are covered by black boxes first, as redaction covers them."""
    src = pymupdf.open()
    for lines in pages:
        text_page(src, lines, fontsize=12)
        for text in black:
            for rect in src[-1].search_for(text):
                src[-1].draw_rect(rect, color=(0, 0, 0), fill=(0, 0, 0))
    out = pymupdf.open()
    for page in src:
        pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
        new = out.new_page(width=page.rect.width, height=page.rect.height)
        new.insert_image(new.rect, stream=pix.tobytes("png"))
    out.save(path, garbage=3, deflate=True)
    return path


def huge_image_pdf(path: Path, side: int = 12000) -> Path:
    """One page holding a very large (mostly blank) image, as a bad scanner might make."""
    from PIL import Image
    img = Image.new("L", (side, side), 255)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_image(page.rect, stream=buf.getvalue())
    doc.save(path, garbage=3, deflate=True)
    return path
