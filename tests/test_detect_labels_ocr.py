"""Values after labels on a scan, as OCR reads both: its colons and brackets, a number read
as letters, a bar or a word it was unsure of, and the marks it read beside a value."""
from __future__ import annotations

import pytest
from test_detect_grid import covered_text, line, page, rule, values

from dsl.model import AfterLabel
from workers.detect import run_rule


def ocr(text_line):
    """The same line as Tesseract gives it."""
    text_line.source = "ocr"
    return text_line


@pytest.mark.parametrize("text, label, shape, want", [
    ("门诊号“|5265092596", "门诊号", "number", ["5265092596"]),
    ("科室:新生儿科 床号?2 住院号: 18164278", "床号", "number", ["2"]),   # seed 40 V0021-02
    ("科室 儿科 床 号: +T", "床号", "number", ["+T"]),     # +1, seed 86 V0010-01
    ("患者姓名”张秀兰 性别。女", "患者姓名", "name", ["张秀兰"]),
    # A stroke of a character read as a small letter: "欧阳想" read "欧p昌想" (seed 62 V0025-02).
    ("患者姓名:欧p昌想”性别:男 科别:重症医学科", "患者姓名", "name", ["欧p昌想"]),
    ("参加人员:;宋平(副主任医师)、邓家豪主治医师、郑丹丹〈主治医师)、徐冬梅护士、张琳(护士)",
     "参加人员", "names", ["宋平", "邓家豪", "郑丹丹", "徐冬梅", "张琳"]),
])
def test_colons_and_brackets_as_ocr_misreads_them(text, label, shape, want):
    det = rule(AfterLabel((label,), shape), "cat")
    assert values(run_rule(det, page(ocr(line(text))))) == want


def test_a_bed_number_whose_sign_ocr_read_as_a_character():
    # A scanned header "床号：+7": Tesseract read the + as 了. The whole value is hidden.
    bed = rule(AfterLabel(("床号",), "number"), "病案编号")
    pg = page(ocr(line("科室:产科 床号:了7 住院号: 100200300")))
    assert covered_text(pg, run_rule(bed, pg)) == ":了7"    # on a scan, with the mark beside it
    # Only a character right before the digits, and only in OCR: a text layer says what it says.
    assert values(run_rule(bed, page(ocr(line("床号:号 住院号:"))))) == []
    assert values(run_rule(bed, page(line("床号:了7")))) == []


def test_a_one_digit_bed_number_ocr_read_as_letters():
    # Seed 30 V0015-05: a scanned lab header's "床号 7" read "床号 Si". A short run of letters
    # standing alone after a number's label is that number misread; an ECG lead is not.
    bed = rule(AfterLabel(("床号",), "number"), "病案编号")
    assert values(run_rule(bed, page(ocr(line("科别儿科 床号 Si 病案号8305603"))))) == ["Si"]
    for text in ("床号 aVR 导联", "床号 Sinus", "床号 |?"):
        assert values(run_rule(bed, page(ocr(line(text))))) == [], text
    assert values(run_rule(bed, page(line("床号 Si 病案号8305603")))) == []   # printed text
    # Seed 33 V0002-07: a scanned ECG's "门诊号 MZ24390053" read "门诊号 |wzzaasoosa".
    outpatient = rule(AfterLabel(("门诊号",), "number"), "病案编号")
    assert values(run_rule(outpatient, page(ocr(line("年龄63岁 门诊号 |wzzaasoosa"))))) == [
        "wzzaasoosa"]


def test_a_number_ocr_could_not_read_after_its_label_is_hidden_and_not_hunted():
    # Seed 33 V0017-09: a scanned ECG's "床位号:27" read "床位号:尼子”检查时间", the 尼子 at low
    # confidence. Hidden where it stands; its text is no value to hunt in other pages.
    bed = rule(AfterLabel(("床位号",), "number"), "病案编号")

    def unsure(text_line, word):
        at = text_line.text.index(word)
        text_line.unsure = " " * at + "?" * len(word) + " " * (len(text_line.text) - at - len(word))
        return ocr(text_line)

    pg = page(unsure(line("科别;产科 床位号:尼子”检查时间"), "尼子"))
    found = run_rule(bed, pg)
    assert "尼子" in covered_text(pg, found) and values(found) == [""]
    assert all(f.rule.endswith(":unread") for f in found)
    # A word read with confidence, a long one, or one without the label's colon: left.
    for text, word in (("床位号:尼子 检查", ""), ("床位号:尼子尼子尼 检查", "尼子尼子尼"),
                       ("床位号尼子 检查", "尼子"), ("床位号:尼子检查", "尼子")):
        line_ = unsure(line(text), word) if word else ocr(line(text))
        assert run_rule(bed, page(line_)) == [], text


