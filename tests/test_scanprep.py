"""Preparing a scan for OCR: its tilt measured and levelled, its table rules and dust specks
taken out."""
from __future__ import annotations

from itertools import pairwise

import numpy as np
import pymupdf
import pytest
from pdfmaker import cjk_font
from PIL import Image, ImageFilter

from dsl import compile_file, default_ruleset_path
from workers.analyse import DocumentInput, normalise
from workers.extract import page_layer
from workers.ocr import OcrCache, OcrEngine, OcrJob
from workers.record import RunOptions, run_record
from workers.scanprep import (
    despeckled,
    flattened,
    levelled,
    misaligned,
    prepared,
    table_columns,
    tilt,
    unrolled,
    without_rules,
)
from workers.textlayer import overlaps

DPI = 200
ROWS = [("日期", "时间", "病情观察及护理措施", "护士签名"),
        ("12/05", "09:22", "口唇发绀，哭声弱，通知值班医师", "郭冬梅"),
        ("12/05", "13:56", "吸吮力弱，呼吸平稳，更换体位", "王桂芝"),
        ("12/06", "14:02", "四肢温，三凹征，记录出入量", "蔡文")]
COLUMNS = (50, 110, 170, 420, 540)


def table_page() -> pymupdf.Document:
    """A ruled nursing table, born digital."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_font(fontname="cjk", fontbuffer=cjk_font().buffer)
    top, height = 80, 24
    for r, row in enumerate(ROWS):
        y = top + r * height
        for c, cell in enumerate(row):
            page.insert_text((COLUMNS[c] + 4, y + 16), cell, fontname="cjk", fontsize=10.5)
    for r in range(len(ROWS) + 1):
        page.draw_line((COLUMNS[0], top + r * height), (COLUMNS[-1], top + r * height), width=0.8)
    for x in COLUMNS:
        page.draw_line((x, top), (x, top + len(ROWS) * height), width=0.8)
    return doc


def scanned(doc: pymupdf.Document, degrees: float) -> Image.Image:
    pix = doc[0].get_pixmap(dpi=DPI, colorspace=pymupdf.csGRAY)
    image = Image.frombytes("L", (pix.width, pix.height), pix.samples)
    return image.rotate(degrees, resample=Image.BILINEAR, fillcolor=255)


@pytest.mark.parametrize("degrees", [-1.5, -0.6, 0.0, 0.8, 1.4])
def test_tilt_of_a_scan_is_measured(degrees):
    # PIL turns counter-clockwise: text lines then fall to the right by `degrees`.
    assert tilt(scanned(table_page(), degrees)) == pytest.approx(-degrees, abs=0.15)


def test_levelled_image_maps_back_onto_the_page():
    doc = table_page()
    image = scanned(doc, 1.2)
    s = 72 / DPI
    job = levelled(OcrJob(image, (s, 0, 0, s, 0, 0)), tilt(image))
    # The "郭冬梅" cell's ink, found in the levelled image, maps back to where the page has it.
    truth = doc[0].search_for("郭冬梅")[0]
    grey = np.asarray(job.image)
    m = pymupdf.Matrix(*job.transform)
    inv = ~m
    probe = pymupdf.Rect(truth) * inv
    y0, y1, x0, x1 = int(probe.y0), int(probe.y1) + 1, int(probe.x0), int(probe.x1) + 1
    assert (grey[y0:y1, x0:x1] < 128).sum() > 50


def test_table_rules_are_taken_out_and_the_text_kept():
    doc = table_page()
    image = scanned(doc, 0.0)
    clean = np.asarray(without_rules(image, DPI))
    grey = np.asarray(image)
    s = DPI / 72
    rule_row = int(80 * s + 0.5)                   # the table's top rule
    assert (grey[rule_row - 1:rule_row + 2, int(60 * s):int(530 * s)] < 128).mean() > 0.3
    assert (clean[rule_row - 1:rule_row + 2, int(60 * s):int(530 * s)] < 128).mean() < 0.02
    name = doc[0].search_for("郭冬梅")[0]
    box = (slice(int(name.y0 * s), int(name.y1 * s)), slice(int(name.x0 * s), int(name.x1 * s)))
    assert (clean[box] < 128).sum() > 0.8 * (grey[box] < 128).sum()


def ocr_lines_of(image, tmp_path) -> list[str]:
    """The OCR lines the pipeline reads from `image` as the one scan of an A4 page."""
    png = tmp_path / "scan.png"
    image.save(png)
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_image(page.rect, filename=str(png))
    with OcrEngine(OcrCache(None), workers=1) as engine:
        lines = engine.ocr_page(page, page_layer(page, 0), "auto")
    return [normalise(line.text) for line in lines]


@pytest.mark.slow
def test_tilted_ruled_table_is_read_row_by_row(tmp_path):
    """Tilted 1.4°, the table's header and its signature column are still read as such."""
    texts = ocr_lines_of(scanned(table_page(), 1.4), tmp_path)
    assert any("护士签名" in t for t in texts)
    for row in ROWS[1:]:
        # The name is read on the row it signs, not merged into the row above or below.
        assert any(row[1] in t and row[3] in t for t in texts), row


