"""OCR of scanned pages and embedded images: text found, boxes covering the ink, cache, errors.

Real Tesseract runs are few (three) and shared through module-scoped fixtures.
"""
from __future__ import annotations

import io
import math

import numpy as np
import pymupdf
import pytest
from PIL import Image

from workers.extract import OcrRegion, page_layer
from workers.ocr import (
    MAX_SIDE,
    OcrEngine,
    OcrFailed,
    OcrJob,
    OcrUnavailable,
    lines_from_hocr,
    ocr_text_of_page,
    parse_hocr,
    recognise_image,
    region_dpi,
    render_region,
)
from workers.ocrcache import OcrCache
from workers.ocrfit import fit_line
from workers.textlayer import UNSURE, TextLine

NAME, ID = "张伟明", "110101198003074518"
LINES = [f"姓名：{NAME}  性别：男  年龄：45岁", f"身份证号：{ID}", "诊断：慢性阻塞性肺疾病急性加重期",
         "家属：李秀英  电话：13812345678"]
SCAN_DPI = 200
SKEW = 0.5   # degrees, counter-clockwise, as a sheet lies a little askew in a scanner


def cjk_page(doc, lines, fontsize=12.0, width=595.0, height=842.0, at=(50.0, 80.0)):
    page = doc.new_page(width=width, height=height)
    page.insert_font(fontname="cjk", fontbuffer=pymupdf.Font("cjk").buffer)
    for i, text in enumerate(lines):
        page.insert_text((at[0], at[1] + 2.2 * fontsize * i), text, fontname="cjk",
                         fontsize=fontsize)
    return page


def gray(pix: pymupdf.Pixmap) -> np.ndarray:
    return np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width).copy()


def skewed(rect: pymupdf.Rect, center: tuple[float, float], degrees: float) -> pymupdf.Rect:
    """Where a rectangle's corners go when the image turns `degrees` counter-clockwise."""
    t = math.radians(degrees)
    cx, cy = center
    pts = [((x - cx) * math.cos(t) + (y - cy) * math.sin(t) + cx,
            -(x - cx) * math.sin(t) + (y - cy) * math.cos(t) + cy)
           for x in (rect.x0, rect.x1) for y in (rect.y0, rect.y1)]
    return pymupdf.Rect(min(p[0] for p in pts), min(p[1] for p in pts),
                        max(p[0] for p in pts), max(p[1] for p in pts))


def unioned(line: TextLine, value: str) -> pymupdf.Rect:
    start = line.text.index(value)
    return pymupdf.Rect(line.span_rect(start, start + len(value)))


def line_with(lines: list[TextLine], value: str) -> TextLine:
    for line in lines:
        if value in line.text.replace(" ", ""):
            compact = [i for i, c in enumerate(line.text) if c != " "]
            start = "".join(line.text[i] for i in compact).index(value)
            idx = compact[start:start + len(value)]
            return TextLine(value, [line.boxes[i] for i in idx], line.source)
    raise AssertionError(f"OCR did not find the expected text ({len(value)} characters)")


@pytest.fixture(scope="module")
def scan(tmp_path_factory):
    """An image-only page: a text page rendered at 200 dpi, turned 0.5°, with its truth."""
    src = pymupdf.open()
    text_page = cjk_page(src, LINES)
    truth = {v: text_page.search_for(v)[0] for v in (NAME, ID)}
    pix = text_page.get_pixmap(dpi=SCAN_DPI, colorspace=pymupdf.csGRAY)
    image = Image.frombytes("L", (pix.width, pix.height), pix.samples)
    image = image.rotate(SKEW, resample=Image.BILINEAR, fillcolor=255)
    path = tmp_path_factory.mktemp("scan") / "scan.pdf"
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    png = io.BytesIO()
    image.save(png, format="PNG")
    page.insert_image(page.rect, stream=png.getvalue())
    doc.save(path)
    center = (595 / 2, 842 / 2)
    return path, {v: skewed(r, center, SKEW) for v, r in truth.items()}


@pytest.fixture(scope="module")
def scan_ocr(scan, tmp_path_factory):
    path, _ = scan
    cache_dir = tmp_path_factory.mktemp("cache")
    with pymupdf.open(path) as doc, OcrEngine(OcrCache(cache_dir), workers=2) as engine:
        page = doc[0]
        lines = engine.ocr_page(page, page_layer(page, 0), "auto")
        again = engine.ocr_page(page, page_layer(page, 0), "auto")
        calls = engine.calls
    return lines, again, calls, cache_dir


