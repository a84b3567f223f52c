"""Writing over a page's content: replacement text in the Chinese font PDF viewers carry, filled
boxes, and the page's /Contents extended in a balanced graphics state.

The operators are those PyMuPDF's `Shape` writes, composed here: its calls cost more than the
redaction itself on a born-digital page (see each function).
"""
from __future__ import annotations

import functools
import re

import pymupdf
from pymupdf import mupdf

MIN_FONT_SIZE = 2.0
# A label over a large area (a band, a stamp) stays at body-text size: it names, not shouts.
MAX_FONT_SIZE = 12.0


@functools.cache
def cjk_font() -> pymupdf.Font:
    """The embedded CJK font (Droid Sans Fallback) for replacement text; loaded on first use."""
    return pymupdf.Font("cjk")


# Replacement text (labels, pseudonyms, page numbers) uses the standard Simplified Chinese font
# that PDF viewers carry ('china-s', referenced, not embedded). Embedding our CJK font cost
# 1.7 MB and ~190 ms per written part, and subsetting it at assembly grew memory with every
# page (benchmarks/born_digital.py; FINDINGS 2026-11-22). Its glyphs are all one em wide.
REPLACEMENT_FONT = "china-s"
_ASCENT = 0.88


def fit_text(shape: pymupdf.Shape, rect: pymupdf.Rect, text: str,
             color: tuple[float, float, float] = (0, 0, 0),
             max_size: float = MAX_FONT_SIZE, font_ready: bool = False) -> None:
    """Write `text` centred in `rect`, shrunk until it fits.

    The operators are those `Shape.insert_text` writes, composed here: it installs the font
    on every call (~6 ms each, most of a born-digital page's redaction time). `font_ready`:
    the caller has already called `use_replacement_font` for this page.
    """
    ems = max(len(text), 1)
    size = max(MIN_FONT_SIZE, min(rect.height * 0.8, rect.width * 0.95 / ems, max_size))
    x = rect.x0 + (rect.width - ems * size) / 2
    y = rect.y0 + (rect.height + (2 * _ASCENT - 1) * size) / 2
    if not font_ready:
        use_replacement_font(shape.page)
    # the CMap is UniGB-UTF16-H: one UTF-16 code unit per character, as hex
    codes = text.encode("utf-16-be").hex()
    rgb = " ".join(pdf_number(c) for c in color)
    shape.text_cont += (f"\nq\nBT\n1 0 0 1 {pdf_number(x + shape.x)} {pdf_number(shape.height - y - shape.y)} "
                        f"Tm\n/{REPLACEMENT_FONT} {pdf_number(size)} Tf {rgb} RG {rgb} rg "
                        f"[<{codes}>]TJ\nET\nQ\n")


def pdf_number(value: float) -> str:
    """`value` as a PDF number."""
    # Never an exponent ("1e-05" is not a PDF number), to a thousandth of a point.
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


_CID, _DESCRIPTOR = "@cid@", "@descriptor@"


@functools.cache
def _font_objects() -> tuple[str, str, str]:
    """MuPDF's own objects for the replacement font (Type0 font, CIDFont, descriptor), made
    once in a scratch document, with placeholders where they refer to each other."""
    with pymupdf.open() as scratch:
        type0 = scratch.new_page().insert_font(fontname=REPLACEMENT_FONT)
        cid = _first_ref(scratch.xref_get_key(type0, "DescendantFonts")[1])
        descriptor = _first_ref(scratch.xref_get_key(cid, "FontDescriptor")[1])
        sources = [scratch.xref_object(x, compressed=True) for x in (type0, cid, descriptor)]
    sources = [re.sub(rf"\b{descriptor} 0 R", _DESCRIPTOR, re.sub(rf"\b{cid} 0 R", _CID, src))
               for src in sources]
    return sources[0], sources[1], sources[2]


def _first_ref(value: str) -> int:
    match = re.search(r"(\d+) 0 R", value)
    if match is None:
        raise RuntimeError("MuPDF's CJK font has an unexpected shape")
    return int(match.group(1))


