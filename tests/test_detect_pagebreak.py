"""A value a page break split: each page's part found by joining its first and last rows to
the pages around it (`workers.detect.pagebreak`)."""
from __future__ import annotations

from test_detect_grid import covered_text, line, page

from dsl import compile_file, compile_text, default_ruleset_path
from workers.analyse import detect_page
from workers.detect import ValueHunter
from workers.detect.pagebreak import PageBreaks, page_edges

SPOUSE = {"平亮": ("家属姓名", "r:1")}


def header_and(*body: str):
    """A progress note's page: hospital, title, the patient's header row, then `body`."""
    return page(line("郑州市妇幼保健院", y=48), line("病 程 记 录", y=72),
                line((48, "患者姓名：张宇轩"), (160, "性别：女"), (222, "年龄：37岁"), y=107),
                *(line(text, y=135 + 20 * i) for i, text in enumerate(body)),
                line((48, "郑州市妇幼保健院"), (489, "第1页/共3页"), y=799))


def test_a_name_split_by_a_page_break_is_found_on_both_pages_with_the_names_listed_after_it():
    # Seed 44 V0002-05: "与家属平" ends page 1, page 2 goes on below its header "亮、李小红沟通".
    first = header_and("患者今日病情平稳。", "考虑妊娠合并心脏病，记24小时出入量。与家属平")
    second = header_and("亮、李小红沟通，家属同意进一步检查。", "复查血常规。")
    hunter = ValueHunter(SPOUSE)
    ends, starts = page_edges(first)[1], page_edges(second)[0]
    assert covered_text(first, hunter.find(first, after=starts)) == "平"
    found = hunter.find(second, before=ends)
    assert covered_text(second, found) == "亮李小红"
    assert {f.value for f in found} == {"平亮", "李小红"}
    # Alone, neither page holds the name.
    assert hunter.find(first) == [] and hunter.find(second) == []


def test_only_a_value_the_break_runs_through_is_taken():
    hunter = ValueHunter(SPOUSE)
    # The whole name on one side, or halves of two different lines far from the break.
    whole = header_and("与家属平亮沟通。")
    assert covered_text(whole, hunter.find(whole, before=("与家属平",))) == "平亮"
    other = header_and("亮度正常，无异常。")
    assert hunter.find(other, before=("与家属沟通。",)) == []
    # The previous page's end meets this page's first rows only, not its middle.
    deep = header_and(*["复查血常规。"] * 8, "亮、李小红沟通")
    assert hunter.find(deep, before=("与家属平",)) == []


def read_in_order(policy, *pages):
    """Pass 1 over `pages` (numbered from 0 in turn): each page's findings, by number."""
    rules = policy.rules_for(None)
    breaks = PageBreaks(lambda some, joined: detect_page(policy, some, joined, len(pages)),
                        rules)
    findings = {}
    for number, pg in enumerate(pages):
        pg.number = number
        findings[number] = detect_page(policy, rules, pg, len(pages))
        breaks.read(pg, findings)
    return findings


def test_a_label_ending_a_page_and_its_value_opening_the_next_are_read_as_one_line():
    policy = compile_text('policy "p" version 1\n    default action box\n    ocr never\n'
                          'find name after label "家属" as 家属姓名\n')
    second = header_and("李小红沟通，家属同意进一步检查。", "复查血常规。")
    findings = read_in_order(
        policy, header_and("患者今日病情平稳。", "考虑妊娠合并心脏病，记24小时出入量。与家属"), second)
    assert findings[0] == []
    assert covered_text(second, findings[1]) == "李小红"
    assert [(f.page, f.value) for f in findings[1]] == [(1, "李小红")]
    # A last line that ends in no label is not joined: "…出入量。" then "李小红沟通" is no name.
    ended = header_and("患者今日病情平稳。", "记24小时出入量。")
    assert read_in_order(policy, ended, second)[1] == []


def test_a_signature_line_ending_a_page_takes_nothing_from_the_next():
    # Progress notes end in "记录医师：" over a handwritten signature; the next note, on the
    # next page, opens with its date and title, which stay.
    policy = compile_file(default_ruleset_path())
    first = header_and("患者今日病情平稳。", "记录医师：")
    second = header_and("2025-06-01 03:45  主治医师查房记录", "孕妇今日病情平稳，前囟平软。")
    together = read_in_order(policy, first, second)
    alone = [detect_page(policy, policy.rules_for(None), pg, 2) for pg in (first, second)]
    assert together == dict(enumerate(alone))
