"""Every policy mistake is reported at its line and column, with a caret and a hint."""
from __future__ import annotations

import io
import textwrap
from pathlib import Path

import pytest

import dsl
from dsl.check import run_check
from dsl.errors import PolicyError, PolicySemanticError, PolicySyntaxError

HEADER = 'policy "p" version 1\n'


def error_for(body: str, cls=PolicyError, header: str = HEADER, **kw) -> PolicyError:
    with pytest.raises(cls) as info:
        dsl.compile_text(header + textwrap.dedent(body), filename="bad.rules", **kw)
    return info.value


def caret_column(err: PolicyError) -> int:
    """The 1-based character column the caret stands under (ASCII source lines only)."""
    return str(err).splitlines()[2].index("^") + 1


@pytest.mark.parametrize("body, line, col, message, hint", [
    ("fnid idcard as x\n", 2, 1, "unknown keyword 'fnid'", "did you mean 'find'?"),
    ("find idcrad as x\n", 2, 6, "unknown detector 'idcrad'", "did you mean 'idcard'?"),
    ("find idcardx as x\n", 2, 6, "unknown detector 'idcardx'", "did you mean 'idcard'?"),
    ("find phones as x\n", 2, 6, "unknown detector 'phones'", "did you mean 'phone'?"),
    ("find handwritng as x\n", 2, 6, "unknown detector 'handwritng'", "did you mean 'handwriting'?"),
    ("find xyzzy as x\n", 2, 6, "unknown detector 'xyzzy'", "detectors are: idcard"),
    ("find idcard as x actoin box\n", 2, 18, "unknown keyword 'actoin'", "did you mean 'action'?"),
    ("ocr alwyas\n", 2, 5, "unknown keyword 'alwyas'", "did you mean 'always'?"),
    ("region top 9% of evry page as x\n", 2, 18, "unknown keyword 'evry'", "did you mean 'every'?"),
    ('document "d" when titel matches /d/\n', 2, 19, "unknown keyword 'titel'", "did you mean 'title'?"),
    ("find idcard\n", 2, 12, "missing 'as CATEGORY'", "expected 'as', 'in'"),
    ("find idcard   # no category\n", 2, 12, "missing 'as CATEGORY'", None),
    ("find idcard as\n", 2, 15, "missing the category name after 'as'", None),
    ('document "d"\n', 2, 13, "a document type needs a condition", "expected 'when'"),
    ("region top 0 to 9% as x\n", 2, 14, "a position needs a unit: % or mm", None),
    ("region 0% to 9% as x\n", 2, 8, "a region is 'top A% to B%'", None),
    ("find idcard as x action label\n", 2, 30, "an action is 'action box'", None),
    ('find after label "abc as x\n', 2, 18, "string is not closed", "matching quote"),
    ("find pattern /abc as x\n", 2, 14, "regex is not closed", "end it with '/'"),
    ("find idcard as x\n    find phone as y\n", 3, 5, "unexpected indentation", "indented"),
    ('document "d" when title matches /d/\n    find idcard as x\n  find phone as y\n',
     4, 3, "indentation does not match any outer block", "indent this line"),
])
def test_syntax_errors(body, line, col, message, hint) -> None:
    err = error_for(body, PolicySyntaxError)
    assert (err.filename, err.line, err.column) == ("bad.rules", line, col)
    assert err.message.startswith(message)
    assert caret_column(err) == col
    if hint:
        assert hint in err.hint


@pytest.mark.parametrize("header, line, col, message", [
    ("", 1, 1, 'a policy file starts with: policy "NAME" version N'),
    ('policy "p" version\n', 1, 19, 'a policy file starts with'),
    ('polciy "p" version 1\n', 1, 1, "unknown keyword 'polciy'"),
])
def test_header_syntax_errors(header, line, col, message) -> None:
    err = error_for("find idcard as x\n" if header else "", PolicySyntaxError, header=header)
    assert (err.line, err.column) == (line, col) and err.message.startswith(message)


