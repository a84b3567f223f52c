"""Anonymize one record: analyse → propagate → redact → assemble → verify → release.

This is the whole engine behind `emr-redact run` and the portal's jobs. It knows nothing of
Flask or RQ: callers pass paths and a compiled policy, and get a `RunResult`.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pymupdf

from dsl.model import AfterLabel, Policy

from .analyse import DocumentAnalysis, DocumentInput, normalise
from .assemble import Assembler
from .detect import ValueHunter
from .detect.propagate import MIN_HUNTED
from .docpool import (
    DocumentPool,
    analyse_documents,
    document_pool,
    produce_documents,
    verify_output,
)
from .ocr import OcrCache, OcrEngine
from .ocrdiff import PageSource
from .produce import ActionTable
from .pseudonyms import Pseudonyms
from .textlayer import Finding, Rect, overlap_share
from .verify import (
    Verification,
    fixable,
    fixable_pages,
    redact_residuals,
    reverified,
)

# Rounds of redacting what verification still finds, before giving up and reporting residuals.
# Each round's redaction can change how OCR reads the rest of a page: seed 34 V0028-06's bed
# "1", its label lost in pass 1, was read beside it only in the second round's check.
SECOND_LOOKS = 3

Progress = Callable[[str, int, int], None]  # stage, pages done, pages in all


@dataclass(frozen=True)
class KnownIdentifier:
    """An identifier the archive index knows (the patient's name, ID, phone...)."""

    category: str
    value: str


@dataclass
class RunOptions:
    watermark: str | None = None
    password: str | None = None
    allow_residuals: bool = False
    ocr_workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    processes: int = field(default_factory=lambda: os.cpu_count() or 1)   # run_record's workers
    ocr_cache_dir: Path | None = None   # persistent cache (workers); None: per-run, deleted
    use_ocr: bool = True
    # Verification OCRs each output page whole, as an outsider does; False re-reads only what
    # redaction changed (faster on scans, but blind where Tesseract reads untouched pixels
    # differently once another line is boxed: verify.verify_export).
    verify_whole_pages: bool = True


@dataclass
class RunResult:
    documents: list[DocumentAnalysis]
    verification: Verification | None
    out_path: Path | None                 # set only when the file was released
    sha256: str = ""
    pages: int = 0
    key: bytes = b""                      # keys value hashes in this run's report
    timings: dict[str, float] = field(default_factory=dict)
    page_map: list[tuple[int, int]] = field(default_factory=list)  # output page -> (doc, page)

    @property
    def failed(self) -> list[DocumentAnalysis]:
        return [d for d in self.documents if not d.ok]

    @property
    def released(self) -> bool:
        return self.out_path is not None


class NothingToExport(Exception):
    """No input document could be read; the message says which and why."""


def count_pages(inputs: Sequence[DocumentInput]) -> int:
    """Pages of the inputs that open, for progress: only the page count is read (open_pdf
    would also look at every page for annotations to bake)."""
    total = 0
    for item in inputs:
        # MuPDF raises several types for a broken file: pass 1 names it, not this count.
        with contextlib.suppress(Exception), pymupdf.open(item.path, filetype="pdf") as doc:
            total += 0 if doc.needs_pass else doc.page_count
    return total


def hunted_values(policy: Policy, analyses: Iterable[DocumentAnalysis],
                  known: Iterable[KnownIdentifier]) -> dict[str, tuple[str, str]]:
    """Every identifier to hunt record-wide: value → (category, rule id that found it)."""
    allow = {normalise(w) for w in policy.allow}
    values: dict[str, tuple[str, str]] = {}
    for item in known:
        values.setdefault(item.value, (item.category, f"archive:{item.category}"))
    propagate = set(policy.propagate)
    for analysis in analyses:
        for findings in (*analysis.findings.values(), analysis.revealed):
            for f in findings:
                if f.category in propagate and f.value:
                    values.setdefault(f.value, (f.category, f.rule))
    return {v: meta for v, meta in values.items()
            if len(normalise(v)) >= MIN_HUNTED and normalise(v) not in allow}


def record_hunter(policy: Policy, analyses: Sequence[DocumentAnalysis],
                  known: Iterable[KnownIdentifier], dropped: set[str]) -> ValueHunter:
    """The hunter of every value the record revealed, except those a person `dropped`."""
    values = {v: m for v, m in hunted_values(policy, analyses, known).items() if v not in dropped}
    labelled = {k: m for k, m in labelled_values(policy, analyses).items() if k[0] not in dropped}
    return ValueHunter(values, beside_labels=labelled,
                       header_synonyms=synonym_labels(policy, labelled))


def labelled_values(policy: Policy, analyses: Iterable[DocumentAnalysis]
                    ) -> dict[tuple[str, str], tuple[str, str]]:
    """(value, label it stood after) -> (category, rule) for every value a label rule found in
    a propagated category: the hunter looks for a value too short to hunt alone ("23") beside
    that label, however OCR misread the label."""
    propagate = set(policy.propagate)
    return {(f.value, f.label): (f.category, f.rule)
            for analysis in analyses for findings in analysis.findings.values()
            for f in findings if f.label and f.value and f.category in propagate}


def synonym_labels(policy: Policy, labelled: Mapping[tuple[str, str], tuple[str, str]]
                   ) -> dict[tuple[str, str], tuple[str, str]]:
    """(value, label) for the other labels of the rule that found a value, opening with the
    same character as the one it stood after: a bed number the clean pages showed after 床号
    stands under a scanned table's header 床位号 (seed 32 V0021-01)."""
    labels = {rule.id: ["".join(w.split()) for w in rule.detector.labels]
              for rule in (*policy.rules, *(r for d in policy.documents for r in d.rules))
              if hasattr(rule.detector, "labels")}
    out: dict[tuple[str, str], tuple[str, str]] = {}
    for (value, label), meta in labelled.items():
        for other in labels.get(meta[1], ()):
            if other[:1] == label[:1] and len(other) >= 2 and (value, other) not in labelled:
                out.setdefault((value, other), meta)
    return out


@dataclass(frozen=True)
class ManualBox:
    """A box a person drew on page `page` (0-based) of document `doc_index` of the record."""

    doc_index: int
    page: int
    rect: Rect
    category: str = "手工标注"
    edit_id: str = ""


@dataclass(frozen=True)
class Removal:
    """An automatic finding a person removed (with a reason, kept by the caller).

    Matches the findings of `rule` on that page whose box overlaps `rect` by most of its area.
    Their values are no longer hunted elsewhere nor counted as residuals: the person has said
    they are not identifiers.
    """

    doc_index: int
    page: int
    rect: Rect
    rule: str


def run_record(policy: Policy, inputs: Sequence[DocumentInput], out_path: Path,
               known: Iterable[KnownIdentifier] = (), options: RunOptions | None = None,
               progress: Progress | None = None) -> RunResult:
    """Analyse every input, then `finish_record`. The one call behind `emr-redact run`."""
    options = options or RunOptions()
    started = time.perf_counter()
    # Opening every input to count its pages (~0.1 ms a document, before any worker starts)
    # serves only a progress display.
    total = count_pages(inputs) if progress is not None else 0
    counter = _Counter(progress, total)
    with _engine(options) as engine, \
            document_pool(options.processes, len(inputs), engine, policy) as pool:
        t = time.perf_counter()
        analyses = analyse_documents(policy, inputs, engine, pool, counter.tick("analyse"))
        analyse_s = time.perf_counter() - t
        result = finish_record(policy, analyses, out_path, known, options, progress=counter,
                               engine=engine, pool=pool)
    result.timings["analyse_s"] = analyse_s
    result.timings["total_s"] = time.perf_counter() - started
    return result


def finish_record(policy: Policy, analyses: Sequence[DocumentAnalysis], out_path: Path,
                  known: Iterable[KnownIdentifier] = (), options: RunOptions | None = None, *,
                  added: Sequence[ManualBox] = (), removed: Sequence[Removal] = (),
                  progress: Progress | None = None, engine: OcrEngine | None = None,
                  pool: DocumentPool | None = None) -> RunResult:
    """Propagate, redact, assemble and verify analysed documents; release only if clean.

    Jobs call this after per-document analysis (possibly in other processes), with the hand
    edits made so far. The analyses' findings are extended with what propagation found.
    """
    options = options or RunOptions()
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    usable = [a for a in analyses if a.ok]
    if not usable:
        reasons = "; ".join(a.error or "" for a in analyses) or "no input documents"
        raise NothingToExport(f"nothing to export: {reasons}")
    counter = progress if isinstance(progress, _Counter) else _Counter(
        progress, sum(a.page_count for a in usable))
    started = time.perf_counter()
    timings: dict[str, float] = {}
    key = os.urandom(16)
    _apply_edits(analyses, added, removed)
    dropped = {f.value for a in analyses for f in a.removed if f.value}
    hunter = record_hunter(policy, analyses, known, dropped)
    pseudonyms = Pseudonyms()
    action_for = ActionTable(policy)
    pending = out_path.with_name(f".{out_path.name}.unverified")
    looked = out_path.with_name(f".{out_path.name}.looked")   # as the last look read it
    page_map: list[tuple[int, int]] = []
    with _engine(options, engine) as ocr:
        t = time.perf_counter()
        with Assembler(pending, watermark=options.watermark, password=options.password,
                       numbered=True) as asm:
            for index, analysis, parts in produce_documents(
                    analyses, hunter, ocr, pseudonyms, action_for, pool, counter.tick("redact")):
                for i, part in enumerate(parts):
                    asm.add(part, analysis.label if i == 0 else None)
                page_map.extend((index, n) for n in range(analysis.page_count))
            timings["redact_s"] = time.perf_counter() - t
            t = time.perf_counter()
            assembled = asm.finish()
        timings["assemble_s"] = time.perf_counter() - t
        t = time.perf_counter()
        try:
            check = partial(verify_output, pending, policy, hunter, ocr, pool,
                            password=options.password, key=key,
                            sources=page_sources(policy, analyses, page_map),
                            whole=options.verify_whole_pages,
                            text_only=not any(a.ocr_pages for a in usable))

            def verify(**kw) -> Verification:
                # The marks drawn so far, a second look's new pseudonyms too: its "家属丙" read
                # back as "家虽丙" was taken for a relative (seed 63 V0024-12).
                return check(replacements=frozenset(pseudonyms.issued()) | action_for.labels()
                             | frozenset(dropped), **kw)
            verification = verify(on_page=counter.tick("verify"))
            # What a fresh read of the output still finds (OCR of a redacted scan reads a name
            # the first OCR misread) is redacted where it stands, then checked again.
            fixed = 0
            # A windowed second look reads only what it redacted since the file it is given; a
            # whole reading needs no earlier file.
            previous = None if options.verify_whole_pages else looked
            for _round in range(SECOND_LOOKS):
                if not fixable(verification):
                    break
                # Only the pages redacted again can read differently now.
                pages = fixable_pages(verification)
                if previous is not None:
                    shutil.copyfile(pending, previous)
                fixed += redact_residuals(pending, verification.residuals, action_for,
                                          pseudonyms, options.password)
                verification = reverified(verification, verify(pages=pages, unsure=False,
                                                               previous=previous), pages)
            verification.fixed_by_second_look = fixed
            timings["verify_s"] = time.perf_counter() - t
            released = verification.clean or options.allow_residuals
            if released:
                os.replace(pending, out_path)
        finally:
            pending.unlink(missing_ok=True)
            looked.unlink(missing_ok=True)
    counter.finish()
    timings["total_s"] = time.perf_counter() - started
    return RunResult(documents=list(analyses), verification=verification,
                     out_path=out_path if released else None, sha256=assembled.sha256,
                     pages=assembled.pages, key=key, timings=timings, page_map=page_map)


def page_sources(policy: Policy, analyses: Sequence[DocumentAnalysis],
                 page_map: Sequence[tuple[int, int]]) -> list[PageSource]:
    """Per output page, its source page and how pass 1 read it, for verification."""
    rules = {}
    for d in {d for d, _ in page_map}:
        a = analyses[d]
        rules[d] = tuple(r for r in policy.rules_for(a.doc_type)
                         if isinstance(r.detector, AfterLabel) and r.scope is None)
    return [PageSource(analyses[d].input.path, n, analyses[d].ocr_mode, rules[d],
                       n in analyses[d].flat_pages)
            for d, n in page_map]


def _apply_edits(analyses: Sequence[DocumentAnalysis], added: Sequence[ManualBox],
                 removed: Sequence[Removal]) -> None:
    for box in added:
        findings = analyses[box.doc_index].findings.setdefault(box.page, [])
        findings.append(Finding(box.page, tuple(box.rect), box.category,
                                f"manual:{box.edit_id}", kind="region"))
    for rem in removed:
        analysis = analyses[rem.doc_index]
        keep, gone = [], []
        for f in analysis.findings.get(rem.page, []):
            (gone if f.rule == rem.rule and overlap_share(f.rect, rem.rect) > 0.6 else keep).append(f)
        analysis.findings[rem.page] = keep
        analysis.removed.extend(gone)


class _Counter:
    """Pages done across the three passes (analyse, redact, verify), for a progress callback."""

    def __init__(self, progress: Progress | None, total_pages: int):
        self.progress, self.total, self.done = progress, max(1, total_pages) * 3, 0

    def tick(self, stage: str):
        def on_page(_item=None, _number=None):
            self.done += 1
            if self.progress:
                self.progress(stage, min(self.done, self.total), self.total)
        return on_page

    def finish(self) -> None:
        if self.progress:
            self.progress("done", self.total, self.total)


@contextmanager
def _engine(options: RunOptions, given: OcrEngine | None = None) -> Iterator[OcrEngine | None]:
    """The caller's OCR engine, or one for this run with a private cache that dies with it."""
    if given is not None or not options.use_ocr:
        yield given
        return
    with tempfile.TemporaryDirectory(prefix="emr-ocr-") as tmp:
        engine = OcrEngine(OcrCache(options.ocr_cache_dir or Path(tmp)),
                           workers=options.ocr_workers)
        try:
            yield engine
        finally:
            engine.close()
