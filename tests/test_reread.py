"""Lines a page's reading garbled, read again on their own and put back where they stood."""
from __future__ import annotations

import numpy as np
import pymupdf
from PIL import Image

from workers import reread, strips
from workers.hocr import HocrLine, lines_from_hocr
from workers.ocr import recognise_image

DPI = 200
SCALE = DPI / 72


def hocr_line(text: str, confs: list[float], y: int = 100) -> HocrLine:
    """A line of one-character words with these confidences."""
    chars = [(c, (10 + 20 * i, y, 28 + 20 * i, y + 18), i) for i, c in enumerate(text)]
    return HocrLine((10, y, 10 + 20 * len(text), y + 18), chars, confs)


def test_only_lines_mostly_unsure_and_long_enough_are_read_again():
    noise = hocr_line("生生同人的全人人们生", [5.0] * 10)
    sure = hocr_line("哭声弱，留置导尿通畅", [90.0] * 10, y=200)
    signature = hocr_line("池苞", [3.0, 3.0], y=300)          # handwriting: too short
    # Seed 41 V0016-07: "病区 儿科 床 号 +1 检查时间 2023年5月26日" read "病区 几科|订[E 二|
    # 检查时间|ozassaz6B 16:05", a third of it unsure; read again alone, "+1" came out.
    third = hocr_line("病区几科订[E二检查时间|ozassaz6B", [90.0] * 6 + [5.0] * 4 + [90.0] * 5
                      + [5.0] * 6, y=400)     # 10 of 21
    quarter = hocr_line("面色红润，宫缩好予翻身拍背记录出入量吸氧", [90.0] * 15 + [5.0] * 5,
                        y=500)                # 5 of 20
    few = hocr_line("面色红润，宫缩好", [90.0] * 4 + [5.0] * 4, y=600)   # 4 of 8
    assert reread.garbled([noise, sure, signature, third, quarter, few]) == [
        noise.bbox, third.bbox]
    # A page whose every line is garbled is too poor to read twice.
    many = [hocr_line("生生同人的全人人们生", [5.0] * 10, y=30 * i) for i in range(50)]
    assert reread.garbled(many) == []


def test_a_line_read_again_on_its_own_is_placed_where_it_stood():
    doc = pymupdf.open()
    page = doc.new_page(width=400, height=200)
    page.insert_text((40, 60), "说明文字", fontname="china-s", fontsize=11)
    page.insert_text((40, 140), "父亲吴家豪陪护", fontname="china-s", fontsize=11)
    name = page.search_for("吴家豪")[0] * pymupdf.Matrix(SCALE, SCALE)
    line = page.search_for("父亲吴家豪陪护")[0] * pymupdf.Matrix(SCALE, SCALE)
    pix = page.get_pixmap(dpi=DPI, colorspace=pymupdf.csGRAY)
    grey = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width).copy()
    image, slots = reread.strip(grey, [tuple(int(v) for v in line)])
    assert image.shape[0] < grey.shape[0]          # the line alone, not the page
    lines = lines_from_hocr(recognise_image(Image.fromarray(image, "L")), image,
                            (1, 0, 0, 1, 0, 0))
    (text, boxes, _unsure, _conf), = reread.placed(lines, slots)
    assert "吴家豪" in text
    at = text.index("吴家豪")
    got = pymupdf.Rect(boxes[at]) | pymupdf.Rect(boxes[at + 2])
    assert got.intersects(name) and abs(got.y0 - name.y0) < 8 and abs(got.x0 - name.x0) < 8


def test_a_line_one_character_smeared_over_is_read_again_cut_to_its_print():
    # Seed 53 V0022-03: "签名： 兰家豪", the signature written print size, came back as "E各",
    # 各 unsure and boxed over all of it. Read with the paper specks either side that the line's
    # box took in, it read "3"; cut to its print, "签名 : “兰笑囊".
    grey = print_row(range(1200, 1700, 50))
    grey[150:152, 300:302] = 40                            # a speck the line's box took in
    smeared = HocrLine((300, 115, 1900, 175), [("E", (300, 150, 302, 152), 0),
                                               ("各", (1200, 118, 1690, 172), 1)], [4.0, 28.0])
    assert reread.garbled([smeared], grey) == [(1200, 115, 1690, 175)]
    # Read with confidence, or boxed only a rule's height (Tesseract boxes a character it
    # read right that way at times): nothing to read again.
    sure = HocrLine(smeared.bbox, smeared.chars, [4.0, 90.0])
    flat = HocrLine(smeared.bbox, [("各", (1200, 168, 1690, 172), 0)], [28.0])
    assert reread.garbled([sure, flat], grey) == []


def test_a_charts_trace_is_no_line_of_print_to_read_again():
    grey = np.full((300, 2000), 245, np.uint8)
    x = np.arange(100, 1900)
    grey[(140 + 20 * np.sin(x / 15)).astype(int), x] = 20   # an ECG's rhythm strip
    assert not reread.print_like(grey, (100, 110, 1900, 175))
    assert reread.print_like(print_row(range(100, 1900, 50)), (100, 110, 1900, 175))
    # A short row ("17" alone) is read whatever its strokes.
    assert reread.print_like(grey, (100, 110, 500, 175))


def test_a_garbled_box_over_two_lines_of_print_is_read_again_line_by_line():
    # Seed 57 V0029-10: a nursing note "…母亲赵玲陪" wrapped to "护" in its cell, both boxed as
    # one garbled line. Read whole in the strip among other pieces they ran into one line of
    # garbage and the name stayed; each line is read on its own now.
    doc = pymupdf.open()
    page = doc.new_page(width=400, height=200)
    page.insert_text((40, 60), "皮肤黄染，烦躁，予会阴护理，母亲赵玲陪", fontname="china-s", fontsize=10)
    page.insert_text((40, 74), "护", fontname="china-s", fontsize=10)
    both = (page.search_for("皮肤黄染")[0] | pymupdf.Rect(40, 50, 52, 77)) * pymupdf.Matrix(
        SCALE, SCALE)
    pix = page.get_pixmap(dpi=DPI, colorspace=pymupdf.csGRAY)
    grey = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width).copy()
    box = tuple(int(v) for v in (both.x0, both.y0, grey.shape[1] - 20, both.y1))
    garbled = HocrLine(box, [(c, box, i) for i, c in enumerate("度肝人休烦反平阳护理")], [5.0] * 10)
    (image, slots, place), = strips.second_look([garbled], grey, DPI, None, whole_page=False,
                                               garbled=True)
    assert len(slots) == 2
    lines = lines_from_hocr(recognise_image(Image.fromarray(image, "L")), image,
                            (1, 0, 0, 1, 0, 0))
    texts = [text for text, _boxes, _unsure, _conf in place(lines, slots)]
    assert any("赵玲" in text for text in texts), texts


def print_row(starts) -> np.ndarray:
    """A row of print-like characters (strokes stacked over one another) on paper."""
    grey = np.full((300, 2000), 245, np.uint8)
    for x0 in starts:
        for y in range(120, 170, 10):
            grey[y:y + 2, x0:x0 + 40] = 20
        grey[120:170, x0 + 19:x0 + 21] = 20
    return grey
