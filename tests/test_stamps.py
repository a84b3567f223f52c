"""A red stamp on a colour scan: taken out of what OCR reads (the print under it is read) and
hidden in the export; an ECG's pink grid and red print the size of a word are neither."""
from __future__ import annotations

import numpy as np
import pymupdf
import pytest
from pdfmaker import cjk_font

from dsl import compile_file, default_ruleset_path
from workers.analyse import DocumentInput
from workers.ocr import OcrCache, OcrEngine, ocr_text_of_page
from workers.record import RunOptions, run_record
from workers.stamps import drop_red
from workers.textlayer import HANDWRITING

DPI = 200
PAPER = (246, 244, 240)
STAMP_RED = (205, 40, 45)


def ring(img: np.ndarray, cx: int, cy: int, radius: int, colour) -> None:
    yy, xx = np.ogrid[:img.shape[0], :img.shape[1]]
    d = np.hypot(yy - cy, xx - cx)
    # Ink over ink, as on paper: the print under the stamp stays as dark as it was.
    for mask in ((d > radius - 8) & (d < radius), d < radius // 5):
        img[mask] = np.minimum(img[mask], np.array(colour, dtype=np.uint8))


def test_a_stamp_is_found_and_its_ink_taken_out_of_the_grey_image():
    img = np.full((800, 1000, 3), PAPER, dtype=np.uint8)
    img[300:330, 100:700] = (20, 20, 20)                 # a line of black print under it
    ring(img, 500, 320, 140, STAMP_RED)                  # 36 mm across at 200 dpi
    grey, boxes = drop_red(img, DPI)
    assert len(boxes) == 1
    x0, y0, x1, y1 = boxes[0]
    assert x0 <= 360 and y0 <= 180 and x1 >= 640 and y1 >= 460
    assert grey[184, 500] > 200                           # the rim is paper to Tesseract now
    assert grey[315, 200] < 60 and grey[315, 500] < 60   # the print stays, even under the star


def test_an_ecg_grid_and_a_red_word_are_no_stamps():
    img = np.full((1400, 1000, 3), PAPER, dtype=np.uint8)
    img[100:1300:10, 50:950] = (250, 170, 170)          # a pink grid over the whole page
    img[100:1300, 50:950:10] = (250, 170, 170)
    img[50:80, 100:300] = STAMP_RED                      # a red heading, a word high
    _grey, boxes = drop_red(img, DPI)
    assert boxes == []


def colour_scan(path, lines: list[str], stamp_at: tuple[float, float]) -> pymupdf.Document:
    """A colour scan of a page of print with a red stamp over `stamp_at` (points)."""
    src = pymupdf.open()
    page = src.new_page()
    font = cjk_font()
    page.insert_font(fontname="cjk", fontbuffer=font.buffer)
    for i, text in enumerate(lines):
        page.insert_text((60, 90 + 26 * i), text, fontname="cjk", fontsize=12)
    pix = page.get_pixmap(dpi=DPI, colorspace=pymupdf.csRGB)
    img = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, 3).copy()
    ring(img, round(stamp_at[0] * DPI / 72), round(stamp_at[1] * DPI / 72), 140, STAMP_RED)
    out = pymupdf.open()
    new = out.new_page(width=page.rect.width, height=page.rect.height)
    scan = pymupdf.Pixmap(pymupdf.csRGB, pix.width, pix.height, img.tobytes(), False)
    new.insert_image(new.rect, stream=scan.tobytes("png"))
    out.save(path)
    return out


LINES = ["死亡病例讨论", "讨论意见：考虑弥散性血管内凝血，建议加强产前保健。",
         "结论：胎盘早剥，羊水栓塞。", "", "", "", "", "", "", "", "",
         "                                主持人签名：郑阳    2025-04-13",
         "                    记录人：王秀珍"]


