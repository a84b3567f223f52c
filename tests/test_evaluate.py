"""The evaluation's reading of an output: when is a ground-truth identifier still readable?"""
from __future__ import annotations

import io

import pytest
from pdfmaker import text_pdf

from workers.evaluate import output_texts, print_evaluation, readable_in


@pytest.mark.parametrize("text", [
    "科室:产科床号:+3住院号:",          # beside its label, on its line
    "入住23床",                          # before 床
    "床号:23",
    "姓名性别床号:\n23",                 # the label ends its line, the value is the next one
])
def test_a_bed_number_beside_its_label_is_read(text):
    value = "23" if "23" in text else "+3"
    assert readable_in(value, text)


@pytest.mark.parametrize("value, text", [
    ("+3", "科室:产科床号:\n+3宫口7cm先露S+3"),     # a chart row under a redacted bed number
    ("23", "血小板计数23\n床旁心电图"),               # a lab value, then a line opening with 床
    ("23", "钾4.23床号:[编号]"),                      # a decimal
    ("23", "床号:235"),                               # a longer number
])
def test_a_short_number_elsewhere_is_not_a_bed_number(value, text):
    assert not readable_in(value, text)


def test_names_and_long_numbers_count_anywhere_even_broken_over_lines():
    assert readable_in("张三丰", "家属张\n三丰陪护")
    assert readable_in("100200300", "住院号:\n100200300")
    assert not readable_in("张三丰", "家属[家属姓名]陪护")


def test_a_label_ending_one_line_and_a_chart_row_below_are_not_joined(tmp_path):
    # A partogram under a header whose bed number was redacted: "床号：" ends the header line,
    # the chart's row opens with the fetal station "+3". Read together they looked like a leak.
    pdf = text_pdf(tmp_path / "out.pdf", [["产程图  科室：产科  床号：", "+3  宫口7cm  胎心140"]])
    texts = output_texts(pdf, None)
    assert not readable_in("+3", texts["text"])
    assert readable_in("+3", output_texts(text_pdf(tmp_path / "b.pdf", [["床号：+3"]]), None)["text"])


def test_visible_signatures_stamps_and_names_on_scans_are_reported_and_counted_as_leaks():
    record = {"visit": "V0001", "pages": 9, "identifiers": 40, "leaked": 4, "leaked_identifiers": 1,
              "leaked_text": 0, "leaked_ocr": 1, "leaked_metadata": 0, "leaked_pixels": 1,
              "leaked_categories": ["医护人员"], "signatures": 12, "signatures_visible": 2,
              "signatures_visible_on": ["V0001-03 p1", "V0001-05 p2"],
              "stamps": 2, "stamps_visible": 1, "stamps_visible_on": ["V0001-09 p1"],
              "pixels_visible_on": ["V0001-04 p1 医护人员"],
              "clinical_terms": 60, "readable": 58, "verified_clean": True}
    keys = ("pages", "identifiers", "leaked", "leaked_identifiers", "leaked_text", "leaked_ocr",
            "leaked_metadata", "leaked_pixels", "signatures", "signatures_visible", "stamps",
            "stamps_visible", "clinical_terms", "readable")
    total = {k: record[k] for k in keys} | {"records": 1, "verified_clean": 1, "readable_share": 0.9667}
    out = io.StringIO()
    print_evaluation({"records": [record], "total": total}, out)
    text = out.getvalue()
    assert "signatures visible: V0001-03 p1, V0001-05 p2" in text
    assert "identifiers visible: V0001-04 p1 医护人员" in text
    assert "stamps visible: V0001-09 p1" in text
    assert ("leaks 4: identifiers leaked 1 of 40 (text 0, OCR 1, metadata 0, still visible on "
            "scans 1) + signatures still visible 2 of 12 + stamps still visible 1 of 2") in text
