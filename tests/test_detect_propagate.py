"""Record-wide hunting of known values: spaced, full-width, split over lines, not inside numbers."""
from __future__ import annotations

from test_detect_grid import covered_text, line, page, rows, values

from workers.detect import ValueHunter, find_values

KNOWN = {"张三": ("患者姓名", "a:1"), "13812345678": ("电话", "a:2"),
         "110101199003071234": ("患者身份证号", "a:3"), "北京协和医院": ("医院名称", "a:4")}


def test_every_occurrence_in_narrative_text():
    pg = page(rows("患者张三，男，45岁。", "张三之妻代诉病史。", "无特殊。"))
    found = ValueHunter(KNOWN).find(pg)
    assert values(found) == ["张三", "张三"]
    assert {f.category for f in found} == {"患者姓名"} and found[0].rule == "a:1"
    assert covered_text(pg, found) == "张三张三"


def test_spaced_and_full_width_forms():
    pg = page(rows("签名：张 三", "签名：张\u3000三", "电话：１３８ １２３４ ５６７８", "138-1234-5678"))
    found = ValueHunter(KNOWN).find(pg)
    assert values(found) == ["张三", "张三", "13812345678", "13812345678"]


def test_value_broken_across_two_lines_gives_one_finding_per_line():
    pg = page(rows("转入北京协和", "医院继续治疗，家属张", "三陪同。"))
    found = ValueHunter(KNOWN).find(pg)
    assert [(f.value, covered_text(pg, [f])) for f in found] == [
        ("北京协和医院", "北京协和"), ("北京协和医院", "医院"), ("张三", "张"), ("张三", "三")]


def test_numbers_inside_longer_numbers_are_left():
    pg = page(rows("条码 913812345678 与 1381234567890"))
    assert ValueHunter(KNOWN).find(pg) == []


def test_short_values_and_allow_words_are_not_hunted():
    hunter = ValueHunter({"王": ("患者姓名", "x"), "12": ("床号", "x"), "主任": ("医护", "x")},
                         allow=["主任医师"])
    assert len(hunter) == 0
    assert hunter.find(page(rows("王主任医师查房，12床。"))) == []


def test_one_chinese_character_with_a_digit_is_not_hunted():
    # A bed number "+7" OCR read as "了7" is hidden where it stands, not hunted in "加用了7种药".
    hunter = ValueHunter({"了7": ("病案编号", "x"), "王芳": ("医护", "y")})
    assert values(hunter.find(page(rows("加用了7种药，王芳执行")))) == ["王芳"]


def test_allow_words_protect_the_text_they_cover():
    pg = page(rows("李主任医师查房"))
    found = find_values({"李主任": ("医护", "x")}, pg, allow=["主任医师"])
    assert covered_text(pg, found) == "李"


def test_longest_value_wins_where_one_is_a_prefix_of_another():
    pg = page(rows("转北京协和医院"))
    found = find_values({"北京协和": ("医院名称", "x"), "北京协和医院": ("医院名称", "y")}, pg)
    assert [(f.value, f.rule) for f in found] == [("北京协和医院", "y")]


def test_contains_for_plain_strings():
    hunter = ValueHunter(KNOWN)
    assert hunter.contains("出院记录 - 张 三")
    assert not hunter.contains("出院记录")


def test_many_values_one_pass():
    many = {f"{s}{g}": ("姓名", "x") for s in "赵钱孙李周吴郑王冯陈" for g in "一二三四五六七八九十"}
    pg = page(rows(*["病程记录：患者病情平稳，继续当前治疗方案。" * 2] * 39, "冯九来访。"))
    assert values(ValueHunter(many).find(pg)) == ["冯九"]


def ocr_rows(*texts):
    lines = rows(*texts)
    for ln in lines:
        ln.source = "ocr"
    return lines


NAMES = {"孟凡瑾": ("家属姓名", "n:1"), "韩志刚": ("医护人员", "n:2"), "张明显": ("医护人员", "n:3")}


