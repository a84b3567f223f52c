"""Regions, columns, images, signatures, patterns and word lists, with and without scopes."""
from __future__ import annotations

from test_detect_grid import covered_text, line, page, rows, rule, values

from dsl.model import Column, Everything, Images, Pattern, Region, Signature, WordList
from workers.detect import run_rule

W, H = 595.0, 842.0


def header_page(number=0):
    return page(line("北京协和医院  住院病历", y=20), line("主诉：咳嗽三天。", y=200),
                line("第1页", y=820), images=[(500, 10, 560, 60)], number=number)


def test_band_in_percent_takes_text_and_images_in_it():
    pg = header_page()
    found = run_rule(rule(Everything(), "页眉", Region(0, 0, 100, 9)), pg)
    assert covered_text(pg, found) == "北京协和医院住院病历"
    assert {f.kind for f in found} == {"region", "image"}
    assert all(f.value == "" for f in found)


def test_region_in_millimetres():
    pg = page(line((57, "签章"), y=57), line((300, "诊断：肺炎"), y=300))
    found = run_rule(rule(Everything(), "章", Region(10, 10, 40, 40, unit="mm")), pg)
    assert covered_text(pg, found) == "签章"     # 10-40 mm is 28-113 pt


def test_first_and_last_page_selection():
    first = rule(Everything(), "页眉", Region(0, 0, 100, 9, pages="first"))
    last = rule(Everything(), "页脚", Region(0, 95, 100, 100, pages="last"))
    assert run_rule(first, header_page(0), page_count=3)
    assert not run_rule(first, header_page(1), page_count=3)
    assert not run_rule(last, header_page(1), page_count=3)
    assert run_rule(last, header_page(2), page_count=3)
    assert run_rule(last, header_page(1))     # count unknown: any page may be the last


def test_scope_filters_text_detectors():
    words = rule(WordList("hospitals", ("北京协和医院",)), "医院", Region(0, 0, 100, 9))
    pg = page(line("北京协和医院", y=20), line("转北京协和医院", y=400))
    found = run_rule(words, pg)
    assert len(found) == 1 and found[0].rect[1] == 20


def nursing_table():
    header = line((50, "日期"), (120, "时间"), (190, "护理记录"), (420, "护士签名"), y=100)
    body = [line((50, "3-15"), (120, "08:00"), (190, "体温正常，神志清"), (425, "李娜"), y=120),
            line((50, "3-15"), (120, "12:00"), (190, "进食良好"), (430, "王芳"), y=140),
            line((50, "3-15"), (120, "16:00"), (190, "无不适"), y=160),
            line((50, "3-15"), (120, "20:00"), (190, "夜间入睡可，偶有咳嗽，已告知医生"), (425, "赵敏"),
                 y=180)]
    footer = line((50, "注：本记录由责任护士填写，如有疑问请与护理部联系确认，电话另行通知"), y=200)
    signed = (428, 155, 470, 170)     # a handwriting image in the third row
    return page(header, *body, footer, images=[signed, (420, 210, 470, 230)])


def test_column_under_header_takes_names_and_signature_images_only():
    pg = nursing_table()
    found = run_rule(rule(Everything(), "医护人员", Column(("签名",))), pg)
    assert covered_text(pg, found) == "李娜王芳赵敏"
    assert [f.rect for f in found if f.kind == "image"] == [(428, 155, 470, 170)]


def test_column_header_spaced_out():
    pg = page(line((50, "日期"), (300, "签  名"), y=100), line((50, "3-15"), (305, "张三"), y=120))
    found = run_rule(rule(Everything(), "医护", Column(("签名",))), pg)
    assert covered_text(pg, found) == "张三"


def test_no_header_no_column():
    pg = page(rows("患者签名同意手术。", "张三"))
    assert run_rule(rule(Everything(), "医护", Column(("签名",))), pg) == []


def test_signature_text_and_image_right_of_label():
    pg = page(line("医师签名：", y=700), line("记录时间：2024-03-15", y=730),
              images=[(110, 695, 170, 712), (400, 100, 500, 200)])
    found = run_rule(rule(Signature(("医师签名", "签名")), "医护人员"), pg)
    assert [f.rect for f in found] == [(110, 695, 170, 712)]
    pg = page(line("医师签名：王五  2024-03-15", y=700))
    assert values(run_rule(rule(Signature(("医师签名",)), "医护人员"), pg)) == ["王五"]


