"""One visit: plan its people and documents, draw them, hide PHI in metadata, scan some, save."""
from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

import pymupdf
from faker import Faker

from . import vocab
from .documents import KINDS, Ctx
from .layouts import make_house
from .people import make_cast
from .scan import scan_document
from .signature import Pen, stamp_png
from .truth import (
    HOSPITAL,
    INPATIENT_NO,
    PATIENT_ID,
    PATIENT_NAME,
    PHONE,
    RECORD_NO,
    STAFF,
    VisitTruth,
    phi_values,
)

_DEPARTMENTS = [("产科", "mother", 35), ("新生儿科", "newborn", 20), ("儿科", "child", 20),
                ("重症医学科", "adult", 9), ("心内科", "adult", 8), ("妇科", "mother", 8)]
_FIRST_DAY = date(2023, 1, 1)


def _doc_plan(r: random.Random, department: str, died: bool) -> list[str]:
    kinds = ["outpatient"] if r.random() < 0.5 else []
    kinds.append("admission")
    if department == "产科":
        kinds += ["ctg"] * r.randint(1, 2) + ["delivery"]
    kinds += ["progress"]
    kinds += r.sample(["orders-long", "orders-temp"], r.randint(1, 2))
    kinds += ["lab"] * r.randint(1, 3)
    if r.random() < 0.6:
        kinds.append("exam")
    if r.random() < 0.5 or department == "心内科":
        kinds.append("ecg")
    kinds += ["nursing", "discharge"]
    if died:
        kinds.append("death-discussion")
    return kinds


def _pdf_date(d: date, r: random.Random) -> str:
    return f"D:{d:%Y%m%d}{r.randint(7, 22):02d}{r.randint(0, 59):02d}00+08'00'"


def _decorate(doc: pymupdf.Document, ctx: Ctx, truth: VisitTruth, doc_id: str, title: str, day: date,
              meta: bool, outline: bool, note: bool) -> None:
    """Personal data where a PDF viewer hides it: metadata, an outline entry, a sticky note."""
    r, p = ctx.rng, ctx.patient
    author = ctx.doctor() if r.random() < 0.7 else None
    info = {"creator": r.choice(["HIS电子病历系统", "EMR 5.2", "Microsoft Word"]),
            "producer": "PDF Library", "creationDate": _pdf_date(day, r), "modDate": _pdf_date(day, r)}
    if meta:
        info["title"] = f"{title}-{p.name}" if r.random() < 0.6 else f"{p.name} {title}"
        info["subject"] = f"{ctx.cast.hospital} {ctx.department}"
        info["keywords"] = f"{p.name},{ctx.cast.inpatient_no},{p.id_number}"
        for cat, value in ((PATIENT_NAME, p.name), (HOSPITAL, ctx.cast.hospital),
                           (INPATIENT_NO, ctx.cast.inpatient_no), (PATIENT_ID, p.id_number)):
            truth.add(cat, value, doc_id, None, "metadata")
        if author:
            info["author"] = author.name
            truth.add(STAFF, author.name, doc_id, None, "metadata")
    doc.set_metadata(info)
    if outline:
        toc = [[1, f"{p.name} {title}", 1]]
        if doc.page_count > 1:
            toc.append([2, f"第2页 {ctx.when(day)}", 2])
        doc.set_toc(toc)
        truth.add(PATIENT_NAME, p.name, doc_id, 1, "outline")
    if note:
        page_no = r.randrange(doc.page_count)
        doctor, nurse = ctx.doctor(), ctx.nurse()
        annot = doc[page_no].add_text_annot((doc[page_no].rect.width - 60, 90 + r.randint(0, 300)),
                                            f"请{doctor.name}医师{r.choice(['复核', '补签', '核对医嘱'])}")
        annot.set_info(title=nurse.name)
        annot.update()
        truth.add(STAFF, doctor.name, doc_id, page_no + 1, "annotation")
        truth.add(STAFF, nurse.name, doc_id, page_no + 1, "annotation")


