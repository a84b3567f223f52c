"""The JSON report of a run: every finding per page, verification, timings. Never the text."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from dsl.model import Policy

from .record import RunResult
from .textlayer import value_hash


def build_report(result: RunResult, policy: Policy) -> dict[str, Any]:
    key = result.key
    documents = []
    by_category: Counter[str] = Counter()
    for analysis in result.documents:
        findings = []
        for page in sorted(analysis.findings):
            for f in analysis.findings[page]:
                by_category[f.category] += 1
                findings.append({
                    "page": page + 1, "category": f.category, "rule": f.rule, "kind": f.kind,
                    "box": [round(c, 1) for c in f.rect],
                    "value": value_hash(f.value, key) if f.value else None,
                })
        documents.append({
            "doc_id": analysis.input.doc_id, "file": analysis.input.path.name,
            "type": analysis.label, "pages": analysis.page_count,
            "ocr_pages": analysis.ocr_pages, "error": analysis.error, "findings": findings,
        })
    ver = result.verification
    total_pages = sum(d.page_count for d in result.documents if d.ok)
    seconds = result.timings.get("total_s", 0.0)
    return {
        "policy": {"name": policy.name, "version": policy.version, "digest": policy.digest},
        "output": {"released": result.released,
                   "file": result.out_path.name if result.out_path else None,
                   "sha256": result.sha256, "pages": result.pages},
        "documents": documents,
        "findings_by_category": dict(sorted(by_category.items())),
        "verification": None if ver is None else {
            "clean": ver.clean, "pages": ver.pages, "ocr_pages": ver.ocr_pages,
            "fixed_by_second_look": ver.fixed_by_second_look,
            "residuals": [r.public() for r in ver.residuals],
        },
        "timings": {**{k: round(v, 3) for k, v in result.timings.items()},
                    "pages_per_s": round(total_pages / seconds, 1) if seconds else None},
    }


def write_report(path: Path, report: dict[str, Any]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    # Compact: json's C encoder does not indent, and a long record's findings took ~1.5 ms a
    # page to write indented (FINDINGS.md). `python -m json.tool` shows it indented.
    tmp.write_text(json.dumps(report, ensure_ascii=False, separators=(",", ":")),
                   encoding="utf-8")
    tmp.replace(path)
