"""Check a finished export as an outsider would: what can still be read in it?

Reads the output's text layer, OCRs what it holds as pixels, and looks for every identifier the
record revealed plus anything the structural detectors (ID numbers, phones, patterns, word lists)
still find. It also looks where PDF viewers show data beside the pages: metadata, XMP, outline,
annotations, attachments, form fields and scripts.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path

import pymupdf

from dsl.model import Handwriting, IdCard, Pattern, Phone, Policy, Rule, WordList

from .analyse import detect_page, page_layers
from .detect import ValueHunter
from .detect.pagebreak import page_edges
from .detect.text import BLANK, is_cjk
from .detect.vocab import COMPOUND_SURNAMES, SURNAMES
from .extract import ocr_plan
from .ocr import OcrEngine
from .ocrdiff import PageSource, SourcePages, submit_verification
from .textlayer import UNREAD, Finding, PageLayer, Rect, contains, overlaps, value_hash

# Detectors whose hits are identifiers on their own, wherever they stand. Label rules are left
# out: after redaction the text after "姓名：" is a replacement mark, not a residual.
STRUCTURAL = (IdCard, Phone, Pattern, WordList, Handwriting)
NAME_SHAPES = ("name", "names")
# A hit this much inside the marks we drew, each grown by the slack (points: OCR's boxes are
# looser than the text layer's), reads nothing but the marks.
MARK_SHARE = 0.7
MARK_SLACK = 1.5
# Where a residual found by reading a page stands (the others are places beside the pages).
PAGE_PLACES = ("text", "ocr")


@dataclass(frozen=True)
class Residual:
    """Something identifying still readable in the output. No text, only its keyed hash."""

    page: int            # 1-based page of the output; 0 for document-level places
    where: str           # text | ocr | metadata | outline | annotation | attachment | form | script
    category: str
    value_hash: str = ""
    rect: Rect | None = None
    # What was found, for a second redaction round. In memory only: reports use the fields above.
    finding: Finding | None = field(default=None, repr=False, compare=False)

    def public(self) -> dict:
        """The residual as reports and the portal store it: no text, only its keyed hash."""
        return {"page": self.page, "where": self.where, "category": self.category,
                "value_hash": self.value_hash,
                "box": [round(c, 1) for c in self.rect] if self.rect else None}


@dataclass
class Verification:
    pages: int = 0
    ocr_pages: int = 0
    residuals: list[Residual] = field(default_factory=list)
    fixed_by_second_look: int = 0   # findings a fresh read still saw, redacted before release

    @property
    def clean(self) -> bool:
        return not self.residuals


def structural_rules(policy: Policy) -> tuple[Rule, ...]:
    rules = list(policy.rules)
    for doc_type in policy.documents:
        rules.extend(doc_type.rules)
    seen, out = set(), []
    for rule in rules:
        # Handwriting keeps its region: out of it (a title at the top) it was never hidden.
        if isinstance(rule.detector, STRUCTURAL) and (
                rule.scope is None or isinstance(rule.detector, Handwriting)):
            key = (rule.detector, rule.category)
            if key not in seen:
                seen.add(key)
                out.append(rule)
    return tuple(out)


def verify_export(path: Path, policy: Policy, hunter: ValueHunter, engine: OcrEngine | None,
                  *, password: str | None = None, key: bytes = b"",
                  replacements: frozenset[str] = frozenset(), on_page=None,
                  sources: Sequence[PageSource | None] = (),
                  pages: Iterable[int] | None = None, beside: bool = True,
                  unsure: bool = True, previous: Path | None = None,
                  whole: bool = True) -> Verification:
    """Verify the file at `path`. `replacements` are texts we drew (labels, pseudonyms).
    `on_page(layer)` is called once each page is read and checked.

    `pages` (0-based) limits the reading of pages to those (workers split a file; a second
    look reads again only what it redacted); the places beside the pages (metadata,
    outline...) are read when `beside`. `unsure`: lines pass 1 read with little confidence are
    read again whole on a scan (a second look, which had that chance, reads only its changes).

    `sources` names, per output page, the source page it was redacted from: OCR then reads the
    page as pass 1 did ("always" for an ECG). Its document's label rules run on what OCR reads
    anew there: a scan reads differently once redacted ("床号：+5" where pass 1 read "床号：号").

    `whole`: OCR every output page whole, as an outsider reads it (the default). Otherwise only
    what redaction changed is read again and pass 1's reading stands for the rest
    (`workers.ocrdiff`): faster, but Tesseract reads untouched pixels differently once another
    line of the page is boxed ("床写: 1交" in pass 1, "床号: 17" in the export), and the leak is
    then in the export unseen. `previous` (windowed only): the file as the look before this one
    read it (same pages, same password); a second look then OCRs only what it redacted since.
    """
    result = Verification()
    rules = structural_rules(policy)
    with pymupdf.open(path) as doc:
        if doc.needs_pass and not doc.authenticate(password or ""):
            raise ValueError("the export is encrypted and the password given does not open it")
        result.pages = doc.page_count
        if beside:
            result.residuals.extend(_document_level(doc, hunter, key))
        ends: tuple[str, ...] = ()   # the last rows of the page before: a name run over
        for layer, info in _output_layers(doc, engine, sources, pages, unsure,
                                          None if whole else _opened(previous, password),
                                          whole):
            result.ocr_pages += layer.ocr_used
            hits = (_hunted(hunter, layer, ends)
                    + detect_page(policy, rules, layer, doc.page_count))
            ends = page_edges(layer)[1]
            if info is not None and info.label_rules and layer.ocr_used:
                hits.extend(_new_label_hits(policy, info.label_rules, layer, doc.page_count,
                                            replacements))
            for hit in _not_our_marks(layer, hits, replacements):
                line_source = _source_of(layer, hit.rect)
                result.residuals.append(Residual(layer.number + 1, line_source, hit.category,
                                                 value_hash(hit.value, key), hit.rect, hit))
            if on_page:
                on_page(layer)
    return result


def _hunted(hunter: ValueHunter, layer, before: tuple[str, ...] = ()) -> list[Finding]:
    """The record's values still found on the page, or run into it from the page before
    (`before`: that page's last rows). A word OCR could not read is hidden where pass 1 found
    one; in the export it is no reading of anything (our own small marks read back come out
    so, and each cost a second look)."""
    return [h for h in hunter.find(layer, before) if not h.rule.endswith(UNREAD)]


def _new_label_hits(policy: Policy, rules: tuple[Rule, ...], layer, page_count: int,
                    replacements: frozenset[str]) -> list[Finding]:
    """What the document's label rules find on what OCR read anew, minus misreadings: a name
    there opens with a surname ("主治医师:可吉免因素" is the clinical text after a pseudonym
    OCR misread, not a doctor)."""
    names = {r.category for r in rules if r.detector.shape in NAME_SHAPES}
    unmarked = _without_marks(layer, replacements)
    return [h for h in _in_new_readings(layer, detect_page(policy, rules, unmarked, page_count))
            if not h.rule.endswith(UNREAD) and _plausible(h.value) and not _misread_mark(h.value, replacements)
            and (h.category not in names or _surname_first(h.value))]


def _without_marks(layer: PageLayer, replacements: frozenset[str]) -> PageLayer:
    """The page with the marks we drew, as drawn and as OCR read them back, made blanks
    (BLANK): a mark is no label, and it stands where its label's value was, so the label does
    not look further for one ("住址 [住址]" took the clinical line under it, seed 29 V0004)."""
    marks = _mark_boxes(layer, replacements)
    if not marks:
        return layer

    def over(box: Rect) -> bool:
        x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        return any(m[0] - MARK_SLACK <= x <= m[2] + MARK_SLACK
                   and m[1] - MARK_SLACK <= y <= m[3] + MARK_SLACK for m in marks)

    lines = []
    for line in layer.lines:
        if line.source == "text" and line.text.strip() in replacements:
            line = replace(line, text=BLANK * len(line.text))
        elif line.source == "ocr" and any(over(b) for b in line.boxes):
            line = replace(line, text="".join(BLANK if over(b) else ch
                                              for ch, b in zip(line.text, line.boxes)))
        lines.append(line)
    return replace(layer, lines=lines)


def _not_our_marks(layer, hits: list[Finding], replacements: frozenset[str]) -> list[Finding]:
    """The hits that are not a mark we drew (a label, a pseudonym), as drawn or as OCR of the
    page read it back: "医拉" for the small pseudonym 医护I, "工作单位]" after a form's 单位 for
    the label [工作单位]. Redaction removed the pixels under a mark, so the only ink there is
    the mark's own; a hit that reaches well past a mark may hold a name beside it."""
    marks = _mark_boxes(layer, replacements) if layer.ocr_used else []
    return [h for h in hits if not (h.value and h.value in replacements)
            and not _over_marks(h.rect, marks)
            and not (_one_off_mark(h.value, replacements)
                     and any(overlaps(h.rect, m) for m in marks))]


def _one_off_mark(value: str, replacements: frozenset[str]) -> bool:
    """`value` reads a mark of ours with one character wrong: a small pseudonym read back in a
    box taller than its text ("家虽丙" for 家属丙, seed 63 V0024-12), which `_over_marks` does
    not take for the mark."""
    return any(len(r) == len(value) >= 3 and sum(a != b for a, b in zip(r, value)) == 1
               for r in replacements)


def _mark_boxes(layer: PageLayer, replacements: frozenset[str]) -> list[Rect]:
    """Where the page's text layer holds a mark we drew (a label, a pseudonym)."""
    return [line.bbox for line in layer.lines
            if line.source == "text" and line.text.strip() in replacements]


def _over_marks(rect: Rect, marks: list[Rect]) -> bool:
    if not marks:
        return False
    area = (rect[2] - rect[0]) * (rect[3] - rect[1])
    if area <= 0:
        return False
    covered = 0.0
    for m in marks:
        w = min(rect[2], m[2] + MARK_SLACK) - max(rect[0], m[0] - MARK_SLACK)
        h = min(rect[3], m[3] + MARK_SLACK) - max(rect[1], m[1] - MARK_SLACK)
        if w > 0 and h > 0:
            covered += w * h
    return covered >= MARK_SHARE * area


def _surname_first(value: str) -> bool:
    return value[:1] in SURNAMES or value[:2] in COMPOUND_SURNAMES or value[:1].isascii()


def _in_new_readings(layer, hits: list[Finding]) -> list[Finding]:
    """Hits standing on OCR lines read anew (not pass 1's reading of unchanged pixels), away
    from the text layer: where text is drawn (a pseudonym over a scan, a page drawn in
    vectors) the text layer is what it says, and OCR of it only misreads ("证者记" for 患者戊)."""
    fresh = [line.bbox for line in layer.lines if line.source == "ocr" and not line.reused]
    drawn = [line.bbox for line in layer.lines if line.source == "text"]
    return [h for h in hits if any(contains(b, h.rect) for b in fresh)
            and not any(overlaps(h.rect, b) for b in drawn)]


def _plausible(value: str) -> bool:
    """An identifier a fresh reading may reveal holds two Chinese characters or a digit;
    handwriting under a box reads as Latin noise ("erso")."""
    return sum(is_cjk(c) for c in value) >= 2 or any(c.isdigit() for c in value)


def _misread_mark(value: str, replacements: frozenset[str]) -> bool:
    """A pseudonym we drew, read back a little wrong ("患者申" for 患者甲): not a residual."""
    return any(len(r) >= 2 and (value[:2] == r[:2] or value in r) for r in replacements)


def _opened(path: Path | None, password: str | None) -> pymupdf.Document | None:
    if path is None:
        return None
    doc = pymupdf.open(path)
    if doc.needs_pass and not doc.authenticate(password or ""):
        doc.close()
        return None
    return doc


def _output_layers(doc: pymupdf.Document, engine: OcrEngine | None,
                   sources: Sequence[PageSource | None], pages: Iterable[int] | None = None,
                   unsure: bool = True, previous: pymupdf.Document | None = None,
                   whole: bool = True):
    """Each output page's text layer with its OCR lines (of `pages`, or all), and where the
    page came from; OCR reads each page `whole`, or only what changed from its source."""
    with SourcePages(sources) as source_of, previous or nullcontext():
        def submit(page, layer):
            info = source_of.info(page.number)
            mode = info.ocr_mode if info else "auto"
            if not ocr_plan(page, layer, mode, flat=info is not None and info.flat):
                return None   # a text page: its source file need not be opened at all
            if whole:
                return submit_verification(engine, page, layer, None, mode)
            before = previous[page.number] if previous is not None else None
            return submit_verification(engine, page, layer, source_of(page.number), mode,
                                       unsure, before)
        # One reading over all the pages (not one per run of them): a second look's few
        # scattered pages are OCR'd side by side, not one after another.
        numbers = None if pages is None else sorted({p for p in pages
                                                     if 0 <= p < doc.page_count})
        for _page, layer in page_layers(doc, "auto", engine, submit=submit, numbers=numbers):
            yield layer, source_of.info(layer.number)


def _source_of(layer, rect) -> str:
    for line in layer.lines:
        x0, y0, x1, y1 = line.bbox
        if x0 <= rect[2] and rect[0] <= x1 and y0 <= rect[3] and rect[1] <= y1:
            return line.source
    return "text"


def _document_level(doc: pymupdf.Document, hunter: ValueHunter, key: bytes) -> list[Residual]:
    """Anything at all in the places a scrubbed export leaves empty is a residual."""
    out: list[Residual] = []
    meta = {k: v for k, v in (doc.metadata or {}).items()
            if v and k not in ("format", "producer", "creator", "encryption",
                               "creationDate", "modDate")}
    if meta or doc.get_xml_metadata():
        out.append(Residual(0, "metadata", "元数据"))
    if doc.get_toc(simple=True) and _toc_has_identifier(doc, hunter):
        out.append(Residual(0, "outline", "目录"))
    if doc.embfile_count():
        out.append(Residual(0, "attachment", "附件"))
    if doc.is_form_pdf:
        out.append(Residual(0, "form", "表单"))
    catalog = doc.pdf_catalog()
    names = doc.xref_get_key(catalog, "Names")
    if doc.xref_get_key(catalog, "OpenAction")[0] != "null" or "JavaScript" in names[1]:
        out.append(Residual(0, "script", "脚本"))
    for page in doc:
        if page.first_annot is not None:
            out.append(Residual(page.number + 1, "annotation", "批注"))
    return out


def _toc_has_identifier(doc: pymupdf.Document, hunter: ValueHunter) -> bool:
    titles = "\n".join(entry[1] for entry in doc.get_toc(simple=True))
    return hunter.contains(titles)


def fixable(verification: Verification) -> bool:
    """Residuals on pages, with a place to redact (document-level ones are bugs, not misses)."""
    return any(r.finding is not None for r in verification.residuals)


def fixable_pages(verification: Verification) -> set[int]:
    """The pages (0-based) a second look redacts on."""
    return {r.page - 1 for r in verification.residuals if r.finding is not None}


def reverified(before: Verification, again: Verification, pages: set[int]) -> Verification:
    """`before`, with the pages read `again` (and the places beside the pages) replaced."""
    kept = [r for r in before.residuals if r.where in PAGE_PLACES and r.page - 1 not in pages]
    return Verification(pages=again.pages, ocr_pages=before.ocr_pages,
                        residuals=kept + again.residuals,
                        fixed_by_second_look=before.fixed_by_second_look)


def redact_residuals(path: Path, residuals: list[Residual], action_for, pseudonyms,
                     password: str | None = None) -> int:
    """Redact residual findings in the finished file in place (atomically); how many."""
    from .assemble import PERMISSIONS, safe_output
    from .redact import redact_page

    by_page: dict[int, list[Finding]] = {}
    for r in residuals:
        if r.finding is not None:
            by_page.setdefault(r.page - 1, []).append(r.finding)
    with pymupdf.open(path) as doc:
        if doc.needs_pass:
            doc.authenticate(password or "")
        for number, findings in by_page.items():
            redact_page(doc[number], findings, action_for, pseudonyms)
        options: dict = {"garbage": 4, "deflate": True}
        if password:
            import secrets
            options.update(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw=password,
                           owner_pw=secrets.token_urlsafe(24), permissions=PERMISSIONS)
        with safe_output(path) as tmp:
            doc.save(tmp, **options)
    return sum(len(f) for f in by_page.values())
