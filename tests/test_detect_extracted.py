"""The detectors on a text layer as PyMuPDF extraction really gives it (cells as separate lines)."""
from __future__ import annotations

import pymupdf
import pytest

from dsl.model import AfterLabel, Column, Everything, Phone, Rule
from workers.detect import run_rule
from workers.extract import page_layer


@pytest.fixture(scope="module")
def layer():
    doc = pymupdf.open()
    pg = doc.new_page(width=595, height=842)
    pg.insert_font(fontname="cjk", fontbuffer=pymupdf.Font("cjk").buffer)
    for x, y, text in [
        (50, 60, "姓名：张三  性别：男  年龄：45岁"),
        (50, 80, "姓名"), (150, 80, "李四"), (250, 80, "性别"),
        (50, 100, "患者姓名："), (50, 116, "王五"),
        (60, 140, "姓名"), (160, 140, "性别"), (260, 140, "签名"),
        (55, 158, "赵六六"), (165, 158, "女"), (262, 158, "周梅"),
        (50, 180, "电话：138 1234 5678，体温36.5℃"),
        (50, 200, "姓  名：钱七"), (50, 220, "姓名：\u3000\u3000孙八"),
    ]:
        pg.insert_text((x, y), text, fontname="cjk", fontsize=11)
    yield page_layer(pg, 0)
    doc.close()


def test_names_in_every_layout(layer):
    rule = Rule("r:1", AfterLabel(("姓名", "患者姓名"), "name"), "患者姓名", None)
    assert [f.value for f in run_rule(rule, layer)] == ["张三", "李四", "王五", "赵六六", "钱七",
                                                         "孙八"]


def test_phone_and_column(layer):
    assert [f.value for f in run_rule(Rule("r:2", Phone(), "电话", None), layer)] == \
        ["13812345678"]
    col = Rule("r:3", Everything(), "医护人员", None, Column(("签名",)))
    found = run_rule(col, layer)
    assert found and all(f.rect[0] >= 200 and f.rect[1] >= 140 for f in found)
    texts = [ln.text for ln in layer.lines
             if any(f.rect[0] <= ln.bbox[0] and ln.bbox[2] <= f.rect[2] + 0.01
                    and f.rect[1] <= ln.bbox[1] for f in found)]
    assert "周梅" in texts and "赵六六" not in texts
