"""Header and footer lines a whole-page reading skipped are read on their own."""
from __future__ import annotations

import numpy as np
import pymupdf
from pdfmaker import cjk_font
from PIL import Image

from workers.edges import unread_lines
from workers.ocr import OcrEngine, OcrJob

DPI = 200


def test_rows_of_print_in_the_edge_bands_no_reading_covers():
    grey = np.full((2000, 1600), 245, np.uint8)
    grey[1900:1925, 200:600:3] = 30          # a footer's line of print
    grey[100:125, 200:900:3] = 30            # a header line, read
    grey[1000:1025, 200:900:3] = 30          # body text: not an edge
    grey[1850:1852, 300:304] = 20            # a speck
    got = unread_lines(grey, [(95, 130)], DPI)
    assert len(got) == 1 and got[0][0] < 1900 and got[0][1] > 1925
    assert unread_lines(grey, [(95, 130), (1895, 1930)], DPI) == []
    grey[1780:1990, 200:1400:2] = 40         # a chart reaching into the band: no line of print
    assert all(b - a < 0.8 * DPI for a, b in unread_lines(grey, [(95, 130)], DPI))
    # Seed 46 V0001-04: the hospital's name right over the title the reading began with, the
    # one line read ("。1 病程记录") boxed over the title's rows only.
    top = np.full((2000, 1600), 245, np.uint8)
    top[100:125, 500:1100:3] = 30             # the hospital's name, not read
    top[135:160, 600:1000:3] = 30             # the title, read
    got = unread_lines(top, [(133, 162)], DPI)
    assert len(got) == 1 and got[0][0] < 100 and 125 <= got[0][1] < 140


def test_a_footer_the_page_reading_skipped_is_read_on_its_own():
    # Seed 30 V0018-02: below a fetal monitoring chart Tesseract stopped, and the footer's
    # hospital name was never read, so never hidden.
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_font(fontname="cjk", fontbuffer=cjk_font().buffer)
    page.insert_text((60, 815), "南京市人民医院", fontname="cjk", fontsize=9)
    pix = page.get_pixmap(dpi=DPI, colorspace=pymupdf.csGRAY)
    image = Image.frombytes("L", (pix.width, pix.height), pix.samples)
    scale = 72.0 / DPI
    job = OcrJob(image, (scale, 0, 0, scale, 0, 0), level=0.0)
    with OcrEngine(None) as engine:
        lines = engine._edges_again(job, np.asarray(image), [])    # as if nothing was read
    assert ["南京市人民医院"] == [ln.text.replace(" ", "") for ln, _ in lines]
    (x0, y0, x1, y1), = [ln.bbox for ln, _ in lines]
    assert 55 < x0 < 65 and x1 > 100 and 800 < y0 < y1 < 822


def test_lines_of_print_between_the_bands_no_reading_covers():
    # Lines a whole-page reading skipped in the page's body ("FHR bpm" over a fetal monitor's
    # chart, grey and small) are read again too; a chart's rows, all ink, are no line.
    grey = np.full((2000, 1600), 245, np.uint8)
    grey[1000:1025, 200:900:3] = 120         # a grey line of print, not read
    grey[1100:1125, 200:900:3] = 30          # a line read
    grey[1300:1700, 200:1400:2] = 40         # a chart
    grey[1900:1925, 200:600:3] = 30          # a footer: the bands' own reading
    got = unread_lines(grey, [(1095, 1130)], DPI, body=True)
    assert len(got) == 1 and got[0][0] < 1000 and 1025 <= got[0][1] < 1095


def test_a_line_read_whose_box_took_in_a_line_of_labels_over_it():
    # Seed 50 V0003-03: small grey labels ("患者姓名 ... 床 号") over their values, the line
    # read boxed over both and only the values read, so "17" stood with no label. Each line
    # inside the box is cut out again, down to the middle of the paper between them.
    from workers.edges import stacked_lines
    grey = np.full((600, 1600), 245, np.uint8)
    grey[372:390, 110:1200:4] = 110          # the labels, grey
    grey[405:428, 110:1250:3] = 10           # the values
    got = stacked_lines(grey, [(110, 370, 1251, 430)], DPI)
    assert len(got) == 2
    (_, top1, _, bottom1), (_, top2, _, bottom2) = got
    assert top1 <= 372 and 390 <= bottom1 <= 398 and bottom1 <= top2 <= 405 and bottom2 >= 428
    # Characters boxed over both rows, as there, do not show either line was read.
    tall = [(x, 370, x + 20, 430) for x in range(110, 1250, 25)]
    assert len(stacked_lines(grey, [(110, 370, 1251, 430)], DPI, tall)) == 2
    # Both lines read, each character boxed on its own line's rows (a signature's tail hung
    # one line's box over the next): reading them again would only cost a call.
    labels = [(x, 372, x + 20, 390) for x in range(110, 1200, 25)]
    values = [(x, 405, x + 20, 428) for x in range(110, 1250, 25)]
    assert stacked_lines(grey, [(110, 370, 1251, 430)], DPI, labels + values) == []
    assert len(stacked_lines(grey, [(110, 370, 1251, 430)], DPI, values)) == 1
    # One line of print in its box, or a chart's ink in every row: nothing to cut out.
    assert stacked_lines(grey, [(110, 400, 1251, 430)], DPI) == []
    chart = np.full((600, 1600), 245, np.uint8)
    chart[100:500, 100:1500:20] = 40
    chart[100:500:25, 100:1500] = 40
    assert stacked_lines(chart, [(100, 100, 1500, 500)], DPI) == []


def test_small_grey_labels_over_their_values_are_read_with_them():
    # The whole page read, then what its reading took in without reading: a grey label row
    # Tesseract's threshold for the page dropped, as in seed 50 V0003-03's fetal monitoring
    # header (there, the bed number under "床 号" went unhidden).
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_font(fontname="cjk", fontbuffer=cjk_font().buffer)
    page.insert_text((220, 60), "胎心监护报告", fontname="cjk", fontsize=14)
    for x, label, value in ((42, "患者姓名", "姜晨阳"), (173, "年 龄", "29岁"),
                            (303, "住院号", "202424556"), (430, "床 号", "17")):
        # This grey Tesseract drops when it reads the whole page, not a line cut out.
        page.insert_text((x, 130), label, fontname="cjk", fontsize=7.5, color=(0.62,) * 3)
        page.insert_text((x, 143), value, fontname="cjk", fontsize=11)
    for y in range(200, 700, 20):             # a chart's grid below, as on the monitor's page
        page.draw_line((60, y), (560, y), color=(0.6,) * 3, width=0.6)
    for x in range(60, 561, 25):
        page.draw_line((x, 200), (x, 680), color=(0.6,) * 3, width=0.6)
    pix = page.get_pixmap(dpi=DPI, colorspace=pymupdf.csGRAY)
    image = Image.frombytes("L", (pix.width, pix.height), pix.samples)
    scale = 72.0 / DPI
    with OcrEngine(None) as engine:
        lines = engine.recognise(OcrJob(image, (scale, 0, 0, scale, 0, 0), level=0.0))
    texts = ["".join(ln.text.split()) for ln, _ in lines]
    assert any("床号" in t and "住院号" in t for t in texts), texts
