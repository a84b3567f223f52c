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


def test_a_signature_ocr_read_as_a_record_word_is_not_hunted():
    # Seed 42 V0001-04: a nurse's signature read "出院" would hit every "出院记录" and the
    # export's outline, and the record was refused for it.
    hunter = ValueHunter({"出院": ("医护人员", "x"), "王芳": ("医护人员", "y")})
    assert values(hunter.find(page(rows("出院记录 王芳执行")))) == ["王芳"]
    assert not hunter.contains("护理记录\n出院记录")


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
