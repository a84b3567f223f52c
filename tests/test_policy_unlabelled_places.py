"""The shipped policy finds addresses and workplaces whose label OCR could not read."""
from __future__ import annotations

import pytest
from test_detect_grid import line, page

from dsl import compile_file, default_ruleset_path
from workers.analyse import detect_page


@pytest.fixture(scope="module")
def policy():
    return compile_file(default_ruleset_path())


def found(policy, *texts):
    layer = page(*[line(t, y=100 + 20 * n) for n, t in enumerate(texts)])
    return {(f.category, f.value) for f in detect_page(policy, policy.rules, layer, 1)}


def test_an_address_is_found_by_its_shape_under_a_label_ocr_read_as_noise(policy):
    got = found(policy, "弓位姑", "深圳市南山区大冶村7组64号2", "下作单外", "深圳纺织厂")
    # The noise digit OCR read after it goes with it.
    assert ("住址", "深圳市南山区大冶村7组64号2") in got
    assert ("工作单位", "深圳纺织厂") in got


@pytest.mark.parametrize("address", [
    "广东省深圳市南山区科技园南路18号", "河南省新郑市城关乡小乔村3组",
    "杭州市 西湖区 文三路 478号 3栋 2单元 501室", "上海市浦东新区张江路100弄5号1202室",
    "合肥市蜀山区嘉禾社区10组38号", "成都市武侯区人民南路四段11号"])
def test_addresses_of_many_forms(policy, address):
    assert ("住址", address.replace(" ", "")) in found(policy, f"家属诉：{address}")


def test_clinical_text_with_numbers_and_places_keeps_its_words(policy):
    got = found(policy, "患者于本市人民医院就诊，转入市中心医院ICU，3号床。",
                "县医院转入，给予3组补液，消化道出血3次，高血压3级。",
                "市区某路口车祸后2小时", "妊娠结局", "化工厂工人，接触苯")
    assert not {c for c, _ in got} & {"住址", "工作单位"}