def test_a_signature_label_ocr_read_as_答名_still_finds_the_signature():
    # Seed 34 V0007-03, V0018-02: "签名: 史曼" read "答名: -史曼": only the handwriting mark
    # beside it was hidden, half the name showed. "答名" is no word: it is the label.
    def found(text: str):
        read = line((340, text), y=343)
        read.source = "ocr"
        return run_rule(rule(Signature(("医师签名", "签名")), "医护人员"),
                        page(read, images=[(0, 0, W, H)]))
    blanked = found("答名: -史曼")
    assert blanked == found("签名: -史曼")
    assert any(f.kind == "image" and f.rect[0] <= 372 and f.rect[2] >= 400 for f in blanked)
    assert found("答复: -史曼") == []
    # Seed 76 V0009-03 (unseen): a bold signature beside "签名：" and "医师签名：" read "符名:用",
    # "医师符名:全": 符 keeps 签's bamboo top as 答 does, and "符名" is no word either.
    assert found("符名: -史曼") == blanked
    assert found("符号: -史曼") == []


def test_signature_below_label():
    pg = page(line((400, "主治医师"), y=700), line((402, "赵"), y=716),
              images=[(395, 720, 470, 745)])
    found = run_rule(rule(Signature(("主治医师",)), "医护人员"), pg)
    assert values([f for f in found if f.kind == "text"]) == ["赵"]
    assert [f.rect for f in found if f.kind == "image"] == [(395, 720, 470, 745)]


def test_signature_clips_a_scanned_page_to_the_area_near_the_label():
    scan = (0, 0, W, H)
    pg = page(line("签名：", y=700), images=[scan])
    found = run_rule(rule(Signature(("签名",)), "医护人员"), pg)
    assert found and all(f.kind == "image" and f.rect != scan for f in found)
    assert all(f.rect[0] >= 30 and f.rect[1] >= 690 and f.rect[3] <= 740 for f in found)


def test_a_scanned_signature_read_as_text_is_blanked_up_to_the_date_beside_it():
    # OCR read part of the handwriting ("杀帝久" for 徐建国); the rest of its ink, right of the
    # characters read, goes too: the area by the label ends where the date starts.
    scan = (0, 0, W, H)
    pg = page(line((300, "诊断医师："), (360, "杀帝久"), (440, "2023年5月27日"), y=700), images=[scan])
    found = run_rule(rule(Signature(("诊断医师",)), "医护人员"), pg)
    blanked = [f.rect for f in found if f.kind == "image"]
    assert any(r[0] <= 352 and r[2] >= 430 and r[1] <= 700 and r[3] >= 710 for r in blanked)
    assert not any(r[2] > 440 and r[1] < 710 for r in blanked)       # the date stays


def test_a_signature_ocr_could_not_read_is_boxed_to_the_end_of_that_word():
    # Seed 30 V0005-11: "主持人签名: 5抠2024-02-29", the signature's last strokes read into the
    # date after it, the word at confidence 0: no name to take, and the box that stopped at
    # "抠" left the strokes showing. The whole unreadable word goes, the date with it.
    text = "主持人签名: 5抠2024-02-29"
    read = line((300, text), y=700)
    read.source, read.unsure = "ocr", " " * 8 + "?" * (len(text) - 8)
    pg = page(read)
    found = [f for f in run_rule(rule(Signature(("主持人签名",)), "医护人员"), pg)
             if f.kind == "text"]
    assert covered_text(pg, found) == "5抠2024-02-29"
    # Read with confidence, a date beside a signature stays.
    read.unsure = ""
    assert [f for f in run_rule(rule(Signature(("主持人签名",)), "医护人员"), pg)
            if f.kind == "text"] == []


