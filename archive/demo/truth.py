"""Ground truth of one visit: every identifier placed, where, and the clinical terms to keep."""
from __future__ import annotations

from collections.abc import Callable

import pymupdf

from .people import Cast
from .render import PageRecord
from .scan import moved_rect

PATIENT_NAME = "患者姓名"
PATIENT_ID = "患者身份证号"
PHONE = "电话"
ADDRESS = "住址"
WORKPLACE = "工作单位"
INPATIENT_NO = "住院号"
OUTPATIENT_NO = "门诊号"
RECORD_NO = "病案号"
BED_NO = "床号"
FAMILY_NAME = "家属姓名"
FAMILY_PHONE = "家属电话"
FAMILY_ID = "家属身份证号"
STAFF = "医护人员"
HOSPITAL = "医院名称"

MAX_TERMS_PER_DOCUMENT = 30
# A CJK glyph's ink, in font sizes above and below its baseline (Droid Sans Fallback).
DRAWN_ABOVE, DRAWN_BELOW = 0.9, 0.2


def phi_values(cast: Cast) -> list[tuple[str, str]]:
    """Every identifier of the visit that is found by looking for its text (bed numbers are not:
    they are too short, and are marked where they are drawn)."""
    p = cast.patient
    items = [(PATIENT_NAME, p.name), (PATIENT_ID, p.id_number), (PHONE, p.phone), (ADDRESS, cast.address),
             (INPATIENT_NO, cast.inpatient_no), (OUTPATIENT_NO, cast.outpatient_no), (RECORD_NO, cast.record_no),
             (HOSPITAL, cast.hospital), (HOSPITAL, cast.other_hospital)]
    if p.workplace:
        items.append((WORKPLACE, p.workplace))
    for f in cast.family:
        items += [(FAMILY_NAME, f.name), (FAMILY_PHONE, f.phone), (FAMILY_ID, f.id_number)]
        if f.workplace:
            items.append((WORKPLACE, f.workplace))
    items += [(STAFF, s.name) for s in cast.staff()]
    seen: set[str] = set()
    out = []
    for cat, value in items:              # one category per value: the first (most specific) wins
        if value and value not in seen:
            seen.add(value)
            out.append((cat, value))
    return out


class VisitTruth:
    """Collects identifier placements and clinical terms while a visit's documents are drawn."""

    def __init__(self, phi: list[tuple[str, str]], terms: list[str]) -> None:
        self.phi = phi
        self.terms = terms
        self._where: dict[tuple[str, str], list[dict]] = {}
        self.documents: list[dict] = []
        self.clinical_terms: list[str] = []
        self.signatures: list[dict] = []
        self.stamps: list[dict] = []
        self.drawn: list[dict] = []

    def add(self, category: str, value: str, doc_id: str, page: int | None, where: str) -> None:
        spots = self._where.setdefault((category, value), [])
        spot = {"doc": doc_id, "page": page, "in": where}
        if spot not in spots:
            spots.append(spot)

    def scan(self, doc_id: str, pages: list[PageRecord], scanned: bool) -> list[str]:
        """Record what each page holds; returns the clinical terms drawn in the document."""
        found: dict[str, int] = {}
        for number, rec in enumerate(pages, start=1):
            text = "\n".join(rec.strings)
            for cat, value in self.phi:
                if value in text:
                    self.add(cat, value, doc_id, number, "image" if scanned else "text")
            for cat, value, where in rec.marks:
                if where == "text" and scanned:
                    where = "image"
                self.add(cat, value, doc_id, number, where)
            for term in self.terms:
                at = text.find(term)
                if at >= 0 and term not in found:
                    found[term] = number * 1_000_000 + at
        terms = sorted(found, key=found.__getitem__)[:MAX_TERMS_PER_DOCUMENT]
        for t in terms:
            if t not in self.clinical_terms:
                self.clinical_terms.append(t)
        return terms

    def place_signatures_and_stamps(self, doc_id: str, pages: list[PageRecord],
                         moves: list[pymupdf.Matrix] | None) -> None:
        """Record where each page's signatures and stamps show, in points of the saved page: a scan
        (`moves`, per page) tilts and shifts what was drawn."""
        for number, rec in enumerate(pages, start=1):
            for rects, out in ((rec.signatures, self.signatures), (rec.stamps, self.stamps)):
                for rect in rects:
                    shown = moved_rect(rect, moves[number - 1]) if moves else pymupdf.Rect(rect)
                    out.append({"doc": doc_id, "page": number,
                                "rect": [round(v, 2) for v in shown]})

    def place_identifiers(self, doc_id: str, pages: list[PageRecord], moves: list[pymupdf.Matrix],
                          width: Callable[[str, float], float]) -> None:
        """Record where each identifier drawn on a scanned page shows, in points of the saved
        page. OCR that misreads a name cannot count it as a leak; its pixels can (`sigvisible`).
        `width` measures a string at a font size. A value wrapped over two lines is in neither
        line's span and is left to the OCR count."""
        for number, rec in enumerate(pages, start=1):
            # Explicit marks (a bed number "+2", too short to look for) only in their own span.
            placed = [(span, self.phi) for span in rec.spans]
            placed += [(rec.spans[i], [(cat, value)]) for i, cat, value in rec.marked
                       if (cat, value) not in self.phi]
            for (x, y, size, s), wanted in placed:
                for cat, value in wanted:
                    at = s.find(value)
                    while at >= 0:
                        x0 = x + width(s[:at], size)
                        rect = (x0, y - size * DRAWN_ABOVE, x0 + width(value, size), y + size * DRAWN_BELOW)
                        self.drawn.append({"doc": doc_id, "page": number, "category": cat, "value": value,
                                           "rect": [round(v, 2) for v in moved_rect(rect, moves[number - 1])]})
                        at = s.find(value, at + len(value))

    def identifiers(self) -> list[dict]:
        return [{"category": c, "value": v, "where": w} for (c, v), w in self._where.items()]

    def to_dict(self, visit_id: str) -> dict:
        return {"visit_id": visit_id, "identifiers": self.identifiers(),
                "clinical_terms": self.clinical_terms, "documents": self.documents,
                "signatures": self.signatures, "stamps": self.stamps, "drawn": self.drawn}
