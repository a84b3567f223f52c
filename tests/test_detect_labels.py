"""Values after labels in the layouts Chinese hospital forms use, and what must stay readable."""
from __future__ import annotations

import pytest
from test_detect_grid import covered_text, line, page, rule, values

from dsl.model import AfterLabel
from workers.detect import run_rule

NAME = rule(AfterLabel(("姓名", "患者姓名", "病人"), "name"), "患者姓名")
ALLOW = frozenset({"主任医师", "副主任医师", "主治医师", "护士长"})


def names(*lines, det=NAME, allow=frozenset()) -> list[str]:
    return values(run_rule(det, page(*lines), allow))


@pytest.mark.parametrize("text", [
    "姓名：张三  性别：男",
    "姓名:张三 性别:男",
    "姓名 张三 性别 男",
    "姓名张三性别男年龄45岁",
    "姓  名：张三",
    "姓\u3000名：张三",
    "患者姓名：张三，男，45岁",
])
def test_same_line_colon_styles(text):
    assert names(line(text)) == ["张三"]


def test_finding_box_covers_the_value_not_the_label():
    pg = page(line("姓名：欧阳娜娜 性别：女"))
    [f] = run_rule(NAME, pg)
    assert covered_text(pg, [f]) == "欧阳娜娜"
    assert f.category == "患者姓名" and f.rule == "t:1"


def test_value_in_next_cell_same_line():
    assert names(line((50, "姓名"), (150, "李四"), (250, "性别"), (350, "男"))) == ["李四"]
    assert names(line((50, "姓名："), (150, "李四"))) == ["李四"]


def test_value_in_next_cell_given_as_its_own_line():
    # Extraction may cut a table row into one line per cell.
    assert names(line((50, "姓名")), line((150, "王芳"))) == ["王芳"]


def test_value_on_the_line_below():
    assert names(line("患者姓名：", y=100), line("赵六", y=116)) == ["赵六"]


def test_table_header_row_with_values_below():
    header = line((60, "姓名"), (160, "性别"), (260, "年龄"), (360, "床号"), y=100)
    row = line((52, "司马相如"), (165, "男"), (262, "45岁"), (365, "12"), y=118)
    assert names(header, row) == ["司马相如"]
    number = rule(AfterLabel(("床号",), "number"))
    assert values(run_rule(number, page(header, row))) == ["12"]


def test_header_row_with_narrow_spaces():
    header = line("床号 姓名   性别 年龄", y=100)
    row = line("12   李小龙 男   45岁", y=118)
    assert names(header, row) == ["李小龙"]


def test_header_centred_over_a_left_aligned_value():
    header = line((90, "姓名"), (190, "科室"), y=100)
    row = line((52, "孙悟"), (152, "儿科"), y=118)
    assert names(header, row) == ["孙悟"]


def test_empty_value_takes_nothing():
    assert names(line((50, "姓名："), (200, "性别：男"))) == []
    assert names(line((50, "姓名："), (200, "性别：男"), y=100),
                 line("住址：北京市", y=118)) == []


def test_name_stops_at_a_title_and_allow_words_protect_titles():
    assert names(line("病人：张三主任医师"), allow=ALLOW) == ["张三"]
    det = rule(AfterLabel(("医师",), "name"))
    assert names(line("主任医师签名：王五"), det=det, allow=ALLOW) == ["王五"]
    nurse = rule(AfterLabel(("护士",), "name"))
    assert names(line("护士长：李梅"), det=nurse, allow=ALLOW) == ["李梅"]


def test_allow_word_covering_the_whole_value_is_never_returned():
    det = rule(AfterLabel(("记录者",), "name"))
    assert names(line("记录者：主任医师"), det=det, allow=ALLOW) == []


def test_label_in_running_text_without_colon():
    det = rule(AfterLabel(("患者",), "name"))
    pg = page(line("患者张三因腹痛3天入院。"))
    found = run_rule(det, pg)
    assert values(found) == ["张三"]
    assert covered_text(pg, found) == "张三"      # 因腹痛 stays readable
    assert names(line("患者于今晨出现发热，家属要求转院。"), det=det) == []
    assert names(line("患者诉头痛，无恶心呕吐。"), det=det) == []