def test_print_under_a_stamp_is_read_and_the_stamp_is_a_mark(tmp_path):
    doc = colour_scan(tmp_path / "scan.pdf", LINES, (330, 380))
    with OcrEngine(OcrCache(None), workers=1) as engine:
        from workers.extract import page_layer
        lines = engine.ocr_page(doc[0], page_layer(doc[0], 0), "auto")
    marks = [ln.boxes[0] for ln in lines if ln.text == HANDWRITING]
    assert any(m[0] <= 285 and m[2] >= 375 and m[1] <= 335 and m[3] >= 425 for m in marks)
    text = "".join(ln.text for ln in lines)
    assert "主持人签名" in text.replace(" ", "")


@pytest.mark.slow
def test_the_stamp_and_the_names_under_it_are_gone_from_the_export(tmp_path):
    colour_scan(tmp_path / "scan.pdf", LINES, (330, 380))
    out = tmp_path / "out.pdf"
    result = run_record(compile_file(default_ruleset_path()),
                        [DocumentInput(tmp_path / "scan.pdf")], out, options=RunOptions())
    assert result.released, result.verification.residuals
    with pymupdf.open(out) as doc:
        pix = doc[0].get_pixmap(dpi=DPI, colorspace=pymupdf.csRGB)
        img = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, 3)
        red = (img[..., 0].astype(int) - np.maximum(img[..., 1], img[..., 2])) > 60
        assert red.sum() < 50                            # no stamp ink left to read
        seen = ocr_text_of_page(doc[0], 300).replace(" ", "")
    assert "郑阳" not in seen and "王秀珍" not in seen
    assert "建议加强产前保健" in seen and "胎盘早剥" in seen


GREY_PAPER = 244
LIGHT_STAMP = 175     # a seal's red on a grey scan, as light as it often comes out


