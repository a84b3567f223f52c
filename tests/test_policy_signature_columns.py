"""The shipped policy hides a table's signature column whatever the document was taken for."""
from __future__ import annotations

import pytest
from test_detect_grid import covered_text, line, page

from dsl import compile_file, default_ruleset_path
from workers.analyse import detect_page
from workers.detect.view import PageView


@pytest.fixture(scope="module")
def policy():
    return compile_file(default_ruleset_path())


def sheet():
    return page(line("随访观察单", y=60),
                line((50, "日期"), (120, "观察内容"), (400, "护士签名"), y=100),
                line((50, "12/05"), (120, "精神好，哭声响亮"), (400, "郭冬梅"), y=120),
                line((50, "12/06"), (120, "吃奶好，无呕吐"), (400, "蔡文"), y=140))


@pytest.mark.parametrize("doc_type", [None, "检验报告"])
def test_signature_column_of_an_unrecognised_document_is_hidden(policy, doc_type):
    kind = next((d for d in policy.documents if d.name == doc_type), None)
    layer = sheet()
    found = detect_page(policy, policy.rules_for(kind), layer, 1)
    hidden = covered_text(layer, found)
    assert "郭冬梅" in hidden and "蔡文" in hidden
    assert "精神好" not in hidden and "吃奶好" not in hidden and "12/05" not in hidden


def test_a_title_above_fields_naming_another_kind_decides_the_type(policy):
    # "病区：产科" below the title holds the 产科记录 pattern's word; the title comes first.
    from workers.classify import by_title, title_text
    layer = page(line("护理记录单", y=40), line("患者姓名：张三  病区：产科  床号：3", y=70))
    assert by_title(policy, title_text(layer)).name == "护理记录"


def test_a_signature_a_text_layer_joined_to_the_note_before_it_is_hidden(policy):
    # Seed 44 V0023-08: a wrapped note's last line reaches its column's edge and the nurse's
    # name beside it, centred in the taller row, sits 3 pt lower: extraction made one line
    # "…遵医嘱静脉输液杨春梅" of them, the gap between too narrow for a cell's.
    joined = line((270, "恶露量中，遵医嘱静脉输液"), y=120)
    name = line((396, "杨春梅"), y=123)
    joined.text += name.text
    joined.boxes += name.boxes
    layer = page(line("护理记录单", y=60),
                 line((50, "日期"), (120, "病情观察及护理措施"), (400, "护士签名"), y=100),
                 joined, line((50, "12/06"), (120, "吃奶好，无呕吐"), (400, "蔡文"), y=140))
    hidden = covered_text(layer, detect_page(policy, policy.rules_for(None), layer, 1))
    assert "杨春梅" in hidden and "蔡文" in hidden
    assert "遵医嘱静脉输液" not in hidden
    # On one baseline, or lower but smaller (a superscript), the characters are one cell's.
    level = line((120, "遵医嘱静脉输液"), (196, "杨春梅"), y=120)
    small = line((120, "遵医嘱静脉输液"), (196, "杨春梅"), y=120)
    small.boxes[-3:] = [(x0, y0 + 3, x1, y1) for x0, y0, x1, y1 in small.boxes[-3:]]
    for ln in (level, small):
        assert PageView.of(page(ln)).cells(0) == [(0, 10)]


def test_a_signature_at_print_size_ocr_garbled_after_its_label_is_hidden(policy):
    # Seed 61 V0004-02 (unseen): a scanned note's "医师签名： 江坤", the name handwritten at the
    # print's size, read "医师签名 本 37才": the colon as 本, the signature as 37才, all unsure.
    # The name rule took 本; the words OCR could not read after a signature's label go too.
    def scanned(text, unsure):
        read = line((355, text), y=400)
        read.source, read.unsure = "ocr", unsure
        return page(line("病程记录", y=60), read)
    layer = scanned("医师签名 本 37才", "     ? ???")
    hidden = covered_text(layer, detect_page(policy, policy.rules_for(None), layer, 1))
    assert "37才" in hidden and "医师签名" not in hidden
    # Words read with confidence are no signature's garbage.
    layer = scanned("医师签名 本 37才", "     ?    ")
    hidden = covered_text(layer, detect_page(policy, policy.rules_for(None), layer, 1))
    assert "37才" not in hidden
