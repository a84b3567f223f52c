"""The record-wide hunt for a short number by its label on a scan (`workers.detect.bylabel`):
beside it, after it, under it, however OCR misread the label, the number, or both."""
from __future__ import annotations

from test_detect_grid import covered_text, line, page, rows
from test_detect_propagate import ocr_rows

from workers.detect import ValueHunter

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
    # Seed 65 V0019-09 (unseen), an ECG's header: "床号: 23" read "床写:2 23", a lone digit
    # between. Not two digits, nor a longer number.
    # Seed 65 V0003-09 (unseen), an exam report's form: "床 号: 20" on its underline read
    # "床下 2 人", the last digit a character standing apart. Not a digit, nor a word of two.
    # Seed 68 V0011-08 (unseen), an ECG's second header: "床号: 10" read "床 瑟:TO", each digit
    # a letter like it. Not a longer word.
    for bed, text, want in (("23", "科别:产科 床写:2 23 检查时间", ["23"]),
                            ("23", "科别:产科 床写:12 23", []), ("23", "科别:产科 床写:2 234", []),
                            ("20", "病区;产科 床下 2 人 住 院号: 202350913", ["2人"]),
                            ("20", "病区;产科 床下 2 3 住院号", []),
                            ("20", "病区;产科 床下 2 人员 住院号", []),
                            ("10", "病区:新生儿科 床 瑟:TO 检查时间: 202503-18", [":TO"]),
                            ("10", "病区:新生儿科 床 瑟:TOP 检查时间", []),
                            ("10", "病区:新生儿科 床 瑟:ATO 检查", [])):
        pg = page(ocr_rows(text))
        found = ValueHunter({}, beside_labels={(bed, "床号"): ("病案编号", "r:1")}).find(pg)
        assert [covered_text(pg, [f]) for f in found] == want, text


def test_a_bed_number_after_its_labels_colon_read_as_a_digit():
    # Seed 73 V0008-01 (unseen), an admission form: "床 号: 42" read "床 王342", the colon's
    # thin ink a "3" run into the number. Only a digit as thin as a colon: a bed 123 is no 23.
    bed42 = {("42", "床号"): ("病案编号", "r:1")}
    for width, want in ((0.25, ["42"]), (0.5, [])):
        read = line("科别:儿科 床 王342")
        at = read.text.index("3")
        x0, y0, _x1, y1 = read.boxes[at]
        read.boxes[at] = (x0, y0, x0 + width * (y1 - y0), y1)
        read.source = "ocr"
        pg = page(read)
        found = ValueHunter({}, beside_labels=bed42).find(pg)
        assert [covered_text(pg, [f]) for f in found] == want, width