def test_a_known_name_ocr_read_one_character_off_where_a_name_stands():
    pg = page(ocr_rows("通知值班医师|孟凡谨,", "静滴q8h韩志钢关于", "姓名时志 刚性别男", "配偶孟几瑾陪护"))
    found = ValueHunter(NAMES).find(pg)
    # Each carries the known value, so the person gets one pseudonym everywhere.
    assert sorted(values(found)) == ["孟凡瑾", "孟凡瑾", "韩志刚", "韩志刚"]
    # On a scan the marks OCR read beside a value go with it (view._with_marks).
    assert covered_text(pg, found) == "孟凡谨,韩志钢时志刚孟几瑾"
    assert {f.rule for f in found} == {"n:1", "n:2"}


def test_near_names_leave_clinical_words_and_text_layers_alone():
    hunter = ValueHunter(NAMES)
    # "明显" inside a phrase is a word, not 张明显 with a misread surname.
    assert hunter.find(page(ocr_rows("患者病情明显好转，予出院"))) == []
    # Only OCR misreads a name: in a text layer 韩志钢 is someone else.
    assert hunter.find(page(rows("韩志钢，男"))) == []
    # Two characters off is another name; two-character names are too short to guess at.
    assert ValueHunter({"李娜": ("医护人员", "x")}).find(page(ocr_rows("王娜，"))) == []
    assert hunter.find(page(ocr_rows("韩小钢，"))) == []


def _row(y: float, note_first: str, note_second: str, ocr: bool = True):
    """A nursing row as OCR reads it: the note's first line alone, then the row's other cells
    (centred in the row) with the note's wrapped second line."""
    first = line((300, note_first), y=y)
    second = line((50, "02/18"), (100, "20:26"), (150, "38.5"), (300, note_second), y=y + 12)
    for ln in (first, second):
        ln.source = "ocr" if ocr else "text"
    return [first, second]


def test_a_name_a_cell_wrap_split_is_found_though_other_cells_come_between():
    pg = page(_row(100, "烦躁，安抚家属情绪，丈夫张", "三陪护"))
    found = ValueHunter(KNOWN).find(pg)
    assert values(found) == ["张三", "张三"]
    assert covered_text(pg, found) == "张三"


def test_a_wrap_is_joined_only_where_the_cell_continues():
    # The head ends the cell, but the text below starts elsewhere (another column), or the
    # line below does not go on with the value: nothing is found.
    elsewhere = line((120, "三陪护"), y=172)
    elsewhere.source = "ocr"
    pg = page(_row(100, "烦躁，安抚家属情绪，丈夫张", "四陪护"),
              line((300, "安抚家属情绪，丈夫张"), y=160), line("无特殊。", y=400), elsewhere)
    assert ValueHunter(KNOWN).find(pg) == []


def test_a_phone_number_a_cell_wrap_split_is_found_but_not_inside_longer_numbers():
    pg = page(_row(100, "家属联系电话138", "12345678，已告知"))
    found = ValueHunter(KNOWN).find(pg)
    assert values(found) == ["13812345678", "13812345678"]
    assert covered_text(pg, found) == "13812345678，"
    # "2138" ends in the phone's head, "123456789" opens with its tail: both are other numbers.
    assert ValueHunter(KNOWN).find(page(_row(100, "检验编号2138", "12345678，复查"))) == []
    assert ValueHunter(KNOWN).find(page(_row(100, "家属联系电话138", "123456789，复查"))) == []


def test_a_long_value_ocr_read_one_character_off_is_found_on_ocr_lines_only():
    known = {"武汉市妇产科医院": ("医院名称", "a:4")}
    footer = line("武汉市妇产科医阮  第1页/共1页", y=800)
    typed = line("武汉市妇产科医阮", y=820)
    other = line("武汉市妇幼保健院", y=840)        # another institution: 3 characters differ
    footer.source = other.source = "ocr"
    pg = page(footer, typed, other)
    found = ValueHunter(known).find(pg)
    assert values(found) == ["武汉市妇产科医院"]
    assert covered_text(pg, found) == "武汉市妇产科医阮"


