"""Text layers from born-digital pages, and the decision what to OCR."""
from __future__ import annotations

import numpy as np
import pymupdf
import pytest

from workers.extract import needs_ocr, ocr_plan, page_layer

LINES = ["姓名：张伟明  性别：男", "身份证号：110101198003074518", "诊断：慢性阻塞性肺疾病"]


def cjk_page(doc: pymupdf.Document, lines=LINES, fontsize: float = 12,
             width: float = 595, height: float = 842) -> pymupdf.Page:
    page = doc.new_page(width=width, height=height)
    page.insert_font(fontname="cjk", fontbuffer=pymupdf.Font("cjk").buffer)
    for i, text in enumerate(lines):
        page.insert_text((50, 80 + 30 * i), text, fontname="cjk", fontsize=fontsize)
    return page


def ink(page: pymupdf.Page, dpi: int = 144) -> np.ndarray:
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
    return np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width) < 128


def signature_image(text: str = "王建国", dpi: int = 150) -> pymupdf.Pixmap:
    """A name written into pixels, as a scanned or drawn signature would be."""
    doc = pymupdf.open()
    page = doc.new_page(width=80, height=32)
    page.insert_font(fontname="cjk", fontbuffer=pymupdf.Font("cjk").buffer)
    page.insert_text((8, 23), text, fontname="cjk", fontsize=20)
    return page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)


def test_lines_keep_text_and_give_every_character_a_box():
    doc = pymupdf.open()
    layer = page_layer(cjk_page(doc), 0)
    assert [line.text for line in layer.lines] == LINES
    for line in layer.lines:
        assert len(line.boxes) == len(line.text)
        assert all(line.source == "text" for _ in line.text)
    # Chinese characters have one box each, about one em wide and in reading order.
    name = layer.lines[0]
    for i in range(3, 6):
        x0, _, x1, _ = name.boxes[i]
        assert 11 <= x1 - x0 <= 13
        assert x0 >= name.boxes[i - 1][2] - 0.01
    # The two spaces have boxes between their neighbours.
    sp = name.text.index("  ")
    assert name.boxes[sp][0] >= name.boxes[sp - 1][2] - 0.01


def test_character_boxes_cover_their_glyphs():
    doc = pymupdf.open()
    page = cjk_page(doc)
    layer = page_layer(page, 0)
    scale = 144 / 72
    before = ink(page)
    for line in layer.lines:
        for x0, y0, x1, y1 in line.boxes:
            page.draw_rect(pymupdf.Rect(x0, y0, x1, y1), color=None, fill=(1, 1, 1))
    assert before.sum() > 1000
    assert ink(page).sum() == 0, "ink outside the character boxes"
    # And each Chinese character's own box holds ink (the box is on its glyph, not beside it).
    zhang = layer.lines[0].boxes[3]
    x0, y0, x1, y1 = (int(v * scale) for v in zhang)
    assert before[y0:y1, x0:x1].sum() > 20


def test_rotated_page_uses_unrotated_coordinates():
    doc = pymupdf.open()
    page = cjk_page(doc)
    page.set_rotation(90)
    layer = page_layer(page, 0)
    assert (layer.width, layer.height) == (595, 842)
    hit = page.search_for("张伟明")[0]
    box = layer.lines[0].span_rect(3, 6)
    assert abs(box[0] - hit.x0) < 0.5 and abs(box[2] - hit.x1) < 0.5


def test_images_are_listed_with_their_place_and_digest():
    doc = pymupdf.open()
    page = cjk_page(doc)
    page.insert_image(pymupdf.Rect(400, 700, 480, 732), pixmap=signature_image())
    layer = page_layer(page, 0)
    assert len(layer.images) == 1
    image = layer.images[0]
    assert image.xref > 0 and len(image.digest) == 32
    assert all(abs(a - b) < 0.5 for a, b in zip(image.rect, (400, 700, 480, 732)))
    assert [line.text for line in layer.lines] == LINES


