"""Which source page each output page shows, and the boxes drawn on it. No Flask.

The assembly job stores a page map (output page -> document index, page) and a report with every
finding after record-wide propagation; before that exists, the per-page analysis results are used.
Boxes carry category and rule only: never the text they cover.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from portal.models import DocumentState, EditAction, ExportDocument, ExportRequest, ManualEdit
from workers.textlayer import overlap_share

Rect = tuple[float, float, float, float]
# Most of a finding's area must lie under the box a person removes (as workers.record does).
MATCH_OVERLAP = 0.6


@dataclass(frozen=True)
class Box:
    """One box on a page, as the preview draws it."""

    rect: Rect
    category: str
    rule: str
    kind: str = "text"
    source: str = "auto"  # auto | manual
    edit_id: int | None = None
    removed: bool = False
    reason: str = ""

    def public(self) -> dict[str, Any]:
        """The box as the page's JSON holds it."""
        data = asdict(self)
        data["rect"] = [round(c, 2) for c in self.rect]
        return data


def _stored(req: ExportRequest, name: str) -> Any:
    """A value the assembly job stored on the request, as a column or inside `verification`."""
    value = getattr(req, name, None)
    if value is None and isinstance(req.verification, dict):
        value = req.verification.get(name)
    return value


def page_map(req: ExportRequest) -> list[tuple[int, int]]:
    """Output page (list index) -> (document index in `req.documents`, 0-based page)."""
    stored = _stored(req, "page_map")
    if stored:
        return [(int(d), int(p)) for d, p in stored]
    # Not assembled yet: every page of every usable document, in order (what assembly makes).
    return [(i, p) for i, doc in enumerate(req.documents) if doc.state != DocumentState.FAILED
            for p in range(doc.page_count)]


def source_of(req: ExportRequest, out_page: int) -> tuple[ExportDocument, int]:
    """The document and page shown on 1-based output page `out_page`; IndexError if none."""
    mapping = page_map(req)
    if not 1 <= out_page <= len(mapping):
        raise IndexError(out_page)
    doc_index, page = mapping[out_page - 1]
    return req.documents[doc_index], page


def _report_findings(req: ExportRequest, doc: ExportDocument, page: int) -> list[dict] | None:
    report = _stored(req, "report")
    if not isinstance(report, dict):
        return None
    for entry in report.get("documents", []):
        if entry.get("doc_id") == doc.doc_id:
            # Report pages are 1-based; page results and edits are 0-based.
            return [{"rect": f["box"], "category": f["category"], "rule": f["rule"],
                     "kind": f.get("kind", "text")}
                    for f in entry.get("findings", []) if f.get("page") == page + 1]
    return None


def auto_findings(req: ExportRequest, doc: ExportDocument, page: int) -> list[Box]:
    """The automatic findings on one source page (after propagation when assembled)."""
    found = _report_findings(req, doc, page)
    if found is None:
        found = [{"rect": f["rect"], "category": f["category"], "rule": f["rule"],
                  "kind": f.get("kind", "text")}
                 for pr in doc.pages if pr.page_number == page for f in pr.findings or []]
    boxes = []
    for f in found:
        if str(f["rule"]).startswith("manual:"):
            continue  # hand-drawn boxes come from the edits themselves
        boxes.append(Box(tuple(float(c) for c in f["rect"]), f["category"], f["rule"],
                         f.get("kind", "text")))
    return boxes


def active_edits(req: ExportRequest, doc: ExportDocument | None = None,
                 page: int | None = None) -> list[ManualEdit]:
    """Edits in force (not undone), optionally of one page."""
    return [e for e in req.edits if not e.undone
            and (doc is None or e.document_id == doc.id)
            and (page is None or e.page_number == page)]


def _removes(edit: ManualEdit, box: Box) -> bool:
    return (edit.action == EditAction.REMOVE and edit.finding_ref == box.rule
            and overlap_share(tuple(edit.rect), box.rect) > MATCH_OVERLAP)


def page_boxes(req: ExportRequest, doc: ExportDocument, page: int) -> list[Box]:
    """Automatic boxes (removed ones flagged, with the reason) and hand-drawn boxes of a page."""
    edits = active_edits(req, doc, page)
    boxes = []
    shown: set[int] = set()
    for box in auto_findings(req, doc, page):
        removal = next((e for e in edits if _removes(e, box)), None)
        if removal is not None:
            shown.add(removal.id)
            box = Box(box.rect, box.category, box.rule, box.kind, "auto", removal.id, True,
                      removal.reason)
        boxes.append(box)
    for e in edits:
        if e.action == EditAction.ADD:
            boxes.append(Box(tuple(e.rect), e.category, f"manual:{e.id}", "region", "manual",
                             e.id))
        elif e.id not in shown:
            # Re-assembly leaves a removed finding out of its report; the page must still show
            # what was released by hand, and why.
            boxes.append(Box(tuple(e.rect), e.category, e.finding_ref or "", "text", "auto",
                             e.id, True, e.reason or ""))
    return boxes


def find_auto(req: ExportRequest, doc: ExportDocument, page: int, rule: str,
              rect: Rect) -> Box | None:
    """The automatic finding of `rule` under `rect` on a page, if there is one."""
    for box in auto_findings(req, doc, page):
        if box.rule == rule and overlap_share(box.rect, rect) > MATCH_OVERLAP:
            return box
    return None


def category_counts(req: ExportRequest) -> list[dict[str, Any]]:
    """Per category: automatic findings, how many were removed by hand, boxes drawn by hand."""
    counts: dict[str, dict[str, Any]] = {}

    def row(category: str) -> dict[str, Any]:
        return counts.setdefault(category, {"category": category, "auto": 0, "removed": 0,
                                            "manual": 0})

    report = _stored(req, "report")
    if isinstance(report, dict) and isinstance(report.get("documents"), list):
        for entry in report["documents"]:
            for f in entry.get("findings", []):
                # Boxes drawn by hand are in the report too (rule "manual:<edit id>").
                if not str(f.get("rule", "")).startswith("manual:"):
                    row(f["category"])["auto"] += 1
    else:
        for doc in req.documents:
            for pr in doc.pages:
                for f in pr.findings or []:
                    row(f["category"])["auto"] += 1
    for e in active_edits(req):
        row(e.category)["removed" if e.action == EditAction.REMOVE else "manual"] += 1
    return sorted(counts.values(), key=lambda r: (-r["auto"] - r["manual"], r["category"]))
