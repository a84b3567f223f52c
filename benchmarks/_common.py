"""Shared helpers for the benchmarks: synthetic inputs, timed `emr-redact run`, report figures.

Every input is made by the project's own synthetic generator (`archive.demo`) in a temp dir;
nothing here reads real data. Helpers print figures; they never assert timings.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"


def python_exe() -> str:
    """The venv's Python if there is one, else the one running us."""
    exe = VENV_BIN / "python"
    return str(exe) if exe.exists() else sys.executable


def cli_exe() -> list[str]:
    """How to start `emr-redact`: the console script, else `python -m workers.cli`."""
    script = VENV_BIN / "emr-redact"
    return [str(script)] if script.exists() else [python_exe(), "-m", "workers.cli"]


def bench_env() -> dict[str, str]:
    """Environment for child processes: one OpenMP thread per Tesseract (FINDINGS.md)."""
    env = dict(os.environ)
    env["OMP_THREAD_LIMIT"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


@dataclass(frozen=True)
class Doc:
    """One generated document: its file, page count and whether it is a scan."""

    path: Path
    pages: int
    scanned: bool
    visit: str
    doc_type: str


def make_archive(out: Path, records: int, seed: int) -> tuple[Path, list[Doc]]:
    """Generate a synthetic archive; its documents in manifest order."""
    sys.path.insert(0, str(ROOT))
    from archive.demo import generate_archive

    root = generate_archive(out, records=records, seed=seed)
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    docs = [Doc(root / d["file"], int(d["pages"]), bool(d["scanned"]), v["visit_id"],
                d["doc_type"])
            for v in manifest["visits"] for d in v["documents"]]
    return root, docs


def patient_file(root: Path, visit: str) -> Path:
    return root / "records" / visit / "patient.json"


def strip_images(src: Path, dst: Path) -> tuple[int, int]:
    """Copy a PDF with every image removed from its pages (text kept); (pages, images removed)."""
    import pymupdf

    removed = 0
    with pymupdf.open(src) as doc:
        for page in doc:
            infos = page.get_image_info(xrefs=True)
            for info in infos:
                page.add_redact_annot(info["bbox"])
            if infos:
                # Remove the image XObjects only: no text, no line art is touched.
                page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_REMOVE,
                                      graphics=pymupdf.PDF_REDACT_LINE_ART_NONE,
                                      text=pymupdf.PDF_REDACT_TEXT_NONE)
                removed += len(infos)
        pages = doc.page_count
        doc.save(dst, garbage=3, deflate=True)
    return pages, removed


def copy_pages(src: Path, dst: Path, pages: list[int]) -> None:
    """Write the given pages of src (0-based) as a new PDF."""
    import pymupdf

    with pymupdf.open(src) as doc, pymupdf.open() as out:
        for n in pages:
            out.insert_pdf(doc, from_page=n, to_page=n)
        out.save(dst, garbage=3, deflate=True)


def copy_doc(src: Path, dst: Path) -> Path:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    return dst


def count_images(paths: list[Path]) -> int:
    import pymupdf

    total = 0
    for p in paths:
        with pymupdf.open(p) as doc:
            total += sum(len(page.get_images()) for page in doc)
    return total


@dataclass
class RunOutcome:
    wall_s: float
    returncode: int
    report: dict[str, Any]
    stderr: str


def timed_cli_run(inputs: list[Path], out_dir: Path, *, patient: Path | None = None,
                  no_ocr: bool = False, name: str = "out", env: dict[str, str] | None = None,
                  prefix: list[str] | None = None, extra: list[str] | None = None,
                  ) -> RunOutcome:
    """Run the whole `emr-redact run` as a subprocess; wall time from spawn to exit."""
    out_dir.mkdir(parents=True, exist_ok=True)
    out_pdf, report = out_dir / f"{name}.pdf", out_dir / f"{name}.json"
    cmd = [*(prefix or []), *cli_exe(), "run", "--out", str(out_pdf), "--report", str(report)]
    if patient is not None:
        cmd += ["--patient", str(patient)]
    if no_ocr:
        cmd.append("--no-ocr")
    cmd += [*(extra or []), *(str(p) for p in inputs)]
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env or bench_env(), capture_output=True, text=True, cwd=ROOT,
                          check=False)  # the exit code is reported, not raised
    wall = time.perf_counter() - started
    data: dict[str, Any] = {}
    if report.exists():
        data = json.loads(report.read_text(encoding="utf-8"))
    return RunOutcome(wall, proc.returncode, data, proc.stderr)


def describe_outcome(outcome: RunOutcome) -> str:
    """Exit code and verification in words (never any text from the record)."""
    ver = outcome.report.get("verification") or {}
    released = (outcome.report.get("output") or {}).get("released")
    residuals = len(ver.get("residuals") or [])
    return (f"exit {outcome.returncode}, released={released}, verification clean="
            f"{ver.get('clean')}, residuals={residuals}")


def print_timings(report: dict[str, Any], indent: str = "    ") -> None:
    """The report's per-stage timings, one per line, with each stage's share of the total."""
    timings = report.get("timings") or {}
    total = timings.get("total_s") or 0.0
    for key, value in timings.items():
        share = (f"  ({100 * value / total:4.1f}% of total_s)"
                 if key.endswith("_s") and key not in ("total_s", "pages_per_s") and total
                 and isinstance(value, (int, float)) else "")
        print(f"{indent}{key:<14} {value}{share}")
    ver = report.get("verification") or {}
    docs = report.get("documents") or []
    print(f"{indent}ocr_pages (analysis) {sum(d.get('ocr_pages') or 0 for d in docs)}, "
          f"ocr_pages (verification) {ver.get('ocr_pages')}")


def say_failure(outcome: RunOutcome) -> None:
    """Print the tail of stderr when a run failed outright (the benchmark still reports)."""
    if outcome.returncode not in (0, 1):
        tail = "\n".join(outcome.stderr.strip().splitlines()[-15:])
        print(f"    !! run failed (exit {outcome.returncode}):\n{tail}")