def test_a_name_ocr_could_not_read_after_its_label_is_hidden():
    # Seed 41 V0016-07: "病人姓名 段璐 性别" read "病人姓名|段 性别", 段 at low confidence: one
    # character is no name, but it is all OCR made of one.
    name = rule(AfterLabel(("病人姓名",), "name"), "患者姓名")

    def read(text, word):
        text_line = line(text)
        at = text_line.text.index(word) if word else 0
        text_line.unsure = " " * at + "?" * len(word) + " " * (len(text_line.text) - at - len(word))
        return ocr(text_line)

    pg = page(read("病人姓名|段 性别 女 年龄", "段"))
    found = run_rule(name, pg)
    assert "段" in covered_text(pg, found) and values(found) == [""]
    # Read with confidence, or no colon nor bar after the label: left to the other rules.
    for text, word in (("病人姓名|段 性别", ""), ("病人姓名段 性别", "段")):
        assert run_rule(name, page(read(text, word))) == [], text


def test_a_number_read_as_a_bar_after_its_label_is_hidden_a_tables_rule_is_not():
    # Seed 35 V0015-03: "床号 | 11" (the cell's rule, then the number) read "床号 |", the bar
    # boxed over rule and number. A rule's bar is thin; nothing below is taken instead.
    # Seed 48 V0010-04: "床 号 +3" read "床 号“|", the 3 read nowhere and the bar boxed over
    # the +: the marks OCR read for the colon go with the bar.
    bed = rule(AfterLabel(("床号",), "number"), "病案编号")
    for text, bar_width, want in (("住院号 zy5410385 床号 |", 14.0, "|"),
                                  ("住院号 zy5410385 床号 |", 2.0, ""),
                                  ("住院号码 ZY4542887 床 号“|", 10.0, "“|"),
                                  ("住院号码 ZY4542887 床 号“|", 2.0, "")):
        read = line(text, y=100)
        x0 = read.boxes[-1][0]
        read.boxes[-1] = (x0, 100.0, x0 + bar_width, 112.0)
        below = line("孕周 34+0周 监护时长 20分钟", y=118)
        pg = page(ocr(read), ocr(below))
        found = [f for f in run_rule(bed, pg) if f.rule.endswith(":unread")]
        assert covered_text(pg, found) == want, bar_width


def test_a_number_dropped_from_its_cell_after_the_label_hides_the_gap_ocr_read_as_nothing():
    # Seed 45 V0028-04: "床号 | 9 |" read "床号 |", the space boxed over the 9 up to the
    # table's right bar. Seed 54 V0005-12: "床 号 | 8 | 检查时间" read "床 号 检查时间", the 8
    # inside an 11 em space. The gap is hidden; a short one is no empty cell, and before the
    # next cell's words it must be a cell wide.
    bed = rule(AfterLabel(("床号",), "number"), "病案编号")
    for gap_to, after, hidden in ((500.0, "|", True), (318.0, "|", False),
                                  (500.0, "|监护", True), (500.0, "检查时间", True),
                                  (345.0, "检查时间", False)):
        read = ocr(line((300, "床号 "), (gap_to, after), y=100))
        x0, y0, _x1, y1 = read.boxes[2]
        read.boxes[2] = (x0, y0, gap_to, y1)       # OCR's space spans the gap
        read.boxes[3] = (gap_to, y0, gap_to + 2, y1)   # the table's rule: a thin bar
        found = [f for f in run_rule(bed, page(read)) if f.rule.endswith(":unread")]
        assert bool(found) == hidden, (gap_to, after)
        if hidden:
            assert found[0].rect[0] <= 320 and found[0].rect[2] >= 490 and found[0].value == ""


