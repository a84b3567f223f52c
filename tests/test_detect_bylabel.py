"""The record-wide hunt for a short number by its label on a scan (`workers.detect.bylabel`):
beside it or after it, however OCR misread the label, the number, or both. Under a table's
header: test_detect_bylabel_header."""
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
