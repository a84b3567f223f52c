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
