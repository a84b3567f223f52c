"""The policy language compiles each construct to the dataclasses the pipeline reads."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import dsl
from dsl.model import (
    Action,
    AfterLabel,
    Column,
    DocumentType,
    Everything,
    Handwriting,
    IdCard,
    Images,
    MetaEquals,
    Pattern,
    Phone,
    Region,
    Signature,
    TitleMatches,
    UnreadText,
    WordList,
)

RULESETS = Path(dsl.default_ruleset_path()).parent
HEADER = 'policy "测试" version 3\n'


def compile_body(body: str, **kw) -> dsl.model.Policy:
    return dsl.compile_text(HEADER + textwrap.dedent(body), filename="t.rules", **kw)


def only_rule(body: str, **kw):
    (rule,) = compile_body(body, **kw).rules
    return rule


@pytest.mark.parametrize("path", sorted(RULESETS.glob("*.rules")), ids=lambda p: p.name)
def test_every_shipped_ruleset_compiles(path: Path) -> None:
    policy = dsl.compile_file(path)
    assert policy.rules and len(policy.digest) == 64
    assert all(r.id.startswith(path.stem + ":") for r in policy.rules)


def test_default_ruleset_hides_what_the_committee_must_not_see() -> None:
    policy = dsl.compile_file(dsl.default_ruleset_path())
    cats = {r.category for r in policy.rules} | {
        r.category for d in policy.documents for r in d.rules}
    assert {"患者姓名", "家属姓名", "医护人员", "身份证号", "电话", "住址", "工作单位",
            "病案编号", "医院名称", "签名"} <= cats
    labels = {lab for r in policy.rules if isinstance(r.detector, AfterLabel)
              for lab in r.detector.labels}
    assert {"姓名", "住院号", "门诊号", "床号", "丈夫", "监护人", "责任护士", "参加人员"} <= labels
    hospitals = next(r.detector for r in policy.rules
                     if isinstance(r.detector, WordList) and r.detector.name == "hospitals")
    assert len(hospitals.words) >= 50
    assert {"主任医师", "主治医师", "护士长", "患者", "家属"} <= set(policy.allow)
    assert {"患者姓名", "家属姓名", "医护人员"} <= set(policy.propagate)
    names = {d.name for d in policy.documents}
    assert {"护理记录", "医嘱单", "心电图", "胎心监护", "死亡病例讨论", "产科记录"} <= names
    assert policy.ocr_for(next(d for d in policy.documents if d.name == "心电图")) == "always"


def test_default_ruleset_keeps_clinical_text_and_dates() -> None:
    import re
    policy = dsl.compile_file(dsl.default_ruleset_path())
    patterns = [(re.compile(r.detector.regex), r.detector.group) for r in policy.rules
                if isinstance(r.detector, Pattern)]
    clinical = "2023年1月2日考虑医院获得性肺炎，建议转上级医院，予床旁心电图，血压120/80mmHg"
    assert [m.group(g) for rx, g in patterns for m in rx.finditer(clinical)] == []
    narrative = "患者于2023-01-02入住长沙市妇幼保健院，后转至湖南省儿童医院"
    found = [m.group(g) for rx, g in patterns for m in rx.finditer(narrative)]
    assert found == ["长沙市妇幼保健院", "湖南省儿童医院"]
    # A workplace after 单位 with its colon misread by OCR, but not a sentence ending in 单位.
    for text, want in (("单位。|苏州区人民政府", ["苏州区人民政府"]), ("单位：苏州纺织厂", ["苏州纺织厂"]),
                       ("转入上级单位。患者家属要求转院", []), ("剂量单位：mg", [])):
        # Two rules may find the same value (the word-of-its-own workplace rule): once is enough.
        assert sorted({m.group(g) for rx, g in patterns for m in rx.finditer(text)}) == want, text


def test_header_settings_allow_and_propagate() -> None:
    policy = compile_body("""\
        # a comment line
            default action label "[隐藏]"
            ocr never
        allow "主任医师" “副主任医师”
        find idcard as 身份证号   # trailing comment
        propagate 身份证号
        """)
    assert (policy.name, policy.version, policy.ocr) == ("测试", 3, "never")
    assert policy.default_action == Action("label", "[隐藏]")
    assert policy.allow == ("主任医师", "副主任医师")
    assert policy.propagate == ("身份证号",)
    assert policy.action_for(policy.rules[0]) == Action("label", "[隐藏]")


def test_indented_settings_under_policy() -> None:
    policy = dsl.compile_text('policy "p" version 1\n    default action box\n    ocr always\n'
                              "find phone as 电话\n")
    assert policy.ocr == "always" and policy.rules[0].detector == Phone()


@pytest.mark.parametrize("line, detector", [
    ("find idcard as x", IdCard()),
    ("find phone as x", Phone()),
    ("find everything in region top 10% as x", Everything()),
    ("find images as x", Images()),
    ("find handwriting as x", Handwriting()),
    ("find unread text in region bottom 90% as x", UnreadText()),
    ('find unread text near label "床号" "科室" as x', UnreadText(("床号", "科室"))),
    (r"find pattern /住院号[:：]?\s*(\d{6,10})/ group 1 as x", Pattern(r"住院号[:：]?\s*(\d{6,10})", 1)),
    (r"find pattern /a\/b/ as x", Pattern("a/b", 0)),
    ('find after label "姓名" "患者姓名" as x', AfterLabel(("姓名", "患者姓名"), "text")),
    ('find name after label "家属" as x', AfterLabel(("家属",), "name")),
    ('find names after label "参加人员" as x', AfterLabel(("参加人员",), "names")),
    ('find number after label "床号" as x', AfterLabel(("床号",), "number")),
    ('find date after label "出生日期" as x', AfterLabel(("出生日期",), "date")),
    ('find words "甲医院" "乙医院" as x', WordList("", ("甲医院", "乙医院"))),
    ('find images near label "签名" "医师签名" as x', Signature(("签名", "医师签名"))),
])
def test_detectors(line: str, detector) -> None:
    assert only_rule(line + "\n").detector == detector


@pytest.mark.parametrize("suffix, action", [
    ("", None),
    ("action box", Action("box")),
    ('action label "[患者姓名]"', Action("label", "[患者姓名]")),
    ('action pseudonym "患者"', Action("pseudonym", "患者", "cjk")),
    ('action pseudonym "医师" latin', Action("pseudonym", "医师", "latin")),
    ('action pseudonym "家属" cjk', Action("pseudonym", "家属", "cjk")),
])
def test_actions(suffix: str, action) -> None:
    assert only_rule(f"find idcard as 身份证号 {suffix}\n").action == action


@pytest.mark.parametrize("line, region", [
    ("region top 0% to 9% of every page as x", Region(0, 0, 100, 9, "%", "every")),
    ("region top 9% as x", Region(0, 0, 100, 9, "%", "every")),
    ("region bottom 15% of last page as x", Region(0, 85, 100, 100, "%", "last")),
    ("region bottom 85% to 100% on first page as x", Region(0, 85, 100, 100, "%", "first")),
    ("region top 0mm to 25.5mm as x", Region(0, 0, 100, 25.5, "mm", "every")),
    ("region box 10mm 20mm to 80mm 40mm of first page as x", Region(10, 20, 80, 40, "mm", "first")),
    ("region box 50% 80% to 100% 100% as x", Region(50, 80, 100, 100, "%", "every")),
])
def test_regions(line: str, region: Region) -> None:
    rule = only_rule(line + "\n")
    assert rule.detector == Everything() and rule.scope == region


def test_scoped_find_and_columns() -> None:
    policy = compile_body("""\
        find images in region bottom 85% to 100% of last page as 签名
        find idcard in column under header "证件" as 身份证号
        column under header "签名" "护士签名" as 医护人员 action pseudonym "医护" latin
        """)
    a, b, c = policy.rules
    assert (a.detector, a.scope) == (Images(), Region(0, 85, 100, 100, "%", "last"))
    assert (b.detector, b.scope) == (IdCard(), Column(("证件",)))
    assert (c.detector, c.scope, c.category) == (Everything(), Column(("签名", "护士签名")), "医护人员")


def test_documents_with_conditions_rules_and_ocr() -> None:
    policy = compile_body("""\
        document "护理记录" when title matches /护理记录/ or meta doc_type = "护理记录"
            ocr always

            # rules of this document type only
            region top 0% to 9% as 页眉
            column under header "签名" as 医护人员
        document "心电图" when meta department = "功能科"
        find phone as 电话
        """)
    nursing, ecg = policy.documents
    assert isinstance(nursing, DocumentType)
    assert nursing.when == (TitleMatches("护理记录"), MetaEquals("doc_type", "护理记录"))
    assert nursing.ocr == "always" and [r.category for r in nursing.rules] == ["页眉", "医护人员"]
    assert nursing.rules[0].id == "t:6" and nursing.rules[0].pos.column == 5
    assert ecg.rules == () and ecg.ocr is None and policy.ocr_for(ecg) == "auto"
    # the dedented find after a document belongs to the whole policy again
    assert [r.category for r in policy.rules] == ["电话"]
    assert [r.category for r in policy.rules_for(nursing)] == ["电话", "页眉", "医护人员"]


def test_rule_ids_and_positions_name_the_file_and_line() -> None:
    rule = only_rule("\n\n  find idcard as x\n")
    assert rule.id == "t:4" and rule.pos.line == 4


def test_word_lists_are_inlined_and_covered_by_the_digest(tmp_path: Path) -> None:
    (tmp_path / "lists").mkdir()
    words = tmp_path / "lists" / "hospitals.txt"
    words.write_text("# comment\n甲市人民医院\n\n乙县卫生院  # trailing\n甲市人民医院\n", "utf-8")
    src = tmp_path / "p.rules"
    src.write_text(HEADER + 'find words from list "hospitals" as 医院\n'
                   'allow words from list "hospitals"\n', "utf-8")
    first = dsl.compile_file(src)
    assert first.rules[0].detector == WordList("hospitals", ("甲市人民医院", "乙县卫生院"))
    assert first.allow == ("甲市人民医院", "乙县卫生院")
    assert first.source == src.read_text("utf-8")
    words.write_text("甲市人民医院\n丙医院\n", "utf-8")
    second = dsl.compile_file(src)
    assert second.digest != first.digest
    assert dsl.compile_file(src).digest == second.digest


def test_compile_text_reads_lists_from_lists_dir(tmp_path: Path) -> None:
    (tmp_path / "staff.txt").write_text("# only comments: the hospital fills it\n", "utf-8")
    rule = only_rule('find words from list "staff" as 医护人员\n', lists_dir=tmp_path)
    assert rule.detector == WordList("staff", ())


def test_crlf_bom_tabs_and_missing_final_newline() -> None:
    text = '\ufeffpolicy "p" version 1\r\ndocument "d" when title matches /d/\r\n\tfind phone as 电话'
    policy = dsl.compile_text(text)
    assert policy.documents[0].rules[0].detector == Phone()
