"""Scrubbing leaves no trace of PHI hidden outside the page content."""
from __future__ import annotations

import zlib
from pathlib import Path

import pymupdf
import pytest

from workers.scrub import scrub_document

# one distinct fake identifier per hiding place, so a failure names the place
PHI = {
    "title": "王秀英标题",
    "author": "李建国作者",
    "subject": "赵丽华主题",
    "keywords": "430102199003071234",
    "custom_info": "孙志强自定义",
    "xmp": "周美玲XMP",
    "toc": "吴晓明目录",
    "note_annot": "郑海燕批注",
    "freetext": "冯国栋文本框",
    "embedded": "陈淑珍附件",
    "embedded_name": "chen-shuzhen.txt",
    "javascript": "var who = 'HanMeimei';",
    "open_action": "LiLei-open-action",
    "page_aa": "ZhangWei-page-action",
    "field": "刘德华表单",
    "link": "https://example.org/patient/13812345678",
    "piece_info": "PieceInfoZhaoLei",
    "page_label": "病历号A123456",
}


def _phi_pdf(path: Path) -> Path:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((50, 60), "Body text stays.", fontsize=11)
    doc.new_page(width=595, height=842)
    doc.set_metadata({"title": PHI["title"], "author": PHI["author"],
                      "subject": PHI["subject"], "keywords": PHI["keywords"]})
    info = doc.xref_get_key(-1, "Info")[1].split()[0]
    doc.xref_set_key(int(info), "PatientName", pymupdf.get_pdf_str(PHI["custom_info"]))
    doc.set_xml_metadata(f"<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF><dc>{PHI['xmp']}</dc>"
                         "</rdf:RDF></x:xmpmeta>")
    doc.set_toc([[1, PHI["toc"], 1]])
    page = doc[0]
    page.add_text_annot((100, 100), PHI["note_annot"])
    page.add_freetext_annot(pymupdf.Rect(100, 200, 300, 240), PHI["freetext"])
    page.insert_link({"kind": pymupdf.LINK_URI, "from": pymupdf.Rect(50, 50, 150, 70),
                      "uri": PHI["link"]})
    widget = pymupdf.Widget()
    widget.field_type = pymupdf.PDF_WIDGET_TYPE_TEXT
    widget.field_name = "patient"
    widget.field_value = PHI["field"]
    widget.rect = pymupdf.Rect(100, 300, 300, 330)
    page.add_widget(widget)
    doc.embfile_add(PHI["embedded_name"], PHI["embedded"].encode(), filename=PHI["embedded_name"])
    # document JavaScript, an OpenAction and a page action, as PDF producers write them
    js = doc.get_new_xref()
    doc.update_object(js, f"<</S/JavaScript/JS {pymupdf.get_pdf_str(PHI['javascript'])}>>")
    cat = doc.pdf_catalog()
    doc.xref_set_key(cat, "Names/JavaScript", f"<</Names[(init) {js} 0 R]>>")
    doc.xref_set_key(cat, "OpenAction",
                     f"<</S/JavaScript/JS {pymupdf.get_pdf_str(PHI['open_action'])}>>")
    doc.xref_set_key(page.xref, "AA",
                     f"<</O<</S/JavaScript/JS {pymupdf.get_pdf_str(PHI['page_aa'])}>>>>")
    doc.xref_set_key(cat, "PieceInfo",
                     f"<</App<</Private {pymupdf.get_pdf_str(PHI['piece_info'])}>>>>")
    doc.set_page_labels([{"startpage": 0, "prefix": PHI["page_label"], "style": "D"}])
    doc.save(path)
    return path


def _forms(value: str) -> list[bytes]:
    """How a string may be spelled inside a PDF: UTF-8, UTF-16BE, and their hex forms."""
    utf16 = value.encode("utf-16-be")
    forms = [value.encode(), utf16, value.encode().hex().encode(), utf16.hex().encode()]
    return forms + [f.upper() for f in forms[2:]]


def _all_bytes(path: Path) -> bytes:
    """The raw file plus every object and decompressed stream in it."""
    raw = path.read_bytes()
    chunks = [raw]
    doc = pymupdf.open(path)
    for xref in range(1, doc.xref_length()):
        chunks.append(doc.xref_object(xref, compressed=True).encode("latin-1", "replace"))
        if doc.xref_is_stream(xref):
            chunks.append(doc.xref_stream(xref) or b"")
    # also inflate anything that looks like a deflate stream in the raw bytes
    for part in raw.split(b"stream")[1:]:
        try:
            chunks.append(zlib.decompressobj().decompress(part.lstrip(b"\r\n")))
        except zlib.error:
            pass
    return b"\n".join(chunks)


def test_planted_phi_is_findable_before_scrub(tmp_path: Path) -> None:
    """Guards the test itself: every planted value really is in the unscrubbed file."""
    blob = _all_bytes(_phi_pdf(tmp_path / "in.pdf"))
    missing = [k for k, v in PHI.items() if not any(f in blob for f in _forms(v))]
    assert missing == []


def test_scrub_leaves_no_phi_anywhere(tmp_path: Path) -> None:
    doc = pymupdf.open(_phi_pdf(tmp_path / "in.pdf"))
    scrub_document(doc)
    out = tmp_path / "out.pdf"
    doc.save(out, garbage=4, deflate=True, clean=True)

    blob = _all_bytes(out)
    leaked = [k for k, v in PHI.items() if any(f in blob for f in _forms(v))]
    assert leaked == []

    check = pymupdf.open(out)
    assert check.get_toc() == []
    assert check.embfile_count() == 0
    assert all(v in ("", None) for k, v in check.metadata.items() if k not in ("format",
                                                                             "encryption"))
    assert not check.is_form_pdf
    assert [list(p.annots()) for p in check] == [[], []]
    assert [p.get_links() for p in check] == [[], []]
    assert check[0].get_label() == ""
    assert "Body text stays." in check[0].get_text()


def test_scrub_refuses_non_pdf() -> None:
    doc = pymupdf.open(stream=b"plain text", filetype="txt")
    with pytest.raises(ValueError):
        scrub_document(doc)