def test_a_footer_word_ocr_could_not_read_is_hidden_by_an_unread_text_rule():
    # Seed 34 V0005-10: a scanned footer's "南宁市中心医院 第2页/共2页" read "证 第2页/共2页", the
    # 证 at confidence 0 boxed over the whole name. In the footer band, such a word goes.
    from dsl.model import Region, UnreadText
    footer = Region(0.0, 90.0, 100.0, 100.0)
    hidden = rule(UnreadText(), "医院名称", scope=footer)
    read = line((36, "证 "), (482, "第2页/共2页"), y=790)
    read.unsure = "?" + " " * (len(read.text) - 1)
    pg = page(ocr(read))
    found = run_rule(hidden, pg)
    assert covered_text(pg, found) == "证" and values(found) == [""]
    assert found[0].rule.endswith(":unread")
    # Seed 58 V0030-09: "宙丰民主，第1页/共2页", the comma made up of a rule's ink joining them.
    joined = line((36, "宙丰民主，第1页/共2页"), y=790)
    joined.unsure = "????" + " " * (len(joined.text) - 4)
    pg = page(ocr(joined))
    assert covered_text(pg, run_rule(hidden, pg)) == "宙丰民主，"
    # A word read with confidence, or one out of the band, stays.
    read.unsure = ""
    assert run_rule(hidden, page(read)) == []
    body = line((36, "证 "), (482, "第2页/共2页"), y=400)
    body.unsure = "?" + " " * (len(body.text) - 1)
    assert run_rule(hidden, page(ocr(body))) == []


def test_a_word_ocr_could_not_read_on_a_patients_header_line_is_hidden():
    # Seed 36 V0009-02: "科室:妇科 床号: +5" read "科室:妇科 永 呈 有 8", every word after 妇科
    # unsure: neither label nor value to find. `near label`: only on a line holding one.
    from dsl.model import UnreadText
    hidden = rule(UnreadText(("科室", "床号")), "身份信息")
    read = ocr(line("科室:妇科 永 呈 有 8"))
    read.unsure = "      ? ?   ?"
    pg = page(read)
    assert covered_text(pg, run_rule(hidden, pg)) == "永呈8"
    # "科 室" spaced out by the form still holds the label; a narrative line does not.
    spaced_out = ocr(line("科 室:妇科 永"))
    spaced_out.unsure = "       ?"
    assert covered_text(page(spaced_out), run_rule(hidden, page(spaced_out))) == "永"
    other = ocr(line("患者诉腹痛 永 呈"))
    other.unsure = "      ? ?"
    assert run_rule(hidden, page(other)) == []
    # Seed 86 V0022-09: "床号 | 21" read "必呈本本人", unsure of 必呈本本: an allowed word in
    # it (本人) is no reading of anything, and the whole word goes, over the 21.
    by_number = rule(UnreadText(("住院号",)), "身份信息")
    row = ocr(line("必呈本本人 ", (291, "住院号码 87214325")))
    row.unsure = "????" + " " * (len(row.text) - 4)
    pg = page(row)
    assert covered_text(pg, run_rule(by_number, pg, frozenset({"本人"}))) == "必呈本本人"
    # Seed 42 V0030-10: "科别 产科 床 号 7 住院号码" read "科别 产科 哑 革是类 住院号码", OCR
    # unsure of 哑 and 革是: a word unsure in half its characters goes too, on such lines only.
    half = ocr(line("科室 产科 哑 革是类 住院号码 20719914"))
    half.unsure = "      ? ??"
    assert covered_text(page(half), run_rule(hidden, page(half))) == "哑革是类"
    third = ocr(line("科室 产科 革是类人 住院号码"))
    third.unsure = "      ?".ljust(len(third.text))
    assert run_rule(hidden, page(third)) == []
    narrative = ocr(line("患者诉腹痛 革是类"))
    narrative.unsure = "      ??"
    assert run_rule(hidden, page(narrative)) == []
    # Seed 52 V0006-14: "科室:产科 床 号:+1" read "科室:产科 床 晤全|", 床 and 晤 unsure: after
    # a word OCR could not read, a short word it was unsure of in part is that field's value.
    # Read with confidence, it stays.
    bed = ocr(line("科室:产科 床 晤全| 住院号码"))
    bed.unsure = "      ? ?".ljust(len(bed.text))
    assert covered_text(page(bed), run_rule(hidden, page(bed))) == "床晤全|"
    bed.unsure = "      ?".ljust(len(bed.text))
    assert covered_text(page(bed), run_rule(hidden, page(bed))) == "床"
    # Seed 45 V0028-10: "床位号 9" read "质呈 8", unsure of 质: the short number after a word
    # OCR could not read goes with it; not a number after a word it read, nor one with a unit.
    for text, doubt, want in (("科室 产科 质呈 8 住院号", 6, "质呈8"), ("科室 产科 8 住院号", -1, ""),
                              ("科室 产科 质呈 18岁 住院号", 6, "质呈")):
        read = ocr(line(text))
        read.unsure = "".join("?" if i == doubt else " " for i in range(len(text)))
        assert covered_text(page(read), run_rule(hidden, page(read))) == want, text
    # Seed 65 V0005-07 (unseen), an ECG: "床号：9" read "床号 人", the colon unread, and the 9
    # passed over, then read alone by a second reading of the ink (`workers.unread`): a line of
    # its own just right of the unread word goes with it. Not a number further off, nor one
    # beside a line without a label.
    for off, text, want in ((4, "病区:心内科 床号 人 ", "人9"), (60, "病区:心内科 床号 人 ", "人"),
                            (4, "患者诉腹痛 永 人 ", "")):
        header_line = ocr(line((35, text), (296, "检查时间: 2023年3月24日")))
        header_line.unsure = "".join("?" if ch in "人永" else " " for ch in header_line.text)
        apart = ocr(line((header_line.boxes[text.index("人")][2] + off, "9")))
        pg = page(header_line, apart)
        assert covered_text(pg, run_rule(hidden, pg)) == want, (off, text)


