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
