"""Pass 1: read each document page by page, OCR where pixels hold text, classify, detect.

Only findings stay in memory; each page's text layer (OCR lines included) goes to a spool file
on disk as soon as the page is done, so memory does not grow with the record and pass 2 reads
the layer back instead of extracting the text and rendering scans for OCR again.
"""
from __future__ import annotations

import marshal
import os
import tempfile
import time
import unicodedata
import weakref
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf

from dsl.model import DocumentType, OcrMode, Policy, Rule

from . import classify, ruling, scanprep
from .detect import run_rule
from .detect.pagebreak import Edges, PageBreaks
from .docinfo import properties_layer
from .extract import page_layer
from .ocr import OcrEngine, OcrFailed, OcrUnavailable
from .pdfopen import UnreadableDocument, open_pdf, release_caches
from .textlayer import Finding, Glyph, ImageBox, PageLayer, TextLine

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
    # Found in the document's properties (`docinfo`): hunted record-wide, drawn nowhere.
    revealed: list[Finding] = field(default_factory=list)
    removed: list[Finding] = field(default_factory=list)   # taken out by hand (with reason)
    ocr_pages: int = 0
    # Each page's first and last rows' texts (`pagebreak.page_edges`): a value a page break
    # split is hunted across it.
    edges: dict[int, Edges] = field(default_factory=dict)
    # Pages pass 1 found to draw no vector shapes that may be characters (`ocr_plan`, "ocr
    # always" documents): verification need not list their drawings again (`PageSource.flat`).
    flat_pages: set[int] = field(default_factory=set)
    error: str | None = None
    seconds: float = 0.0
    # The analysed pages' layers, for pass 2 in this process. None when rebuilt elsewhere.
    layers: LayerSpool | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.error is None

    def around(self, number: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The previous page's last rows and the next page's first rows (`ValueHunter.find`)."""
        return self.edges.get(number - 1, ((), ()))[1], self.edges.get(number + 1, ((), ()))[0]


class LayerSpool:
    """One document's page layers in a private temp file (mode 0600), from pass 1 to pass 2.

    The layers hold patient text, like the OCR cache: the file is removed by `discard`, or when
    the spool is garbage-collected or the process exits, whichever comes first. It is open only
    while written or read, so a record of a thousand documents holds no thousand descriptors.
    """

    def __init__(self) -> None:
        fd, name = tempfile.mkstemp(prefix="emr-layers-")
        self.path = Path(name)
        self._file = [os.fdopen(fd, "wb")]              # the open handle, if any
        self._offsets: dict[int, tuple[int, int]] = {}   # page -> (offset, length)
        self._finalizer = weakref.finalize(self, _remove, self._file, self.path)
        self._handed_over = False

    def __reduce__(self):
        # A spool does not travel: unpickled elsewhere it is None, and pass 2 reads the PDF.
        # Unless it was handed over (a worker process giving its file to the parent).
        if self._handed_over:
            return _adopt, (self.path, self._offsets)
        return type(None), ()

    def handover(self) -> None:
        """Give the file to whoever unpickles this spool next (the parent of a worker
        process): this object no longer removes it, and its next pickle carries it."""
        self.close()
        self._finalizer.detach()
        self._handed_over = True

    def put(self, layer: PageLayer) -> None:
        # The characters are packed apart: the parent reads the lines back and hands the
        # characters, still packed, to the process that redacts (`get_packed`).
        glyphs = None if layer.glyphs is None else marshal.dumps(layer.glyphs)
        record = marshal.dumps((layer.width, layer.height, layer.ocr_used,
                                [(ln.text, ln.boxes, ln.source, ln.unsure)
                                 for ln in layer.lines],
                                [(im.rect, im.xref, im.digest) for im in layer.images],
                                glyphs))
        out = self._file[0]
        self._offsets[layer.number] = (out.tell(), len(record))
        out.write(record)

    def close(self) -> None:
        """Done writing (or reading for now): release the file descriptor."""
        if self._file and self._file[0] is not None:
            self._file[0].close()
            self._file[0] = None

    def get(self, number: int) -> PageLayer | None:
        """The layer of page `number` as pass 1 saw it, or None if it was not analysed."""
        got = self.get_packed(number)
        if got is None:
            return None
        layer, glyphs = got
        layer.glyphs = unpack_glyphs(glyphs)
        return layer

    def get_packed(self, number: int) -> tuple[PageLayer, bytes | None] | None:
        """The layer of page `number` without its characters, and the characters packed
        (`unpack_glyphs`), or None if it was not analysed. For the parent, which only hands
        the characters on: unpacking them and pickling them again for the worker cost more
        than the rest of the layer."""
        where = self._offsets.get(number)
        if where is None or not self._finalizer.alive:
            return None
        if self._file[0] is None or self._file[0].mode != "rb":
            self.close()
            self._file[0] = open(self.path, "rb")  # noqa: SIM115 - kept open while pass 2 reads
        src = self._file[0]
        src.seek(where[0])
        width, height, ocr_used, lines, images, glyphs = marshal.loads(src.read(where[1]))
        return PageLayer(number, width, height,
                         [TextLine(text, boxes, source, unsure=unsure)
                          for text, boxes, source, unsure in lines],
                         [ImageBox(rect, xref, digest) for rect, xref, digest in images],
                         ocr_used), glyphs

    def discard(self) -> None:
        self._finalizer()


def unpack_glyphs(packed: bytes | None) -> list[Glyph] | None:
    """The characters `LayerSpool.get_packed` gave (None stays None)."""
    return None if packed is None else marshal.loads(packed)


def _adopt(path: Path, offsets: dict[int, tuple[int, int]]) -> LayerSpool:
    """A spool for a file another process wrote and handed over; removed as any spool is."""
    spool = LayerSpool.__new__(LayerSpool)
    spool.path, spool._file, spool._offsets = Path(path), [None], dict(offsets)
    spool._finalizer = weakref.finalize(spool, _remove, spool._file, spool.path)
    spool._handed_over = False
    return spool


def _remove(handle: list, path: Path) -> None:
    if handle[0] is not None:
        handle[0].close()
        handle[0] = None
    path.unlink(missing_ok=True)


def normalise(value: str) -> str:
    """The form a value is compared in: NFKC (full-width digits), no spaces."""
    return "".join(unicodedata.normalize("NFKC", value).split())


def page_layers(doc: pymupdf.Document, mode: OcrMode, engine: OcrEngine | None,
                start: int = 0, stop: int | None = None, submit=None, glyphs: bool = False,
                numbers: Iterable[int] | None = None, read: PageLayer | None = None,
                ) -> Iterator[tuple[pymupdf.Page, PageLayer]]:
    """Yield each page with its text layer, OCR lines included, in page order.

    Pages [start, stop), or the page `numbers` given (scattered pages still read ahead).
    OCR of the next pages runs in the engine's pool while the caller works on this one.
    `submit(page, layer)` starts a page's OCR (a Future of its lines, or None); by default
    the engine reads what `mode` asks for. `glyphs`: extract the characters for redaction too.
    `read`: a page's layer already extracted as asked (and not OCR'd), used instead.
    """
    if submit is None and engine is not None and mode != "never":
        def submit(page, layer):
            return engine.submit_page(page, layer, mode)
    if numbers is None:
        numbers = range(start, doc.page_count if stop is None else stop)
    pending: deque = deque()
    lookahead = max(1, (engine.workers if engine else 1) * LOOKAHEAD_PER_WORKER)
    for number in numbers:
        page = doc[number]
        if read is not None and read.number == number:
            layer = read
        else:
            layer = page_layer(page, number, glyphs)
            if glyphs:
                layer.rules = _scan_rules(page, layer)
        future = submit(page, layer) if submit is not None and engine is not None else None
        pending.append((page, layer, future))
        if len(pending) > lookahead:
            yield _settle(*pending.popleft())
    while pending:
        yield _settle(*pending.popleft())


def _scan_rules(page: pymupdf.Page, layer: PageLayer) -> list:
    """The table rules of the page's scan, where one covers most of the page (pass 1 finds
    signature columns by them); none on a born-digital page."""
    page_area = max(layer.width * layer.height, 1.0)
    scans = [im.rect for im in layer.images
             if (im.rect[2] - im.rect[0]) * (im.rect[3] - im.rect[1])
             >= scanprep.MIN_PAGE_SHARE * page_area]
    if not scans:
        return []
    x0, y0 = max(0.0, min(r[0] for r in scans)), max(0.0, min(r[1] for r in scans))
    x1, y1 = min(layer.width, max(r[2] for r in scans)), min(layer.height, max(r[3] for r in scans))
    return ruling.vertical_rules(page, (x0, y0, x1, y1))


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


def revealed_by_properties(policy: Policy, doc_type: DocumentType | None,
                           doc: pymupdf.Document, notes: list[tuple[str, str]] = ()
                           ) -> list[Finding]:
    """What the policy's rules find in the document's metadata and notes (`open_pdf` gives
    them), in propagated categories."""
    layer = properties_layer(doc, notes)
    if layer is None:
        return []
    propagate = set(policy.propagate)
    return [f for f in detect_page(policy, policy.rules_for(doc_type), layer, 1)
            if f.category in propagate and f.value]


def analyse_document(policy: Policy, item: DocumentInput, engine: OcrEngine | None,
                     on_page=None, pages: tuple[int, int] | None = None) -> DocumentAnalysis:
    """Classify one document and run its rules on every page (or pages [start, stop)).

    A document that cannot be read gives `error`, in words; it never raises for bad input.
    """
    result = DocumentAnalysis(input=item, label=str(item.meta.get("doc_type") or "文档"))
    started = time.perf_counter()
    notes: list[tuple[str, str]] = []
    try:
        doc = open_pdf(item.path, notes)
    except UnreadableDocument as exc:
        result.error = str(exc)
        return result
    with doc:
        result.page_count = doc.page_count
        start, stop = pages or (0, doc.page_count)
        try:
            _analyse(policy, doc, notes, result, engine, on_page, start,
                     min(stop, doc.page_count))
        except OcrUnavailable:
            raise
        except OcrFailed as exc:
            result.error = f"{item.path.name}: a page could not be read by OCR. {exc}"
        # MuPDF raises several types on a damaged page: name it, keep the others.
        except Exception as exc:  # noqa: BLE001
            result.error = (f"{item.path.name}: a page could not be read ({type(exc).__name__})."
                            " Export the document from the archive system again.")
    # MuPDF keeps a closed document's fonts and images in its store (up to 256 MB): drop them.
    release_caches()
    if result.layers is not None:
        result.layers.close()
        if result.error is not None:
            result.layers.discard()
            result.layers = None
    result.seconds = time.perf_counter() - started
    return result


def _analyse(policy, doc, notes, result, engine, on_page, start, stop) -> None:
    result.doc_type = classify.by_metadata(policy, result.input.meta)
    first = ahead = None
    if result.doc_type is None:
        # The title decides: read page 1 (OCR'd when it is a scan) before choosing rules. The
        # next pages' OCR starts meanwhile, as the default setting asks: most documents keep
        # it, and a scan's first page would otherwise be read with every other core idle.
        ahead = page_layers(doc, policy.ocr, engine, 0, stop if start == 0 else 1, glyphs=True)
        first = next(ahead)
        result.doc_type = classify.by_title(policy, classify.title_text(first[1]))
    result.ocr_mode = policy.ocr_for(result.doc_type)
    if result.doc_type is not None:
        result.label = result.doc_type.name
    rules = policy.rules_for(result.doc_type)
    result.revealed = revealed_by_properties(policy, result.doc_type, doc, notes)
    if first is not None and start == 0 and result.ocr_mode == policy.ocr:
        layers = _chain_first(first, ahead)
    else:
        if ahead is not None:
            ahead.close()
        # Page 1, read to classify the document, is read again only where OCR added to it in
        # the policy's mode: an ECG printout's ("ocr always") was extracted twice.
        read = first[1] if first is not None and not first[1].ocr_used else None
        layers = page_layers(doc, result.ocr_mode, engine, start, stop, glyphs=True,
                             read=read)   # kept in the spool: redaction reads them from there
    spool = result.layers = LayerSpool()
    breaks = PageBreaks(lambda some, joined: detect_page(policy, some, joined, doc.page_count),
                        rules)
    for _page, layer in layers:
        result.findings[layer.number] = detect_page(policy, rules, layer, doc.page_count)
        result.edges[layer.number] = breaks.read(layer, result.findings)
        result.ocr_pages += layer.ocr_used
        if layer.vector_glyphs is False:
            result.flat_pages.add(layer.number)
        spool.put(layer)
        if on_page:
            on_page(result.input, layer.number)


def _chain_first(first, rest):
    yield first
    yield from rest