def test_on_a_scan_a_value_is_boxed_with_the_marks_ocr_read_beside_it():
    # "床位号 12" read "床位号12." (seed 28 V0007-08): boxes fitted to the line's ink shifted
    # with the phantom ".", which held the ink of "2"; boxed without it, the 2 stayed.
    bed = rule(AfterLabel(("床位号",), "number"), "病案编号")
    pg = page(ocr(line("科室:新生儿科”床位号12.住院号")))
    assert values(run_rule(bed, pg)) == ["12"]
    assert covered_text(pg, run_rule(bed, pg)) == "12."
    # A text layer's boxes are the glyphs': its value alone is boxed.
    pg = page(line("床位号12.住院号"))
    assert covered_text(pg, run_rule(bed, pg)) == "12"
    # Seed 50 V0013-04: "床位号+3" read "床位号+3 ”", the space boxed 0 pt wide and the ”
    # boxed over the 3: no gap, the mark goes with the value; seed 55 V0025-07 the same past a
    # space 1.2 pt wide ("床号: 16 ”"). After a true gap the mark is the next cell's.
    bed = rule(AfterLabel(("床位号",), "number"), "病案编号")
    for space, want in ((0.0, "+3”"), (1.2, "+3”"), (6.0, "+3")):
        read = ocr(line("床位号+3 ”住院号码", y=100))
        x0, y0, _x1, y1 = read.boxes[5]
        read.boxes[5] = (x0, y0, x0 + space, y1)
        read.boxes[6:] = [(b[0] + space - 6.0, b[1], b[2] + space - 6.0, b[3])
                          for b in read.boxes[6:]]
        pg = page(read)
        assert covered_text(pg, run_rule(bed, pg)) == want, space


def test_ocr_colon_misreads_are_not_taken_from_a_text_layer():
    # In a text layer "。" ends a sentence: what follows a label there is not its value.
    det = rule(AfterLabel(("主治医师",), "name"), "医护人员")
    assert values(run_rule(det, page(line("已汇报主治医师。王强同意手术")))) == []


def test_a_label_read_into_one_cell_with_the_header_before_it():
    # OCR joined two header cells ("入院时间" and "病史陈述者") and, below, their values; the
    # narrator's name stands left-aligned in its cell, not under the centred header.
    relative = rule(AfterLabel(("病史陈述者", "陈述者", "联系人"), "name"), "家属姓名")
    pg = page(ocr(line((60, "与患者关系"), (220, "入院时间病史陈述者"), y=100)),
              ocr(line((52, "配偶"), (200, "2023/04/20 15:45"), (300, "战起"), y=118)))
    assert values(run_rule(relative, pg)) == ["战起"]


def test_a_label_specks_joined_to_the_cell_before_still_heads_the_cell_to_its_right():
    # Seed 39 V0020-03: "住院号 ZY3837436 | 床 号 | 9" read "住院号 |zY3837436。。床号", the bed
    # number in the next cell read on its own line.
    bed = rule(AfterLabel(("床号",), "number"), "病案编号")
    for before, want in (("住院号 |zY3837436。。床号", ["9"]),
                         ("患者病情平稳，家属签字同意后转入床号", [])):   # a phrase runs on
        pg = page(ocr(line((50, before), y=100)), ocr(line((400, "9"), y=101)))
        assert [v for v in values(run_rule(bed, pg)) if v == "9"] == want, before