def test_a_long_value_read_one_off_is_found_whole_around_a_shorter_known_value():
    # The footer's short form "市妇幼" was hunted exactly; the full name one character off
    # around it must still be taken whole, or "合肥" and "保健哮" stay readable (seed 22 V0024).
    known = {"合肥市妇幼保健院": ("医院名称", "a:4"), "市妇幼": ("医院名称", "a:5")}
    footer = line("合肥市妇幼保健哮 第1习/共1页", y=800)
    footer.source = "ocr"
    pg = page(footer)
    found = ValueHunter(known).find(pg)
    assert "合肥市妇幼保健哮" in covered_text(pg, found)


def test_names_listed_after_a_known_name_are_taken_with_their_own_value():
    # "明" opens common words, so the label "家属" before it in running text is not trusted;
    # the name is known from elsewhere, and the relative listed after it never had a label.
    pg = page(rows("与家属明军、幸莉沟通病情，", "明军、男、45岁。"))
    found = ValueHunter({"明军": ("家属姓名", "f:1")}).find(pg)
    assert [(f.value, f.category) for f in found] == [
        ("明军", "家属姓名"), ("幸莉", "家属姓名"), ("明军", "家属姓名")]
    assert covered_text(pg, found) == "明军幸莉明军"


BED = {("23", "床号"): ("病案编号", "r:1")}


def test_a_bed_number_is_hunted_beside_its_label_however_ocr_misread_the_label():
    # Each a scanned header where the record's clean pages read "床号: 23"; the 床号 label
    # rule missed every one, as its label came out spaced, broken by a comma or misread.
    for text in ("科室:重症医学科 床 号 汪 23 住院号: 202511848",
                 "科室:心内科 床 屿? 23 住院号码:",
                 "科室:妇科 床,号: 23 住 院号:202415911",
                 "科室:妇科 床号: .23 住院号: 202415911"):
        pg = page(ocr_rows(text))
        found = ValueHunter({}, beside_labels=BED).find(pg)
        assert [(f.value, f.category) for f in found] == [("23", "病案编号")], text
        assert covered_text(pg, found) == (".23" if ".23" in text else "23"), text


def test_a_bed_number_ocr_read_as_other_characters_after_its_label_is_taken():
    # Seed 31: the label read right, the number not: V0004-03 "床号和局" for 床号 23, V0020-01
    # "床:号 过" for 床号: 14; an extra bed's sign read "|" (V0009-03) or lost (V0010-13).
    for text, value, taken in (("姓名 练丽丽 住院号 |202369287 床号和局 |", "23", "和局"),
                               ("科室:重症医学科 床:号 过 中已", "14", "过"),
                               ("住院号 ZY3191393 床号 |2", "+2", "|2"),
                               ("年 龄: 36岁 科室:产科 床 王 3 住院号码: 202347102", "+3", "3"),
                               ("科室;新生儿科 床 号: 02 住院号 击二记", "25121254", "击二记")):
        label = "住院号" if len(value) > 3 else "床号"
        pg = page(ocr_rows(text))
        found = ValueHunter({}, beside_labels={(value, label): ("病案编号", "r:1")}).find(pg)
        assert [(f.value, covered_text(pg, [f])) for f in found] == [(value, taken)], text
    # Not the next header of a header row, nor a field word, nor a word in a text layer, nor
    # another number after the label.
    for text in ("住院吧码，床号，孚周 监护日期", "床号 姓名 性别", "床号 科室", "床号 ZY3871037"):
        pg = page(ocr_rows(text))
        assert ValueHunter({}, beside_labels=BED).find(pg) == [], text
    assert ValueHunter({}, beside_labels=BED).find(page(rows("床号和局 |"))) == []


