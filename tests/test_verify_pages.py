"""A second look re-reads only the pages it redacted again; the rest of the verdict stands."""
from __future__ import annotations

import pytest
from pdfmaker import text_pdf

from dsl import compile_file, default_ruleset_path
from workers.detect import ValueHunter
from workers.verify import reverified, verify_export

PHONE = "13812345678"
PAGES = [["病程记录", "复查血红蛋白112g/L。"],
         ["病程记录", f"联系电话{PHONE}，继续观察。"],
         ["病程记录", "胎心140次/分。"]]


@pytest.fixture(scope="module")
def policy():
    return compile_file(default_ruleset_path())


def test_only_the_pages_asked_for_are_read(policy, tmp_path):
    path = text_pdf(tmp_path / "out.pdf", PAGES)
    hunter = ValueHunter({})
    full = verify_export(path, policy, hunter, None)
    assert [(r.page, r.where) for r in full.residuals] == [(2, "text")]
    others = verify_export(path, policy, hunter, None, pages={0, 2})
    assert others.residuals == [], "page 2 was not read"
    assert verify_export(path, policy, hunter, None, pages={1}).residuals == full.residuals


def test_a_page_read_again_replaces_its_old_residuals_and_keeps_the_others(policy, tmp_path):
    path = text_pdf(tmp_path / "out.pdf", PAGES)
    hunter = ValueHunter({})
    full = verify_export(path, policy, hunter, None)
    clean_again = verify_export(text_pdf(tmp_path / "fixed.pdf", [PAGES[0], PAGES[0], PAGES[2]]),
                                policy, hunter, None, pages={1})
    assert reverified(full, clean_again, {1}).clean
    # Re-reading another page leaves page 2's residual standing.
    assert reverified(full, clean_again, {0}).residuals == full.residuals


def test_a_name_run_over_a_page_break_is_a_residual_of_the_page_it_ends_on(policy, tmp_path):
    # Read as a person reads, "…与家属平" / "亮、…" is the husband's name across the break.
    hunter = ValueHunter({"平亮": ("家属姓名", "r:1")})
    split = text_pdf(tmp_path / "split.pdf", [["病程记录", "记24小时出入量。与家属平"],
                                              ["病程记录", "亮、李小红沟通，家属同意。"]])
    found = verify_export(split, policy, hunter, None)
    # The name's end, and the relative listed after it.
    assert [(r.page, r.category) for r in found.residuals] == [(2, "家属姓名")] * 2
    hidden = text_pdf(tmp_path / "hidden.pdf", [["病程记录", "记24小时出入量。与家属"],
                                                ["病程记录", "亮、李小红沟通，家属同意。"]])
    assert verify_export(hidden, policy, hunter, None).residuals == []
