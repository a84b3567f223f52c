"""Print a page's reading dropped: found by its ink, read again where it stood."""
from __future__ import annotations

import numpy as np
import pymupdf
from PIL import Image

from workers import unread
from workers.hocr import lines_from_hocr
from workers.ocr import recognise_image

DPI = 200
SCALE = DPI / 72


def rendered_row(number: str = "7", below: str = ""):
    """A table row rendered as a scan would be: "王建军 男 1岁 儿科" then, far right in its
    cell, a bed number (`number`), and `below` it the next row's; the pixel box of each
    character; the grey image."""
    doc = pymupdf.open()
    page = doc.new_page(width=400, height=120)
    page.insert_text((20, 60), "王建军  男  1岁  儿科", fontname="china-s", fontsize=12)
    page.insert_text((300, 60), number, fontname="china-s", fontsize=12)
    if below:
        page.insert_text((300, 100), below, fontname="china-s", fontsize=12)
    chars = [(c["c"], pymupdf.Rect(c["bbox"]) * pymupdf.Matrix(SCALE, SCALE))
             for block in page.get_text("rawdict")["blocks"] for ln in block["lines"]
             for span in ln["spans"] for c in span["chars"] if c["c"].strip()]
    pix = page.get_pixmap(dpi=DPI, colorspace=pymupdf.csGRAY)
    grey = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width).copy()
    return chars, grey


def box(r) -> tuple[int, int, int, int]:
    return int(r.x0), int(r.y0), int(r.x1), int(r.y1)


def test_ink_no_character_read_covers_is_found_and_nothing_else():
    chars, grey = rendered_row()
    seven = next(r for c, r in chars if c == "7")
    read = [box(r) for c, r in chars if c != "7"]
    em = float(np.median([r.width for c, r in chars if "\u4e00" <= c <= "\u9fff"]))
    grey[20:22, 100:102] = 0        # a speck of dust
    grey[90:110, 200:230] = 200     # a grey smudge, no darker than a scan's paper shadow
    grey[20:40:2, 300:312] = 140    # grey dust a blurred scan kept: ink, but no stroke's core
    found = unread.dropped(grey, read, em)
    assert len(found) == 1
    x0, y0, x1, y1 = found[0]
    sx0, sy0, sx1, sy1 = box(seven)
    ys, xs = np.nonzero(grey[sy0:sy1, sx0:sx1] < 128)     # the 7's own ink
    assert x0 <= sx0 + xs.min() and y0 <= sy0 + ys.min()
    assert x1 > sx0 + xs.max() and y1 > sy0 + ys.max()
    # Level with a line read it is a word the row dropped; away from every line, a chart's.
    row = (min(r.y0 for c, r in chars), max(r.y1 for c, r in chars))
    assert unread.dropped(grey, read, em, [tuple(map(int, row))]) == found
    assert unread.dropped(grey, read, em, [(0, 10)]) == []
    # Everything read: nothing left over.
    assert unread.dropped(grey, read + [box(seven)], em) == []


def test_a_number_against_its_cells_rule_is_found_without_the_rule():
    # Seed 39 V0020-03: a bed number "9" printed against its cell's left rule, a stub as tall
    # as the row that scan preparation leaves (its rules are longer). Rule and digit together
    # were too tall for print.
    chars, grey = rendered_row()
    seven = box(next(r for c, r in chars if c == "7"))
    read = [box(r) for c, r in chars if c != "7"]
    em = float(np.median([r.width for c, r in chars if "\u4e00" <= c <= "\u9fff"]))
    ys, xs = np.nonzero(grey[seven[1]:seven[3], seven[0]:seven[2]] < 128)     # the 7's ink
    left, right = seven[0] + xs.min(), seven[0] + xs.max()
    middle = seven[1] + (ys.min() + ys.max()) // 2
    grey[middle - int(0.9 * em):middle + int(0.9 * em), left - 3:left - 1] = 0
    found = unread.dropped(grey, read, em)
    assert len(found) == 1
    x0, y0, x1, y1 = found[0]
    assert x0 <= left and x1 > right and (y1 - y0) < 1.2 * em
    # A rule alone is no word.
    grey[:, left - 1:] = 255
    assert unread.dropped(grey, read, em) == []


def test_a_dropped_number_is_read_again_where_it_stood():
    chars, grey = rendered_row()
    seven = next(r for c, r in chars if c == "7")
    em = float(np.median([r.width for c, r in chars if "\u4e00" <= c <= "\u9fff"]))
    found = unread.dropped(grey, [box(r) for c, r in chars if c != "7"], em)
    image, slots = unread.strip(grey, found)
    lines = lines_from_hocr(recognise_image(Image.fromarray(image, "L")), image,
                            (1, 0, 0, 1, 0, 0))
    (text, boxes, _unsure, _conf), = unread.placed(lines, slots)
    assert "7" in text
    b = boxes[text.index("7")]
    assert pymupdf.Rect(b).intersects(seven)


def test_a_misfit_box_is_not_a_reading_of_the_ink_under_it():
    # Seed 33 V0004-07: the bed "20" stood in the cell between "产科" and "76585314"; OCR boxed
    # a "0" from 产科 over it and a "Te" on from there, so no ink looked unread.
    chars, grey = rendered_row()
    seven = box(next(r for c, r in chars if c == "7"))
    one = box(next(r for c, r in chars if c == "1"))
    em = float(np.median([r.width for c, r in chars if "\u4e00" <= c <= "\u9fff"]))
    misfit = (one[0], one[1], seven[2], one[3])
    assert unread.reads_ink("1岁", "1", one, em)
    assert not unread.reads_ink("1岁", "1", misfit, em)
    # A Chinese character boxed wide read the ink at one end; a space spans a gap.
    assert unread.reads_ink("岁", "岁", misfit, em)
    assert unread.reads_ink("1 岁", " ", misfit, em)
    assert unread.reads_ink(unread.HANDWRITING, unread.HANDWRITING, misfit, em)
    read = [box(r) for c, r in chars if c != "7"]
    assert unread.dropped(grey, read + [misfit], em) == []
    assert unread.dropped(grey, read, em) != []


def test_a_dropped_number_of_two_digits_is_read_again_whole():
    # Seed 61 V0017-07: a bed "28" dropped from its header came back as "2" and "8", two
    # blobs read apart: neither is the number a hunt looks for.
    chars, grey = rendered_row("28", below="5")
    em = float(np.median([r.width for c, r in chars if "\u4e00" <= c <= "\u9fff"]))
    found = unread.dropped(grey, [box(r) for c, r in chars if not c.isdigit() or c == "1"], em)
    assert len(found) == 2
    image, slots = unread.strip(grey, found)
    lines = lines_from_hocr(recognise_image(Image.fromarray(image, "L")), image,
                            (1, 0, 0, 1, 0, 0))
    assert sorted(text for text, *_ in unread.placed(lines, slots)) == ["28", "5"]


def test_a_wide_space_on_a_patients_header_line_does_not_read_the_ink_under_it():
    # Seed 61 V0017-07: "科别：妇科  床号： 28  病案号" read "科别:妇科 2 病案号", the 28 inside a
    # 14 em space. On a lab row Tesseract drops the flag arrows into such gaps: read there.
    em = 10.0
    wide, narrow = (100, 0, 250, 10), (100, 0, 130, 10)
    assert not unread.reads_ink("科别:妇科 2 病案号: 3782156", " ", wide, em)
    assert unread.reads_ink("科别:妇科 2 病案号: 3782156", " ", narrow, em)
    assert unread.reads_ink("白细胞计数 10.8 x109/L 4.0-10.0", " ", wide, em)
