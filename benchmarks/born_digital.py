"""Born-digital text pages through the whole `emr-redact run` process: pages/s vs 100 pages/s.

Target (issue 2): "Born-digital text pages: at least 100 pages/s end to end on this machine,
whole process." The clock runs from spawning `emr-redact run` to its exit: interpreter start,
imports, policy compile, analysis, redaction, assembly, verification.

Inputs: the born-digital documents of a generated archive with every image removed (text,
tables and rules kept, so text density is what the generator writes), repeated as copies until
there are enough pages, each copy its own input PDF. Also printed, for information: the same
documents *with* their signature/stamp images, which the pipeline OCRs.

    .venv/bin/python benchmarks/born_digital.py [--quick] [--pages N] [--records N] [--seed S]

Prints figures and ratios; never asserts timings (a non-zero exit means the script crashed).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    copy_doc,
    count_images,
    describe_outcome,
    make_archive,
    patient_file,
    print_timings,
    say_failure,
    strip_images,
    timed_cli_run,
)

TARGET_PAGES_PER_S = 100.0


def build_text_inputs(docs, work: Path, min_pages: int) -> tuple[list[Path], int, int]:
    """Image-free copies of the born-digital documents, repeated to reach min_pages."""
    stripped: list[tuple[Path, int]] = []
    removed = 0
    for i, doc in enumerate(d for d in docs if not d.scanned):
        dst = work / "text" / f"{i:03d}-{doc.visit}-{doc.path.name}"
        dst.parent.mkdir(parents=True, exist_ok=True)
        pages, n = strip_images(doc.path, dst)
        removed += n
        stripped.append((dst, pages))
    inputs: list[Path] = [p for p, _ in stripped]
    total = sum(n for _, n in stripped)
    copy = 1
    while total < min_pages:
        for path, pages in stripped:
            if total >= min_pages:
                break
            inputs.append(copy_doc(path, work / "text" / f"copy{copy}" / path.name))
            total += pages
        copy += 1
    return inputs, total, removed


STARTUP = """
import sys, time
t = time.perf_counter()
if sys.argv[1] == "block":
    sys.modules["pymupdf.layout"] = None   # as on a machine without pymupdf_layout installed
from workers import cli
from workers import record, report
from dsl import compile_file, default_ruleset_path
compile_file(default_ruleset_path())
print(time.perf_counter() - t)
"""


def startup_costs() -> tuple[float, float, float]:
    """Seconds for: interpreter + imports + policy; the same without pymupdf.layout; bare python."""
    import subprocess

    from _common import ROOT, bench_env, python_exe

    def once(args: list[str]) -> float:
        t = time.perf_counter()
        subprocess.run([python_exe(), *args], env=bench_env(), cwd=ROOT, check=True,
                       capture_output=True)
        return time.perf_counter() - t

    bare = min(once(["-c", "pass"]) for _ in range(2))
    full = min(once(["-c", STARTUP, "keep"]) for _ in range(2))
    blocked = min(once(["-c", STARTUP, "block"]) for _ in range(2))
    return full, blocked, bare


def chars_per_page(paths: list[Path]) -> float:
    import pymupdf

    chars = pages = 0
    for p in paths:
        with pymupdf.open(p) as doc:
            for page in doc:
                chars += len("".join(page.get_text().split()))
                pages += 1
    return chars / max(pages, 1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small smoke variant (~40 pages)")
    ap.add_argument("--pages", type=int, help="text pages to run (default 320; quick 40)")
    ap.add_argument("--records", type=int, help="records to generate (default 6; quick 2)")
    ap.add_argument("--image-pages", type=int,
                    help="pages with images to run (default 30; quick 4)")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    min_pages = args.pages or (40 if args.quick else 320)
    records = args.records or (2 if args.quick else 6)
    image_pages = args.image_pages if args.image_pages is not None else (4 if args.quick else 30)

    with tempfile.TemporaryDirectory(prefix="bench-born-digital-") as tmp:
        work = Path(tmp)
        root, docs = make_archive(work / "archive", records=records, seed=args.seed)
        patient = patient_file(root, docs[0].visit)
        inputs, pages, removed = build_text_inputs(docs, work, min_pages)
        unique = sum(1 for d in docs if not d.scanned)
        print(f"# born-digital text pages, whole `emr-redact run` process (seed {args.seed})")
        print(f"inputs: {len(inputs)} PDFs, {pages} pages ({unique} distinct born-digital "
              f"documents from {records} generated records, repeated as copies; "
              f"{removed} images removed; {chars_per_page(inputs[:unique]):.0f} "
              "non-space characters/page on average); --patient of the first record")
        text = timed_cli_run(inputs, work / "out", patient=patient, name="text")
        say_failure(text)
        rate = pages / text.wall_s
        in_process = (text.report.get("timings") or {}).get("total_s") or 0.0
        print(f"wall {text.wall_s:.2f} s for {pages} pages -> {rate:.1f} pages/s "
              f"({1000 * text.wall_s / pages:.1f} ms/page)")
        print(f"ratio to target {TARGET_PAGES_PER_S:.0f} pages/s: {rate / TARGET_PAGES_PER_S:.2f} "
              f"(>= 1.0 meets it)")
        print(f"start-up + imports + policy + report (wall - run_record total_s): "
              f"{text.wall_s - in_process:.2f} s")
        print(f"run: {describe_outcome(text)}")
        print("report timings:")
        print_timings(text.report)
        full, blocked, bare = startup_costs()
        print(f"start-up alone (python, imports, policy compile; best of 2): {full:.2f} s; "
              f"with pymupdf.layout blocked: {blocked:.2f} s; bare interpreter {bare:.2f} s")

        with_images = pick_pages([d for d in docs if not d.scanned], image_pages)
        if with_images:
            img_pages = sum(d.pages for d in with_images)
            paths = [d.path for d in with_images]
            print()
            print("# information: born-digital pages WITH their signature/stamp images (OCR'd)")
            print(f"inputs: {len(paths)} PDFs, {img_pages} pages, {count_images(paths)} images "
                  "(distinct documents, no copies: copies would hit the OCR cache)")
            img = timed_cli_run(paths, work / "out", patient=patient, name="images")
            say_failure(img)
            print(f"wall {img.wall_s:.2f} s for {img_pages} pages -> "
                  f"{img_pages / img.wall_s:.2f} pages/s ({img.wall_s / img_pages:.2f} s/page)")
            print(f"run: {describe_outcome(img)}")
            print("report timings:")
            print_timings(img.report)
    return 0


def pick_pages(docs, limit: int):
    """Whole documents, in order, until `limit` pages."""
    out, total = [], 0
    for d in docs:
        if total >= limit:
            break
        out.append(d)
        total += d.pages
    return out


if __name__ == "__main__":
    sys.exit(main())
