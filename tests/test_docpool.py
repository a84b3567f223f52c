"""Worker processes: the same export as one process, every page still redacted and verified."""
from __future__ import annotations

import pickle

import pymupdf
import pytest
from pdfmaker import text_pdf

from dsl import compile_file, default_ruleset_path
from workers.analyse import DocumentInput, LayerSpool, analyse_document, normalise
from workers.detect import ValueHunter
from workers.docpool import TEXT_RANGES_PER_PROCESS, document_pool, verify_output, verify_ranges
from workers.extract import page_layer
from workers.record import KnownIdentifier, RunOptions, run_record
from workers.verify import verify_export

ID = "11010519491231002X"
ADMISSION = ["姓名：王秀英    性别：女    住院号：20240517", f"身份证号：{ID}",
             "联系电话：13812345678", "诊断：妊娠期高血压。", "记录者：李建国    主治医师"]
NARRATIVE = ["病程记录", "患者王秀英今日血压132/85mmHg。", "李建国查房：继续观察胎心。"]
CLINICAL = ["护理记录", "宫缩规律，胎心140次/分。", "予硫酸镁静滴。"]   # nothing to redact


@pytest.fixture(scope="module")
def policy():
    return compile_file(default_ruleset_path())


def _record(tmp_path):
    first = text_pdf(tmp_path / "a.pdf", [ADMISSION, NARRATIVE])
    second = text_pdf(tmp_path / "b.pdf", [NARRATIVE, CLINICAL])
    third = _with_note_and_metadata(text_pdf(tmp_path / "c.pdf", [CLINICAL]), tmp_path / "d.pdf")
    return [DocumentInput(p) for p in (first, second, third)]


def _with_note_and_metadata(src, dst):
    with pymupdf.open(src) as doc:
        doc[0].add_text_annot((300, 300), "宫缩规律")   # a note: baked in, then scrubbed
        doc[0].insert_link({"kind": pymupdf.LINK_URI, "from": pymupdf.Rect(50, 50, 90, 70),
                            "uri": "https://example.org/"})
        doc.set_metadata({"title": "护理记录", "author": "李建国"})
        doc.save(dst)
    return dst


def _pages(path) -> list[str]:
    with pymupdf.open(path) as doc:
        return [normalise(page.get_text()) for page in doc]


def test_workers_give_the_export_one_process_gives(policy, tmp_path):
    inputs = _record(tmp_path)
    known = [KnownIdentifier("患者姓名", "王秀英")]
    one = run_record(policy, inputs, tmp_path / "one.pdf", known, RunOptions(processes=1))
    two = run_record(policy, inputs, tmp_path / "two.pdf", known, RunOptions(processes=2))
    assert one.released and two.released
    assert _pages(tmp_path / "one.pdf") == _pages(tmp_path / "two.pdf")   # pseudonyms too
    pages = _pages(tmp_path / "two.pdf")   # numbered where they were redacted, each once
    assert [p.count(f"第{n}页/共{len(pages)}页") for n, p in enumerate(pages, 1)] == [1] * 5
    text = "".join(_pages(tmp_path / "two.pdf"))
    for phi in ("王秀英", ID, "13812345678", "20240517", "李建国"):
        assert phi not in text
    assert "妊娠期高血压" in text and "132/85mmHg" in text
    assert [sorted(a.findings) for a in one.documents] == [sorted(a.findings)
                                                           for a in two.documents]
    assert ([len(f) for a in one.documents for f in a.findings.values()]
            == [len(f) for a in two.documents for f in a.findings.values()])


def test_a_page_with_nothing_to_redact_is_still_scrubbed_and_verified(policy, tmp_path):
    inputs = _record(tmp_path)
    result = run_record(policy, inputs, tmp_path / "out.pdf", options=RunOptions(processes=2))
    assert result.released and result.verification.clean
    assert result.verification.pages == 5
    last = result.documents[2]
    assert last.findings[0] == []            # nothing found on it ...
    with pymupdf.open(tmp_path / "out.pdf") as doc:
        page = doc[4]
        assert page.first_annot is None and not page.get_links()   # ... yet scrubbed
        assert "李建国" not in str(doc.metadata)
        assert "宫缩规律" in normalise(page.get_text())


