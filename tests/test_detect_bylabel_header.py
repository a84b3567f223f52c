"""A short number under or beside a scanned table's header (`bylabel.under_label`,
`bylabel.beside_header_row`): however OCR misread the header, the number, or both."""
from __future__ import annotations

from test_detect_grid import covered_text, line, page

from workers.detect import ValueHunter


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
    # Seed 84 V0026-08 (unseen): an extra bed +2 read "十双" under its header read "床宇",
    # the sign a stand-in in place and OCR sure of it, so not all of the word was unread.
    # Not with another digit, nor longer than the number and a stray character.
    bed2 = {("+2", "床号"): ("病案编号", "r:1")}
    header = line((40, "科室 "), (200, "床宇 "), (330, "病案号"), y=100)
    for cell, want in (("十双", [("+2", "十双")]), ("十7", []), ("十双双双", []), ("双", [])):
        row = line((45, "产科 "), (205, cell + " "), (330, "50837104"), y=118)
        for ln in (header, row):
            ln.source = "ocr"
        pg = page(header, row)
        found = ValueHunter({}, beside_labels=bed2).find(pg)
        assert [(f.value, covered_text(pg, [f])) for f in found] == want, cell


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