def test_a_form_row_value_whose_surname_ocr_misread():
    # A scanned discharge summary: OCR read 蒋静 as 狗静. 狗 is no surname, but a label and two
    # characters filling a cell, the next cell a field, is a form row, not a sentence.
    row = line("姓 名 狗静", (200.0, "性别 女"), (320.0, "年龄 25岁"))
    assert names(row) == ["狗静"]
    # Running text after the same label still needs a name's shape.
    assert names(line("姓名不详", (200.0, "性别 女"))) == []
    assert names(line("病人于今晨出现发热，家属要求转院。")) == []


def test_a_newborn_named_after_its_mother_is_taken_whole():
    # "曾可馨之女" is the newborn's name until it has its own: 之女 left beside a box reads
    # "[患者甲]之女", and the name once cut at four characters left "女" (seed 26 V0005).
    assert names(line("姓名 曾可馨之女", (200.0, "性别 女"))) == ["曾可馨之女"]
    assert names(line("患者姓名：陈霞之子，男，3天")) == ["陈霞之子"]


def test_names_list():
    det = rule(AfterLabel(("参加人员", "参加者"), "names"))
    assert names(line("参加人员：张三、李四、王五 主任医师"), det=det, allow=ALLOW) == \
        ["张三", "李四", "王五"]
    assert names(line("参加者：张三主任医师、李四副主任医师，王小五护士长"), det=det,
                 allow=ALLOW) == ["张三", "李四", "王小五"]


def test_latin_and_spaced_names():
    assert names(line("姓名：John Smith  性别：男")) == ["John Smith"]
    assert names(line("姓名：张  三  性别：男")) == ["张三"]


def test_number_date_and_text_shapes():
    pg = page(line("住院号：ZY-2024-0315  床号：12床  入院日期：2024年3月15日 10时30分"),
              line("住址：北京市朝阳区幸福路12号电话：13812345678", y=120))
    num = rule(AfterLabel(("住院号", "床号"), "number"))
    date = rule(AfterLabel(("入院日期",), "date"))
    text = rule(AfterLabel(("住址",), "text"))
    assert values(run_rule(num, pg)) == ["ZY-2024-0315", "12"]
    assert values(run_rule(date, pg)) == ["2024年3月15日10时30分"]
    assert values(run_rule(text, pg)) == ["北京市朝阳区幸福路12号"]


def test_a_long_number_ocr_broke_with_a_mark_is_taken_whole_on_a_scan():
    # "330106198802080505" read "ao1o6; 98802080505" (seed 24): the boxed "ao1o6" left the
    # birth date and sequence readable. Printed text says what it says: not joined there.
    ocr = line("公民身份号码ao1o6; 98802080505  床号：23，体重3.5kg")
    ocr.source = "ocr"
    num = rule(AfterLabel(("公民身份号码", "床号"), "number"))
    assert values(run_rule(num, page(ocr))) == ["ao1o6;98802080505", "23"]
    assert values(run_rule(num, page(line("公民身份号码ao1o6; 98802080505")))) == ["ao1o6"]
    # Seed 47 V0028-01: "联系人电话132 5857 6151" read "…132 58s7 6151", a digit as a letter
    # inside a group; on a scan the group still goes on the number, a word after it does not.
    phone = rule(AfterLabel(("联系人电话",), "number"))
    for text, want in (("联系人电话132 58s7 6151", "13258s76151"),
                       ("联系人电话132 5857 6151 sec", "13258576151")):
        read = line(text)
        read.source = "ocr"
        assert values(run_rule(phone, page(read))) == [want], text


def test_text_value_ends_at_the_cell():
    text = rule(AfterLabel(("工作单位",), "text"))
    pg = page(line((50, "工作单位：北京市 第一 机床厂"), (300, "职业：工人")))
    assert values(run_rule(text, pg)) == ["北京市第一机床厂"]


