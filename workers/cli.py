"""`emr-redact`: anonymize records, check policies, make and evaluate the demo archive."""
from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Exit codes, so scripts can tell outcomes apart without parsing words.
OK, RESIDUALS, USAGE, INCOMPLETE, NOTHING, NO_OCR = 0, 1, 2, 3, 4, 5


# Packages `import pymupdf` loads when they are installed, which nothing here uses: the layout
# analyser (pymupdf_layout: numpy, onnxruntime and an ONNX model, 0.3-0.4 s of every start and
# ~100 MB) and the Markdown converter (pymupdf4llm). Marked as absent, pymupdf skips them.
UNUSED_PYMUPDF_EXTRAS = ("pymupdf.layout", "pymupdf4llm")


def skip_unused_pymupdf_extras() -> None:
    """Keep `import pymupdf` from loading its optional extras (before pymupdf is imported)."""
    if "pymupdf" in sys.modules:
        return   # too late, and blocking them now would break nothing but gain nothing
    for name in UNUSED_PYMUPDF_EXTRAS:
        sys.modules.setdefault(name, None)


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # FINDINGS: threaded Tesseract is slower
    skip_unused_pymupdf_extras()
    parser = _parser()
    args = parser.parse_args(argv)
    return args.func(args)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="emr-redact", description=__doc__)
    sub = p.add_subparsers(required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="merge PDFs into one anonymized, verified PDF")
    run.add_argument("inputs", nargs="+", type=Path, metavar="INPUT.pdf")
    run.add_argument("--out", required=True, type=Path, metavar="OUT.pdf")
    run.add_argument("--ruleset", type=Path, help="policy file (default: the shipped policy)")
    run.add_argument("--report", type=Path, metavar="REPORT.json")
    run.add_argument("--patient", type=Path, metavar="PATIENT.json",
                     help='identifiers known from the archive index: '
                          '{"identifiers": [{"category": "患者姓名", "value": "…"}]}')
    run.add_argument("--watermark", help="text printed diagonally on every page")
    run.add_argument("--password-env", metavar="VAR",
                     help="encrypt the output (AES-256) with the password in this variable")
    run.add_argument("--allow-residuals", action="store_true",
                     help="write the PDF even when verification still finds identifiers")
    run.add_argument("--no-ocr", action="store_true", help="skip OCR (text layers only)")
    run.add_argument("--verify-ocr", choices=["whole", "changed"], default="whole",
                     help="verification OCRs every output page whole, as an outsider reads "
                          "it (default), or re-reads only what redaction changed: faster on "
                          "scans, but it may miss what a whole-page reading shows")
    run.add_argument("--processes", type=int, default=os.cpu_count() or 1, metavar="N",
                     help="worker processes for documents and verification "
                          "(default: one per core; 1 runs everything in this process)")
    run.set_defaults(func=cmd_run)

    check = sub.add_parser("check", help="compile policy files and report errors")
    check.add_argument("files", nargs="+")
    check.set_defaults(func=cmd_check)

    demo = sub.add_parser("demo-archive", help="write a synthetic archive with ground truth")
    demo.add_argument("dir", type=Path)
    demo.add_argument("--records", type=int, default=10)
    demo.add_argument("--seed", type=int, default=1)
    demo.set_defaults(func=cmd_demo)

    ev = sub.add_parser("evaluate", help="run the pipeline on a demo archive and count leaks")
    ev.add_argument("dir", type=Path)
    ev.add_argument("--ruleset", type=Path)
    ev.add_argument("--ocr", choices=["all", "none"], default="all",
                    help="OCR every output page to look for leaks (default), or not")
    ev.add_argument("--json", type=Path, help="also write the figures as JSON")
    ev.set_defaults(func=cmd_evaluate)
    return p


def _say(msg: str) -> None:
    print(f"emr-redact: {msg}", file=sys.stderr)


def load_policy(path: Path | None):
    from dsl import compile_file, default_ruleset_path
    return compile_file(path or default_ruleset_path())


def load_known(path: Path | None):
    from .record import KnownIdentifier
    if path is None:
        return []
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return [KnownIdentifier(str(i["category"]), str(i["value"]))
                for i in data["identifiers"] if str(i.get("value", "")).strip()]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{Path(path).name}: not a patient file "
                         f'({type(exc).__name__}); expected {{"identifiers": '
                         '[{"category": …, "value": …}]}') from None


