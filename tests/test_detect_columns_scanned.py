"""Signature columns of scanned tables, as OCR reads them: header cells joined, rows joined."""
from __future__ import annotations

from test_detect_grid import line, page, rule

from dsl.model import Column, Everything
from workers.detect import run_rule

W, H = 595.0, 842.0
HEADERS = ("医师签名", "护士签名", "停止医师", "医师", "护士", "签名")


def ocr(*segments, y):
    got = line(*segments, y=y)
    got.source = "ocr"
    return got


def blanked(found, x: float, y: float) -> bool:
    """Whether a finding on the scan image covers the point (x, y)."""
    return any(f.kind == "image" and f.rect[0] <= x <= f.rect[2] and f.rect[1] <= y <= f.rect[3]
               for f in found)


def orders_sheet(*body):
    # OCR joined the two signature headers into one cell; 停止医师 stands in a cell of its own.
    header = ocr((50, "日期”时间"), (150, "医嘱内容"), (330, "医师签名。护士签名"), (470, "停止医师"),
                 y=100)
    return page(header, *body, images=[(0, 0, W, H)])


def test_each_header_of_a_joined_header_cell_heads_its_own_column():
    pg = orders_sheet(ocr((50, "12/19"), (150, "丙种球蛋白 静滴"), (335, "方圆"), (390, "木林"), y=120),
                      ocr((50, "12/19"), (150, "新生儿护理常规"), y=140))
    found = run_rule(rule(Everything(), "医护人员", Column(HEADERS)), pg)
    # The doctor's and the nurse's handwriting in the second row were not read at all.
    assert blanked(found, 345, 145) and blanked(found, 400, 145)
    assert not blanked(found, 200, 145)          # the order itself stays


def test_a_row_ocr_joined_across_the_signature_columns_does_not_end_the_table():
    pg = orders_sheet(ocr((50, "12/23 14:42 病危甲乙丙丁戊己庚辛壬癸子"), y=120),
                      ocr((50, "12/23"), (150, "地塞米松 肌注"), (335, "水山"), (390, "石土"), y=140),
                      ocr((50, "12/24"), (150, "心电监护"), y=160))
    found = run_rule(rule(Everything(), "医护人员", Column(HEADERS)), pg)
    assert blanked(found, 345, 165) and blanked(found, 400, 165)


def test_a_note_running_across_below_the_table_still_ends_it():
    pg = orders_sheet(ocr((50, "12/19"), (150, "心电监护"), (335, "方圆"), y=120),
                      ocr((50, "注：本医嘱单由医师开具，护士执行后签名，如有疑问请与科室联系，联系电话见护士站公告栏"), y=160))
    found = run_rule(rule(Everything(), "医护人员", Column(HEADERS)), pg)
    assert blanked(found, 345, 125)
    assert not blanked(found, 345, 165)


def test_a_sentence_mentioning_a_header_word_is_no_header():
    pg = page(ocr((50, "患者家属已在知情同意书上签名"), y=100), ocr((50, "12/19"), (300, "张三"), y=120),
              images=[(0, 0, W, H)])
    assert run_rule(rule(Everything(), "医护人员", Column(HEADERS)), pg) == []


def test_the_notes_column_keeps_the_ends_of_its_lines():
    # Halfway between the headers (x 260) lies inside the notes column: its lines run to x 270.
    header = ocr((50, "日期"), (100, "病情观察及护理措施"), (330, "护士签名"), y=100)
    pg = page(header, ocr((50, "12/19"), (100, "面色苍白，皮肤黄染，遵医嘱静脉输液"), (335, "李娜"), y=120),
              ocr((50, "12/19"), (100, "神志清"), y=140), images=[(0, 0, W, H)])
    found = run_rule(rule(Everything(), "医护人员", Column(HEADERS)), pg)
    assert blanked(found, 340, 125) and blanked(found, 340, 145)
    assert not blanked(found, 265, 125)


def test_a_header_row_read_as_one_cell_with_a_misread_word():
    # "停止医师" read "停止攻师": the row is still a header row, its signature columns count.
    header = ocr((50, "日期 时间医嘱内容"), (330, "医师签名“护士签名 停止日期 停止攻师"), y=100)
    pg = page(header, ocr((50, "01/14"), (150, "胎心监护 bid"), y=120), images=[(0, 0, W, H)])
    found = run_rule(rule(Everything(), "医护人员", Column(HEADERS)), pg)
    assert blanked(found, 345, 125) and blanked(found, 400, 125)
    assert not blanked(found, 200, 125)


