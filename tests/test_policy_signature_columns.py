"""The shipped policy hides a table's signature column whatever the document was taken for."""
from __future__ import annotations

import pytest
from test_detect_grid import covered_text, line, page

from dsl import compile_file, default_ruleset_path
from workers.analyse import detect_page


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