def make_visit(out: Path, index: int, seed: int, font: pymupdf.Font, terms: list[str]) -> dict:
    """Draw and save one visit's documents, truth and patient index; return its manifest entry."""
    r = random.Random(f"emr-demo:{seed}:{index}")
    faker = Faker("zh_CN")
    faker.seed_instance(r.randrange(1 << 30))
    department, kind, _ = r.choices(_DEPARTMENTS, weights=[d[2] for d in _DEPARTMENTS])[0]
    admitted = _FIRST_DAY + timedelta(days=r.randint(0, 900))
    died = r.random() < 0.35
    discharged = admitted + timedelta(days=r.randint(1, 18))
    cast = make_cast(r, faker, kind, admitted)
    visit_id = f"V{index + 1:04d}"
    pen = Pen(font.buffer, random.Random(r.randrange(1 << 30)))
    stamp_cache: list[bytes] = []

    def stamp() -> bytes:
        if not stamp_cache:
            stamp_cache.append(stamp_png(cast.hospital, font.buffer, random.Random(r.randrange(1 << 30))))
        return stamp_cache[0]

    ctx = Ctx(rng=r, cast=cast, house=make_house(r, cast.hospital), department=department, patient_kind=kind,
              admitted=admitted, discharged=discharged, died=died,
              diagnoses=r.sample(vocab.DIAGNOSES[department], r.randint(2, 4)),
              complaint=r.choice(vocab.COMPLAINTS[department]), font=font, pen=pen, stamp=stamp)
    truth = VisitTruth(phi_values(cast), terms)
    folder = out / "records" / visit_id
    folder.mkdir(parents=True, exist_ok=True)
    plan = _doc_plan(r, department, died)
    outline_at, note_at = r.randrange(len(plan)), r.randrange(len(plan))
    documents = []
    for n, key in enumerate(plan, start=1):
        spec = KINDS[key]
        doc_id = f"{visit_id}-{n:02d}"
        built = spec.build(ctx)
        doc = built.sheet.finish()
        scanned = r.random() < spec.scan_rate
        pages = built.sheet.records
        doc_terms = truth.scan(doc_id, pages, scanned)
        moves = None
        if scanned:
            doc, _dpi, moves = scan_document(doc, r)
        else:
            doc.subset_fonts()
        truth.place_signatures_and_stamps(doc_id, pages, moves)
        if moves:
            truth.place_identifiers(doc_id, pages, moves, built.sheet.text_width)
        _decorate(doc, ctx, truth, doc_id, built.title, built.day, meta=n == 1 or r.random() < 0.5,
                  outline=n - 1 == outline_at or r.random() < 0.2, note=n - 1 == note_at or r.random() < 0.1)
        rel = f"records/{visit_id}/{n:02d}-{spec.slug}.pdf"
        doc.save(out / rel, garbage=3, deflate=True, no_new_id=True)
        entry = {"doc_id": doc_id, "doc_type": spec.doc_type, "title": built.title, "file": rel,
                 "pages": doc.page_count, "scanned": scanned, "date": built.day.isoformat()}
        doc.close()
        documents.append(entry)
        truth.documents.append({**entry, "clinical_terms": doc_terms})
    index_ids = [(PATIENT_NAME, cast.patient.name), (PATIENT_ID, cast.patient.id_number),
                 (PHONE, cast.patient.phone), (RECORD_NO, cast.record_no), (INPATIENT_NO, cast.inpatient_no)]
    (folder / "patient.json").write_text(json.dumps(
        {"identifiers": [{"category": c, "value": v} for c, v in index_ids]}, ensure_ascii=False, indent=1),
        encoding="utf-8")
    (out / "truth" / f"{visit_id}.json").write_text(
        json.dumps(truth.to_dict(visit_id), ensure_ascii=False, indent=1), encoding="utf-8")
    return {"visit_id": visit_id, "record_no": cast.record_no, "patient_name": cast.patient.name,
            "patient_id_number": cast.patient.id_number, "department": department,
            "admitted": admitted.isoformat(), "discharged": discharged.isoformat(), "documents": documents}