def test_several_rows_in_a_row_ocr_joined_across_the_columns():
    # Two rows read as one cell each, from the date across both signature columns.
    pg = orders_sheet(ocr((50, "01/14 07:11 人血白蛋白静滴每日一次共七天"), (265, "方圆木林水某某某某某某某某"),
                          (400, " 2024/01/19"), y=120),
                      ocr((50, "01/14 11:09 头孢曲松钠静滴每日一次共七天"), (265, "石土火风云某某某某某某某某"),
                          (400, " 2024/01/20"), y=140),
                      ocr((50, "01/14"), (150, "胎心监护 bid"), (335, "金木"), (390, "水火"), y=160),
                      ocr((50, "01/16"), (150, "蓝光治疗"), y=180))
    found = run_rule(rule(Everything(), "医护人员", Column(HEADERS)), pg)
    assert blanked(found, 345, 185) and blanked(found, 400, 185)


def test_a_stretched_underscore_ocr_made_of_handwriting_parts_cells():
    """OCR read the signatures' underline flourishes as "_" as wide as the gaps between the
    order and the signatures: one cell ran across the doctor's column, and the column ended
    under its header. A rule-like character that wide separates cells."""
    def placed(row, at, x0, x1):
        b = row.boxes[at]
        row.boxes[at] = (x0, b[1], x1, b[3])

    rows = []
    for y in (120, 140, 160):
        row = ocr((45, "04/21 16:39 氢化可的松静滴q6h_记地_鸡雪邦"), y=y)
        first = row.text.index("_")
        placed(row, first, row.boxes[first][0], 334.0)       # a flourish up to the doctor
        for n, x in enumerate((335.0, 345.0)):                # the doctor's name, misread
            placed(row, first + 1 + n, x, x + 10)
        placed(row, first + 3, 356.0, 397.0)                  # a flourish up to the nurse
        for n, x in enumerate((398.0, 408.0, 418.0)):         # the nurse's name, misread
            placed(row, first + 4 + n, x, x + 10)
        rows.append(row)
    found = run_rule(rule(Everything(), "医护人员", Column(HEADERS)), orders_sheet(*rows))
    for y in (125, 145, 165):
        assert blanked(found, 345, y) and blanked(found, 400, y), f"row at {y} keeps its columns"
    assert not blanked(found, 100, 145), "the order stays"


def test_the_last_rows_ocr_joined_across_the_signature_columns_are_still_table():
    # The last row's order runs on into both signatures; below it, one more row whose two
    # signatures OCR read as one cell starting in the doctor's column.
    pg = orders_sheet(ocr((50, "12/19"), (150, "心电监护"), (335, "方圆"), (390, "木林"), y=120),
                      ocr((50, "12/24"), (100, "11:21 阿莫西林克拉维酸钾注射液 静滴 q8h 遵医嘱。_C楷淹，。欢雪帮"), y=140),
                      ocr((50, "12/26"), (150, "头孢曲松钠 静滴"), (335, "_p玫KR。甲乙丙丁"), y=160))
    found = run_rule(rule(Everything(), "医护人员", Column(HEADERS)), pg)
    assert blanked(found, 345, 165) and blanked(found, 400, 165)
    assert not blanked(found, 200, 165)


def test_a_header_row_with_a_word_half_misread_is_still_a_header_row():
    # "护士签名" read "护十签对": four letters no header word covers, in a row of sixteen.
    # And the "医" of 医师签名 stretched back over 医嘱内容, as OCR gives a character after a gap.
    header = ocr((50, "日期 时间"), (150, "医嘱内容医师签名 护十签对，，停止日期“停止医师"), y=100)
    i = header.text.index("医师")
    header.boxes[i] = (140.0, *header.boxes[i][1:])
    pg = page(header, ocr((50, "01/14"), (100, "胎心监护 bid"), y=120), images=[(0, 0, W, H)])
    found = run_rule(rule(Everything(), "医护人员", Column(HEADERS)), pg)
    assert blanked(found, 210, 125) and blanked(found, 255, 125)
    assert not blanked(found, 120, 125) and not blanked(found, 155, 125)


def test_a_row_read_across_the_table_above_rows_of_joined_signatures():
    # One row read as one cell from its date to its stop date; below it, each row's doctor and
    # nurse read as one cell that starts in the doctor's column and ends in the nurse's.
    pg = orders_sheet(ocr((50, "04/27 08:32 0.9%氯化钠注射液100ml静滴bid每日两次遵医嘱执行地#才。。鸡雪施，2023/04/27"), y=120),
                      *[ocr((50, "04/27"), (150, "测血压 q4h"), (335, "寺放。。鸡雪帮"), y=y)
                        for y in (140, 160, 180)])
    found = run_rule(rule(Everything(), "医护人员", Column(HEADERS)), pg)
    assert blanked(found, 340, 185) and blanked(found, 365, 185) and blanked(found, 400, 185)
    assert not blanked(found, 200, 185)


def skewed(got, slope: float, x0: float = 50.0):
    """The line as a scan put on the glass askew gives it: falling `slope` pt per pt right."""
    got.boxes = [(b[0], b[1] + slope * (b[0] - x0), b[2], b[3] + slope * (b[0] - x0))
                 for b in got.boxes]
    return got