def test_a_signatures_last_strokes_read_into_the_date_are_boxed_with_it():
    # Scanned benchmark (seed 11): "记录者: 刘静 2023/12/05" read "记录者:出名2023/12/05",
    # the right half of 静 read as the date's "2" touching "名": it stayed for a second look.
    def signed(date_at: float, two: bool = True) -> str:
        parts = [(340, "记录者:出名"), (404, "2"), (date_at, "023/12/05")] if two else [
            (340, "记录者:出名"), (date_at, "2023/12/05")]
        read = line(*parts, y=495, size=12)
        if two:
            read.boxes[6] = (404.0, 495.0, 418.0, 507.0)    # touches 名 (ends at 406)
        read.source = "ocr"
        pg = page(read)
        return covered_text(pg, [f for f in run_rule(rule(Signature(("记录者",)), "医护人员"),
                                                     pg) if f.kind == "text"])
    assert signed(430) == ":出名2"          # apart from the rest of the date: strokes
    assert signed(418) == ":出名"           # the "2" runs on into the date: the date's
    assert signed(420, two=False) == ":出名"   # a date standing apart stays whole


def test_a_signatures_last_strokes_read_past_a_space_ocr_put_inside_them():
    # Seed 33 V0005-09: "医师签名: 张桂珍 2023/11/10" read "医师签名: _纲~ 2023/11/10", the 珍
    # read as the date's "2" whose box starts inside the "~", a space OCR put between them.
    def signed(space_to: float) -> str:
        read = line((340, "医师签名: _纲~"), (430, " 2"), (450, "023/11/10"), y=495, size=12)
        tilde = read.text.index("~")
        read.boxes[tilde + 1] = (read.boxes[tilde][2] - 1, 495.0, space_to, 507.0)
        read.boxes[tilde + 2] = (space_to - 1, 495.0, space_to + 12, 507.0)
        read.source = "ocr"
        pg = page(read)
        return covered_text(pg, [f for f in run_rule(rule(Signature(("医师签名",)), "医护人员"),
                                                     pg) if f.kind == "text"])
    tilde_end = line((340, "医师签名: _纲~"), y=495, size=12).boxes[-1][2]
    assert signed(tilde_end).endswith("~2")       # no gap: the strokes go on into the "2"
    assert signed(tilde_end + 8).endswith("~")    # a real gap: the date's own 2


def test_handwriting_ocr_read_as_digits_is_no_date():
    # "张明哲" read "张98": the area by the label runs on over the digits, to the signature's end.
    scan = (0, 0, W, H)
    pg = page(line((300, "主治医师签名："), (380, "张98"), y=700), images=[scan])
    found = run_rule(rule(Signature(("医师签名",)), "医护人员"), pg)
    assert any(f.kind == "image" and f.rect[0] <= 372 and f.rect[2] >= 400 and f.rect[1] <= 700
               for f in found)


def test_handwriting_ocr_read_as_marks_and_a_digit_is_blanked_up_to_the_date():
    # "严颖" read as "”8，": no letter, yet the signature was passed before the date starts.
    scan = (0, 0, W, H)
    pg = page(line((322, "诊断医师: ”8，2025-03-09"), y=432), images=[scan])
    found = run_rule(rule(Signature(("诊断医师",)), "医护人员"), pg)
    blanked = [f.rect for f in found if f.kind == "image"]
    date_x = pg.lines[0].boxes[len("诊断医师: ”8，")][0]
    assert any(r[0] <= 365 and r[2] >= date_x - 5 and r[1] <= 432 for r in blanked)
    assert not any(r[2] > date_x + 5 and r[1] < 442 for r in blanked)   # the date stays


def test_handwriting_ocr_read_as_quotes_letters_and_a_dash_is_blanked():
    # "冯思远" read as "“3Z久远-" (seed 23 V0018): four letters and three marks. The marks and
    # the label's colon are no running text, so the area right of the label is still quiet.
    scan = (0, 0, W, H)
    pg = page(line((334, "记录医师: “3Z久远-"), y=356), images=[scan])
    pg.lines[0].source = "ocr"
    found = run_rule(rule(Signature(("记录医师",)), "医护人员"), pg)
    end = pg.lines[0].boxes[-1][2]
    assert any(f.kind == "image" and f.rect[2] >= end and f.rect[1] <= 356 for f in found)


def test_a_date_alone_beside_the_label_is_not_blanked():
    scan = (0, 0, W, H)
    pg = page(line((300, "诊断医师："), (360, "2025-03-09"), y=700), images=[scan])
    found = run_rule(rule(Signature(("诊断医师",)), "医护人员"), pg)
    assert not any(f.kind == "image" and f.rect[2] > 365 and f.rect[1] < 710 for f in found)


