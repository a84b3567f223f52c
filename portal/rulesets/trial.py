"""Try a policy on the first pages of one archived document: findings and page images. No Flask.

Runs in the request (a few pages take seconds; a scanned page about 2 s of OCR), so the policy
admin sees the effect of an edit at once. Found values never leave this module: the result
holds categories, rule ids and boxes, and the page images with the boxes drawn on them.
"""
from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf
from PIL import Image, ImageDraw

from dsl.model import Policy
from workers.analyse import DocumentInput, analyse_document
from workers.ocr import OcrEngine
from workers.pdfopen import UnreadableDocument, open_pdf

MAX_PAGES = 3
DPI = 60   # enough to see where a box lands; small enough to send inline
OUTLINE = 2


@dataclass(frozen=True)
class TrialFinding:
    """Where a rule fired; `line` is the rule's line in the policy text (0 if unknown)."""

    category: str
    rule: str
    line: int
    kind: str
    rect: tuple[float, float, float, float]


@dataclass
class TrialPage:
    number: int                      # 1-based
    findings: list[TrialFinding]
    png: bytes = b""


@dataclass
class TrialResult:
    """What the policy found on the pages tried; `error` in words when the document failed."""

    doc_label: str
    page_count: int = 0
    pages: list[TrialPage] = field(default_factory=list)
    ocr_pages: int = 0
    seconds: float = 0.0
    error: str | None = None

    @property
    def categories(self) -> Counter[str]:
        return Counter(f.category for p in self.pages for f in p.findings)

    @property
    def rule_counts(self) -> Counter[tuple[str, int, str]]:
        """(rule id, line, category) -> findings, over every page tried."""
        return Counter((f.rule, f.line, f.category) for p in self.pages for f in p.findings)

    @property
    def truncated(self) -> bool:
        return self.page_count > len(self.pages)


def rule_line(rule_id: str) -> int:
    """The line of a rule id such as "default:29" (the compiler names rules file:line)."""
    tail = rule_id.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def run(policy: Policy, pdf: Path, meta: dict[str, str], engine: OcrEngine | None,
        max_pages: int = MAX_PAGES) -> TrialResult:
    """Analyse pages 1..max_pages of `pdf` with `policy` (OCR as the policy says, if `engine`)."""
    item = DocumentInput(path=Path(pdf), doc_id="", meta=meta)
    analysis = analyse_document(policy, item, engine, pages=(0, max(1, max_pages)))
    result = TrialResult(doc_label=analysis.label, page_count=analysis.page_count,
                         ocr_pages=analysis.ocr_pages, seconds=analysis.seconds,
                         error=analysis.error)
    for number in sorted(analysis.findings):
        found = [TrialFinding(f.category, f.rule, rule_line(f.rule), f.kind, tuple(f.rect))
                 for f in analysis.findings[number]]
        result.pages.append(TrialPage(number + 1, found))
    return result


def draw_pages(result: TrialResult, pdf: Path, colours: dict[str, str], dpi: int = DPI) -> None:
    """Fill each tried page's `png`: the page at `dpi` with every finding outlined in colour."""
    try:
        doc = open_pdf(pdf)
    except UnreadableDocument:
        return  # the analysis already said why, in result.error
    scale = dpi / 72.0
    with doc:
        for page in result.pages:
            pdf_page = doc[page.number - 1]
            pix = pdf_page.get_pixmap(dpi=dpi, alpha=False)
            image = Image.frombytes("RGB", (pix.width, pix.height), pix.samples)
            pen = ImageDraw.Draw(image)
            # Findings are in unrotated page space; the image shows the page as displayed.
            to_image = pdf_page.rotation_matrix * pymupdf.Matrix(scale, scale)
            for f in page.findings:
                x0, y0, x1, y1 = pymupdf.Rect(f.rect).transform(to_image).normalize()
                pen.rectangle((x0 - 1, y0 - 1, x1 + 1, y1 + 1),
                              outline=colours.get(f.category, "#d62728"), width=OUTLINE)
            out = io.BytesIO()
            image.save(out, format="PNG", optimize=True)
            page.png = out.getvalue()