def test_scanned_page_yields_name_and_id_number(scan_ocr):
    lines, _, calls, _ = scan_ocr
    assert calls == 1
    assert all(line.source == "ocr" and len(line.boxes) == len(line.text) for line in lines)
    line_with(lines, NAME)
    line_with(lines, ID)


def test_ocr_boxes_cover_all_ink_of_the_name(scan, scan_ocr):
    path, truth = scan
    lines, *_ = scan_ocr
    for value in (NAME, ID):
        box = pymupdf.Rect(line_with(lines, value).bbox)
        # Boxes are in PDF points: they must contain where the glyphs really are...
        assert box.intersects(truth[value])
        with pymupdf.open(path) as doc:
            page = doc[0]
            scale = SCAN_DPI / 72
            before = gray(page.get_pixmap(dpi=SCAN_DPI, colorspace=pymupdf.csGRAY))
            # ...and once painted white, none of the value's ink may be left.
            page.draw_rect(box, color=None, fill=(1, 1, 1), overlay=True)
            after = gray(page.get_pixmap(dpi=SCAN_DPI, colorspace=pymupdf.csGRAY))
        r = truth[value]
        y0, y1 = int(r.y0 * scale), math.ceil(r.y1 * scale)
        x0, x1 = int(r.x0 * scale), math.ceil(r.x1 * scale)
        assert (before[y0:y1, x0:x1] < 128).sum() > 100
        assert (after[y0:y1, x0:x1] < 128).sum() == 0, f"ink of a {len(value)}-char value shows"
        # Padded, not sprawling: the box stays within a character's width of the truth.
        assert box.x0 > r.x0 - 12 and box.x1 < r.x1 + 12


def test_cache_means_a_rerun_does_not_ocr_again(scan, scan_ocr):
    path, _ = scan
    lines, again, calls, cache_dir = scan_ocr
    assert calls == 1 and [x.text for x in again] == [x.text for x in lines]
    # A new engine (a re-run of the job) over the same cache directory: no Tesseract at all.
    with pymupdf.open(path) as doc, OcrEngine(OcrCache(cache_dir), workers=1,
                                              tesseract_cmd="/nonexistent/tesseract") as engine:
        rerun = engine.ocr_page(doc[0], page_layer(doc[0], 0), "auto")
        assert engine.calls == 0
    assert [x.boxes for x in rerun] == [x.boxes for x in lines]


def test_signature_image_in_a_digital_page_is_read_where_it_stands():
    sig = pymupdf.open()
    sig_page = cjk_page(sig, ["王建国"], fontsize=20, width=80, height=32, at=(8, 23))
    pix = sig_page.get_pixmap(dpi=150, colorspace=pymupdf.csGRAY)
    place = pymupdf.Rect(400, 700, 480, 732)     # same size as the signature page: no scaling
    truth = sig_page.search_for("王建国")[0] + (place.x0, place.y0, place.x0, place.y0)
    doc = pymupdf.open()
    page = cjk_page(doc, LINES)
    page.insert_image(place, pixmap=pix)
    layer = page_layer(page, 0)
    with OcrEngine(None, workers=1) as engine:
        lines = engine.submit_page(page, layer, "auto").result()
        assert engine.calls == 1
    name = pymupdf.Rect(line_with(lines, "王建国").bbox)
    assert name.intersects(truth) and place.intersects(name)
    assert name.x0 > truth.x0 - 12 and name.x1 < truth.x1 + 12
    before = gray(page.get_pixmap(dpi=150, colorspace=pymupdf.csGRAY))
    page.draw_rect(name, color=None, fill=(1, 1, 1), overlay=True)
    after = gray(page.get_pixmap(dpi=150, colorspace=pymupdf.csGRAY))
    x0, y0, x1, y1 = (int(v * 150 / 72) for v in truth)
    assert (before[y0:y1 + 1, x0:x1 + 1] < 128).sum() > 100
    assert (after[y0:y1 + 1, x0:x1 + 1] < 128).sum() == 0


@pytest.mark.slow
def test_plain_ocr_text_of_a_page_for_the_verifier(scan):
    path, _ = scan
    with pymupdf.open(path) as doc:
        text = ocr_text_of_page(doc[0], dpi=200)
    assert ID in text.replace(" ", "")