def test_a_short_number_is_left_away_from_its_label():
    hunter = ValueHunter({}, beside_labels=BED)
    for text in ("予吸氧 23 次，床旁心电图", "床旁胸片 3 次，间隔 23 小时",
                 "床号: 123 住院号", "床头抬高 30°，23:00 复查", "床温 36.23 ℃",
                 "住院第 23 天"):
        assert hunter.find(page(ocr_rows(text))) == [], text


def test_a_one_digit_bed_number_is_not_hunted_even_beside_its_label():
    assert ValueHunter({}, beside_labels={("6", "床号"): ("病案编号", "r:1")}).find(
        page(ocr_rows("病区 新生儿科 床号: 6"))) == []


def test_a_text_layer_is_not_hunted_for_a_short_number_beside_a_label():
    # Printed text says what it says: "床旁 23" there is no misread bed number.
    assert ValueHunter({}, beside_labels=BED).find(page(rows("床旁 23 次"))) == []


def test_a_bed_number_is_hunted_under_its_label_in_a_scanned_table_header():
    # Seed 28 V0009-03: a fetal monitoring table's header OCR ran together ("住院吧码，床号，
    # 孚周"), so the label rule took the next header for the bed number; the 30 under 床号 stayed.
    header = line((40, "名|，年龄，”住院吧码，"), (250, "床号，"), (330, "孚周 监护日其"), y=100)
    row = line((40, "”梁子涵 25岁 80947499 "), (255, "30 "), (330, "37+5周 2025年?月27日03:10"), y=118)
    for ln in (header, row):
        ln.source = "ocr"
    pg = page(header, row)
    bed30 = {("30", "床号"): ("病案编号", "r:1")}
    found = ValueHunter({}, beside_labels=bed30).find(pg)
    assert [(f.value, f.category) for f in found] == [("30", "病案编号")]
    assert covered_text(pg, found) == "30"
    # Not a 30 under another column, nor one inside a number, a date or a sum.
    other = line((40, "30 25岁 80947499 "), (255, "37+30周 "), (330, "2025/01/30"), y=118)
    other.source = "ocr"
    assert ValueHunter({}, beside_labels=bed30).find(page(header, other)) == []
    # Seed 29 V0018-02: a one-digit bed "7" read "了" under its header; not the 了 of a word.
    for text, want in (("了 ", [("7", "病案编号")]), ("好了 ", [])):
        row = line((40, "陈丽丽 27岁 62509023 "), (255, text), y=118)
        row.source = "ocr"
        found = ValueHunter({}, beside_labels={("7", "床号"): ("病案编号", "r:1")}).find(
            page(header, row))
        assert [(f.value, f.category) for f in found] == want, text
    # Seed 30 V0015-05: the page's reading dropped the "7" under 床号; read again on its own
    # ("尼7"), it comes last among the page's lines, after rows far below the header.
    row = line((40, "陈丽丽 27岁 62509023 "), y=118)
    far = line((40, "检验项目 结果 提示 单位"), y=300)
    alone = line((255, "尼7"), y=118)
    for ln in (row, far, alone):
        ln.source = "ocr"
    found = ValueHunter({}, beside_labels={("7", "床号"): ("病案编号", "r:1")}).find(
        page(header, row, far, alone))
    assert [(f.value, covered_text(page(alone), [f])) for f in found] == [("7", "7")]
    # Seed 32 V0021-01: the row's line reaches up beside the header's (a tall mark OCR read at
    # its end): below by its middle still.
    row = line((40, "产科 "), (255, "+4 "), (330, "ZY3871037 司"), y=118)
    row.source = "ocr"
    x0, _y0, x1, y1 = row.boxes[-1]
    row.boxes[-1] = (x0, 95.0, x1, y1)
    found = ValueHunter({}, beside_labels={("+4", "床号"): ("病案编号", "r:1")}).find(
        page(header, row))
    assert [(f.value, covered_text(page(row), [f])) for f in found] == [("+4", "+4")]
    # Seed 27 V0001-06: a header centred over its cell, the value left-aligned under it, far
    # left of the label itself; a number under the next header is that header's.
    centred = line((100, "床号 "), (220, "住院号 "), (340, "检查号"), y=100)
    for text, x, want in (("17 ", 52, [("17", "病案编号")]), ("17 ", 225, [])):
        row = line((x, text), y=118)
        for ln in (centred, row):
            ln.source = "ocr"
        found = ValueHunter({}, beside_labels={("17", "床号"): ("病案编号", "r:1")}).find(
            page(centred, row))
        assert [(f.value, f.category) for f in found] == want, x
    # A header OCR spaced out ("床 号"), and an extra bed "+4" whose sign it read as 十.
    spaced = line((40, "姓 名 性 别 "), (200, "床 号"), y=100)
    for value, text, x in (("14", "14 ", 205), ("+4", "十4 ", 205), ("14", "心内科14 ", 170)):
        row = line((40, "刘定 男 "), (x, text), y=118)
        for ln in (spaced, row):
            ln.source = "ocr"
        found = ValueHunter({}, beside_labels={(value, "床号"): ("病案编号", "r:1")}).find(
            page(spaced, row))
        assert [(f.value, f.category) for f in found] == [(value, "病案编号")], text
    # Seed 27 V0016-07: the header's last character misread ("床王"), alone between the
    # row's headers; not a word of other length nor one run into its neighbour.
    for head, want in (("床王 ", [("+4", "病案编号")]), ("床 写 ", [("+4", "病案编号")]),
                       ("床王号 ", []), ("予床王 ", []), ("床4 ", [])):
        header = line((100, head), (220, "住院号 "), (340, "检查号"), y=100)
        row = line((52, "+4 "), (225, "41255325"), y=118)
        for ln in (header, row):
            ln.source = "ocr"
        found = ValueHunter({}, beside_labels={("+4", "床号"): ("病案编号", "r:1")}).find(
            page(header, row))
        assert [(f.value, f.category) for f in found] == want, head
    # A text layer's header is read as printed: the label rule finds its value.
    printed = [line((250, "床号"), y=100), line((255, "30"), y=118)]
    assert ValueHunter({}, beside_labels=bed30).find(page(*printed)) == []


