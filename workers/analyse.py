"""Pass 1: read each document page by page, OCR where pixels hold text, classify, detect.

Only findings leave this module; page text is dropped as soon as a page is done, so memory does
not grow with the record. OCR results stay in the OCR cache, so pass 2 re-reads them for free.
"""
from __future__ import annotations

import time
import unicodedata
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf

from dsl.model import DocumentType, OcrMode, Policy, Rule

from . import classify
from .detect import run_rule
from .extract import page_layer
from .ocr import OcrEngine, OcrUnavailable
from .pdfopen import UnreadableDocument, open_pdf
from .textlayer import Finding, PageLayer

# Pages whose OCR is under way at once: enough to keep every Tesseract busy while this thread
# renders the next page, few enough that rendered images do not pile up in memory.
LOOKAHEAD_PER_WORKER = 2


@dataclass(frozen=True)
class DocumentInput:
    """One PDF of the record, in record order, with what the archive says about it."""

    path: Path
    doc_id: str = ""
    meta: Mapping[str, str] = field(default_factory=dict)


@dataclass
class DocumentAnalysis:
    """What pass 1 learnt about one document. `findings` maps page index to findings."""

    input: DocumentInput
    label: str = "文档"
    doc_type: DocumentType | None = None
    page_count: int = 0
    ocr_mode: OcrMode = "auto"
    findings: dict[int, list[Finding]] = field(default_factory=dict)
    removed: list[Finding] = field(default_factory=list)   # taken out by hand (with reason)
    ocr_pages: int = 0
    error: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


def normalise(value: str) -> str:
    """The form a value is compared in: NFKC (full-width digits), no spaces."""
    return "".join(unicodedata.normalize("NFKC", value).split())


def page_layers(doc: pymupdf.Document, mode: OcrMode, engine: OcrEngine | None,
                start: int = 0, stop: int | None = None) -> Iterator[tuple[pymupdf.Page, PageLayer]]:
    """Yield each page with its text layer, OCR lines included, in page order.

    OCR of the next pages runs in the engine's pool while the caller works on this one.
    """
    stop = doc.page_count if stop is None else stop
    pending: deque = deque()
    lookahead = max(1, (engine.workers if engine else 1) * LOOKAHEAD_PER_WORKER)
    for number in range(start, stop):
        page = doc[number]
        layer = page_layer(page, number)
        future = engine.submit_page(page, layer, mode) if engine and mode != "never" else None
        pending.append((page, layer, future))
        if len(pending) > lookahead:
            yield _settle(*pending.popleft())
    while pending:
        yield _settle(*pending.popleft())


def _settle(page, layer, future):
    if future is not None:
        lines = future.result()
        if lines:
            layer.lines.extend(lines)
            layer.ocr_used = True
    return page, layer


def detect_page(policy: Policy, rules: tuple[Rule, ...], layer: PageLayer,
                page_count: int) -> list[Finding]:
    allow = frozenset(policy.allow)
    found: list[Finding] = []
    for rule in rules:
        found.extend(run_rule(rule, layer, allow, page_count=page_count))
    return found


def analyse_document(policy: Policy, item: DocumentInput, engine: OcrEngine | None,
                     on_page=None, pages: tuple[int, int] | None = None) -> DocumentAnalysis:
    """Classify one document and run its rules on every page (or pages [start, stop)).

    A document that cannot be read gives `error`, in words; it never raises for bad input.
    """
    result = DocumentAnalysis(input=item, label=str(item.meta.get("doc_type") or "文档"))
    started = time.perf_counter()
    try:
        doc = open_pdf(item.path)
    except UnreadableDocument as exc:
        result.error = str(exc)
        return result
    with doc:
        result.page_count = doc.page_count
        start, stop = pages or (0, doc.page_count)
        try:
            _analyse(policy, doc, result, engine, on_page, start, min(stop, doc.page_count))
        except OcrUnavailable:
            raise
        except Exception as exc:  # MuPDF errors on a damaged page: name it, keep the others
            result.error = (f"{item.path.name}: a page could not be read ({type(exc).__name__})."
                            " Export the document from the archive system again.")
    result.seconds = time.perf_counter() - started
    return result


def _analyse(policy, doc, result, engine, on_page, start, stop) -> None:
    result.doc_type = classify.by_metadata(policy, result.input.meta)
    first = None
    if result.doc_type is None:
        # The title decides: read page 1 (OCR'd when it is a scan) before choosing rules.
        first = next(page_layers(doc, policy.ocr, engine, 0, 1))
        result.doc_type = classify.by_title(policy, classify.title_text(first[1]))
    result.ocr_mode = policy.ocr_for(result.doc_type)
    if result.doc_type is not None:
        result.label = result.doc_type.name
    rules = policy.rules_for(result.doc_type)
    reuse = first is not None and start == 0 and result.ocr_mode == policy.ocr
    layers = page_layers(doc, result.ocr_mode, engine, 1 if reuse else start, stop)
    if reuse:
        layers = _chain_first(first, layers)
    for _page, layer in layers:
        result.findings[layer.number] = detect_page(policy, rules, layer, doc.page_count)
        result.ocr_pages += layer.ocr_used
        if on_page:
            on_page(result.input, layer.number)


def _chain_first(first, rest):
    yield first
    yield from rest