def use_replacement_font(page: pymupdf.Page) -> None:
    """Make /china-s name the replacement font in the page's resources (as `insert_font`
    does, inherited resources included), keeping one the page already has."""
    pdf_page = mupdf.pdf_page_from_fz_page(page.this)
    page_obj = pdf_page.obj()
    resources = mupdf.pdf_dict_get_inheritable(page_obj, mupdf.pdf_new_name("Resources"))
    if not resources.pdf_is_dict():
        resources = mupdf.pdf_dict_put_dict(page_obj, mupdf.pdf_new_name("Resources"), 5)
    fonts = mupdf.pdf_dict_get(resources, mupdf.pdf_new_name("Font"))
    if not fonts.pdf_is_dict():
        fonts = mupdf.pdf_dict_put_dict(resources, mupdf.pdf_new_name("Font"), 5)
    elif mupdf.pdf_dict_gets(fonts, REPLACEMENT_FONT).m_internal:
        return
    doc = page.parent
    type0, cid, descriptor = _font_objects()
    xrefs = [doc.get_new_xref() for _ in range(3)]
    for xref, source in zip(xrefs, (type0, cid, descriptor)):
        doc.update_object(xref, source.replace(_CID, f"{xrefs[1]} 0 R")
                          .replace(_DESCRIPTOR, f"{xrefs[2]} 0 R"))
    mupdf.pdf_dict_puts(fonts, REPLACEMENT_FONT, mupdf.pdf_new_indirect(pdf_page.doc(),
                                                                          xrefs[0], 0))


def fill_op(rgb: tuple[float, float, float]) -> str:
    """The operator setting `rgb` as the fill colour."""
    return " ".join(pdf_number(v) for v in rgb) + " rg "


# --- drawing over a page ---------------------------------------------------------------------
# `Shape.commit` balances the page's q/Q first with MuPDF's content interpreter, which loads every
# font the page uses (~1.5 ms a page, and the fonts stay in the store). Counting the operators
# in the content bytes gives the same answer for the pages we write; anything the count cannot
# be sure of (an inline image, a string with nested parentheses) goes to MuPDF.
_IGNORED = re.compile(rb"\((?:[^()\\]|\\.)*\)|<[0-9A-Fa-f\s]*>|%[^\r\n]*", re.DOTALL)
_DELIMITERS = bytes.maketrans(b"[]<>{}/", b"       ")


def q_balance(page: pymupdf.Page) -> tuple[int, int]:
    """(q to prepend, Q to append) for the page's content to leave the graphics state as it
    found it, as `Page._count_q_balance` computes them: like MuPDF, content that works at the
    outermost level (a `cm` outside any q/Q) is wrapped in one more pair. A name counts as
    such work too, which can only wrap a page that did not need it: harmless."""
    content = _IGNORED.sub(b" ", page.read_contents())
    tokens = content.translate(_DELIMITERS).split()
    if b"(" in content or b")" in content or b"BI" in tokens:
        return page._count_q_balance()   # strings or image data the count would misread
    depth = unopened = 0
    loose = False      # an operator outside every q/Q
    for token in tokens:
        if token == b"q":
            depth += 1
        elif token == b"Q":
            if depth:
                depth -= 1
            else:
                unopened += 1
        elif not depth and not loose and token[0] in _OPERATOR_START:
            loose = True
    return unopened + loose, depth + loose


_OPERATOR_START = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'\"*")


def commit(shape: pymupdf.Shape) -> None:
    """Put the shape's drawing over its page's content, as `Shape.commit(overlay=True)` does."""
    content = (shape.totalcont + shape.text_cont).encode()
    shape.totalcont = shape.text_cont = shape.draw_cont = ""
    if content:
        overlay(shape.page, content)


def overlay(page: pymupdf.Page, content: bytes) -> None:
    """Append `content` to the page's /Contents, in a balanced graphics state."""
    doc = page.parent
    push, pop = q_balance(page)
    streams = page.get_contents()
    if push:
        streams.insert(0, _new_stream(doc, b"q\n" * push))
    if pop:
        content = b"\nQ" * pop + b"\n" + content
    streams.append(_new_stream(doc, content))
    doc.xref_set_key(page.xref, "Contents", "[" + " ".join(f"{x} 0 R" for x in streams) + "]")


def _new_stream(doc: pymupdf.Document, data: bytes) -> int:
    xref = doc.get_new_xref()
    doc.update_object(xref, "<<>>")
    doc.update_stream(xref, data)
    return xref