def test_missing_tesseract_says_how_to_install_it(scan):
    path, _ = scan
    hint = "apt-get install tesseract-ocr tesseract-ocr-chi-sim"
    with (pymupdf.open(path) as doc,
          OcrEngine(workers=1, tesseract_cmd="/nonexistent/tesseract") as engine,
          pytest.raises(OcrUnavailable, match=hint)):
        engine.submit_page(doc[0], page_layer(doc[0], 0), "auto")
    with OcrEngine(workers=1, lang="chi_sim_vert_missing") as engine:
        job = OcrJob(Image.new("L", (10, 10), 255), (1, 0, 0, 1, 0, 0))
        with pytest.raises(OcrUnavailable, match="language model"):
            engine.submit(job)


def test_a_failing_tesseract_says_why_in_its_own_words():
    """Tesseract refuses an image longer than 32767 pixels; the error says so (exit status
    alone told nobody what to fix), and holds nothing Tesseract read."""
    with pytest.raises(OcrFailed, match=r"exit status 1: .*Image too large"):
        recognise_image(Image.new("L", (8, MAX_SIDE + 10), 255))


def test_a_long_narrow_region_is_rendered_within_tesseracts_limit():
    """A rhythm strip scanned whole (300 dpi over 2.8 m would be 33,000 pixels): read at a
    lower resolution rather than refused."""
    doc = pymupdf.open()
    page = doc.new_page(width=120, height=8000)
    region = OcrRegion(rect=(0.0, 0.0, 120.0, 8000.0))
    dpi = region_dpi(page, region)
    assert 8000 * dpi / 72 < MAX_SIDE
    job = render_region(page, region.rect, dpi)
    assert max(job.image.size) < MAX_SIDE
    assert region_dpi(page, OcrRegion(rect=(0.0, 0.0, 120.0, 800.0))) == 300


HOCR = """<span class='ocr_line' id='line_1_1' title="bbox 40 10 130 40; baseline 0 0">
<span class='ocrx_word' id='word_1_1' title='bbox 40 10 130 40; x_wconf 90'>
<span class='ocrx_cinfo' title='x_bboxes 62 10 80 40; x_conf 99'>张</span>
<span class='ocrx_cinfo' title='x_bboxes 95 10 112 40; x_conf 99'>三</span>
<span class='ocrx_cinfo' title='x_bboxes 112 10 130 40; x_conf 99'>&amp;</span>
</span></span>"""


def test_boxes_are_moved_onto_the_ink_tesseract_reported_too_far_right():
    lines = parse_hocr(HOCR)
    assert [c for c, _, _ in lines[0].chars] == ["张", "三", "&"]
    img = np.full((60, 200), 255, np.uint8)
    for x0, x1 in ((40, 68), (72, 100), (104, 118)):   # three glyphs' ink
        img[12:38, x0:x1] = 0
    text, boxes = fit_line(lines[0].bbox, lines[0].chars, img)
    assert text == "张三&"
    for (x0, _, x1, _), (ink0, ink1) in zip(boxes, ((40, 68), (72, 100), (104, 118))):
        assert x0 <= ink0 and x1 >= ink1 and x0 > ink0 - 6


def test_a_character_boxed_on_a_speck_still_takes_its_own_glyphs_ink():
    # Seed 51 V0021-01: "已向患儿父亲郑瑞" with a speck left of the line. Tesseract boxed 已
    # two pixels wide on the speck, 1.5 em left of its glyph; fitted in order, 已 got no ink
    # and each character after took the ink of the one before, so 郑瑞's box covered "亲郑".
    from workers.hocr import HocrLine
    ink = [(100 + 44 * k, 136 + 44 * k) for k in range(4)]       # 已 向 患 儿, 44 px apart
    chars = [("已", (10, 10, 12, 50), 1), ("向", (126, 10, 166, 50), 1),
             ("患", (172, 10, 210, 50), 1), ("儿", (210, 10, 230, 50), 1)]
    img = np.full((60, 320), 255, np.uint8)
    img[30:32, 12:15] = 0                                      # the speck
    for x0, x1 in ink:
        img[12:48, x0:x1] = 0
    line = HocrLine((10, 10, 290, 50), chars, [90.0])
    _text, boxes = fit_line(line.bbox, line.chars, img)
    boxes = [b for b in boxes if b[2] - b[0] > 1]
    for (x0, _, x1, _), (a, b) in zip(boxes, ink):
        assert x0 <= a and x1 >= b - 3 and x0 > a - 8, (x0, x1, a, b)


