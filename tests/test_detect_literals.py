"""Words a pattern cannot match without, read from the regex: a page lacking them is skipped,
so they must never be more than the regex needs."""
from __future__ import annotations

import re

import pytest
from test_detect_grid import line, page, rule, values

from dsl import compile_file, default_ruleset_path
from dsl.model import Pattern
from workers.detect import run_rule
from workers.detect.literals import may_match, required


@pytest.mark.parametrize("regex, needs", [
    (r"(\d{1,3})\s*床", [{"床"}]),
    (r"住院号[:：]?\s*(\d+)", [{"住院号"}]),                       # an optional part needs nothing
    (r"(?:患者|病人)\s*[:：]\s*(\S+)", [{"患者", "病人"}, {":", "："}]),
    (r"(?!上级)[\u4e00-\u9fa5]{2}(?=医师|护士)", [{"医师", "护士"}]),  # only positive lookarounds
    (r"(?:^|(?<=[，,]))单位", [{"单位"}]),                          # an anchor alternative: nothing
    (r"(?:ab)+c", [{"ab"}, {"c"}]),
    (r"(?:ab)*c", [{"c"}]),
    (r"(?:甲乙|丙(?:丁|戊己))", [{"甲乙", "丙"}]),
])
def test_required_words(regex, needs):
    assert [set(n) for n in required(regex)] == needs


@pytest.mark.parametrize("regex", [r"(?i)单位id", r"(?i:id)\d+", r"\d{6,}", r"(?:单位|)\d"])
def test_nothing_is_required_where_the_regex_may_do_without(regex):
    assert all(not n or "id" not in n for n in required(regex))
    assert may_match(regex, "123456")


def test_may_match_needs_one_word_of_each_need():
    rx = r"(?:患者|病人)\s*[:：]\s*(\S+)"
    assert may_match(rx, "病人：张三")
    assert not may_match(rx, "病人 张三")          # no colon
    assert not may_match(rx, "家属：张三")          # no patient word


# Lines the shipped policy's patterns match (from its comments and the demo archive).
MATCHED = ["患者：张三", "单位：武汉市第一中学", "工作单位 武汉钢铁有限公司", "住院号：20240315",
           "12床", "丁若曦护师：", "吴桂兰（护师）、", "请王芳医师查看", "转入武汉市第一人民医院",
           "父亲张三同意", "湖北省武汉市洪山区珞喻路1037号3栋2单元501室"]


def test_the_shipped_patterns_never_require_more_than_a_matching_line_holds():
    policy = compile_file(default_ruleset_path())
    regexes = {r.detector.regex for r in _rules(policy) if isinstance(r.detector, Pattern)}
    assert len(regexes) > 10
    matched = 0
    for rx in regexes:
        for text in MATCHED:
            if re.search(rx, text):
                matched += 1
                assert may_match(rx, text), (rx, text)
    assert matched >= len(MATCHED) - 2     # the lines do exercise the patterns


def test_a_page_without_the_word_is_skipped_but_a_word_split_by_a_wrap_is_not():
    work = rule(Pattern(r"单位[:：]?\s*([^\s，。：]{2,30})", 1), "工作单位")
    assert values(run_rule(work, page(line("单位：武汉市第一中学")))) == ["武汉市第一中学"]
    assert run_rule(work, page(line("职业：教师"))) == []
    # "单" ends a paragraph's line and "位" opens the next: only the joined lines hold "单位"
    para = [line("患者于十年前在武汉市第一中学任教师，其工作单", y=100, x=50),
            line("位武汉市第一中学已核实", y=116, x=50)]
    whole = rule(Pattern(r"单位[:：]?\s*[^\s，。：]{2,30}", 0), "工作单位")
    assert values(run_rule(whole, page(*para))) == ["单位武汉市第一中学已核实"] * 2


def _rules(policy):
    yield from policy.rules
    for doc in policy.documents:
        yield from doc.rules
