"""Measure the policy on a demo archive against its ground truth: leaks and readability.

For every record: run the pipeline, then read the output three ways an outsider could (its text
layer, OCR of every page, and the document-level places: metadata, XMP, outline, annotations,
attachments) and count the ground-truth identifiers still there, and the clinical terms that
survived. Handwritten signatures, which OCR cannot read, are looked at instead: one still visible
where it was drawn (`sigvisible`) is a leak too. So is an identifier drawn on a scanned page
that still shows where it was drawn, whether or not OCR reads it: a person would ("pixels").
"""
from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any, TextIO

import pymupdf

from archive.folder import FolderArchive

from .analyse import DocumentInput, normalise, page_layers
from .ocr import OcrCache, OcrEngine
from .record import KnownIdentifier, RunOptions, run_record
from .sigvisible import TEXT_MIN_CORRELATION, region_visibility

WAYS = ("text", "ocr", "metadata", "pixels")


def output_texts(path: Path, engine: OcrEngine | None) -> dict[str, str]:
    """The output as an outsider reads it, one string per way of reading: each line normalised,
    lines joined by "\n" (where a line ends matters to a short number, see `readable_in`)."""
    texts = {"text": [], "ocr": [], "metadata": []}
    with pymupdf.open(path) as doc:
        texts["metadata"].extend(str(v) for v in (doc.metadata or {}).values() if v)
        texts["metadata"].append(doc.get_xml_metadata() or "")
        texts["metadata"].extend(entry[1] for entry in doc.get_toc(simple=True))
        texts["metadata"].extend(doc.embfile_names())
        for page in doc:
            for annot in page.annots() or ():
                texts["metadata"].append(annot.info.get("content", ""))
        mode = "always" if engine else "never"
        for _page, layer in page_layers(doc, mode, engine):
            for line in layer.lines:
                texts["ocr" if line.source == "ocr" else "text"].append(line.text)
    return {way: "\n".join(filter(None, map(normalise, parts))) for way, parts in texts.items()}


def readable_in(value: str, text: str) -> bool:
    """Whether `value` can still be read in `text` (lines joined by "\n") as the identifier it is.

    A name or a long number counts wherever it stands, even broken over two lines. A short
    number (a bed number "23") occurs in any lab table; it identifies only beside its label on
    the same line ("床号：23", "23床"), or as the whole line after a label that ends its own
    ("床号：" / "23"). A label ending one line and a number opening the next row of a chart
    ("床号：" / "+3 ..." of a partogram's fetal station) are two things.
    """
    if len(value) >= 4 or re.search(r"[\u4e00-\u9fff]", value):
        return value in text.replace("\n", "")
    v = re.escape(value)
    label = r"(?:床号|床位号|床位|床)[:：]?"
    return re.search(rf"{label}{v}(?![\d])|(?<![\d.]){v}床|{label}\n{v}(?:\n|$)",
                     text) is not None


def evaluate_record(archive: FolderArchive, visit, policy, engine, work: Path) -> dict[str, Any]:
    truth = json.loads((archive.root / "truth" / f"{visit.visit_id}.json").read_text("utf-8"))
    patient = archive.root / "records" / visit.visit_id / "patient.json"
    known = [KnownIdentifier(i["category"], i["value"])
             for i in json.loads(patient.read_text("utf-8"))["identifiers"]]
    inputs = [DocumentInput(archive.document_path(d), d.doc_id, {"doc_type": d.doc_type})
              for d in visit.documents]
    out = work / f"{visit.visit_id}.pdf"
    result = run_record(policy, inputs, out, known, RunOptions(allow_residuals=True))
    texts = output_texts(out, engine)
    values = {normalise(i["value"]): i["category"] for i in truth["identifiers"]}
    sources = {d.doc_id: (i, inp.path) for i, (d, inp) in enumerate(zip(visit.documents, inputs))}
    drawn = region_visibility(truth.get("drawn", []), sources, result.page_map, out,
                              TEXT_MIN_CORRELATION)
    leaks = {way: sorted(v for v in values if v and readable_in(v, texts[way]))
             for way in WAYS if way != "pixels"}
    leaks["pixels"] = sorted({normalise(d["value"]) for d in drawn if d["visible"]})
    leaked = set().union(*leaks.values())
    signatures = region_visibility(truth.get("signatures", []), sources, result.page_map, out)
    shown = [s for s in signatures if s["visible"]]
    # A seal's rim is the hospital's name, which a person reads though OCR cannot.
    stamps = region_visibility(truth.get("stamps", []), sources, result.page_map, out)
    stamped = [s for s in stamps if s["visible"]]
    terms = {normalise(t) for t in truth.get("clinical_terms", [])}
    flat = {way: text.replace("\n", "") for way, text in texts.items()}
    readable = {t for t in terms if t in flat["text"] or t in flat["ocr"]}
    return {
        "visit": visit.visit_id, "pages": result.pages, "identifiers": len(values),
        "leaked": len(leaked) + len(shown) + len(stamped), "leaked_identifiers": len(leaked),
        **{f"leaked_{w}": len(leaks[w]) for w in WAYS},
        "leaked_categories": sorted({values[v] for v in leaked}),
        "signatures": len(signatures), "signatures_visible": len(shown),
        "signatures_visible_on": [f"{s['doc']} p{s['page']}" for s in shown],
        "stamps": len(stamps), "stamps_visible": len(stamped),
        "stamps_visible_on": [f"{s['doc']} p{s['page']}" for s in stamped],
        "pixels_visible_on": sorted({f"{d['doc']} p{d['page']} {d['category']}"
                                     for d in drawn if d["visible"]}),
        "clinical_terms": len(terms), "readable": len(readable),
        "verified_clean": result.verification.clean,
        "seconds": round(result.timings.get("total_s", 0.0), 2),
    }


