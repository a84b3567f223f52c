"""Pass 2: redact every page for real, scrub each document, hand it on in page-range parts.

A document is copied and redacted a part at a time (PART_PAGES pages) and each part goes to the
assembler as soon as it is done, so a 1,000-page scan never sits in memory whole. Parts are
handed over in memory, not saved and read back: the assembler copies only what the pages use
(scrubbed and redacted-away objects stay behind) and saves the output with garbage collection.
Page layers come from pass 1's spool when there is one: the text is not extracted, nor scans
rendered for OCR, a second time.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator

import pymupdf

from dsl.model import Action, Policy

from .analyse import DocumentAnalysis, LayerSpool, page_layers
from .assemble import write_footer
from .detect import ValueHunter
from .drawing import commit
from .ocr import OcrEngine
from .pdfopen import open_pdf, release_caches
from .pseudonyms import Pseudonyms
from .redact import redact_page
from .scrub import scrub_document
from .textlayer import Finding, Glyph

PART_PAGES = 40


class ActionTable:
    """Which action applies to a finding: its rule's, else its category's, else the default."""

    def __init__(self, policy: Policy):
        self.default = policy.default_action
        self.by_rule: dict[str, Action] = {}
        self.by_category: dict[str, Action] = {}
        rules = list(policy.rules)
        for doc_type in policy.documents:
            rules.extend(doc_type.rules)
        for rule in rules:
            action = policy.action_for(rule)
            self.by_rule[rule.id] = action
            self.by_category.setdefault(rule.category, action)

    def labels(self) -> frozenset[str]:
        """The label texts this policy draws over findings ("[患者姓名]")."""
        actions = [self.default, *self.by_rule.values()]
        return frozenset(a.text for a in actions if a.kind == "label" and a.text)

    def __call__(self, finding: Finding) -> Action:
        action = (self.by_rule.get(finding.rule) or self.by_category.get(finding.category)
                  or self.default)
        if action.kind == "pseudonym" and not finding.value:
            # An image or a region has no value to keep a pseudonym for.
            return Action("box")
        return action


def produce_document(analysis: DocumentAnalysis, hunter: ValueHunter,
                     engine: OcrEngine | None, pseudonyms: Pseudonyms,
                     action_for: Callable[[Finding], Action],
                     on_page=None, numbering: tuple[int, int] | None = None,
                     ) -> Iterator[pymupdf.Document]:
    """Redact one analysed document; yields its redacted, scrubbed parts in order.

    `numbering`: (output number of the document's first page, output pages in all): the
    pages get their footers (`redact_numbered`). Each part is closed when the caller asks for
    the next one: copy it before that.
    """
    spool, analysis.layers = analysis.layers, None   # read once, then gone from disk
    try:
        with open_pdf(analysis.input.path) as src:
            for start in range(0, src.page_count, PART_PAGES):
                stop = min(start + PART_PAGES, src.page_count)
                part = copy_part(src, start, stop)
                for page, layer in _layers(part, start, analysis, spool, engine):
                    number = layer.number
                    found = list(analysis.findings.get(number, ()))
                    found.extend(hunter.find(layer, *analysis.around(number)))
                    analysis.findings[number] = found
                    footer = None if numbering is None else (numbering[0] + number,
                                                             numbering[1])
                    redact_numbered(page, found, action_for, pseudonyms, layer.glyphs, footer)
                    if on_page:
                        on_page(analysis.input, number)
                scrub_document(part)
                try:
                    yield part
                finally:
                    part.close()
                    release_caches()   # the part's fonts and images (see analyse_document)
    finally:
        if spool is not None:
            spool.discard()
        release_caches()


def redact_numbered(page: pymupdf.Page, findings: list[Finding],
                    action_for: Callable[[Finding], Action], pseudonyms: Pseudonyms,
                    glyphs: list[Glyph] | None, footer: tuple[int, int] | None) -> None:
    """`redact_page`, and the page's footer (output page `footer[0]`, 0-based, of `footer[1]`)
    drawn over it in the same stroke: one content stream appended and one q/Q count, not two
    (~0.5 ms a page). Footers are drawn with the redaction, in the workers, rather than one
    page after another by the assembler: 0.25 s of 320 born-digital pages the other cores
    waited for."""
    shape = page.new_shape()
    redact_page(page, findings, action_for, pseudonyms, glyphs, shape=shape)
    if footer is not None:
        write_footer(shape, *footer)
    commit(shape)


def copy_part(src: pymupdf.Document, start: int, stop: int) -> pymupdf.Document:
    """Pages [start, stop) of `src` in a new document, without annotations or links."""
    part = pymupdf.open()
    part.insert_pdf(src, from_page=start, to_page=stop - 1, annots=False, links=False)
    return part


def _layers(part: pymupdf.Document, start: int, analysis: DocumentAnalysis,
            spool: LayerSpool | None, engine: OcrEngine | None):
    """Each page of a part with its layer, numbered in the document: pass 1's, read back from
    its spool (the part's pages are copies of the same pages), else extracted and OCR'd again."""
    missing = []
    for page in part:
        layer = spool.get(start + page.number) if spool is not None else None
        if layer is None:
            missing.append(page.number)
            continue
        yield page, layer
    if missing:
        for page, layer in page_layers(part, analysis.ocr_mode, engine, missing[0]):
            if page.number in missing:
                layer.number = start + page.number
                yield page, layer