def test_verification_in_page_ranges_finds_what_one_pass_finds(policy, tmp_path):
    # An unredacted file stands in for an output that kept identifiers on pages 1 and 3.
    path = text_pdf(tmp_path / "leaky.pdf", [ADMISSION, CLINICAL, NARRATIVE, CLINICAL],
                    metadata={"title": "王秀英"})
    hunter = ValueHunter({"王秀英": ("患者姓名", "archive")})
    whole = verify_export(path, policy, hunter, None)
    halves = [verify_export(path, policy, hunter, None, pages=range(a, b), beside=a == 0)
              for a, b in ((0, 2), (2, 4))]
    assert sorted(map(repr, whole.residuals)) == sorted(
        repr(r) for half in halves for r in half.residuals)
    assert {r.page for r in whole.residuals} == {0, 1, 3}
    with document_pool(2, 2, None, policy) as pool:
        pooled = verify_output(path, policy, hunter, None, pool)
    assert pooled.pages == 4
    assert sorted(map(repr, pooled.residuals)) == sorted(map(repr, whole.residuals))


def test_a_short_scanned_record_is_verified_by_every_worker():
    """Twelve scanned pages are 12 whole-page OCR readings: in one range, one worker's single
    Tesseract read them all while the other core waited. Every page is verified once."""
    for total in (1, 3, 12, 14, 320):
        ranges = verify_ranges(total, 2)
        assert [p for a, b in ranges for p in range(a, b)] == list(range(total))
        assert len(ranges) >= min(total, 2 * 2)


def test_a_record_pass_1_read_without_ocr_is_verified_in_fewer_ranges():
    """Text pages cost about the same, and each range parses the output's fonts again."""
    ranges = verify_ranges(320, 2, TEXT_RANGES_PER_PROCESS)
    assert [p for a, b in ranges for p in range(a, b)] == list(range(320))
    assert len(ranges) == 2 * TEXT_RANGES_PER_PROCESS < len(verify_ranges(320, 2))


def test_a_handed_over_spool_file_travels_and_is_removed_by_its_new_owner(policy, tmp_path):
    path = text_pdf(tmp_path / "a.pdf", [["姓名：张三"], ["第二页 李四"]])
    analysis = analyse_document(policy, DocumentInput(path), None)
    spool = analysis.layers
    spool.handover()
    moved = pickle.loads(pickle.dumps(analysis)).layers
    del analysis, spool
    assert isinstance(moved, LayerSpool) and moved.path.exists()
    with pymupdf.open(path) as doc:
        assert moved.get(1) == page_layer(doc[1], 1)
    file = moved.path
    del moved
    assert not file.exists()


def test_page_one_read_to_classify_is_not_extracted_again(policy, tmp_path, monkeypatch):
    """An ECG printout's type ("ocr always") is known only from its title on page 1: that
    page's extraction is used, not made again, and the document reads as before. (The pages
    read ahead meanwhile are still read again.)"""
    from workers import analyse

    path = text_pdf(tmp_path / "ecg.pdf", [["心电图报告", "姓名：王秀英"], ["心率 72 次/分"]])
    once = analyse_document(policy, DocumentInput(path), None)
    read: list[int] = []
    real = analyse.page_layer
    monkeypatch.setattr(analyse, "page_layer",
                        lambda page, number, glyphs=False: read.append(number)
                        or real(page, number, glyphs))
    again = analyse_document(policy, DocumentInput(path), None)
    assert again.ocr_mode == "always"
    assert read.count(0) == 1 and 1 in read
    assert again.findings == once.findings and again.findings[0]