def test_a_column_follows_the_tilt_of_a_skewed_scan():
    # The page is tilted 1.7 degrees: 24 rows down, the signatures stand 15 pt left of where
    # the header is, beside the notes' column.
    slope = 0.03
    header = ocr((50, "日期 时间"), (270, "病情观察及护理措施的记录"), (400, "护士签名"), y=100)
    rows = [ocr((50 - slope * (y - 100), "04/12 07:46"),
                (250 - slope * (y - 100), "面色红润，四肢温，记录出入量"),
                (402 - slope * (y - 100), "李娜"), y=y) for y in range(120, 600, 20)]
    pg = page(*[skewed(ln, slope) for ln in [header, *rows]], images=[(0, 0, W, H)])
    found = run_rule(rule(Everything(), "医护人员", Column(HEADERS)), pg)
    last = pg.lines[-1]
    name = [b for ch, b in zip(last.text, last.boxes) if ch in "李娜"]
    assert all(blanked(found, (b[0] + b[2]) / 2, (b[1] + b[3]) / 2) for b in name)
    assert all(blanked(found, b[0] + 1, (b[1] + b[3]) / 2) for b in name)
    note = [b for ch, b in zip(last.text, last.boxes) if ch in "记录出入量"]
    assert not any(blanked(found, (b[0] + b[2]) / 2, (b[1] + b[3]) / 2) for b in note)


def ruled(pg, xs, top: float, bottom: float, lean: float = 0.0):
    """The page with printed vertical rules at `xs` (at `top`), leaning `lean` pt per pt down."""
    pg.rules = [(x, top, x + lean * (bottom - top), bottom) for x in xs]
    return pg


def test_printed_rules_carry_the_column_to_the_last_row_however_ocr_joined_the_rows():
    # Every row read as one line from its date to the nurse's hand: from the text alone the
    # table seems to end at its first row. The rules run on to the table's bottom at y 190.
    rows = [ocr((50, "07/18 22:18 缩宫素注射液10U肌注st张各党和秀学到有站"), y=y)
            for y in (120, 140, 160, 180)]
    header = ocr((50, "日期”时间，医嘱内容 医师签名 护士签名 停止日期"), y=100)
    a, b = header.text.index("医师签名"), header.text.index("护士签名")
    left, mid, right = header.boxes[a][0] - 4, header.boxes[b][0] - 3, header.boxes[b + 3][2] + 4
    pg = ruled(page(header, *rows, images=[(0, 0, W, H)]), (45, left, mid, right, 560), 95, 200)
    found = run_rule(rule(Everything(), "医护人员", Column(HEADERS)), pg)
    assert blanked(found, (left + mid) / 2, 185) and blanked(found, (mid + right) / 2, 185)
    # Between the rules only: the order beside them and the stop date stay.
    assert not blanked(found, left - 3, 185) and not blanked(found, right + 3, 185)
    assert not blanked(found, (left + mid) / 2, 205)       # below the table
    # Nothing of the order is taken with the signatures OCR joined to it.
    assert all(f.rect[0] >= left for f in found if f.kind == "region")


def test_a_misread_header_between_rules_still_heads_its_column():
    # "护士签名" read "护芋答名": no header word is left in the row, the rules confirm it.
    header = ocr((50, "日期 时间 体温 病情观察及护理措施"), (400, "护芋答名"), y=100)
    rows = [ocr((50, "05-16 08:54 39.1 皮肤黄染，吸吮力弱"), (405, "马丰六"), y=y) for y in (120, 140)]
    pg = ruled(page(header, *rows, images=[(0, 0, W, H)]), (45, 395, 460), 95, 160, lean=-0.02)
    found = run_rule(rule(Everything(), "医护人员", Column(HEADERS)), pg)
    assert blanked(found, 425, 145) and not blanked(found, 300, 145)
    # Nor when its last character is misread too, in a header row OCR joined.
    joined = ocr((50, "昌期 时间 医嘱内容医师签名 护十签对，，停止日期"), y=100)
    n = joined.text.index("护十签对")
    x0, x1 = joined.boxes[n][0] - 4, joined.boxes[n + 3][2] + 4
    pg = ruled(page(joined, ocr((50, "07/09 15:44 奥美拉唑40mg静滴qd 实参张译"), y=120),
                    images=[(0, 0, W, H)]), (45, x0, x1), 95, 160)
    assert blanked(run_rule(rule(Everything(), "医护人员", Column(HEADERS)), pg), (x0 + x1) / 2, 125)
    # "停止日期" is no misread "停止医师": the word of a date column is in it.
    dates = ruled(page(ocr((50, "日期 医嘱"), (400, "停止日期"), y=100),
                       ocr((50, "05-16 输液"), (405, "05-18"), y=120), images=[(0, 0, W, H)]),
                  (45, 395, 460), 95, 160)
    assert not blanked(run_rule(rule(Everything(), "医护人员", Column(HEADERS)), dates), 425, 125)
