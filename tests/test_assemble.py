"""Assembling a record: order, outline, page numbers, watermark, password, receipt, atomicity."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pymupdf
import pytest

from workers.assemble import Assembler, safe_output
from workers.drawing import cjk_font


def _doc(path: Path, marks: list[str]) -> Path:
    """A PDF with one page per mark; each page shows its mark."""
    doc = pymupdf.open()
    for mark in marks:
        page = doc.new_page(width=595, height=842)
        writer = pymupdf.TextWriter(page.rect)
        writer.append((72, 100), mark, font=cjk_font(), fontsize=12)
        writer.write_text(page)
    doc.subset_fonts()
    doc.save(path, garbage=4, deflate=True)
    return path


@pytest.fixture
def three_docs(tmp_path: Path) -> list[tuple[Path, str]]:
    return [(_doc(tmp_path / "a.pdf", ["甲页一", "甲页二"]), "入院记录"),
            (_doc(tmp_path / "b.pdf", ["乙页一"]), "病程记录"),
            (_doc(tmp_path / "c.pdf", ["丙页一", "丙页二", "丙页三"]), "出院记录")]


def test_three_documents_in_order_with_outline_numbers_and_receipt(tmp_path, three_docs):
    out = tmp_path / "out" / "record.pdf"
    out.parent.mkdir()
    with Assembler(out, watermark="仅供外送评审") as asm:
        for path, label in three_docs:
            asm.add(path, label)
        result = asm.finish()

    assert result.path == out and result.pages == 6
    assert result.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()
    doc = pymupdf.open(out)
    texts = [page.get_text() for page in doc]
    marks = ["甲页一", "甲页二", "乙页一", "丙页一", "丙页二", "丙页三"]
    assert [next(m for m in marks if m in t) for t in texts] == marks
    assert doc.get_toc() == [[1, "入院记录", 1], [1, "病程记录", 3], [1, "出院记录", 4]]
    for n, text in enumerate(texts, start=1):
        assert f"第{n}页/共6页" in text
    # the watermark is drawn (an image on every page) but is not in the text layer
    assert all(len(page.get_image_info()) == 1 for page in doc)
    assert "仅供外送评审" not in "".join(texts)
    assert doc.metadata["producer"] == "emr-redact"
    assert doc.metadata["title"] == "" and doc.metadata["author"] == ""
    assert sorted(p.name for p in out.parent.iterdir()) == ["record.pdf"]   # no temp left


def test_watermark_is_visible(tmp_path, three_docs):
    plain, marked = tmp_path / "plain.pdf", tmp_path / "marked.pdf"
    for out, mark in ((plain, None), (marked, "仅供外送评审")):
        with Assembler(out, watermark=mark) as asm:
            asm.add(three_docs[1][0], "病程记录")
            asm.finish()
    a = pymupdf.open(plain)[0].get_pixmap(dpi=36).samples
    b = pymupdf.open(marked)[0].get_pixmap(dpi=36).samples
    changed = sum(x != y for x, y in zip(a, b))
    assert changed > 500


def test_password_is_required_when_set(tmp_path, three_docs):
    out = tmp_path / "locked.pdf"
    with Assembler(out, password="s3cret-口令") as asm:
        asm.add(three_docs[0][0], "入院记录")
        asm.finish()
    doc = pymupdf.open(out)
    assert doc.needs_pass
    assert not doc.authenticate("wrong")
    assert doc.authenticate("s3cret-口令")
    assert "甲页一" in doc[0].get_text()
    assert b"\xe7\x94\xb2" not in out.read_bytes()    # no clear UTF-8 甲 in the file


def test_failure_midway_leaves_no_output(tmp_path, three_docs):
    out = tmp_path / "record.pdf"
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7 this is not a pdf")
    with pytest.raises(RuntimeError), Assembler(out) as asm:   # MuPDF: FileDataError
        asm.add(three_docs[0][0], "入院记录")
        asm.add(broken, "病程记录")
        asm.finish()
    assert list(tmp_path.glob("record.pdf*")) == []
    assert list(tmp_path.glob(".record.pdf*")) == []


def test_failure_during_save_keeps_previous_output(tmp_path, three_docs, monkeypatch):
    out = tmp_path / "record.pdf"
    out.write_bytes(b"previous")

    def boom(*args, **kwargs):
        raise OSError("disk full")

    with pytest.raises(OSError), Assembler(out) as asm:
        asm.add(three_docs[0][0], "入院记录")
        monkeypatch.setattr(pymupdf.Document, "save", boom)
        asm.finish()
    assert out.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_many_documents_cross_flush_batches(tmp_path):
    """More pages than one batch, from several documents, keep their order."""
    paths = [_doc(tmp_path / f"d{i}.pdf", [f"文档{i}第{j}页" for j in range(9)]) for i in range(5)]
    out = tmp_path / "big.pdf"
    with Assembler(out) as asm:
        for i, path in enumerate(paths):
            asm.add(path, "护理记录")
        result = asm.finish()
    doc = pymupdf.open(out)
    assert result.pages == doc.page_count == 45
    assert "文档3第4页" in doc[3 * 9 + 4].get_text()
    assert [e[2] for e in doc.get_toc()] == [1, 10, 19, 28, 37]


def test_safe_output_is_all_or_nothing(tmp_path):
    target = tmp_path / "report.json"
    with safe_output(target) as tmp:
        tmp.write_text("{}")
    assert target.read_text() == "{}"
    with pytest.raises(RuntimeError), safe_output(target) as tmp:
        tmp.write_text('{"half": ')
        raise RuntimeError("crash")
    assert target.read_text() == "{}"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]