def test_born_digital_page_needs_no_ocr_unless_asked():
    doc = pymupdf.open()
    layer = page_layer(cjk_page(doc), 0)
    assert not needs_ocr(layer, "auto")
    assert not needs_ocr(layer, "never")
    plan = needs_ocr(layer, "always")
    assert plan.regions[0].whole_page and plan.regions[0].rect == (0, 0, 595, 842)


def ecg_like_page(doc: pymupdf.Document) -> pymupdf.Page:
    """A printout with a live text layer over a millimetre grid and a trace."""
    page = cjk_page(doc)
    shape = page.new_shape()
    for k in range(0, 150, 3):
        shape.draw_line((50, 300 + k), (545, 300 + k))
        shape.draw_line((50 + 3 * k, 300), (50 + 3 * k, 450))
    shape.draw_polyline([(50 + x, 380 + 30 * np.sin(x / 9)) for x in range(0, 495, 2)])
    shape.finish(color=(1, 0.6, 0.6), width=0.3)
    shape.commit()
    return page


def stroke_text(page: pymupdf.Page, x: float, y: float, n: int = 8) -> None:
    """Characters drawn as strokes of a few segments each, as some ECG printers write a name."""
    shape = page.new_shape()
    for i in range(n):
        x0 = x + 12 * i
        shape.draw_polyline([(x0, y), (x0 + 8, y), (x0 + 4, y + 4), (x0 + 8, y + 10)])
        shape.finish(color=(0, 0, 0), width=0.8)
    shape.commit()


def test_always_reads_a_printout_only_when_it_draws_character_shapes():
    doc = pymupdf.open()
    page = ecg_like_page(doc)
    assert not ocr_plan(page, page_layer(page, 0), "always"), \
        "a grid and a trace under a live text layer: nothing for OCR to add"
    page.insert_image(pymupdf.Rect(400, 700, 480, 732), pixmap=signature_image())
    plan = ocr_plan(page, page_layer(page, 0), "always")
    assert [tuple(round(v) for v in r.rect) for r in plan.regions] == [(400, 700, 480, 732)], \
        "an image on it is read alone, as 'auto' reads it"
    stroke_text(page, 60, 500)
    plan = ocr_plan(page, page_layer(page, 0), "always")
    assert plan.regions and plan.regions[0].whole_page, "text drawn as strokes is read"


def test_always_keeps_its_answer_and_takes_a_known_one():
    doc = pymupdf.open()
    page = ecg_like_page(doc)
    layer = page_layer(page, 0)
    assert not ocr_plan(page, layer, "always") and layer.vector_glyphs is False
    stroke_text(page, 60, 500)
    layer = page_layer(page, 0)
    assert ocr_plan(page, layer, "always") and layer.vector_glyphs is True
    # Told the page draws no character shapes (its source drew none), it does not look.
    layer = page_layer(page, 0)
    assert not ocr_plan(page, layer, "always", flat=True) and layer.vector_glyphs is None


def test_signature_image_is_ocrd_alone_and_tiny_images_are_not():
    doc = pymupdf.open()
    page = cjk_page(doc)
    page.insert_image(pymupdf.Rect(400, 700, 480, 732), pixmap=signature_image())
    page.insert_image(pymupdf.Rect(50, 40, 545, 41.5), pixmap=signature_image())  # a rule
    plan = needs_ocr(page_layer(page, 0), "auto")
    assert not plan.scanned
    assert [tuple(round(v) for v in r.rect) for r in plan.regions] == [(400, 700, 480, 732)]


def test_scanned_page_is_ocrd_as_one_region():
    src = pymupdf.open()
    pix = cjk_page(src).get_pixmap(dpi=100, colorspace=pymupdf.csGRAY)
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    # In two strips, as some scanners write them: still one region, lines are not cut.
    page.insert_image(pymupdf.Rect(0, 0, 595, 421), pixmap=pix, keep_proportion=False)
    page.insert_image(pymupdf.Rect(0, 421, 595, 842), pixmap=pix, keep_proportion=False)
    plan = needs_ocr(page_layer(page, 0), "auto")
    assert plan.scanned and len(plan.regions) == 1
    assert plan.regions[0].rect == pytest.approx((0, 0, 595, 842), abs=0.5)
