"""Synthetic Chinese medical-record archive with ground truth, for demos and leak measurement.

`generate_archive(out_dir, records=N, seed=S)` writes:
  manifest.json                      visits and their documents (the folder archive reads it)
  records/V0001/NN-<kind>.pdf        documents, born-digital or scanned (image-only)
  records/V0001/patient.json         identifiers the archive index knows about the patient
  truth/V0001.json                   every identifier placed and where; clinical terms to keep;
                                     each signature's rect (pt, on the saved page: scans moved)
"""
from __future__ import annotations

import json
from pathlib import Path

MANIFEST_VERSION = 1
GENERATED_BY = "emr-redact demo-archive"


def generate_archive(out_dir: str | Path, records: int = 30, seed: int = 0) -> Path:
    """Write a synthetic archive of `records` visits into out_dir; the same seed gives the same archive."""
    from . import vocab
    from .render import load_font
    from .visit import make_visit

    out = Path(out_dir)
    (out / "records").mkdir(parents=True, exist_ok=True)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    font = load_font()
    terms = vocab.all_terms()
    visits = [make_visit(out, i, seed, font, terms) for i in range(records)]
    manifest = {"version": MANIFEST_VERSION, "generated_by": GENERATED_BY, "seed": seed, "visits": visits}
    tmp = out / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(out / "manifest.json")
    return out


__all__ = ["GENERATED_BY", "MANIFEST_VERSION", "generate_archive"]