def test_a_value_below_its_label_on_a_skewed_scan():
    # The scan slopes down to the right: the row's left end stands higher than the bottom of
    # the label's cell, its value right under the label.
    husband = rule(AfterLabel(("丈夫姓名",), "name"), "家属姓名")
    header = ocr(line((60, "孕产次"), (300, "丈夫姓名"), y=100))
    row = ocr(line((52, "G1P3"), (300, "颜岩"), y=112))
    row.boxes = [(b[0], b[1] - 6, b[2], b[3] - 6) if b[0] < 200 else b for b in row.boxes]
    assert values(run_rule(husband, page(header, row))) == ["颜岩"]


def test_a_name_under_a_small_label_ocr_boxed_as_tall_as_its_line():
    # Seed 77 V0022-09 (unseen), a lab report's grid of small grey labels over their values:
    # "送检医师" read "送检医师人", boxed 124.7-145.2, its value "朱超" 138.6-148.8 below it.
    staff = rule(AfterLabel(("送检医师",), "name"), "医护人员")
    for top, want in ((138.6, ["朱超"]), (128.0, [])):   # not a cell beside the label
        label = ocr(line((72, "送检医师人"), (190, "临床诊断|了"), y=124.7, size=10))
        label.boxes = [(x0, y0, x1, y0 + 20.5) for x0, y0, x1, _y1 in label.boxes]
        label.unsure = "    ?" + " " * (len(label.text) - 5)
        value = ocr(line((72, "朱超"), (190, "本人"), y=top, size=10.2))
        assert values(run_rule(staff, page(label, value))) == want, top


def test_a_name_under_a_header_cell_ocr_read_with_junk_and_a_speck_before_it():
    # Seed 48 V0014-05: the header "患者姓名" read "患者姓名了" (了 unsure, boxed to the cell's
    # rule) and the name under it "。胡若" (燕 misread, a speck left of the table read 。).
    name = rule(AfterLabel(("患者姓名",), "name"), "患者姓名")
    header = ocr(line((71, "患者姓名了"), (288, "床号"), y=110))
    header.unsure = "    ?" + " " * (len(header.text) - 5)
    below = ocr(line((5, "。"), (44, "胡若,32岁"), (250, "+2"), y=132))
    assert values(run_rule(name, page(header, below))) == ["胡若"]
    # 了 read with confidence is a word in the header's cell, not nothing: no name below.
    header.unsure = ""
    assert values(run_rule(name, page(header, below))) == []
    # Seed 76 V0009-03 (unseen): a progress note's heading "…主任医师查房记录" with the signature
    # beside it read "人和", OCR unsure of both: "记录人" is no header opening a cell, and the
    # note's next line ("患儿今日…") holds no value of it.
    staff = rule(AfterLabel(("记录人",), "name"), "医护人员")
    heading = ocr(line((65, "2023年5月7日 19:45 主任医师查房记录人和"), y=423))
    heading.unsure = " " * (len(heading.text) - 2) + "??"
    note = ocr(line((85, "患儿今日病情较前加重，颈软，无抵抗。"), y=446))
    assert values(run_rule(staff, page(heading, note))) == []


def test_on_a_scan_a_dash_between_chinese_characters_is_the_character_one():
    # Seed 51 V0008-15: "姓名 黄一诺" read "姓名 黄-诺"; the name stopped at the dash, one
    # character, no name. A text layer's dash is what it says.
    name = rule(AfterLabel(("姓名",), "name"), "患者姓名")
    pg = page(ocr(line(",姓名 黄-诺 性别 女 年 龄.35岁")))
    assert covered_text(pg, run_rule(name, pg)) == "黄-诺"
    assert run_rule(name, page(line("姓名 黄-诺 性别 女"))) == []
    # An underscore sits on the baseline, where 一 never is: after a label it is the colon
    # read as a signature's underline ("记录医师_房-艺、", seed 54 V0027-02).
    staff = rule(AfterLabel(("记录医师",), "name"), "医护人员")
    assert values(run_rule(staff, page(ocr(line("记录医师_房-艺、"))))) == ["房-艺"]


