"""Peak memory of a 500-page record vs a 20-page record with the same mix of pages.

Target (issue 2): "Peak memory for a 500-page record within 1.5x that of a 20-page record."

Both records hold about 1/3 scanned pages and 2/3 born-digital pages with their signature and
stamp images, in several documents (generated documents repeated as file copies to reach 500
pages). Each run happens in a FRESH subprocess that calls `workers.record.run_record` in-process
and reads its own peak RSS (VmHWM in /proc/self/status) at the end. Tesseract runs in child
processes: their memory is not in these figures, and it is constant per image (one process per
image, at most `ocr_workers` at a time). A second line runs with OCR off (RunOptions(use_ocr=
False)) to separate what OCR costs from the rest.

    .venv/bin/python benchmarks/memory.py [--quick] [--small N] [--large N]

Prints figures and ratios; never asserts (a non-zero exit means the script crashed).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, bench_env, copy_pages, make_archive, patient_file, python_exe

TARGET_RATIO = 1.5
SCANNED_SHARE = 1 / 3


def compose(docs, pages_wanted: int, out_dir: Path) -> tuple[list[Path], int, int]:
    """Input files (copies) reaching exactly `pages_wanted` pages, ~1/3 of them scanned."""
    scanned = [d for d in docs if d.scanned]
    digital = [d for d in docs if not d.scanned]
    out_dir.mkdir(parents=True, exist_ok=True)
    inputs: list[Path] = []
    total = scanned_pages = 0
    si = di = 0
    while total < pages_wanted:
        want_scan = scanned_pages < SCANNED_SHARE * total
        doc = scanned[si % len(scanned)] if want_scan else digital[di % len(digital)]
        si, di = (si + 1, di) if want_scan else (si, di + 1)
        take = min(doc.pages, pages_wanted - total)
        dst = out_dir / f"{len(inputs):04d}-{doc.visit}-{doc.path.name}"
        copy_pages(doc.path, dst, list(range(take)))
        inputs.append(dst)
        total += take
        scanned_pages += take if doc.scanned else 0
    return inputs, total, scanned_pages


def child(spec_path: Path) -> int:
    """Run one record in this (fresh) process and print its figures as JSON."""
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    sys.path.insert(0, str(ROOT))
    from dsl import compile_file, default_ruleset_path
    from workers.analyse import DocumentInput
    from workers.record import KnownIdentifier, RunOptions, run_record

    policy = compile_file(default_ruleset_path())
    known = [KnownIdentifier(i["category"], i["value"]) for i in spec["known"]]
    inputs = [DocumentInput(Path(p), Path(p).stem) for p in spec["inputs"]]
    before = status_kb()
    result = run_record(policy, inputs, Path(spec["out"]), known,
                        RunOptions(use_ocr=spec["use_ocr"]))
    after = status_kb()
    import resource

    # Worker processes (RunOptions.processes) and Tesseract: the largest one's peak RSS.
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"hwm_kb": after["VmHWM"], "rss_kb": after["VmRSS"],
                      "children_hwm_kb": children_kb,
                      "start_rss_kb": before["VmRSS"], "pages": result.pages,
                      "released": result.released, "timings": result.timings,
                      # what kept it back, as reports give it (category, place, page; no text)
                      "residuals": [r.public() for r in result.verification.residuals][:5],
                      "ocr_pages": sum(d.ocr_pages for d in result.documents)}))
    return 0


def status_kb() -> dict[str, int]:
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmHWM", "VmRSS")):
            key, value = line.split(":", 1)
            out[key] = int(value.split()[0])
    return out


def measure(inputs: list[Path], work: Path, name: str, use_ocr: bool, known) -> dict:
    spec = work / f"{name}.json"
    spec.write_text(json.dumps({"inputs": [str(p) for p in inputs], "use_ocr": use_ocr,
                                "out": str(work / "out" / f"{name}.pdf"), "known": known},
                               ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run([python_exe(), str(Path(__file__).resolve()), "--child", str(spec)],
                          env=bench_env(), capture_output=True, text=True, cwd=ROOT,
                          check=False)
    if proc.returncode != 0:
        print(f"    !! {name}: child failed (exit {proc.returncode}):")
        print("\n".join(proc.stderr.strip().splitlines()[-15:]))
        raise SystemExit(2)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def line(label: str, pages: int, fig: dict) -> str:
    t = fig["timings"]
    return (f"  {label:<22} {pages:4d} pages: peak {fig['hwm_kb'] / 1024:6.1f} MB "
            f"(after imports+policy {fig['start_rss_kb'] / 1024:5.1f} MB, at end "
            f"{fig['rss_kb'] / 1024:5.1f} MB; largest child process "
            f"{fig.get('children_hwm_kb', 0) / 1024:5.1f} MB), {t.get('total_s', 0):6.1f} s, "
            f"ocr pages {fig['ocr_pages']}, released={fig['released']}"
            + ("" if fig["released"] else f"; residuals {fig.get('residuals')}"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="6 vs 30 pages, OCR off only (smoke run)")
    ap.add_argument("--serial", action="store_true", help="run the children one at a time")
    ap.add_argument("--no-ocr-only", action="store_true", help="skip the runs with OCR")
    ap.add_argument("--small", type=int, help="pages of the small record (default 20)")
    ap.add_argument("--large", type=int, help="pages of the large record (default 500)")
    ap.add_argument("--records", type=int, default=3, help="records to generate documents from")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child(args.child)
    small = args.small or (6 if args.quick else 20)
    large = args.large or (30 if args.quick else 500)
    records = 1 if args.quick else args.records

    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        work = Path(tmp)
        root, docs = make_archive(work / "archive", records=records, seed=args.seed)
        known = json.loads(patient_file(root, docs[0].visit).read_text(encoding="utf-8"))
        known = known["identifiers"]
        sets = {}
        for size in (small, large):
            inputs, pages, scanned = compose(docs, size, work / f"in{size}")
            sets[size] = inputs
            print(f"record of {pages} pages: {len(inputs)} PDFs, {scanned} scanned pages "
                  f"({100 * scanned / pages:.0f}%), the rest born-digital with images")
        print(f"# peak RSS (VmHWM) of a fresh process running run_record, seed {args.seed}; "
              f"{len(docs)} distinct generated documents, repeated as copies")
        print("  (Tesseract child processes are not included: one per image, constant per "
              "page. Copies of a scan hit the run's OCR cache, on disk.)")
        modes = (False,) if args.quick or args.no_ocr_only else (True, False)
        jobs = [(size, use_ocr) for size in (large, small) for use_ocr in modes]
        # Peak memory does not depend on speed, so two fresh children run side by side (the
        # times printed are then not benchmarks); --serial runs one at a time.
        with ThreadPoolExecutor(1 if args.serial else 2) as pool:
            done = dict(zip(jobs, pool.map(
                lambda job: measure(sets[job[0]], work, f"r{job[0]}-{job[1]}", job[1], known),
                jobs)))
        print(f"  (runs {'one at a time' if args.serial else 'two at a time'}: times are "
              "for orientation only)")
        for use_ocr in modes:
            figs = {size: done[(size, use_ocr)] for size in (small, large)}
            mode = "with OCR" if use_ocr else "no OCR (use_ocr=False)"
            print(f"{mode}:")
            for size in (small, large):
                print(line(f"{size}-page record", size, figs[size]))
            ratio = figs[large]["hwm_kb"] / figs[small]["hwm_kb"]
            extra = (figs[large]["hwm_kb"] - figs[small]["hwm_kb"]) / 1024
            print(f"  ratio {large}/{small} pages: {ratio:.2f} (target <= {TARGET_RATIO}); "
                  f"+{extra:.1f} MB, {1024 * extra / max(large - small, 1):.0f} KB per extra page")
    return 0


if __name__ == "__main__":
    sys.exit(main())