@pytest.mark.parametrize("body, line, col, width, message, hint", [
    ("find pattern /(a/ as x\n", 2, 15, 1, "invalid regular expression: missing )", "re"),
    ("find pattern /(a)/ group 2 as x\n", 2, 26, 1, "group 2 but the pattern has only 1 group",
     "group 0 is the whole match"),
    ("find pattern /a*/ as x\n", 2, 14, 4, "pattern matches empty text", "use +"),
    ('document "d" when title matches /[a/\n', 2, 34, 1, "invalid regular expression", None),
    ("find after label as x\n", 2, 6, 1, "label list is empty", 'after label "姓名"'),
    ('find images near label as x\n', 2, 6, 1, "label list is empty", None),
    ('find unread text near label as x\n', 2, 6, 1, "label list is empty", 'near label "床号"'),
    ("column under header as x\n", 2, 1, 1, "header list is empty", None),
    ('find after label "" as x\n', 2, 18, 2, "empty string in label list", None),
    ("allow\n", 2, 1, 1, "allow list is empty", None),
    ("propagate\n", 2, 1, 1, "propagate names no category", "propagate 患者姓名"),
    ("region top 0% to 120% as x\n", 2, 18, 3, "region outside the page: 120%", "0% to 100%"),
    ("region top -5% to 9% as x\n", 2, 12, 2, "region outside the page: -5%", None),
    ("region top 9% to 5% as x\n", 2, 12, 1, "empty region: the band runs from 9% to 5%", None),
    ("region box 10% 50% to 20% 40% as x\n", 2, 16, 2, "empty region: y runs from 50% to 40%", None),
    ("region box 1% 2mm to 3% 4% as x\n", 2, 15, 1, "mixed units in one region", "in %"),
    ("region bottom 0% to 10% as x\n", 2, 15, 1, "'bottom 0% to 10%' lies in the top half",
     "did you mean 'bottom 90% to 100%'?"),
    ("region bottom 10mm as x\n", 2, 15, 2, "a bottom band in mm needs the page height", None),
    ("find idcard as x\nfind phone as y\npropagate x z\n", 4, 13, 1,
     "propagate names 'z', which no rule produces", None),
    ('document "a" when title matches /a/\ndocument "a" when title matches /b/\n', 3, 10, 3,
     "document type 'a' is defined twice", "the first is on line 2"),
    ("default action box\ndefault action box\n", 3, 1, 1, "'default action' is set twice",
     "line 2"),
    ('document "d" when title matches /d/\n    ocr always\n    ocr never\n', 4, 5, 1,
     "'ocr' is set twice", None),
    ('find idcard as ""\n', 2, 16, 2, "empty category name", None),
    ('find idcard as x action label ""\n', 2, 31, 2, "empty string in action label", None),
])
def test_semantic_errors(body, line, col, width, message, hint) -> None:
    err = error_for(body, PolicySemanticError)
    assert (err.line, err.column) == (line, col)
    assert err.message.startswith(message)
    caret = str(err).splitlines()[2]
    assert caret == " " * (col - 1) + "^" * width
    if hint:
        assert hint in err.hint


@pytest.mark.parametrize("version", ["0", "1.5", "x"])
def test_version_must_be_a_positive_int(version: str) -> None:
    err = error_for("", PolicySemanticError, header=f'policy "p" version {version}\n')
    assert (err.line, err.column) == (1, 20) and "positive whole number" in err.message


def test_propagate_suggests_the_nearest_category() -> None:
    err = error_for("find idcard as 患者姓名\npropagate 患者名\n", PolicySemanticError)
    assert (err.line, err.column) == (3, 11)
    assert err.hint == "did you mean '患者姓名'?"
    # the caret sits under the Chinese word: two terminal cells per character
    assert str(err).splitlines()[2] == " " * 10 + "^" * 6


def test_unknown_word_list_names_the_path_looked_for(tmp_path: Path) -> None:
    (tmp_path / "hospitals.txt").write_text("甲医院\n", "utf-8")
    err = error_for('find words from list "hospital" as x\n', PolicySemanticError,
                    lists_dir=tmp_path)
    assert (err.line, err.column) == (2, 22)
    assert str(tmp_path / "hospital.txt") in err.message
    assert err.hint == "did you mean 'hospitals'?"


@pytest.mark.parametrize("name", ["../secret", "a/b", "x.txt"])
def test_word_list_names_cannot_leave_the_lists_directory(tmp_path: Path, name: str) -> None:
    err = error_for(f'find words from list "{name}" as x\n', PolicySemanticError,
                    lists_dir=tmp_path)
    assert "is not a list name" in err.message


def test_word_list_without_lists_dir() -> None:
    err = error_for('allow words from list "allow"\n', PolicySemanticError)
    assert "no lists directory" in err.message


def test_rendering_has_location_source_line_caret_and_hint() -> None:
    err = error_for("find idcrad as 身份证号\n", PolicySyntaxError)
    assert str(err) == ("bad.rules:2:6: unknown detector 'idcrad'\n"
                        "find idcrad as 身份证号\n"
                        "     ^^^^^^\n"
                        "hint: did you mean 'idcard'?")


def test_caret_counts_wide_characters_and_keeps_tabs() -> None:
    from dsl.errors import caret_line
    # tab, 'find "' (6 cells), 姓名 (4 cells), '"' (1 cell), then the caret under the space
    assert caret_line('\tfind "姓名" x', 11, 1) == "\t" + " " * 11 + "^"


def test_run_check_exit_codes_and_output(tmp_path: Path) -> None:
    good = tmp_path / "good.rules"
    good.write_text(HEADER + "find idcard as 身份证号\n", "utf-8")
    bad = tmp_path / "bad.rules"
    bad.write_text(HEADER + "find idcrad as 身份证号\n", "utf-8")
    out = io.StringIO()
    assert run_check([str(good)], out) == 0
    assert out.getvalue().startswith(f"{good}: ok (1 rules")
    out = io.StringIO()
    assert run_check([str(good), str(bad), str(tmp_path / "missing.rules")], out) == 2
    text = out.getvalue()
    assert f"{bad}:2:6: unknown detector 'idcrad'\nfind idcrad as 身份证号\n     ^^^^^^\n" in text
    assert "hint: did you mean 'idcard'?" in text
    assert f"{tmp_path / 'missing.rules'}: cannot read the file" in text


def test_run_check_on_the_shipped_default() -> None:
    out = io.StringIO()
    assert run_check([str(dsl.default_ruleset_path())], out) == 0