UNSURE_HOCR = """<span class='ocr_line' id='line_1_1' title="bbox 10 10 200 40; baseline 0 0">
<span class='ocrx_word' id='word_1_1' title='bbox 10 10 40 40; x_wconf 34'>
<span class='ocrx_cinfo' title='x_bboxes 10 10 40 40; x_conf 34'>床</span></span>
<span class='ocrx_word' id='word_1_2' title='bbox 44 10 74 40; x_wconf 8'>
<span class='ocrx_cinfo' title='x_bboxes 44 10 74 40; x_conf 8'>于</span></span>
<span class='ocrx_word' id='word_1_3' title='bbox 100 10 160 40; x_wconf 0'>
<span class='ocrx_cinfo' title='x_bboxes 100 10 115 40; x_conf 0'>5</span>
<span class='ocrx_cinfo' title='x_bboxes 115 10 130 40; x_conf 0'>9</span>
<span class='ocrx_cinfo' title='x_bboxes 130 10 145 40; x_conf 0'>3</span>
<span class='ocrx_cinfo' title='x_bboxes 145 10 160 40; x_conf 0'>2</span></span>
<span class='ocrx_word' id='word_1_4' title='bbox 170 10 200 40; x_wconf 96'>
<span class='ocrx_cinfo' title='x_bboxes 170 10 200 40; x_conf 96'>号</span></span>
</span>"""


def test_words_tesseract_could_not_read_are_marked_and_kept_through_the_cache():
    # Seed 27 V0029-11: "床号：+2" read "床于 5932" with confidences 34, 8 and 0.
    img = np.full((50, 220), 255, np.uint8)
    for x0, x1 in ((12, 38), (46, 72), (102, 158), (172, 198)):
        img[12:38, x0:x1] = 0
    (line, _conf), = lines_from_hocr(UNSURE_HOCR, img, (1, 0, 0, 1, 0, 0))
    assert line.text.replace(" ", "") == "床于5932号"
    marked = "".join(ch for ch, u in zip(line.text, line.unsure) if u == UNSURE)
    assert marked == "于5932"
    cache = OcrCache(None)
    cache.put("k", [(line, 50.0)])
    (got, _), = cache.get("k")
    assert got.unsure == line.unsure


def test_memory_cache_round_trip_and_limit():
    cache = OcrCache(None)
    line = TextLine("张三", [(1.0, 2.0, 3.0, 4.0), (3.0, 2.0, 5.0, 4.0)], "ocr")
    cache.put("k", [(line, 88.0)])
    (got, conf), = cache.get("k")
    assert got == line and conf == 88.0 and cache.get("other") is None


def test_the_same_image_submitted_twice_is_read_once():
    job = OcrJob(Image.new("L", (60, 30), 255), (1, 0, 0, 1, 0, 0))
    with OcrEngine(None, workers=2) as engine:
        first, second = engine.submit(job), engine.submit(job)
        assert first.result() == second.result() == []
        assert engine.calls == 1


def test_scan_stored_sideways_with_page_rotation_maps_back_to_unrotated_points():
    src = pymupdf.open()
    text_page = cjk_page(src, LINES)
    truth = text_page.search_for(ID)[0]                    # where a reader sees the ID
    pix = text_page.get_pixmap(dpi=150, colorspace=pymupdf.csGRAY)
    image = Image.frombytes("L", (pix.width, pix.height), pix.samples).rotate(90, expand=True)
    png = io.BytesIO()
    image.save(png, format="PNG")
    doc = pymupdf.open()
    page = doc.new_page(width=842, height=595)
    page.insert_image(page.rect, stream=png.getvalue())
    page.set_rotation(90)                                  # displayed upright, as scanners do
    with OcrEngine(None, workers=1) as engine:
        lines = engine.ocr_page(page, page_layer(page, 0), "auto")
    box = pymupdf.Rect(line_with(lines, ID).bbox)          # unrotated, as redaction wants it
    shown = box * page.rotation_matrix
    assert shown.intersects(truth)
    assert abs(shown.x0 - truth.x0) < 6 and abs(shown.x1 - truth.x1) < 6