def test_a_bed_number_after_a_label_ocr_could_not_read_is_hidden():
    # Seed 34 V0027-01: "科室:心内科 床号 15 住院号码" read "科室:心内科 厅二 15 住院号码", the
    # label at confidence 0. Only after a word of about the label's length OCR was unsure of.
    bed15 = {("15", "床号"): ("病案编号", "r:1")}
    for word, unsure, want in (("厅二", "??", ["15"]), ("厅二", "  ", []),
                               ("血小板计数", "?????", []), ("厅二", "? ", [])):
        read = line(f"科室:心内科 {word} 15 住院号码")
        at = read.text.index(word)
        read.unsure = " " * at + unsure + " " * (len(read.text) - at - len(unsure))
        read.source = "ocr"
        pg = page(read)
        found = ValueHunter({}, beside_labels=bed15).find(pg)
        assert [covered_text(pg, [f]) for f in found] == want, (word, unsure)


def test_a_bed_number_run_into_its_misread_label_is_hidden():
    # Seed 35 V0021-05: "床号 17" read "床写涪光", the 写涪光 at low confidence.
    bed17 = {("17", "床号"): ("病案编号", "r:1")}
    for text, unsure, want in (("科室:产科 床写涪光 住院号码", "???", "写涪光"),
                               ("科室:产科 床写涪光 住院号码", "   ", ""),
                               ("科室:产科 床旁护理中 住院号码", "????", "")):
        read = line(text)
        at = read.text.index("床") + 1
        read.unsure = " " * at + unsure + " " * (len(read.text) - at - len(unsure))
        read.source = "ocr"
        pg = page(read)
        found = ValueHunter({}, beside_labels=bed17).find(pg)
        assert covered_text(pg, found) == want, (text, unsure)