def test_a_grey_rule_a_scanner_blurred_is_taken_out_too():
    """A thin footer rule scanned as grey (no pixel darker than 150) is still a rule to
    Tesseract, which read the hospital's name under it as noise."""
    grey = np.full((200, 1200), 236, dtype=np.uint8)
    grey[100:103, 50:1150] = 175                   # a blurred grey rule, 3 pixels high
    clean = np.asarray(without_rules(Image.fromarray(grey, "L"), DPI))
    assert (clean[95:108, 60:1140] < 200).sum() == 0


def dusty(image: Image.Image, share: float, box=None) -> Image.Image:
    """The image with 1x2-pixel specks of dust over `share` of the pixels in `box` (x0, y0, x1,
    y1 in pixels; the whole image by default), as a scanner's glass leaves them."""
    grey = np.array(image)
    x0, y0, x1, y1 = box or (0, 0, grey.shape[1], grey.shape[0] - 1)
    rng = np.random.default_rng(7)
    count = int((x1 - x0) * (y1 - y0) * share)
    ys, xs = rng.integers(y0, y1, count), rng.integers(x0, x1, count)
    grey[ys, xs] = grey[ys + 1, xs] = 30
    return Image.fromarray(grey, "L")


def test_dust_specks_go_and_the_print_stays_down_to_a_decimal_point():
    doc = pymupdf.open()
    page = doc.new_page(width=300, height=100)
    page.insert_font(fontname="cjk", fontbuffer=cjk_font().buffer)
    page.insert_text((20, 50), "地塞米松 0.25g 肌注，", fontname="cjk", fontsize=10)
    for dpi in (200, 300):
        pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
        printed = Image.frombytes("L", (pix.width, pix.height), pix.samples)
        specked = dusty(printed, 0.002)
        ink, dust = np.asarray(printed) < 160, np.asarray(specked) < 160
        clean = np.asarray(despeckled(specked, dpi)) < 160
        # Every pixel of print is kept (the dot of 0.25 and the comma too); of the specks only
        # those touching the print or each other stay.
        assert (ink & ~clean).sum() == 0, dpi
        assert (clean & ~ink).sum() < 0.05 * (dust & ~ink).sum(), dpi


def grey_footer(height: float, y: float, tone: float) -> np.ndarray:
    """A hospital's name printed in grey `tone` at `y` on a page 300 pt wide, at 200 dpi."""
    doc = pymupdf.open()
    page = doc.new_page(width=300, height=height)
    page.insert_font(fontname="cjk", fontbuffer=cjk_font().buffer)
    page.insert_text((20, y), "苏州市第二人民医院", fontname="cjk", fontsize=9, color=(tone,) * 3)
    pix = page.get_pixmap(dpi=200, colorspace=pymupdf.csGRAY)
    return np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width)