def test_an_extra_beds_sign_read_alone_hides_the_gap_its_number_was_read_as():
    # Seed 52 V0006-06: "床 号:+1" read "床 号:+ 住 院号", the 1 boxed inside the space after
    # the +. The sign and that gap go; a sign with digits is a number, taken as such. Without
    # a colon the same: "床 号 +1" read "床 号 + 检查时间" (seed 80 V0003-10).
    bed = rule(AfterLabel(("床号",), "number"), "病案编号")
    for text in ("年龄23岁 床 号:+ 住 院号:202395476", "病区 |产科 床 号 + 检查时间2023年7月1日"):
        read = ocr(line(text, y=100))
        found = [f for f in run_rule(bed, page(read)) if f.rule.endswith(":unread")]
        plus = read.text.index("+")
        assert len(found) == 1 and found[0].rect[0] <= read.boxes[plus][0], text
        assert found[0].rect[2] >= read.boxes[plus + 2][0] - 0.5, text
    assert values(run_rule(bed, page(ocr(line("床 号:+1 住 院号:202395476"))))) == ["+1"]


def test_a_number_under_its_header_in_a_ruled_table_read_as_no_word_is_hidden():
    # Seed 80 V0027-09: "床位号" heading a ruled column over "+5", the row read "产科* |嫩n",
    # its cells joined across the rule and the number read as two characters OCR was unsure
    # of. The cell between the rules goes; without rules nothing says where the column is.
    bed = rule(AfterLabel(("床位号",), "number"), "病案编号")
    head = ocr(line((60, "姓名"), (160, "性别"), (360, "科室"), (475, "床位号"), y=80))
    row = ocr(line((60, "柳云"), (160, "女"), (360, "产科*"), (431, "|"), (443, "嫩n"), y=97))
    row.unsure = "".join("?" if ch in "嫩n" else " " for ch in row.text)
    pg = page(head, row)
    assert not [f for f in run_rule(bed, pg) if f.rule.endswith(":unread")]
    pg.rules = [(x, 75.0, x, 117.0) for x in (50.0, 147.0, 245.0, 343.0, 441.0, 539.0)]
    found = [f for f in run_rule(bed, pg) if f.rule.endswith(":unread")]
    assert len(found) == 1
    x0, y0, x1, y1 = found[0].rect
    assert x0 <= 442 and x1 >= 538 and y0 <= 98 and y1 >= 106
    row.unsure = ""                                      # read, and sure: no number, kept
    assert not [f for f in run_rule(bed, pg) if f.rule.endswith(":unread")]
    # Read another time "产科45", the + read as a 4 left of the rule: a digit, sure, alone
    # between the rules, and the same cell goes. A Chinese character there is no number.
    for text, hidden in (("5", True), ("5天", False)):
        pg.lines[1] = ocr(line((60, "柳云"), (160, "女"), (360, "产科4"), (443, text), y=97))
        found = [f for f in run_rule(bed, pg) if f.rule.endswith(":unread")]
        assert bool(found) == hidden and all(f.rect[0] <= 442 for f in found)


def test_a_staff_name_in_a_note_whose_surname_ocr_could_not_read():
    # Seed 80 V0029-10: "值班医师龚思远立即组织抢救" read "值班医师仁思远立即…", 仁 unsure
    # and no surname, so the name after the label in running text was not taken.
    staff = rule(AfterLabel(("值班医师",), "name"), "医护人员")
    read = ocr(line("病情突然加重，值班医师仁思远立即组织抢救，心肺复苏"))
    read.unsure = "".join("?" if ch == "仁" else " " for ch in read.text)
    assert values(run_rule(staff, page(read))) == ["仁思远"]
    # Sure of it, OCR read no name; nor is one taken before a word no staff member does.
    read.unsure = ""
    assert values(run_rule(staff, page(read))) == []
    other = ocr(line("值班医师仁思远结果回报"))
    other.unsure = "    ?" + " " * (len(other.text) - 5)
    assert values(run_rule(staff, page(other))) == []


def test_a_bed_label_read_with_its_last_character_wrong_hides_the_gap_after_it():
    # Seed 82 V0023-09: "床号: 7" read "床写", colon and number dropped, the 7 boxed inside
    # the gap before the next field. "床写" is no word: it can only be the label.
    bed = rule(AfterLabel(("床号",), "number"), "病案编号")
    read = ocr(line("科别:产科 床写 ", (456, "住院号: 202325452"), y=100))
    found = [f for f in run_rule(bed, page(read)) if f.rule.endswith(":unread")]
    gap = read.text.index("写") + 1
    assert len(found) == 1
    assert found[0].rect[0] <= read.boxes[gap][0] + 0.5 and found[0].rect[2] >= 455