def test_an_extra_beds_sign_read_as_a_star_beside_its_label():
    # Seed 43 V0025-04: "床位号：+1" read "床位号*1".
    plus1 = {("+1", "床位号"): ("病案编号", "r:1")}
    pg = page(ocr_rows("病人姓名 徐萍 性别 女 科室 产科 床位号*1 住院号码ZY4991450"))
    found = ValueHunter({}, beside_labels=plus1).find(pg)
    assert [f.value for f in found] == ["+1"] and "1" in covered_text(pg, found)
    # Seed 69 V0009-02 (unseen): "床号: +2" read "床王 汪 汪2", its colon and its sign each 汪.
    plus2 = {("+2", "床号"): ("病案编号", "r:1")}
    pg = page(ocr_rows("病区:新生儿科 床王 汪 汪2 住院号: ZY3442717"))
    found = ValueHunter({}, beside_labels=plus2).find(pg)
    assert [f.value for f in found] == ["+2"] and "汪2" in covered_text(pg, found)


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
    # Seed 46 V0019-12: the row's first header, centred far right of its value (5.5 em).
    # Seed 59 V0016-07: the first header 床号 misread "床虽" after a speck read as "。".
    for value, head, at, rest in (("07", "床号 ", 109, "入院日期"), ("14", "。床虽 ", 43, "检查号,检查日期")):
        first = line((at, head), (140, "住 院 号 "), (220, rest), y=147)
        row = line((58, value + " "), (182, "72465294"), y=161)
        for ln in (first, row):
            ln.source = "ocr"
        found = ValueHunter({}, beside_labels={(value, "床号"): ("病案编号", "r:1")}).find(
            page(first, row))
        assert [(f.value, covered_text(page(row), [f])) for f in found] == [(value, value)], head
    # A header OCR spaced out ("床 号"), and an extra bed "+4" whose sign it read as 十.
    spaced = line((40, "姓 名 性 别 "), (200, "床 号"), y=100)
    # Seed 40: an extra bed "+5" read "45", its sign as a 4 (V0001-08); "+4" read "4" (V0029-05).
    for value, text, x in (("14", "14 ", 205), ("+4", "十4 ", 205), ("14", "心内科14 ", 170),
                           ("+5", "45 ", 205), ("+4", "4 ", 205)):
        row = line((40, "刘定 男 "), (x, text), y=118)
        for ln in (spaced, row):
            ln.source = "ocr"
        found = ValueHunter({}, beside_labels={(value, "床号"): ("病案编号", "r:1")}).find(
            page(spaced, row))
        assert [(f.value, f.category) for f in found] == [(value, "病案编号")], text
    # Seed 27 V0016-07: the header's last character misread ("床王"), alone between the
    # row's headers; not a word of other length nor one run into its neighbour.
    # Seed 45 V0022-04, V0026-03: its first character misread ("奈号", "庆号" over +3, +1).
    for head, want in (("床王 ", [("+4", "病案编号")]), ("床 写 ", [("+4", "病案编号")]),
                       ("奈号 ", [("+4", "病案编号")]), ("病案号 ", []),
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
    # Seed 45 V0005-06: "订二 > 21", a stray mark read between.
    for word, unsure, want in (("厅二", "??", ["15"]), ("厅二", "  ", []), ("厅二 >", "?? ", ["15"]),
                               ("血小板计数", "?????", []), ("厅二", "? ", [])):
        read = line(f"科室:心内科 {word} 15 住院号码")
        at = read.text.index(word)
        read.unsure = " " * at + unsure + " " * (len(read.text) - at - len(unsure))
        read.source = "ocr"
        pg = page(read)
        found = ValueHunter({}, beside_labels=bed15).find(pg)
        assert [covered_text(pg, [f]) for f in found] == want, (word, unsure)
    # Seed 80 (unseen) stopped `evaluate` with an IndexError: the number's digits either side
    # of a line break, its finding was cut from the first line past that line's end. Each
    # line's part goes now.
    read = line("科室:心内科 厅二 1", y=100)
    read.unsure = " " * 7 + "??" + "  "
    pg = page(read, line("5 住院号码", y=116))
    for ln in pg.lines:
        ln.source = "ocr"
    found = ValueHunter({}, beside_labels=bed15).find(pg)
    assert covered_text(pg, found) == "15" and {f.value for f in found} == {"15"}


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
    # confidence; seed 43 V0004-08, a bed 13 read "地" with confidence. Only the nearest row's
    # word in the column, no longer than the number and one; read with confidence, only one
    # Chinese character alone under the header read as printed or a number's header.
    bed11 = {("11", "床号"): ("病案编号", "r:1")}
    cases = ((("全", "?"), None, [("11", "全")]),
             (("全", " "), None, [("11", "全")]),
             (("全部分开", "????"), None, []),                  # longer than a bed number
             (("12", "  "), None, []),                        # another number: another bed
             (("产科", "  "), ("全", "?"), []),                # the nearest row holds a word
             (("全科", "  "), None, []),
             (("全", " "), None, [], "床王 "),                  # the header misread: a word
             (("全", "?"), None, [("11", "全")], "床王 "),
             # A number's header, its first character misread ("奈号" beside 住院号码, seed 57
             # V0030-08): its 号 says a number stands under it, not a Chinese character.
             (("全", " "), None, [("11", "全")], "奈号 "),
             # A bar read beside it is the number's own stroke, neither sure nor unsure of
             # anything ("+1" read "本|", only the 本 unsure, seed 60 V0017-09).
             (("全|", "? "), None, [("11", "全|")], "床王 "),
             (("全|", "  "), None, [], "床王 "),
             (("|", " "), None, []))
    for first, second, want, *head in cases:
        header = line((40, "科室 "), (200, (head or ["床 号 "])[0]), (330, "住院号码"), y=100)
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
    # Seed 68 V0027-01 (unseen): a bed 17 under "床号" read "了过" with confidence, the two
    # boxed over the ink of two digits (1.1 em); "全科" over two characters' ink stays (above).
    header = line((40, "科室 "), (200, "床号 "), (330, "住院号码"), y=100)
    for width, want in ((11.0, [("11", "了过")]), (20.0, [])):
        row = line((45, "产科 "), (205, "了过 "), (330, "ZY6970793"), y=118)
        row.boxes[3] = (205.0, 118.0, 205.0 + width / 2, 128.0)
        row.boxes[4] = (205.0 + width / 2, 118.0, 205.0 + width, 128.0)
        for ln in (header, row):
            ln.source = "ocr"
        found = ValueHunter({}, beside_labels=bed11).find(page(header, row))
        assert [(f.value, covered_text(page(header, row), [f])) for f in found] == want, width
    # Seed 77 V0024-11 (unseen), a form's grid, labels above values: the bed 05 under "床号"
    # read "和Si" with confidence, its 5 an S in place, a speck read as a colon before it. Not
    # a word keeping no digit in place, nor one holding another digit.
    bed05 = {("05", "床号"): ("病案编号", "r:1")}
    for cell, want in (("和Si", [("05", "和Si")]), ("和S", [("05", "和S")]), ("和ii", []),
                       ("和S7", []), ("S和", [])):
        row = line((45, "产科:"), (205, cell + " "), (330, "50837104"), y=118)
        for ln in (header, row):
            ln.source = "ocr"
        pg = page(header, row)
        found = ValueHunter({}, beside_labels=bed05).find(pg)
        assert [(f.value, covered_text(pg, [f]).lstrip(":")) for f in found] == want, cell


def test_a_known_bed_number_under_a_header_ocr_could_not_read_is_hidden():
    # Seed 36 V0003-01: the header "床号" over a bed 26 read "本" at low confidence, in a row
    # of other headers. Only the number as printed, only in that column, and only where the
    # row holds other headers and OCR was unsure of all of the word.
    bed26 = {("26", "床号"): ("病案编号", "r:1")}
    def scanned(header_word: str, doubt: str, rest: str = "住院号码 手机"):
        head = line((60, header_word + " "), (120, rest), y=100)
        head.unsure = doubt + " " * (len(head.text) - len(doubt))
        row = line((63, "26 "), (120, "ZY9812502 "), (300, "17603827304 "), (420, "已婚"), y=118)
        other = line((63, "37 "), (120, "ZY9812503"), y=136)
        for ln in (head, row, other):
            ln.source = "ocr"
        return page(head, row, other)
    pg = scanned("本", "?")
    found = ValueHunter({}, beside_labels=bed26).find(pg)
    assert [(f.value, covered_text(pg, [f])) for f in found] == [("26", "26")]
    for header_word, doubt, rest in (("本", " ", "住院号码 手机"),      # read with confidence
                                     ("本", "?", "检验 合格"),          # no row of headers
                                     ("本草纲目", "????", "住院号码 手机")):  # longer than a label
        pg = scanned(header_word, doubt, rest)
        assert ValueHunter({}, beside_labels=bed26).find(pg) == [], (header_word, doubt, rest)


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


def test_a_bed_number_after_its_label_whose_first_character_ocr_misread():
    # Seed 42 V0017-06, an ECG's header: "床号 19" read "羔 号”习19", read again "康 号”中19".
    bed19 = {("19", "床号"): ("病案编号", "r:1")}
    for text, want in (("科室 儿科 羔 号”习19 检查时间ozsozzz 19:40", ["19"]),
                       ("科室 儿科 康 号”中19 检查时间", ["19"]),
                       ("科室 儿科 床号19 检查时间", ["19"]),
                       ("病案号 19", []),          # another label ending the same way
                       ("心率 号19.5", []),          # a decimal
                       ("羔 号”习190", [])):        # a longer number
        pg = page(ocr_rows(text))
        found = ValueHunter({}, beside_labels=bed19).find(pg)
        assert [covered_text(pg, [f]) for f in found] == want, text
    # Seed 61 V0016-03 (unseen), a CTG's header: "床号 | 16" read "订号 |h6", the 1 read as a
    # letter. A number's first digits read as as many letters still end in its last digit.
    bed16 = {("16", "床号"): ("病案编号", "r:1")}
    for text, want in (("住院号码 202324159 订号 |h6", ["h6"]), ("订号 h6", ["h6"]),
                       ("订号 |h5", []), ("订号 ab6", []), ("病案号 h6", []), ("订号 h6.5", [])):
        pg = page(ocr_rows(text))
        found = ValueHunter({}, beside_labels=bed16).find(pg)
        assert [covered_text(pg, [f]).strip("|") for f in found] == want, text
    # A text layer is read as printed: its label rule found what stands after the label.
    printed = page(line("科室 儿科 羔 号”习19"))
    assert ValueHunter({}, beside_labels=bed19).find(printed) == []


def test_a_one_digit_bed_number_beside_a_label_ocr_garbled():
    # Seed 45 V0028-10: "床位号 9" read "床|写生 9", OCR unsure of "|写生". A one-digit number
    # after "床" and a word read with confidence is any count ("床旁 9次" stays).
    bed9 = {("9", "床位号"): ("病案编号", "r:1")}
    for text, doubt, want in (("科室 产科床|写生 9 住院号”202495346", "|写生", ["9"]),
                              ("科室 产科床|写生 9 住院号”202495346", "", []),
                              ("予床旁 9 次心电监护", "", [])):
        read = line(text)
        at = read.text.index(doubt) if doubt else 0
        read.unsure = (" " * at + "?" * len(doubt)).ljust(len(read.text))
        read.source = "ocr"
        pg = page(read)
        found = ValueHunter({}, beside_labels=bed9).find(pg)
        assert [covered_text(pg, [f]) for f in found] == want, text


def test_a_bed_number_read_again_alone_beside_a_header_line_is_hidden():
    # Seed 61 V0017-07: "科别：妇科  床号： 28  病案号：3782156" read "科别:妇科 2 病案号: 3782156",
    # the 28 in the space after "2"; a second look read it alone, a line of its own. Beside a
    # header line, and only alone: "28" is any lab value.
    bed28 = {("28", "床号"): ("病案编号", "r:1")}
    for piece, head, y, want in (("28", "科别:妇科 2 病案号: 3782156", 101, ["28"]),
                                 ("28", "科别:妇科 2 病案号: 3782156", 130, []),   # another row
                                 ("28", "白细胞计数 10.8 x109/L", 101, []),       # no header
                                 ("28.5", "科别:妇科 2 病案号: 3782156", 101, []),
                                 ("2", "科别:妇科 2 病案号: 3782156", 101, [])):
        header = line((63, head), y=100)
        alone = line((250, piece), y=y)
        for ln in (header, alone):
            ln.source = "ocr"
        pg = page(header, alone)
        found = ValueHunter({}, beside_labels=bed28).find(pg)
        assert [covered_text(pg, [f]) for f in found] == want, (piece, head, y)
    printed = page(line((63, "科别:妇科 2 病案号: 3782156"), y=100), line((250, "28"), y=101))
    assert ValueHunter({}, beside_labels=bed28).find(printed) == []
    # Seed 73 V0016-07 (unseen), an exam form's cell "床 号 | +3" read "大中", and the "+3"
    # beside it read again alone as "二了": the sign two strokes, the 3 a hook like 了. Not a
    # lone 3, which any count is.
    bed3 = {("+3", "床号"): ("病案编号", "r:1")}
    for piece, want in (("二了", ["二了"]), ("了", []), ("二", []), ("二了了", [])):
        header = line((55, "科室“妇科 大中 住院号码|48oz0026"), y=100)
        alone = line((259, piece), y=104, size=8)
        for ln in (header, alone):
            ln.source = "ocr"
        pg = page(header, alone)
        found = ValueHunter({}, beside_labels=bed3).find(pg)
        assert [covered_text(pg, [f]) for f in found] == want, piece
