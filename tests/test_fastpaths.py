"""The fast paths of redaction and assembly give what PyMuPDF's own calls gave.

q/Q counting without MuPDF's interpreter, drawing over a page, the replacement font installed
without `insert_font`, pass 1's layers read back from the spool, MuPDF's store emptied.
"""
from __future__ import annotations

import pickle
import sys

import pymupdf
import pytest
from pdfmaker import text_page, text_pdf

from dsl import compile_file, default_ruleset_path
from workers.analyse import DocumentInput, LayerSpool, analyse_document, unpack_glyphs
from workers.drawing import REPLACEMENT_FONT, commit, fit_text, q_balance
from workers.extract import page_layer
from workers.redact import _Glyphs, _removal_bands

CONTENTS = {
    "balanced": b"q 1 0 0 1 10 10 cm 0 0 m 5 5 l S Q",
    "unclosed": b"2 0 0 2 0 0 cm q 1 0 0 1 5 5 cm q 0 0 10 10 re f",
    "extra pops": b"Q Q q 0 0 10 10 re f Q",
    "string with q": b"q BT /F1 12 Tf (q Q \\) Q) Tj ET Q q",
    "hex and names": b"q/GS1 gs<51>Tj[(Q)-20<7151>]TJ Q q",
    "comment": b"q % Q Q Q\n0 0 10 10 re f",
    "nested parens": b"q BT (a (Q) b) Tj ET",
    "work outside q": b"0 0 10 10 re f q 2 0 0 2 0 0 cm",
    "pops then work": b"q Q Q 1 0 0 1 0 0 cm",
    "inline image": b"q BI /W 1 /H 1 /BPC 8 /CS /G ID Q EI Q q",
}


def _page_with(content: bytes) -> pymupdf.Page:
    doc = pymupdf.open()
    page = doc.new_page(width=200, height=200)
    xref = doc.get_new_xref()
    doc.update_object(xref, "<<>>")
    doc.update_stream(xref, content)
    doc.xref_set_key(page.xref, "Contents", f"{xref} 0 R")
    return page


@pytest.mark.parametrize("name", sorted(CONTENTS))
def test_q_balance_agrees_with_mupdf(name: str) -> None:
    page = _page_with(CONTENTS[name])
    assert q_balance(page) == page._count_q_balance()


def test_drawing_lands_where_the_page_started_not_where_its_content_left_off() -> None:
    page = _page_with(CONTENTS["unclosed"])   # leaves the CTM scaled and moved
    shape = page.new_shape()
    shape.draw_rect(pymupdf.Rect(20, 20, 60, 60))
    shape.finish(fill=(0, 0, 0), color=None, width=0)
    commit(shape)
    assert page._count_q_balance() == (0, 0)
    pix = page.get_pixmap(dpi=72, clip=pymupdf.Rect(25, 25, 55, 55))
    assert set(pix.samples) == {0}


def test_fit_text_is_read_back_and_shares_one_font_per_page(tmp_path) -> None:
    doc = pymupdf.open()
    page = text_page(doc, ["患者姓名：张三"])
    shape = page.new_shape()
    fit_text(shape, pymupdf.Rect(50, 100, 200, 120), "[患者姓名]")
    fit_text(shape, pymupdf.Rect(50, 130, 200, 150), "第1页/共2页")
    commit(shape)
    doc.save(tmp_path / "o.pdf", garbage=4)
    with pymupdf.open(tmp_path / "o.pdf") as back:
        text = back[0].get_text()
        assert "[患者姓名]" in text and "第1页/共2页" in text
        names = [f[4] for f in back[0].get_fonts()]
        assert names.count(REPLACEMENT_FONT) == 1


def test_spooled_layers_equal_a_fresh_extraction(tmp_path) -> None:
    policy = compile_file(default_ruleset_path())
    path = text_pdf(tmp_path / "a.pdf", [["姓名：张三"], ["第二页 李四"]])
    analysis = analyse_document(policy, DocumentInput(path), None)
    spool = analysis.layers
    assert spool is not None and spool.path.exists()
    with pymupdf.open(path) as doc:
        for page in doc:
            fresh = page_layer(page, page.number, glyphs=True)
            assert spool.get(page.number) == fresh
            assert spool.get(page.number).glyphs == fresh.glyphs   # for redaction
            # the parent hands the characters on packed, for the worker to unpack
            layer, packed = spool.get_packed(page.number)
            assert layer == fresh and layer.glyphs is None and isinstance(packed, bytes)
            assert unpack_glyphs(packed) == fresh.glyphs
    assert pickle.loads(pickle.dumps(analysis)).layers is None   # it stays in this process
    spool.discard()
    assert not spool.path.exists() and spool.get(0) is None


def test_the_spool_file_goes_with_the_spool() -> None:
    spool = LayerSpool()
    path = spool.path
    del spool
    assert not path.exists()


@pytest.mark.skipif("pymupdf.layout" not in sys.modules and "pymupdf" in sys.modules,
                    reason="only meaningful in a fresh interpreter")
def test_cli_keeps_pymupdf_extras_out_of_a_fresh_process() -> None:
    import subprocess
    code = ("import sys; from workers import cli; cli.skip_unused_pymupdf_extras(); "
            "import pymupdf; print(pymupdf._get_layout is None, "
            "bool(sys.modules.get('pymupdf.layout')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["True", "False"]


def test_a_run_of_text_pages_never_imports_the_pixel_libraries(tmp_path) -> None:
    # numpy, Pillow and pytesseract are imported on first use (workers.lazy): a record of text
    # pages must not pay for them at start-up, nor later.
    import subprocess
    src = text_pdf(tmp_path / "a.pdf", [["出院记录", "姓名：王秀英", "诊断：肺炎"]])
    code = ("import sys; from workers import cli; "
            f"cli.main(['run', '--processes', '1', '--out', {str(tmp_path / 'out.pdf')!r}, "
            f"{str(src)!r}]); "
            "print(*(m in sys.modules for m in ('numpy', 'PIL', 'pytesseract')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out[-3:] == ["False", "False", "False"]
    assert (tmp_path / "out.pdf").exists()


def test_pass_1_characters_place_the_removal_bands_the_text_trace_places(tmp_path) -> None:
    lines = ["姓名：王秀英    性别：女    住院号：20240517", "身份证号：11010519491231002X",
             "联系电话：138 1234 5678  Tel (010) 6512-3456", "记录者：李建国    主治医师"]
    doc = pymupdf.open()
    text_page(doc, lines, fontsize=11)
    text_page(doc, lines, fontsize=7.5, top=40)   # tight lines: bands must stay on theirs
    for page in doc:
        layer = page_layer(page, page.number, glyphs=True)
        traced, kept = _Glyphs(page), _Glyphs(page, layer.glyphs)
        assert len(traced.rows) == len(kept.rows)
        for line in layer.lines:
            for start in range(0, len(line.text), 3):
                rect = pymupdf.Rect(line.span_rect(start, min(start + 4, len(line.text))))
                old, new = _removal_bands(rect, traced), _removal_bands(rect, kept)
                assert (old is None) == (new is None)
                for a, b in zip(old or [], new or [], strict=True):
                    assert max(abs(x - y) for x, y in zip(a, b)) < 0.05