def test_images_detector():
    pg = page(line("心电图"), images=[(50, 200, 500, 400), (50, 500, 100, 520)])
    assert len(run_rule(rule(Images(), "图"), pg)) == 2
    found = run_rule(rule(Images(), "图", Region(0, 50, 100, 100)), pg)
    assert [f.rect for f in found] == [(50, 500, 100, 520)]


def test_pattern_group_and_full_width_text():
    det = rule(Pattern(r"住院号[:：]?\s*(\d{6,10})", 1), "住院号")
    pg = page(line("住院号：２０２４０３１５  床号：12"))
    assert values(run_rule(det, pg)) == ["20240315"]


def test_word_list_spaced_and_longest_first():
    det = rule(WordList("hospitals", ("协和医院", "北京协和医院")), "医院")
    pg = page(rows("北京 协和 医院 检验报告", "转协和医院"))
    assert values(run_rule(det, pg)) == ["北京协和医院", "协和医院"]


def test_scan_is_not_blanked_around_a_label_inside_a_sentence():
    pg = page(line("术前谈话，患者家属签名同意手术，术后送病理。", y=300), images=[(0, 0, W, H)])
    assert run_rule(rule(Signature(("签名",)), "医护人员"), pg) == []


def test_scan_keeps_the_next_note_below_a_signature_line():
    pg = page(line("医师签名：", y=300),
              line("2024-03-16 08:00 查房记录：患者一般情况可，继续抗感染治疗。", y=316),
              images=[(0, 0, W, H)])
    found = run_rule(rule(Signature(("医师签名",)), "医护人员"), pg)
    assert found and all(f.rect[3] <= 316 for f in found)    # the next line (y 316) stays


def test_signature_column_of_a_table_ocr_read_row_by_row():
    """OCR joins a row's cells: the header's last words, and a note with its signature."""
    def ocr(*segments, y):
        got = line(*segments, y=y)
        got.source = "ocr"
        return got
    header = ocr((50, "日期 时间 体温"), (190, "病情观察及护理措施”。，护士签名，"), y=100)
    body = [ocr((50, "12/05 09:22 38.8"), (190, "口唇发绀，通知值班医师"), (345, "郭冬梅"), y=120),
            ocr((50, "12/05 13:56 36.7"), (190, "皮肤黄染，嗜睡，记录出入量王桂芝"), y=140),
            ocr((50, "12/05 18:40 37.5"), (190, "四肢温，三凹征，予心电监护"), y=160)]
    pg = page(header, *body)
    found = run_rule(rule(Everything(), "医护人员", Column(("护士签名",))), pg)
    assert covered_text(pg, found) == "郭冬梅王桂芝"
    assert {f.value for f in found} == {"郭冬梅", "王桂芝"}     # hunted on every other page


def orders_sheet():
    """A born-digital orders sheet: the two stop headers drawn so close they extract as one
    cell, and an order long enough to reach past the middle of the gap before 医师签名."""
    header = line((72, "日期"), (117, "时间"), (213, "医嘱内容"), (332, "医师签名"), (392, "护士签名"),
                  (449, "停止日期停止医师"), y=135)
    orders = [line((59, "5月5日 11:16 地塞米松 6mg 肌注"), y=160),
              line((59, "5月6日 17:01 卡前列素氨丁三醇注射液 250μg 肌注 st 1次"), (449, "5月8日"), y=190),
              line((59, "5月6日 22:58 维生素K1 1mg 肌注"), y=220)]
    signed = [(330, y - 4, 370, y + 12) for y in (160, 190, 220)]
    return page(header, *orders, images=signed)


def test_an_order_reaching_towards_the_signatures_does_not_end_the_column():
    pg = orders_sheet()
    assert 310 < max(b[2] for b in pg.lines[2].boxes if b[2] < 400) < 325   # past halfway between 医嘱内容 and 医师签名
    found = run_rule(rule(Everything(), "医护", Column(("签名", "医师", "护士"))), pg)
    assert sorted(f.rect for f in found if f.kind == "image") == [i.rect for i in pg.images]


def test_a_stop_date_beside_the_stop_doctor_header_stays_readable():
    pg = orders_sheet()
    found = run_rule(rule(Everything(), "医护", Column(("签名", "医师", "护士"))), pg)
    assert "5月8日" not in covered_text(pg, found)