def grey_ring(img: np.ndarray, cx: int, cy: int, radius: int, level: int) -> None:
    """A seal: its rim, the hospital's name in a band of characters inside it, a star."""
    yy, xx = np.ogrid[:img.shape[0], :img.shape[1]]
    d = np.hypot(yy - cy, xx - cx)
    angle = np.arctan2(yy - cy, xx - cx)
    name = (d > radius - 40) & (d < radius - 16) & (np.sin(angle * 24) > 0) & (angle < 0.5)
    for mask in ((d > radius - 8) & (d < radius), name, d < radius // 5):
        img[mask] = np.minimum(img[mask], level)


def test_a_light_grey_stamp_on_a_grey_scan_is_found_and_taken_out():
    # Seed 30 V0004-13: a greyscale scan's seal, ink 150-200 on paper 244, over "医师签名: 申斌"
    # read as words ("本 ef攻光 Prmamn"): the signature was never found, the seal stayed.
    from workers.stamps import drop_grey
    img = np.full((900, 1000), GREY_PAPER, dtype=np.uint8)
    img[300:330, 100:700] = 30                           # a line of print under it
    grey_ring(img, 500, 320, 140, LIGHT_STAMP)           # 36 mm across at 200 dpi
    grey, boxes = drop_grey(img, DPI)
    assert len(boxes) == 1
    x0, y0, x1, y1 = boxes[0]
    assert x0 <= 360 and y0 <= 180 and x1 >= 640 and y1 >= 460
    assert grey[184, 500] == GREY_PAPER                  # the rim is paper to Tesseract now
    assert grey[315, 200] < 60 and grey[315, 500] < 60   # the print stays
    assert img[184, 500] == LIGHT_STAMP                  # the caller's image is left alone


def test_print_a_photograph_and_a_dark_ring_are_no_light_stamps():
    from workers.stamps import drop_grey
    img = np.full((1400, 1000), GREY_PAPER, dtype=np.uint8)
    img[100:1300:40, 80:920] = 40                        # lines of print, their grey rims
    img[101:1300:40, 80:920] = 180
    img[900:1200, 100:400] = 90                          # a photograph: dark throughout
    img[600:700, 600:900] = 160                          # a grey cell fill
    assert drop_grey(img, DPI)[1] == []
    ring_only = np.full((900, 1000), GREY_PAPER, dtype=np.uint8)
    grey_ring(ring_only, 500, 320, 140, 90)              # dark as print: not told apart here
    assert drop_grey(ring_only, DPI)[1] == []



def test_a_seal_among_paper_specks_at_200_dpi_is_found():
    # Seed 37 V0002-08: at a scan's own 200 dpi, looked at every 3rd pixel, one speck made a
    # cell of ink; the specks joined the seal to everything near it, too big to be a seal.
    from workers.stamps import drop_grey
    img = np.full((1400, 1000), GREY_PAPER, dtype=np.uint8)
    img[np.random.default_rng(7).random(img.shape) < 0.004] = 190
    grey_ring(img, 500, 700, 140, LIGHT_STAMP)
    boxes = drop_grey(img, DPI)[1]
    assert len(boxes) == 1
    x0, y0, x1, y1 = boxes[0]
    assert x0 <= 360 and y0 <= 560 and x1 >= 640 and y1 >= 840
    assert x1 - x0 < 400 and y1 - y0 < 400        # the seal, not the specks around it


def test_a_seal_under_thin_print_is_found_when_a_low_dpi_scan_is_read_at_300_dpi():
    # Seed 42 V0030-10: a 150 dpi scan read at 300, looked at every 4th pixel: the sample
    # missed the thin dark cores of the print above the seal and kept their grey rims, so the
    # print counted as a seal's light ink, joined the seal, and nothing was found.
    from workers.stamps import drop_grey
    img = np.full((1400, 1000), GREY_PAPER, dtype=np.uint8)
    for top in range(101, 530, 30):
        img[top:top + 2, 80:920] = 40                   # a stroke's core, 2 pixels thick
        img[top - 1, 80:920] = img[top + 2, 80:920] = 180   # its grey rim
    grey_ring(img, 500, 800, 210, LIGHT_STAMP)           # 36 mm across at 300 dpi
    boxes = drop_grey(img, 300)
    assert len(boxes[1]) == 1
    x0, y0, x1, y1 = boxes[1][0]
    assert x0 <= 290 and y0 <= 590 and x1 >= 710 and y1 >= 1010
    assert y0 > 523                                      # the seal, not the print above it


def test_a_seal_touching_a_light_grey_rule_is_found():
    # Seed 56 V0026-08: a section's rule, as light as the seal's ink and broken by the scan's
    # noise, ran through the seal's top; joined, they were no seal's shape, and the hospital's
    # name round the rim stayed in the export.
    from workers.stamps import drop_grey
    img = np.full((900, 1400), GREY_PAPER, dtype=np.uint8)
    img[178:181, 60:1340] = LIGHT_STAMP                   # the rule, 160 mm long
    img[178:181, 300:1340:120] = GREY_PAPER               # broken every 15 mm
    grey_ring(img, 700, 320, 140, LIGHT_STAMP)           # its top on the rule
    boxes = drop_grey(img, DPI)[1]
    assert len(boxes) == 1
    x0, y0, x1, y1 = boxes[0]
    assert x0 <= 560 and y0 <= 190 and x1 >= 840 and y1 >= 460
    assert x1 - x0 < 400                                 # the seal, not the rule


def test_a_seal_chained_to_the_print_beside_it_by_specks_is_found():
    # Seed 80 V0027-09: a scan's specks, each a cell from the next, ran from a seal's rim to
    # the signature line beside it; joined, they were too large for a seal, and the hospital's
    # name round the rim stayed in the export.
    from workers.stamps import drop_grey
    img = np.full((900, 1400), GREY_PAPER, dtype=np.uint8)
    grey_ring(img, 900, 450, 140, LIGHT_STAMP)
    for i in range(20):                                  # a cell apart, up and left
        x, y = 740 - 30 * i, 450 - 15 * i
        img[y:y + 6, x:x + 6] = 190
    boxes = drop_grey(img, DPI)[1]
    assert len(boxes) == 1
    x0, y0, x1, y1 = boxes[0]
    assert x0 <= 760 and y0 <= 310 and x1 >= 1040 and y1 >= 590
    assert x1 - x0 < 400                                 # the seal, not the specks