def cmd_run(args) -> int:
    from dsl.errors import PolicyError

    from .analyse import DocumentInput
    from .ocr import OcrFailed, OcrUnavailable
    from .progress import ProgressBar
    from .record import NothingToExport, RunOptions, run_record
    from .report import build_report, write_report

    try:
        policy = load_policy(args.ruleset)
        known = load_known(args.patient)
    except PolicyError as exc:
        print(exc, file=sys.stderr)
        return USAGE
    except (OSError, ValueError) as exc:
        _say(str(exc))
        return USAGE
    password = None
    if args.password_env:
        password = os.environ.get(args.password_env)
        if not password:
            _say(f"--password-env {args.password_env}: that variable is empty or not set")
            return USAGE
    inputs = [DocumentInput(path=p, doc_id=p.stem) for p in args.inputs]
    options = RunOptions(watermark=args.watermark, password=password,
                         allow_residuals=args.allow_residuals, use_ocr=not args.no_ocr,
                         processes=max(1, args.processes),
                         verify_whole_pages=args.verify_ocr == "whole")
    bar = ProgressBar()
    try:
        with _rare_young_collections():
            result = run_record(policy, inputs, args.out, known, options,
                                progress=bar if bar.enabled else None)
    except NothingToExport as exc:
        _say(str(exc))
        return NOTHING
    except OcrUnavailable as exc:
        _say(str(exc))
        return NO_OCR
    except OcrFailed as exc:   # reading the output back failed: it cannot be verified
        _say(f"{exc} The output could not be verified, so no PDF was written.")
        return NO_OCR
    if args.report:
        write_report(args.report, build_report(result, policy))
    for failed in result.failed:
        _say(f"skipped {failed.error}")
    ver = result.verification
    if not ver.clean:
        where = sorted({f"{r.category} ({r.where}, page {r.page})" for r in ver.residuals})
        _say(f"verification found {len(ver.residuals)} identifier(s) still readable: "
             + ", ".join(where[:10]) + (" …" if len(where) > 10 else ""))
        if result.released:
            _say(f"written anyway (--allow-residuals): {args.out}")
        else:
            _say("no PDF was written. Add a rule for what was missed (see the report), "
                 "or use --allow-residuals to write it for inspection.")
        return RESIDUALS
    pages = result.pages
    print(f"{args.out}: {pages} pages, verified clean, sha256 {result.sha256}")
    if result.failed:
        _say(f"{len(result.failed)} of {len(inputs)} document(s) could not be read; "
             "the export holds the others")
        return INCOMPLETE
    return OK


@contextmanager
def _rare_young_collections(threshold: int = 10_000) -> Iterator[None]:
    """The cyclic collector's youngest generation collected every `threshold` net allocations
    instead of every 700, for the run (forked workers inherit it). A run holds what it
    analysed (lines, glyph tuples, findings) until it is redacted: each 700 of them set off a
    collection that freed next to nothing (measured on 51 pages: 292 young collections, 1420
    objects freed; at 10000: 155). The old thresholds come back afterwards, for callers that
    go on in the same process (the tests call `main`)."""
    old = gc.get_threshold()
    gc.set_threshold(threshold, *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


def cmd_check(args) -> int:
    from dsl.check import run_check
    return run_check(args.files, sys.stdout)


def cmd_demo(args) -> int:
    from archive.demo import generate_archive
    if args.records < 1:
        _say("--records must be at least 1")
        return USAGE
    root = generate_archive(args.dir, records=args.records, seed=args.seed)
    print(f"{root}: {args.records} synthetic records (seed {args.seed}); "
          f"manifest {root / 'manifest.json'}, ground truth in {root / 'truth'}")
    return OK


def cmd_evaluate(args) -> int:
    from archive.folder import ArchiveError
    from dsl.errors import PolicyError

    from .evaluate import evaluate_archive, print_evaluation
    try:
        policy = load_policy(args.ruleset)
    except PolicyError as exc:  # renders itself: file:line:col, caret, hint
        print(exc, file=sys.stderr)
        return USAGE
    try:
        figures = evaluate_archive(args.dir, policy, ocr=args.ocr == "all")
    except ArchiveError as exc:
        _say(str(exc))
        return USAGE
    print_evaluation(figures, sys.stdout)
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")
    return OK if figures["total"]["leaked"] == 0 else RESIDUALS


if __name__ == "__main__":
    sys.exit(main())