def test_a_bed_number_ocr_could_not_read_under_its_header_is_hidden():
    # Seed 33 V0011-07: labels above their values, the bed "11" under "床 号" read "全" at low
    # confidence. Only the nearest row's word in the column, only if OCR was unsure of all of
    # it, and no longer than the number and one.
    header = line((40, "科室 "), (200, "床 号 "), (330, "住院号码"), y=100)
    bed11 = {("11", "床号"): ("病案编号", "r:1")}
    cases = ((("全", "?"), None, [("11", "全")]),
             (("全", " "), None, []),                         # read with confidence: a word
             (("全部分开", "????"), None, []),                  # longer than a bed number
             (("产科", "  "), ("全", "?"), []))                # the nearest row holds a word
    for first, second, want in cases:
        rows_below = []
        for y, cell in ((118, first), (136, second)):
            if cell is None:
                continue
            # 产科 stands in the column too: a column reaches from one header to the next.
            row = line((45, "产科 "), (205, cell[0] + " "), (330, "ZY6970793"), y=y)
            row.unsure = " " * 3 + cell[1] + " " * (len(row.text) - 3 - len(cell[1]))
            rows_below.append(row)
        for ln in (header, *rows_below):
            ln.source = "ocr"
        pg = page(header, *rows_below)
        found = ValueHunter({}, beside_labels=bed11).find(pg)
        assert [(f.value, covered_text(pg, [f])) for f in found] == want, first
        assert all(f.rule.endswith(":unread") for f in found)


def test_a_two_character_name_misread_by_one_character_before_a_carer_word():
    # A scanned nursing note: "黄琳陪护" read "黄麻陪护". One character of two agrees, so only
    # where a word that follows a person comes next.
    hunter = ValueHunter({"黄琳": ("家属姓名", "f:1")})
    pg = page(ocr_rows("08-15 12:47 384 126 147/86 87。黄麻陪护", "母亲黄麻诉患儿哭闹",
                       "病重。黄震(配偶)要求积极治疗"))
    assert covered_text(pg, hunter.find(pg)) == "。黄麻黄麻。黄震("
    assert values(hunter.find(pg)) == ["黄琳", "黄琳", "黄琳"]
    for text in ("母亲黄疸史，黄体酮治疗", "予黄连素口服", "黄疸(轻度)", "黄麻陪护"):
        assert hunter.find(page(rows(text) if text == "黄麻陪护" else ocr_rows(text))) == [], text
    # Seed 35 V0025-11: "丈夫邹鑫陪护" read "浆夫邹讲陪护": the relation's first character and
    # the given name both misread; the relation's last character still stands before the name.
    zou = ValueHunter({"邹鑫": ("家属姓名", "f:1")})
    pg = page(ocr_rows("08/10 07:05 38.2 160 38 124/70 86 护理，浆夫邹讲陪护 字祭"))
    assert covered_text(pg, zou.find(pg)) == "邹讲"
    for text in ("大学邹讲陪护", "邹讲师陪护", "浆夫邹讲课"):
        assert zou.find(page(ocr_rows(text))) == [], text



def test_a_staff_name_misread_by_one_character_filling_the_cell_after_a_staff_label():
    # Seed 33 V0026-06: "送检医师祝强" read "送检医师山强" on a scanned lab report.
    zhu = ValueHunter({"祝强": ("医护人员", "s:1")})
    for text, want in (("标本号”2304164493 送检医师山强", "山强"), ("送检医师山强 临床诊断 宫颈", "山强"),
                       ("送检医师山强壮", ""), ("检验者山强", ""), ("送检医师山河", "")):
        pg = page(ocr_rows(text))
        assert covered_text(pg, zhu.find(pg)) == want, text
    assert zhu.find(page(rows("送检医师山强"))) == []     # printed: 山强 is someone else


