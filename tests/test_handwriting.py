"""Handwriting on a scan is found by its ink where OCR read no print: a signature whose label
OCR misread, a stamp. Print OCR read, a chart's trace and a redaction's box are not."""
from __future__ import annotations

import numpy as np
import pymupdf
import pytest

from workers.extract import page_layer
from workers.handwriting import blobs, print_sized
from workers.ocr import OcrCache, OcrEngine
from workers.textlayer import HANDWRITING

EM = 40          # pixels: a 10 pt character at 288 dpi
PAPER, INK = 245, 30


def printed_rows(img: np.ndarray, rows: int = 6) -> list[tuple[int, int, int, int, str]]:
    """Rows of square 'characters' drawn into img, and their boxes as OCR would give them."""
    boxes = []
    for r in range(rows):
        boxes.extend(print_line(img, 100, 100 + r * 2 * EM, 12))
    return boxes


def print_line(img: np.ndarray, x: int, y: int, n: int) -> list[tuple[int, int, int, int, str]]:
    """n square 'characters' from (x, y), and their boxes as OCR would give them."""
    boxes = []
    for c in range(n):
        cx = x + c * EM
        img[y + 4:y + EM - 4, cx + 4:cx + 8] = INK          # three strokes per character ("干")
        img[y + 8:y + 12, cx + 4:cx + EM - 4] = INK
        img[y + EM // 2:y + EM // 2 + 4, cx + 4:cx + EM - 4] = INK
        boxes.append((cx, y, cx + EM, y + EM, "字"))
    return boxes


def trace(img: np.ndarray, x: int, y: int, w: int, h: int) -> None:
    """A wavy stroke over [x, x + w): one point of ink over each column, as a chart draws."""
    xs = np.arange(x, x + w)
    ys = (y + h / 2 + (h / 2 - 3) * np.sin((xs - x) / 7.0)).astype(int)
    for dx in range(3):
        img[ys, xs + dx] = INK
        img[ys + 1, xs + dx] = INK


def scribble(img: np.ndarray, x: int, y: int, w: int, h: int) -> None:
    """Cursive-like writing taller than the print: wavy strokes stacked as characters stack
    them, joined by a slanting downstroke."""
    trace(img, x, y, w, h // 3)
    trace(img, x, y + 2 * h // 3, w, h // 3)
    for dy in range(h):
        img[y + dy, x + w // 2 + dy // 3:x + w // 2 + dy // 3 + 4] = INK


@pytest.fixture
def page_image():
    img = np.full((1400, 1000), PAPER, dtype=np.uint8)
    return img, printed_rows(img)


def test_a_signature_taller_than_the_print_is_a_blob(page_image):
    img, printed = page_image
    scribble(img, 600, 1100, 3 * EM, 2 * EM)
    found = blobs(img, printed)
    assert len(found) == 1
    x0, y0, x1, y1 = found[0]
    assert x0 <= 600 and x1 >= 600 + 3 * EM - 10 and y0 <= 1100 + 5 and y1 >= 1100 + 2 * EM - 5


def test_a_signature_ocr_read_the_middle_of_as_print_is_one_blob(page_image):
    # Seed 30 V0025-08: "王成" written over a stamp; OCR read its middle as confident print
    # ("王怀"), so only its first and last strokes were left over, and the middle showed.
    img, printed = page_image
    scribble(img, 300, 1100, 2 * EM, 2 * EM)
    scribble(img, 300 + 4 * EM, 1100, 2 * EM, 2 * EM)
    middle = [(300 + 2 * EM, 1100, 300 + 4 * EM, 1100 + 2 * EM, "王")]
    found = blobs(img, printed + middle)
    assert len(found) == 1 and found[0][0] <= 305 and found[0][2] >= 300 + 6 * EM - 10
    # Two signatures a label's width apart stay two.
    img2 = np.full((1400, 1000), PAPER, dtype=np.uint8)
    printed2 = printed_rows(img2)
    scribble(img2, 100, 1100, 2 * EM, 2 * EM)
    scribble(img2, 100 + 7 * EM, 1100, 2 * EM, 2 * EM)
    assert len(blobs(img2, printed2)) == 2


def test_a_signature_a_digit_was_fitted_over_is_still_a_blob(page_image):
    # Seed 66 V0026-02 (unseen): "住院医师: 冯莉 2024-08-16" read with the date's first digit
    # fitted over the signature's last stroke, 1.3 em wide: that ink is the signature's, not
    # the digit's. A digit boxed its own width explains its ink.
    img, printed = page_image
    scribble(img, 300, 1100, 3 * EM, 2 * EM)
    alone = blobs(img, printed)
    end = 300 + 3 * EM

    def digit(width):
        return [(end - width, 1100, end, 1100 + 2 * EM, "2")]

    assert blobs(img, printed + digit(int(1.3 * EM))) == alone
    fitted = blobs(img, printed + digit(EM // 2))
    assert len(fitted) == 1 and fitted[0][2] < alone[0][2]


def test_print_ocr_read_a_trace_and_a_solid_box_are_not(page_image):
    img, printed = page_image
    assert blobs(img, printed) == [], "every printed character is explained by OCR"
    img[1000:1000 + 2 * EM, 100:100 + 3 * EM] = 0                     # a redaction's box
    trace(img, 50, 1200, 900, 2 * EM)                                # an ECG-like trace
    for x in range(60, 940, 30):                                     # cut by taken-out rules
        img[1190:1300, x:x + 3] = PAPER
    assert blobs(img, printed) == []


def test_a_trace_cut_into_beats_is_no_signature(page_image):
    # Redaction boxes over a chart cut its trace into pieces a signature's size; a fresh read
    # of the output must not take each piece for handwriting (and box the chart away).
    img, printed = page_image
    for x in range(50, 900, 5 * EM):
        trace(img, x, 1200, 3 * EM, 2 * EM)
    assert blobs(img, printed) == []


def test_unread_print_beside_a_rule_the_crop_cut_short_is_no_signature(page_image):
    img, printed = page_image
    img[-2 * EM:, 595:598] = INK                     # a table rule running out of the image
    print_line(img, 600, 1400 - 2 * EM + 10, 3)      # print OCR did not read
    assert blobs(img, printed) == []


def test_unread_print_beside_a_table_rule_a_row_high_is_no_signature(page_image):
    img, printed = page_image
    img[1100:1100 + 3 * EM // 2, 595:598] = INK            # the rule between two cells of a row
    print_line(img, 600, 1100 + 10, 3)                     # print OCR did not read
    assert blobs(img, printed) == []


def test_unread_print_beside_a_rule_ocr_read_as_a_bar_is_no_signature(page_image):
    # An ECG's header: OCR read the upper part of the rule between two cells as a confident
    # "|"; taking that character away left a stub too short for a rule, and the date beside it
    # (print OCR was unsure of) with the stub was tall enough for handwriting.
    img, printed = page_image
    img[1100:1100 + 19 * EM // 10, 595:598] = INK          # the rule, a row high
    for x in range(605, 805, 20):                            # a date, smaller than the em
        img[1120:1144, x:x + 3] = INK
        img[1120:1123, x:x + 14] = INK
        img[1141:1144, x:x + 14] = INK
    bar = (590, 1095, 605, 1140, "|")                         # the rule's top, read as print
    assert blobs(img, printed + [bar]) == []


def test_unread_text_of_a_redaction_label_is_no_signature(page_image):
    img, printed = page_image
    img[1100:1100 + 2 * EM, 600:600 + 4 * EM] = 217             # the label's grey fill
    scribble(img, 610, 1105, 3 * EM, 2 * EM - 10)               # "[签名]" OCR was unsure of
    assert blobs(img, printed) == []


def test_print_ocr_did_not_read_is_left_when_it_is_a_line_high(page_image):
    img, printed = page_image
    # the last row's characters were not read with confidence: their ink is unexplained
    unread = [b for b in printed if b[1] != 100 + 5 * 2 * EM]
    assert blobs(img, unread) == []


def test_a_scanned_signature_becomes_a_handwriting_line(tmp_path):
    """Through OCR: a scanned page with print and a signature; the signature's ink comes back
    as one HANDWRITING line over it, the print as text."""
    doc = pymupdf.open()
    page = doc.new_page()
    for i in range(8):
        page.insert_text((60, 80 + 24 * i), "入院记录病程记录诊断意见主诉现病史既往史", fontname="china-s",
                         fontsize=11)
    shape = page.new_shape()
    shape.draw_polyline([(380 + x, 330 + 10 * np.sin(x / 4.0)) for x in range(70)])
    shape.finish(color=(0, 0, 0.5), width=1.6)
    shape.commit()
    pix = page.get_pixmap(dpi=200, colorspace=pymupdf.csGRAY)
    scan = pymupdf.open()
    scan.new_page().insert_image(scan[0].rect, stream=pix.tobytes("png"))
    with OcrEngine(OcrCache(None), workers=1) as engine:
        lines = engine.ocr_page(scan[0], page_layer(scan[0], 0), "auto")
    marks = [ln.boxes[0] for ln in lines if ln.text == HANDWRITING]
    assert len(marks) == 1
    x0, y0, x1, y1 = marks[0]
    assert x0 <= 382 and x1 >= 445 and y0 <= 322 and y1 >= 338
    assert any("病程记录" in ln.text for ln in lines)


def test_a_mark_over_live_text_is_left_to_the_text_rules():
    """OCR of a born-digital page may leave a mark over print it was unsure of ("+6" of a bed
    number): hiding only its pixels would keep the text, so the mark is not a finding there."""
    from test_detect_grid import line, page

    from dsl.model import Handwriting, Rule
    from workers.detect import run_rule
    from workers.textlayer import TextLine

    live = line("床号 +6", y=100)
    over = TextLine(HANDWRITING, [(live.boxes[-2][0], 98.0, live.boxes[-1][2], 116.0)], "ocr")
    apart = TextLine(HANDWRITING, [(300.0, 400.0, 360.0, 430.0)], "ocr")
    found = run_rule(Rule("t:1", Handwriting(), "签名", None, None), page(live, over, apart))
    assert [f.rect for f in found] == [apart.boxes[0]] and found[0].kind == "image"


def test_a_character_taller_than_its_lines_print_is_no_print_whatever_its_confidence():
    # Seed 30 V0006-08: "医师签名 入| 2025年2月24日", the signature read as "入|" with
    # confidence: its ink counted as print and no blob was left to find.
    line = [(0, 10, 20, 30, "医"), (20, 10, 40, 30, "师"), (40, 10, 60, 30, "签"),
            (60, 10, 80, 30, "名"), (90, 0, 120, 48, "入"), (120, 2, 126, 46, "|"),
            (140, 12, 150, 30, "2")]
    assert [c[4] for c in print_sized(line)] == ["医", "师", "签", "名", "2"]
    assert print_sized(line[4:6]) == line[4:6]    # too few to tell print from a signature
