"""A page's two second looks (a dropped number, a garbled line) read in one Tesseract call."""
from __future__ import annotations

import numpy as np
import pymupdf
from PIL import Image

from workers import reread, strips, unread
from workers.cells import paper_tone
from workers.hocr import lines_from_hocr
from workers.ocr import recognise_image

DPI = 200
SCALE = DPI / 72


def test_both_strips_read_at_once_are_each_put_back_where_they_stood():
    doc = pymupdf.open()
    page = doc.new_page(width=400, height=200)
    page.insert_text((20, 60), "王建军  男  1岁  儿科", fontname="china-s", fontsize=12)
    page.insert_text((300, 60), "7", fontname="china-s", fontsize=12)
    page.insert_text((40, 140), "父亲吴家豪陪护", fontname="china-s", fontsize=11)
    to_px = pymupdf.Matrix(SCALE, SCALE)
    seven = page.search_for("7")[-1] * to_px
    name = page.search_for("吴家豪")[0] * to_px
    line = page.search_for("父亲吴家豪陪护")[0] * to_px
    chars = [(c["c"], pymupdf.Rect(c["bbox"]) * to_px)
             for block in page.get_text("rawdict")["blocks"] for ln in block["lines"]
             for span in ln["spans"] for c in span["chars"] if c["c"].strip()]
    pix = page.get_pixmap(dpi=DPI, colorspace=pymupdf.csGRAY)
    grey = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width).copy()
    em = float(np.median([r.width for c, r in chars if "\u4e00" <= c <= "\u9fff"]))
    read = [tuple(int(v) for v in r) for c, r in chars if c != "7" and r.y1 < line.y0]
    pieces = [(*unread.strip(grey, unread.dropped(grey, read, em)), unread.placed),
              (*reread.strip(grey, [tuple(int(v) for v in line)]), reread.placed)]

    image, tops = strips.stacked([p[0] for p in pieces], paper_tone(grey))
    lines = lines_from_hocr(recognise_image(Image.fromarray(image, "L")), image,
                            (1, 0, 0, 1, 0, 0))
    number, sentence = (place(got, slots)[0] for (_image, slots, place), got
                        in zip(pieces, strips.split(lines, tops)))

    assert "7" in number[0]
    assert pymupdf.Rect(number[1][number[0].index("7")]).intersects(seven)
    assert "吴家豪" in sentence[0]
    at = sentence[0].index("吴家豪")
    got = pymupdf.Rect(sentence[1][at]) | pymupdf.Rect(sentence[1][at + 2])
    assert got.intersects(name) and abs(got.y0 - name.y0) < 8 and abs(got.x0 - name.x0) < 8