def test_label_never_returned_and_clinical_line_untouched():
    pg = page(line("姓名：李雷"), line("主诉：反复咳嗽3天，伴发热。", y=120),
              line("诊断：社区获得性肺炎", y=140))
    found = run_rule(NAME, pg)
    assert covered_text(pg, found) == "李雷"


DOCTOR = rule(AfterLabel(("医师", "主治医师", "主任医师", "值班医师", "住院医师"), "name"), "医护人员")


def test_titles_in_narrative_keep_clinical_words():
    pg = page(line("2023-08-16 主治医师查房记录"),
              line("何雨桐主任医师：肾上腺素：考虑功能失调性子宫出血。", y=120),
              line("值班医师曲伟立即组织抢救，心肺复苏。", y=140))
    found = run_rule(DOCTOR, pg)
    assert values(found) == ["曲伟"]
    assert covered_text(pg, found) == "曲伟"


def test_names_with_titles_in_brackets():
    det = rule(AfterLabel(("参加人员",), "names"))
    assert names(line("参加人员：王阳（副主任医师）、田志强(主治医师)、曲伟"), det=det) == \
        ["王阳", "田志强", "曲伟"]


def test_label_closing_a_sentence_does_not_take_the_next_line():
    pg = page(line("伤口敷料干燥，宫缩好，通知值班医师", y=100),
              line("伤口敷料干燥，哭声弱，予保暖", y=116))
    assert run_rule(DOCTOR, pg) == []


def test_header_cell_beside_a_label_is_not_its_value():
    # A lab report's header row: the value of 送检医师 is under it, not the next header.
    doctor = rule(AfterLabel(("送检医师",), "name"), "医护人员")
    header = [line((60, "标本类型"), y=100), line((160, "标本号"), y=100),
              line((260, "送检医师"), y=100), line((360, "临床诊断"), y=100)]
    row = [line((60, "全血"), y=118), line((160, "2305304689"), y=118),
           line((262, "李刚"), y=118), line((360, "急性心肌梗死"), y=118)]
    pg = page(*header, *row)
    found = run_rule(doctor, pg)
    assert values(found) == ["李刚"]
    assert "临床" not in covered_text(pg, found)


def test_a_label_heading_a_short_list_of_names():
    family = rule(AfterLabel(("家属",), "name"), "家属姓名")
    assert names(line("与家属王旭、周成沟通，家属同意进一步检查。"), det=family) == ["王旭", "周成"]
    assert names(line("与家属杜明、文思远沟通。"), det=family) == ["杜明", "文思远"]
    # A compound surname's name is four characters (seed 61 V0018-02, unseen: 欧阳建平 stayed).
    assert names(line("与家属夏丹丹、欧阳建平沟通，家属同意"), det=family) == ["夏丹丹", "欧阳建平"]
    assert names(line("与家属欧阳建平、夏丹丹沟通，家属同意"), det=family) == ["欧阳建平", "夏丹丹"]
    assert names(line("与家属夏丹丹、司马建平安沟通"), det=family) == ["夏丹丹"]
    assert names(line("与家属欧阳建平沟通，家属同意"), det=family) == ["欧阳建平"]
    # what follows the list is not a name
    assert names(line("家属张伟、同意手术"), det=family) == ["张伟"]


def test_a_list_of_participants_wrapped_onto_the_next_line():
    staff = rule(AfterLabel(("参加人员",), "names"), "医护人员")
    first = line("参加人员：迟桂芝副主任医师、蒋鑫主治医师、桂梓萱（副主任医", y=100)
    second = line("师）、张家豪（护士长）、周桂花护士", y=116)
    after = line("患者杜彬，男，38岁。", y=132)
    assert values(run_rule(staff, page(first, second, after))) == [
        "迟桂芝", "蒋鑫", "桂梓萱", "张家豪", "周桂花"]


