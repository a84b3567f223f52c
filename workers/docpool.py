"""Both cores for one record: documents analysed and redacted in worker processes.

Analysis of a document needs nothing from the others, so workers take documents as they come
and hand back their findings, with the page layers' spool file (`LayerSpool.handover`).
Redaction needs what the whole record revealed: the parent builds the hunter, adds its hits to
every page's findings from the spools, and issues every pseudonym in record order (as one
process would), so workers only remove and draw what they are given. Each worker writes its
document's redacted parts to the run's private work directory; the parent assembles them in
record order. Verification stays with the parent, on the output file.

Workers are forked before any thread starts (the OCR engine's pool starts on first use) and
each reads with its own single-Tesseract engine over the run's OCR cache directory, so OCR of
one document overlaps the text pages of the others. Memory stays per document in each worker.
"""
from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pymupdf

from dsl.model import Action, Policy

from .analyse import DocumentAnalysis, DocumentInput, analyse_document, unpack_glyphs
from .detect import ValueHunter
from .ocr import OcrCache, OcrEngine
from .pdfopen import open_pdf, release_caches
from .produce import PART_PAGES, copy_part, produce_document, redact_numbered
from .pseudonyms import Pseudonyms
from .redact import replacement_text
from .scrub import scrub_document
from .textlayer import Finding, PageLayer
from .verify import Verification, verify_export

# Documents handed to the workers ahead of the one the parent waits for: enough to keep every
# worker busy, few enough that redacted parts do not pile up in the work directory.
AHEAD_PER_PROCESS = 4
# Verification splits the output into this many page ranges per worker (each range opens the
# output file once). No floor on a range's pages: a record of a dozen scanned pages in one range
# was read by one Tesseract while the other cores waited.
RANGES_PER_PROCESS = 4
# Where pass 1 OCR'd nothing, pages cost about the same and fewer ranges balance as well; each
# range parses the output's fonts again (320 text pages: 8 ranges 0.81 s of extraction, 4 0.63 s).
TEXT_RANGES_PER_PROCESS = 2
# A verifying worker empties MuPDF's store (decoded fonts and images) every this many pages
# that draw images (PyMuPDF cannot tell the store's size): a decoded scan is megabytes. A page of
# text leaves only its fonts, and parsing them again cost more than reading the page (320 text
# pages in 8 ranges: 0.85 s emptied every 8 pages, 0.81 s never), so it counts for less.
RELEASE_EVERY = 8
TEXT_PAGE_WEIGHT = 1 / 16

OnPage = Callable[..., None] | None


class DocumentPool(ProcessPoolExecutor):
    """The record's worker processes; `processes` says how many."""

    def __init__(self, processes: int, **kwargs) -> None:
        super().__init__(processes, **kwargs)
        self.processes = processes