def test_a_two_character_name_with_its_surname_misread_between_relation_and_carer_word():
    # "丈夫宋欢陪护" wrapped in a nursing table cell and read "丈夫末欢陪" (seed 23 V0012):
    # only the given character agrees, so the relation word before it must be there too.
    hunter = ValueHunter({"宋欢": ("家属姓名", "f:1")})
    pg = page(ocr_rows("四肢温，三凹征，遵医嘱静脉输液，丈夫末欢陪", "予心电监护，配偶米欢诉头痛"))
    assert covered_text(pg, hunter.find(pg)) == "末欢米欢"
    # Seed 30 V0019-11: the relation wrapped in its cell ("丈" / "夫喜鹏陪护") and the surname
    # misread: the relation's last character opening the cell still counts.
    wrapped = page(ocr_rows("08-11 12:50 38.6 116 122/103 100。夫喜鹏陪护-区党."))
    assert covered_text(wrapped, ValueHunter({"彭鹏": ("家属姓名", "f:1")}).find(wrapped)) == "喜鹏"
    assert ValueHunter({"彭鹏": ("家属姓名", "f:1")}).find(page(ocr_rows("大夫喜鹏陪护"))) == []
    for text in ("喜欢陪护患儿", "母亲联欢会", "丈夫末欢喜", "予心电监护末欢迎"):
        assert hunter.find(page(ocr_rows(text))) == [], text
    # Seed 31 V0004-02: a form's cell after a relation's label, the label cut short by OCR
    # too ("监护人 吕成" read "监护 但成"): the cell's end stands for the word after a person.
    guardian = ValueHunter({"吕成": ("家属姓名", "f:1")})
    for text, want in (("婚姻状况|已婚 监护 但成", "但成"), ("丈夫 吕戌 | 关系 夫妻", "吕戌"),
                       ("丈夫末欢", ""), ("予心电监护但成功", "")):
        pg = page(ocr_rows(text))
        assert covered_text(pg, guardian.find(pg)) == want, text
    pg = page(ocr_rows("丈夫末欢"))
    assert covered_text(pg, hunter.find(pg)) == "末欢"


def test_a_bed_number_ocr_could_not_read_after_its_misread_label_is_hidden():
    # Seed 27 V0029-11: "床 号： +2" on a scan read "床于 5932", the 5932 at confidence 0 and
    # the 于 at 8: neither label nor value is there to find, but the bed "+2" is known.
    bed = {("+2", "床号"): ("病案编号", "r:1")}
    def scanned(text: str, unsure: str):
        ln = line((40, text), y=100)
        ln.source, ln.unsure = "ocr", unsure
        return ln
    text = "科室产科 床于 5932 住院号98962742"
    doubt = "     ?? ????" + " " * (len(text) - 12)
    pg = page(scanned(text, doubt))
    found = ValueHunter({}, beside_labels=bed).find(pg)
    assert [(f.value, f.category) for f in found] == [("+2", "病案编号")]
    assert covered_text(pg, found) == "5932"
    # Seed 30 V0019-04: "床号 +1" read "床与 请]", the 请] at confidence 0.
    odd = "患者姓名 孔淑珍 年龄 39岁 床与 请]"
    pg = page(scanned(odd, " " * (len(odd) - 3) + "???"))
    found = ValueHunter({}, beside_labels={("+1", "床号"): ("病案编号", "r:1")}).find(pg)
    assert covered_text(pg, found) == "请]"
    # A number OCR read with confidence is what it says; one far from the label is not it.
    assert ValueHunter({}, beside_labels=bed).find(page(scanned(text, ""))) == []
    far = "床旁 心电监护 5932"
    assert ValueHunter({}, beside_labels=bed).find(
        page(scanned(far, " " * (len(far) - 4) + "????"))) == []