def test_an_extra_bed_number_keeps_its_plus():
    bed = rule(AfterLabel(("床位号",), "number"), "病案编号")
    pg = page(line("床位号：+6  住院号：202318656"))
    found = run_rule(bed, pg)
    assert values(found) == ["+6"]
    assert covered_text(pg, found) == "+6"


def test_a_workplace_under_a_bare_label_but_not_a_unit():
    place = rule(AfterLabel(("单位",), "place"), "工作单位")
    form = page(line((58, "单位"), y=359), line((58, "昆明纺织厂"), y=371))
    assert values(run_rule(place, form)) == ["昆明纺织厂"]
    lab = page(line((60, "结果"), (200, "单位"), (300, "参考区间"), y=100),
               line((60, "5.2"), (200, "mmol/L"), (300, "3.9-6.1"), y=116),
               line((60, "2"), (200, "毫升"), y=132))
    assert run_rule(place, lab) == []
    assert run_rule(place, page(line("患者单位同事陪同来院"))) == []
    # Seed 49 V0010-02: "单位 昆明纺织厂" on a line of its own, 厂 read 三: no organisation's
    # ending, but the label, a space and one word are the whole line, a form's field.
    assert values(run_rule(place, page(line("单位 昆明纺织三")))) == ["昆明纺织三"]
    for other in ("单位 参考区间", "单位 同事陪同来院 看望", "患者 单位同事陪同"):
        assert run_rule(place, page(line(other))) == [], other


def test_relatives_listed_across_a_line_break():
    family = rule(AfterLabel(("家属",), "name"), "家属姓名")
    first = line("继续予低分子肝素钙4100IU 皮下注射 qd，心电监护。与家属吴秀兰、", y=100)
    assert values(run_rule(family, page(first, line("金欢沟通，家属同意进一步检查。", y=120)))) \
        == ["吴秀兰", "金欢"]
    # The list ended earlier on the line: the next line is not a continuation of it.
    ended = line("与家属吴秀兰沟通，病情、", y=100)
    assert values(run_rule(family, page(ended, line("金欢同意手术", y=120)))) == ["吴秀兰"]


def test_participants_wrapped_after_a_bracketed_title():
    staff = rule(AfterLabel(("参加人员",), "names"), "医护人员")
    first = line("参加人员：迟桂芝（副主任医师）、蒋鑫主治医师、", y=100)
    second = line("李宇轩（护师）、龚浩宇（护士）", y=116)
    assert values(run_rule(staff, page(first, second))) == ["迟桂芝", "蒋鑫", "李宇轩", "龚浩宇"]
    first = line("参加人员：迟桂芝（副主任医师）、蒋鑫（主治医师）、", y=100)
    assert values(run_rule(staff, page(first, second))) == ["迟桂芝", "蒋鑫", "李宇轩", "龚浩宇"]


def test_a_latin_label_is_a_word_of_its_own():
    """"ID" inside "静滴bid" is no label: the date that OCR read just below it, under the
    signature that made the row tall, is not a record number (a scanned orders sheet)."""
    number = rule(AfterLabel(("ID", "Tel", "床号"), "number"))
    order = line((55, "年3月6日 1230 0.99氧化钠注射液100ml静泣bid"), (470, "_动薄去"), y=207)
    order.source = "ocr"
    order.boxes[-4:] = [(b[0], 207.0, b[2], 243.0) for b in order.boxes[-4:]]  # handwriting
    below = line((54, "2025年3月6日 18:45 对乙酰氨基酚0.25g口服prn"), y=237)
    below.source = "ocr"
    assert values(run_rule(number, page(order, below))) == []
    assert values(run_rule(number, page(line("ID：778899  床号12", y=100)))) == ["778899", "12"]


def test_a_value_keeps_the_label_it_stood_after():
    # The record hunts a short bed number beside this label on the other pages.
    bed = rule(AfterLabel(("床号", "住院号"), "number"), "病案编号")
    found = run_rule(bed, page(line("床 号：12  住院号：20240517")))
    assert [(f.value, f.label) for f in found] == [("12", "床号"), ("20240517", "住院号")]