def evaluate_archive(root: Path, policy, ocr: bool = True) -> dict[str, Any]:
    archive = FolderArchive(root)
    records = []
    with tempfile.TemporaryDirectory(prefix="emr-eval-") as tmp:
        engine = OcrEngine(OcrCache(Path(tmp) / "ocr")) if ocr else None
        try:
            for visit in archive.visits():
                records.append(evaluate_record(archive, visit, policy, engine, Path(tmp)))
        finally:
            if engine:
                engine.close()
    keys = ("pages", "identifiers", "leaked", "leaked_identifiers", "leaked_text", "leaked_ocr",
            "leaked_metadata", "leaked_pixels", "signatures", "signatures_visible", "stamps",
            "stamps_visible", "clinical_terms", "readable")
    total = {k: sum(r[k] for r in records) for k in keys}
    total["records"] = len(records)
    total["verified_clean"] = sum(r["verified_clean"] for r in records)
    total["readable_share"] = round(total["readable"] / total["clinical_terms"], 4) \
        if total["clinical_terms"] else 1.0
    return {"records": records, "total": total}


def print_evaluation(figures: dict[str, Any], out: TextIO) -> None:
    head = (f"{'visit':8} {'pages':>5} {'ids':>4} {'leak':>4} {'text':>4} {'ocr':>4} "
            f"{'meta':>4} {'pix':>4} {'sigs':>4} {'seen':>4} {'terms':>6} {'readable':>8}  verified")
    print(head, file=out)
    for r in figures["records"]:
        notes = []
        if r["leaked_categories"]:
            notes.append(f"leaked: {', '.join(r['leaked_categories'])}")
        if r.get("pixels_visible_on"):
            notes.append(f"identifiers visible: {', '.join(r['pixels_visible_on'])}")
        if r["signatures_visible_on"]:
            notes.append(f"signatures visible: {', '.join(r['signatures_visible_on'])}")
        if r["stamps_visible_on"]:
            notes.append(f"stamps visible: {', '.join(r['stamps_visible_on'])}")
        print(f"{r['visit']:8} {r['pages']:5} {r['identifiers']:4} {r['leaked']:4} "
              f"{r['leaked_text']:4} {r['leaked_ocr']:4} {r['leaked_metadata']:4} {r['leaked_pixels']:4} "
              f"{r['signatures']:4} {r['signatures_visible']:4} "
              f"{r['clinical_terms']:6} {r['readable']:8}  "
              f"{'clean' if r['verified_clean'] else 'RESIDUALS'}"
              + "".join(f"  {n}" for n in notes), file=out)
    print("(leak: identifiers leaked + signatures and stamps still visible; pix: identifiers still visible "
          "where a scan shows them, read by OCR or not; sigs: signatures drawn, seen: of them "
          "still visible)", file=out)
    t = figures["total"]
    print(f"total: {t['records']} records, {t['pages']} pages; leaks {t['leaked']}: identifiers "
          f"leaked {t['leaked_identifiers']} of {t['identifiers']} (text {t['leaked_text']}, "
          f"OCR {t['leaked_ocr']}, metadata {t['leaked_metadata']}, still visible on scans "
          f"{t['leaked_pixels']}) + signatures still visible "
          f"{t['signatures_visible']} of {t['signatures']} + stamps still visible "
          f"{t['stamps_visible']} of {t['stamps']}; clinical terms readable "
          f"{t['readable']} of {t['clinical_terms']} ({100 * t['readable_share']:.1f}%); "
          f"verified clean {t['verified_clean']} of {t['records']}", file=out)