def test_a_footer_printed_in_light_grey_is_not_taken_for_dust():
    # Light grey print scanned: only the cores of its strokes are darker than INK, few and far
    # between, so they looked like specks, were whitened, and OCR read the hospital's name in
    # the footer as "菏刘市案二.上人尿笑辽" (seed 23): a leak a person reads at a glance.
    grey = grey_footer(100, 50, 0.66).astype(int)
    noise = np.random.default_rng(3).normal(0, 4, grey.shape)
    scan = np.clip(grey - 8 + noise, 0, 255).astype(np.uint8)          # grey paper, noisy
    assert 100 < (scan < 160).sum() < 0.35 * (scan < 200).sum()        # dark cores are few
    specked = dusty(Image.fromarray(scan, "L"), 0.002, (0, 0, scan.shape[1], 40))
    clean = np.asarray(despeckled(specked, 200))
    print_ink = scan < 160
    assert (print_ink & (clean >= 160)).sum() <= 0.02 * print_ink.sum()
    dust = (np.asarray(specked) < 160) & ~print_ink
    assert ((clean < 160) & dust).sum() < 0.05 * dust.sum()        # the dust above still goes


def test_dust_a_scan_blurred_goes_beside_light_grey_print():
    # A 200 dpi scan smoothed and rendered at 300 dpi: its specks are grey (130-160) with a
    # rim as wide as a light stroke's. They were kept as print, and OCR read "记录者：任文"
    # under a page of them as "2 0050517 ER" (seed 25): the signature beside it stayed.
    printed = Image.fromarray(grey_footer(320, 310, 0.5), "L")
    specked = dusty(printed, 0.0015, (0, 0, printed.width, 700)).filter(ImageFilter.SMOOTH)
    scan = specked.resize((printed.width * 3 // 2, printed.height * 3 // 2), Image.BILINEAR)
    grey, clean = np.asarray(scan), np.asarray(despeckled(scan, 300))
    dust, print_ink = grey[:1100] < 160, grey[1100:] < 160
    assert dust.sum() > 50 and print_ink.sum() > 100
    assert (clean[:1100] < 160).sum() < 0.2 * dust.sum()     # those touching each other stay
    assert (print_ink & (clean[1100:] >= 160)).sum() <= 0.02 * print_ink.sum()


@pytest.mark.slow
def test_a_dusty_table_is_read_row_by_row(tmp_path):
    """Specks between the rows joined them into tall lines that Tesseract read squashed: the
    header lost "护士签名" and the names their rows."""
    s = DPI / 72
    table = (int(COLUMNS[0] * s), int(80 * s), int(COLUMNS[-1] * s), int((80 + 24 * len(ROWS)) * s))
    texts = ocr_lines_of(dusty(scanned(table_page(), 0.0), 0.01, table), tmp_path)
    assert "护士签名" in texts[0]
    assert all(any(row[1] in t and row[3] in t for t in texts) for row in ROWS[2:]), texts


TALL = [("12/05", "09:22", "口唇发绀，哭声弱，", "通知值班医师，丈夫鞠华陪护", "郭冬梅"),
        ("12/05", "13:56", "吸吮力弱，呼吸平稳，", "更换体位，母亲吴丽芳在旁", "王桂芝"),
        ("12/06", "14:02", "四肢温，三凹征，", "记录出入量，予保暖", "蔡文")]
TALL_COLUMNS = (40, 100, 150, 400, 520)


def tall_row_page() -> pymupdf.Document:
    """A ruled nursing table whose rows are two lines tall: the note starts at the top of its
    cell, date and time are centred, the nurse signs large in the last column."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_font(fontname="cjk", fontbuffer=cjk_font().buffer)
    top, height = 80, 40
    x = TALL_COLUMNS
    for r, (day, time, note1, note2, nurse) in enumerate(TALL):
        y = top + r * height
        page.insert_text((x[0] + 4, y + 22), day, fontname="cjk", fontsize=10)
        page.insert_text((x[1] + 4, y + 22), time, fontname="cjk", fontsize=10)
        page.insert_text((x[2] + 4, y + 12), note1, fontname="cjk", fontsize=10)
        page.insert_text((x[2] + 4, y + 26), note2, fontname="cjk", fontsize=10)
        page.insert_text((x[3] + 8, y + 34), nurse, fontname="cjk", fontsize=28)
    for r in range(len(TALL) + 1):
        page.draw_line((x[0], top + r * height), (x[-1], top + r * height), width=0.8)
    for col in x:
        page.draw_line((col, top), (col, top + len(TALL) * height), width=0.8)
    return doc


def test_a_ruled_table_is_unrolled_column_by_column_and_maps_back():
    image = np.asarray(scanned(tall_row_page(), 0.0))
    table = table_columns(image, DPI)
    assert table is not None
    top, bottom, xs = table
    s = DPI / 72
    assert [round(x / s) for x in xs] == pytest.approx(TALL_COLUMNS, abs=2)
    assert abs(top / s - 80) < 4 and abs(bottom / s - 200) < 4
    clean = np.asarray(without_rules(Image.fromarray(image), DPI))   # as `prepared` gives it
    stacked, rows = unrolled(clean, table, DPI)
    # Every column's cells are in the result, at their own x, on rows that say where from.
    for x0, x1 in pairwise(xs):
        ink = np.flatnonzero((stacked[:, x0 + 3:x1 - 3] < 128).any(axis=1))
        ys = rows[ink]
        assert ys.min() >= top and ys.max() < bottom
        assert (clean[ys, x0 + 3:x1 - 3] < 128).any(axis=1).all()
    # Paper between the columns stands for the rows at the edges of the table: a box drawn a
    # little into it stays on its column's first or last row, not at the other end.
    assert set(rows[len(rows) - (clean.shape[0] - bottom):].tolist()) == set(
        range(bottom, clean.shape[0]))
    assert (rows == top).sum() > len(xs) and (rows == bottom - 1).sum() > len(xs)
    # No two columns share a row of the result: Tesseract sees one column at a time.
    inked = [(stacked[:, a + 3:b - 3] < 128).any(axis=1) for a, b in pairwise(xs)]
    assert not any((inked[i] & inked[j]).any() for i in range(len(inked))
                   for j in range(i + 1, len(inked)))
    # A page without a ruled table is left alone.
    assert table_columns(np.full((800, 600), 240, np.uint8), DPI) is None


def test_a_time_centred_beside_a_two_line_note_makes_the_table_read_a_column_at_a_time():
    """Seed 31 V0018-11, V0012-11: the time centred in its cell stood over half the height
    of the note's second line, not all of it; read a row at a time, Tesseract dropped the
    whole note, "丈夫蔡宇轩陪护" with it."""
    grey = np.full((400, 400), 240, np.uint8)
    for top in (100, 220):                   # two rows
        grey[top:top + 25, 170:370] = 20     # the note's first line
        grey[top + 35:top + 60, 170:300] = 20   # and its second
        grey[top + 49:top + 69, 60:130] = 20    # the time: 11 of its 20 rows beside the second
    assert misaligned(grey, (80, 320, [50, 150, 380]), DPI)
    # Lines level with each other, all of a row's cells on one baseline, are read row by row.
    level = np.full((400, 400), 240, np.uint8)
    for top in (100, 220):
        level[top:top + 25, 170:370] = level[top + 2:top + 24, 60:130] = 20
    assert not misaligned(level, (80, 320, [50, 150, 380]), DPI)


def test_an_ecg_grid_is_not_a_table_to_unroll():
    """An ECG's 5 mm grid has 35 ruled "columns" a page tall: unrolled, they made an image of
    36,000 rows that Tesseract refused, and the verification of the record stopped."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    mm = 72 / 25.4
    for k in range(int(535 / (5 * mm)) + 1):
        page.draw_line((30 + k * 5 * mm, 200), (30 + k * 5 * mm, 700), width=0.8)
    for k in range(int(500 / (5 * mm)) + 1):
        page.draw_line((30, 200 + k * 5 * mm), (565, 200 + k * 5 * mm), width=0.8)
    assert table_columns(np.asarray(scanned(doc, 0.0)), DPI) is None
    assert table_columns(np.asarray(scanned(tall_row_page(), 0.0)), DPI) is not None


def test_a_table_too_tall_to_unroll_is_read_row_by_row():
    """Unrolled, a page-long table of several columns would pass Tesseract's 32767 rows."""
    def page(height):
        grey = np.full((height + 200, 600), 240, np.uint8)
        grey[100:height + 100, [50, 51, 150, 151, 250, 251, 350, 351, 450, 451]] = 0
        for y in (200, 600):     # two notes half a line lower than the cell beside them
            grey[y:y + 30, 70:130] = grey[y + 20:y + 50, 170:230] = 20
        job = OcrJob(Image.fromarray(grey, "L"), (72 / 300, 0, 0, 72 / 300, 0, 0))
        return prepared(job, 0.0)

    assert page(2000).unrolled
    tall = page(8000)
    assert not tall.unrolled and tall.image.size == (600, 8200)


@pytest.mark.slow
def test_a_note_at_the_top_of_a_tall_row_is_read_beside_its_centred_cells(tmp_path):
    """Read a row at a time, the note (top of its cell), the centred time and the large
    signature made one crooked line and the note came out as noise, names included."""
    texts = ocr_lines_of(dusty(scanned(tall_row_page(), 1.2), 0.002), tmp_path)
    joined = "".join(texts)
    assert "鞠华" in joined and "吴丽芳" in joined, texts
    assert "记录出入量" in joined and "更换体位" in joined, texts
    # The row's cells are one line again: its time beside the note's line it is level with.
    assert any("09:22" in t and "鞠华" in t for t in texts), texts


def test_a_tinted_fill_is_lifted_to_the_paper_and_its_print_stays_ink():
    grey = np.full((600, 800), 245, dtype=np.uint8)
    grey[0:120, :] = 200                            # a header band's fill
    grey[40:70, 300:500:6] = 40                     # strokes of print on it
    grey[300:420, 100:300] = 0                      # a black box: no fill to lift
    grey[500:540, 100:700:6] = 30                   # print on the paper
    out = np.asarray(flattened(Image.fromarray(grey, "L"), 300))
    assert out[10:110, 10:290].min() >= 235         # the band reads as paper now
    assert out[40:70, 300:500:6].max() < 100        # its print is still ink
    assert (out[300:420, 100:300] == 0).all()
    assert (out[500:540] == grey[500:540]).all()
    plain = Image.fromarray(np.full((600, 800), 245, dtype=np.uint8), "L")
    assert flattened(plain, 300) is plain           # nothing to lift costs one pass


def test_a_hospital_name_on_a_tinted_header_band_is_read_and_hidden(tmp_path):
    # Seed 27 V0001-07: Tesseract binarises a page with one threshold, and a name printed on a
    # grey-blue header band went dark with the band: never read, never hidden, yet plain to see.
    src = pymupdf.open()
    page = src.new_page(width=595, height=842)
    page.insert_font(fontname="cjk", fontbuffer=cjk_font().buffer)
    page.draw_rect(pymupdf.Rect(0, 0, 595, 90), color=None, fill=(0.80, 0.80, 0.82))
    page.insert_text((200, 35), "青岛市人民医院", fontname="cjk", fontsize=16)
    page.insert_text((200, 60), "常规心电图检查报告", fontname="cjk", fontsize=16)
    for i in range(3):
        page.insert_text((50, 120 + 20 * i), "心率140bpm PR间期171ms 心电轴113", fontname="cjk",
                         fontsize=10)
    pix = page.get_pixmap(dpi=300, colorspace=pymupdf.csGRAY)
    scan = pymupdf.open()
    scan.new_page(width=595, height=842).insert_image(pymupdf.Rect(0, 0, 595, 842),
                                                      stream=pix.tobytes("png"))
    scan.save(tmp_path / "scan.pdf")
    out = tmp_path / "out.pdf"
    result = run_record(compile_file(default_ruleset_path()),
                        [DocumentInput(tmp_path / "scan.pdf")], out, options=RunOptions())
    name = page.search_for("青岛市人民医院")[0]
    boxes = [f.rect for f in result.documents[0].findings[0] if f.category == "医院名称"]
    # The whole name's width is boxed (boxes are fitted to ink, the search's to the font).
    assert any(r[0] <= name.x0 + 2 and r[2] >= name.x1 - 2 and overlaps(r, tuple(name))
               for r in boxes), (boxes, name)
    assert result.released, result.verification.residuals