@contextmanager
def document_pool(processes: int, documents: int, engine: OcrEngine | None,
                  policy: Policy) -> Iterator[DocumentPool | None]:
    """A pool of `processes` forked workers, or None when one process is as fast (one core,
    one document, or no fork on this platform)."""
    if processes < 2 or documents < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield None
        return
    cache_dir = engine.cache.directory if engine is not None else None
    with _frozen_heap():
        pool = DocumentPool(min(processes, documents),
                            mp_context=multiprocessing.get_context("fork"),
                            initializer=_start_worker,
                            initargs=(policy, engine is not None, cache_dir))
        try:
            yield pool
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def _frozen_heap() -> Iterator[None]:
    """The objects made so far (modules, the policy: most of the heap) kept out of the cyclic
    collector's sight while the workers are forked and run. A worker's full collections
    walked them all (~16 ms each) and wrote to their headers, copying the parent's memory pages
    into every worker; the parent's own collections walked them too. Unfrozen afterwards, so a
    long-lived process (the portal's job worker) still collects what it lets go of later."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


# --- in the workers ------------------------------------------------------------------------

_policy: Policy | None = None
_engine: OcrEngine | None = None


def _start_worker(policy: Policy, use_ocr: bool, cache_dir: Path | None) -> None:
    global _policy, _engine
    _policy = policy
    # One Tesseract per worker: the workers together keep one per core busy (FINDINGS.md).
    _engine = OcrEngine(OcrCache(cache_dir), workers=1) if use_ocr else None


def _analyse(item: DocumentInput) -> DocumentAnalysis:
    analysis = analyse_document(_policy, item, _engine)
    if analysis.layers is not None:
        analysis.layers.handover()   # the parent removes the file once pass 2 has read it
    return analysis


def _redact(path: Path, findings: dict[int, list[Finding]], glyphs: dict[int, bytes],
            pseudonyms: Pseudonyms, action_for: Callable[[Finding], Action], workdir: Path,
            numbering: tuple[int, int]) -> list[Path]:
    """Redact, scrub and number one document with the findings given; its parts' paths, in
    order. `glyphs` are pass 1's characters of the pages with text findings, as the spool
    packed them (`unpack_glyphs`); `numbering` as
    `produce_document` takes it."""
    parts: list[Path] = []
    with open_pdf(path) as src:
        for start in range(0, src.page_count, PART_PAGES):
            part = copy_part(src, start, min(start + PART_PAGES, src.page_count))
            try:
                for page in part:
                    number = start + page.number
                    redact_numbered(page, findings.get(number, []), action_for, pseudonyms,
                                    unpack_glyphs(glyphs.get(number)),
                                    (numbering[0] + number, numbering[1]))
                scrub_document(part)
                fd, name = tempfile.mkstemp(suffix=".pdf", dir=workdir)
                os.close(fd)
                part.save(name, garbage=4, deflate=True)   # garbage: drop scrubbed objects
                parts.append(Path(name))
            finally:
                part.close()
                release_caches()
    release_caches()
    return parts


def _verify(path: Path, hunter: ValueHunter, pages: tuple[int, int], options: dict
            ) -> Verification:
    done = [0.0]

    def keep_store_small(layer: PageLayer) -> None:
        # A range is many pages of one open file: MuPDF's store would keep every scan and
        # font decoded for them (up to 256 MB), so a worker's memory grew with the record.
        done[0] += 1 if layer.images else TEXT_PAGE_WEIGHT
        if done[0] >= RELEASE_EVERY:
            done[0] = 0.0
            release_caches()

    try:
        return verify_export(path, _policy, hunter, _engine, pages=range(*pages),
                             beside=pages[0] == 0, on_page=keep_store_small, **options)
    finally:
        release_caches()


# --- in the parent -------------------------------------------------------------------------

def analyse_documents(policy: Policy, inputs: Sequence[DocumentInput],
                      engine: OcrEngine | None, pool: DocumentPool | None,
                      on_page: OnPage = None) -> list[DocumentAnalysis]:
    """Pass 1 over every input, in the pool when there is one; results in input order."""
    if pool is None:
        return [analyse_document(policy, item, engine, on_page=on_page) for item in inputs]
    out = []
    for analysis in _in_order(pool, [(_analyse, (item,)) for item in inputs]):
        if on_page:
            for number in range(analysis.page_count):
                on_page(analysis.input, number)
        out.append(analysis)
    return out


def produce_documents(analyses: Sequence[DocumentAnalysis], hunter: ValueHunter,
                      engine: OcrEngine | None, pseudonyms: Pseudonyms,
                      action_for: Callable[[Finding], Action],
                      pool: DocumentPool | None, on_page: OnPage = None,
                      ) -> Iterator[tuple[int, DocumentAnalysis, Iterator]]:
    """Pass 2: (index, analysis, its redacted, numbered parts: documents or paths) per usable
    document, in record order. A path is removed once the caller asks for the next part."""
    usable = [(i, a) for i, a in enumerate(analyses) if a.ok]
    numbering = _numbering([a for _, a in usable])
    if pool is None or any(a.layers is None for _, a in usable):
        # Without every spool the layers would be read again here: keep to one process.
        for (index, analysis), numbers in zip(usable, numbering):
            yield index, analysis, produce_document(analysis, hunter, engine, pseudonyms,
                                                    action_for, on_page, numbers)
        return
    with tempfile.TemporaryDirectory(prefix="emr-redact-") as workdir:
        # A job is made just before it is submitted: its findings completed, its pseudonyms
        # issued (in record order all the same), while the workers redact the documents ahead.
        jobs = ((_redact, (a.input.path, a.findings,
                           _complete_findings(a, hunter, action_for, pseudonyms), pseudonyms,
                           action_for, Path(workdir), numbers))
                for (_, a), numbers in zip(usable, numbering))
        for (index, analysis), parts in zip(usable, _in_order(pool, jobs)):
            if on_page:
                for number in range(analysis.page_count):
                    on_page(analysis.input, number)
            yield index, analysis, _consumed(parts)


def _numbering(usable: Sequence[DocumentAnalysis]) -> list[tuple[int, int]]:
    """(output number of its first page, output pages in all) per document, in record order."""
    total = sum(a.page_count for a in usable)
    firsts = itertools.accumulate((a.page_count for a in usable[:-1]), initial=0)
    return [(first, total) for first in firsts]


def _complete_findings(analysis: DocumentAnalysis, hunter: ValueHunter,
                       action_for: Callable[[Finding], Action], pseudonyms: Pseudonyms,
                       ) -> dict[int, bytes]:
    """Add the hunter's hits to each page's findings (from pass 1's spool) and issue their
    pseudonyms in page order, as redacting in one process would. Returns the characters
    of the pages that have text to remove, for the worker that redacts them, packed as the
    spool keeps them: sent as bytes, they are neither unpacked here nor pickled again."""
    spool, analysis.layers = analysis.layers, None
    glyphs: dict[int, bytes] = {}
    try:
        for number in range(analysis.page_count):
            found = list(analysis.findings.get(number, ()))
            layer, packed = spool.get_packed(number) or (None, None)
            if layer is not None:
                found.extend(hunter.find(layer, *analysis.around(number)))
            analysis.findings[number] = found
            for finding in found:
                replacement_text(finding, action_for(finding), pseudonyms)
            if packed is not None and any(f.kind == "text" for f in found):
                glyphs[number] = packed
    finally:
        spool.discard()
    return glyphs


def _consumed(paths: list[Path]) -> Iterator[Path]:
    try:
        for path in paths:
            yield path
            path.unlink(missing_ok=True)
    finally:
        for path in paths:
            path.unlink(missing_ok=True)


def _in_order(pool: DocumentPool, jobs: Iterable[tuple[Callable, tuple]]) -> Iterator:
    """Each job's result, in order, with a bounded number of jobs ahead in the pool."""
    ahead = AHEAD_PER_PROCESS * pool.processes
    pending: deque[Future] = deque()
    todo = iter(jobs)
    try:
        for fn, args in todo:
            pending.append(pool.submit(fn, *args))
            if len(pending) >= ahead:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()


def verify_output(path: Path, policy: Policy, hunter: ValueHunter, engine: OcrEngine | None,
                  pool: DocumentPool | None, *, on_page: OnPage = None, text_only: bool = False,
                  **options) -> Verification:
    """`verify_export` of the whole output, split into page ranges over the pool's workers
    when there is one: each range opens the output file itself and reads its own pages.
    A second look's few `pages` are read here. `text_only`: pass 1 OCR'd no page."""
    if pool is None or options.get("pages") is not None:
        return verify_export(path, policy, hunter, engine, on_page=on_page, **options)
    with pymupdf.open(path) as doc:
        if doc.needs_pass and not doc.authenticate(options.get("password") or ""):
            raise ValueError("the export is encrypted and the password given does not open it")
        total = doc.page_count
    ranges = verify_ranges(total, pool.processes,
                           TEXT_RANGES_PER_PROCESS if text_only else RANGES_PER_PROCESS)
    result = Verification(pages=total)
    sources = list(options.pop("sources", ()))
    jobs = [(_verify, (path, hunter, (a, b), {**options, "sources": _only(sources, a, b)}))
            for a, b in ranges]
    for (start, stop), part in zip(ranges, _in_order(pool, jobs)):
        result.ocr_pages += part.ocr_pages
        result.residuals.extend(part.residuals)
        if on_page:
            for _ in range(start, stop):
                on_page()
    return result


def verify_ranges(total: int, processes: int, per_process: int = RANGES_PER_PROCESS
                  ) -> list[tuple[int, int]]:
    """[start, stop) page ranges for the workers: a few per worker, so a range of OCR'd
    pages does not leave the others idle."""
    size = max(1, -(-total // (per_process * processes)))
    return [(a, min(a + size, total)) for a in range(0, total, size)]


def _only(sources: list, start: int, stop: int) -> list:
    """The sources of pages [start, stop), None elsewhere: what a range's worker needs."""
    return [src if start <= i < stop else None for i, src in enumerate(sources)]
