"""Scanned pages: the whole `emr-redact run` vs Tesseract alone on the same pages, side by side.

Target (issue 2): "the whole pipeline takes no longer than Tesseract alone (chi_sim, 300 dpi,
one core, page after page) on the same pages" -> ratio pipeline / tesseract <= 1.0.

Baseline: each page rendered to a 300 dpi grey PNG beforehand (not timed), then
`tesseract page.png stdout -l chi_sim` run one after another with OMP_THREAD_LIMIT=1.
Pipeline: the whole `emr-redact run` subprocess on the same pages as one input PDF, with its
default fresh per-run OCR cache. Its Tesseract calls are counted (and timed) by a pass-through
`tesseract` shim put first on PATH for that run only (a few ms per call). For information
(not with --quick), the same run with `--verify-ocr changed`, verification's faster reading.

    .venv/bin/python benchmarks/scanned_vs_tesseract.py [--quick] [--pages N] [--no-one-core]

Prints figures and ratios; never asserts timings (a non-zero exit means the script crashed).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    bench_env,
    describe_outcome,
    make_archive,
    patient_file,
    print_timings,
    say_failure,
    timed_cli_run,
)

DPI = 300
SHIM = """#!/bin/sh
# Pass-through tesseract that logs start/end times (no arguments, no text) for the benchmark.
case "$*" in *--list-langs*|*--version*) exec "{real}" "$@";; esac
s=$(date +%s.%N)
"{real}" "$@"
rc=$?
echo "$s $(date +%s.%N)" >> "{log}"
exit $rc
"""


def collect_scanned_pages(docs, want: int) -> list[tuple[Path, int, int]]:
    """(file, page index, native image dpi) for the first `want` scanned pages."""
    import pymupdf

    out = []
    for doc in (d for d in docs if d.scanned):
        with pymupdf.open(doc.path) as pdf:
            for page in pdf:
                if len(out) >= want:
                    return out
                widths = [im[2] for im in page.get_images(full=True)]
                native = round(max(widths) * 72 / page.rect.width) if widths else 0
                out.append((doc.path, page.number, native))
    return out


def build_input(pages, dst: Path) -> None:
    import pymupdf

    with pymupdf.open() as out:
        for path, number, _dpi in pages:
            with pymupdf.open(path) as src:
                out.insert_pdf(src, from_page=number, to_page=number)
        out.save(dst, garbage=3, deflate=True)


def render_pngs(pdf: Path, out_dir: Path) -> list[Path]:
    """Each page of `pdf` as a 300 dpi grey PNG (what Tesseract alone is given)."""
    import pymupdf

    out_dir.mkdir(parents=True, exist_ok=True)
    pngs = []
    with pymupdf.open(pdf) as doc:
        for page in doc:
            pix = page.get_pixmap(dpi=DPI, colorspace=pymupdf.csGRAY, alpha=False)
            path = out_dir / f"page{page.number:03d}.png"
            pix.save(path)
            pngs.append(path)
    return pngs


def tesseract_alone(pngs: list[Path], real: str) -> tuple[float, list[float]]:
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    each = []
    started = time.perf_counter()
    for png in pngs:
        t = time.perf_counter()
        subprocess.run([real, str(png), "stdout", "-l", "chi_sim"], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        each.append(time.perf_counter() - t)
    return time.perf_counter() - started, each


def make_shim(work: Path, real: str) -> tuple[Path, Path]:
    shim_dir, log = work / "shim", work / "tesseract-calls.log"
    shim_dir.mkdir()
    shim = shim_dir / "tesseract"
    shim.write_text(SHIM.format(real=real, log=log))
    shim.chmod(0o755)
    return shim_dir, log


def read_spans(log: Path) -> list[tuple[float, float]]:
    if not log.exists():
        return []
    return [tuple(map(float, line.split())) for line in log.read_text().splitlines() if line]


def calls_and_busy(spans: list[tuple[float, float]]) -> tuple[int, float]:
    """How many Tesseract calls, and their seconds summed."""
    return len(spans), sum(e - s for s, e in spans)


def occupancy(spans: list[tuple[float, float]], start: float, end: float) -> dict[int, float]:
    """Seconds of [start, end] during which exactly k Tesseracts ran, for each k seen.

    The k = 0 share is the pipeline's own work (and waiting) with no OCR running at all: on
    2 cores that is the time to win back before the ratio can reach 1.0.
    """
    events = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans])
    held: dict[int, float] = {}
    running, at = 0, start
    for t, step in events:
        t = min(max(t, start), end)
        held[running] = held.get(running, 0.0) + t - at
        running, at = running + step, t
    held[running] = held.get(running, 0.0) + end - at
    return held


def pipeline(pdf: Path, work: Path, name: str, patient: Path | None, shim_dir: Path, log: Path,
             one_core: bool = False, extra: list[str] | None = None):
    log.unlink(missing_ok=True)
    started = time.time()  # the shim logs wall-clock times
    env = bench_env()
    env["PATH"] = f"{shim_dir}{os.pathsep}{env.get('PATH', '')}"
    if one_core and shutil.which("taskset"):
        # Pin the whole process tree (CLI and its Tesseracts) to core 0.
        out = timed_cli_run([pdf], work / "out", patient=patient, name=name, env=env,
                            prefix=["taskset", "-c", "0"], extra=extra)
    else:
        out = timed_cli_run([pdf], work / "out", patient=patient, name=name, env=env,
                            extra=extra)
    spans = read_spans(log)
    return out, spans, occupancy(spans, started, time.time())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="2 pages, no one-core run")
    ap.add_argument("--pages", type=int, help="scanned pages (default 8; quick 2)")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--no-one-core", action="store_true",
                    help="skip the information run pinned to one core")
    args = ap.parse_args(argv)
    want = args.pages or (2 if args.quick else 8)
    real = shutil.which("tesseract")
    if real is None:
        print("tesseract is not installed: nothing to compare (apt-get install tesseract-ocr "
              "tesseract-ocr-chi-sim)")
        return 0

    with tempfile.TemporaryDirectory(prefix="bench-scanned-") as tmp:
        work = Path(tmp)
        records = 1
        while True:
            root, docs = make_archive(work / f"archive{records}", records=records,
                                      seed=args.seed)
            pages = collect_scanned_pages(docs, want)
            if len(pages) >= want or records >= 4 * want:
                break
            shutil.rmtree(root)
            records *= 2
        pdf = work / "scanned.pdf"
        build_input(pages, pdf)
        pngs = render_pngs(pdf, work / "png")
        natives = sorted({d for _, _, d in pages})
        n = len(pages)
        print(f"# scanned pages: whole pipeline vs Tesseract alone (seed {args.seed})")
        print(f"pages: {n} scanned pages from {records} generated record(s); native scan "
              f"resolutions {natives} dpi; baseline PNGs rendered at {DPI} dpi (grey)")
        print(f"load average before: {os.getloadavg()[0]:.2f} (2 shared cores: "
              "other work skews both sides)")

        base_s, each = tesseract_alone(pngs, real)
        print(f"tesseract alone : {base_s:7.2f} s  {base_s / n:5.2f} s/page  "
              f"(chi_sim, {DPI} dpi, OMP_THREAD_LIMIT=1, one page after another; "
              f"min {min(each):.2f} max {max(each):.2f} s/page)")

        shim_dir, log = make_shim(work, real)
        patient = patient_file(root, docs[0].visit)
        run, spans, held = pipeline(pdf, work, "pipeline", patient, shim_dir, log)
        calls, busy = calls_and_busy(spans)
        say_failure(run)
        print(f"whole pipeline  : {run.wall_s:7.2f} s  {run.wall_s / n:5.2f} s/page  "
              "(emr-redact run subprocess, fresh OCR cache, default OCR workers = "
              f"{os.cpu_count()})")
        print(f"ratio pipeline / tesseract: {run.wall_s / base_s:.2f}  (target <= 1.0)")
        print(f"pipeline Tesseract calls: {calls} ({calls / n:.2f} per page), "
              f"{busy:.2f} s summed over calls (runs overlap on {os.cpu_count()} workers)")
        print("wall time by Tesseracts running at once: " + ", ".join(
            f"{k}: {v:.2f} s" for k, v in sorted(held.items())))
        print(f"run: {describe_outcome(run)}")
        print("report timings:")
        print_timings(run.report)

        if not args.quick:
            # The windowed verification the default gave up (FINDINGS: whole-page reads).
            fast, fast_spans, _ = pipeline(pdf, work, "changed", patient, shim_dir, log,
                                           extra=["--verify-ocr", "changed"])
            fast_calls, fast_busy = calls_and_busy(fast_spans)
            say_failure(fast)
            print()
            print("# information: verification re-reading only what redaction changed "
                  "(--verify-ocr changed)")
            print(f"whole pipeline  : {fast.wall_s:7.2f} s  {fast.wall_s / n:5.2f} s/page; "
                  f"ratio to tesseract alone {fast.wall_s / base_s:.2f}; {fast_calls} "
                  f"Tesseract calls, {fast_busy:.2f} s summed")
            print(f"run: {describe_outcome(fast)}")

        if not (args.quick or args.no_one_core) and shutil.which("taskset"):
            run1, spans1, _ = pipeline(pdf, work, "one-core", patient, shim_dir, log,
                                       one_core=True)
            calls1, busy1 = calls_and_busy(spans1)
            say_failure(run1)
            print()
            print("# information: the same pipeline pinned to ONE core (taskset -c 0)")
            print(f"whole pipeline, one core: {run1.wall_s:7.2f} s  {run1.wall_s / n:5.2f} "
                  f"s/page; ratio to tesseract alone {run1.wall_s / base_s:.2f}; "
                  f"{calls1} Tesseract calls, {busy1:.2f} s summed")
            print(f"run: {describe_outcome(run1)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
