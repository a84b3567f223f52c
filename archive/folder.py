"""An archive kept as a folder: manifest.json plus the PDFs it names (e.g. the demo archive)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

MANIFEST = "manifest.json"
SUPPORTED_VERSIONS = (1,)


class ArchiveError(Exception):
    """The archive cannot be read or a request to it is not allowed; the message says why."""


class NotInArchive(ArchiveError):
    """The visit or document asked for does not exist (the archive itself is fine)."""


@dataclass(frozen=True)
class DocumentRef:
    """One archived document of a visit, as the manifest lists it."""

    doc_id: str
    doc_type: str
    title: str
    file: str                 # path relative to the archive root
    pages: int
    scanned: bool
    date: date | None


@dataclass(frozen=True)
class Visit:
    """One hospital stay (or outpatient visit) and its documents, in record order."""

    visit_id: str
    record_no: str
    patient_name: str
    patient_id_number: str
    department: str
    admitted: date | None
    discharged: date | None
    documents: tuple[DocumentRef, ...]

    def document(self, doc_id: str) -> DocumentRef:
        for doc in self.documents:
            if doc.doc_id == doc_id:
                return doc
        raise NotInArchive(f"visit {self.visit_id} has no document {doc_id}")


def _date(value: object, where: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ArchiveError(f"{where}: '{value}' is not a date (expected YYYY-MM-DD)") from None


def _visit(raw: dict, n: int) -> Visit:
    where = f"manifest visit #{n + 1}"
    try:
        vid = str(raw["visit_id"])
        docs = tuple(
            DocumentRef(doc_id=str(d["doc_id"]), doc_type=str(d.get("doc_type", "")), title=str(d.get("title", "")),
                        file=str(d["file"]), pages=int(d.get("pages", 0)), scanned=bool(d.get("scanned", False)),
                        date=_date(d.get("date"), f"{where} document {d.get('doc_id')}"))
            for d in raw.get("documents", []))
        return Visit(visit_id=vid, record_no=str(raw.get("record_no", "")),
                     patient_name=str(raw.get("patient_name", "")),
                     patient_id_number=str(raw.get("patient_id_number", "")),
                     department=str(raw.get("department", "")),
                     admitted=_date(raw.get("admitted"), where), discharged=_date(raw.get("discharged"), where),
                     documents=docs)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ArchiveError(f"{where} is malformed: missing or wrong field ({type(exc).__name__}: {exc})") from None


class FolderArchive:
    """Reads the manifest once; lists, finds and locates visits and documents under `root`."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()
        path = self.root / MANIFEST
        if not path.is_file():
            raise ArchiveError(f"no {MANIFEST} in the archive folder {self.root}: "
                               f"is this the right folder? (emr-redact demo-archive DIR makes one)")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ArchiveError(f"the archive manifest {path} cannot be read: {exc}") from None
        if not isinstance(data, dict) or not isinstance(data.get("visits"), list):
            raise ArchiveError(f"the archive manifest {path} has no list of visits")
        if data.get("version") not in SUPPORTED_VERSIONS:
            raise ArchiveError(f"the archive manifest {path} has version {data.get('version')!r}; "
                               f"this program reads version {', '.join(map(str, SUPPORTED_VERSIONS))}")
        self._visits = [_visit(v, i) for i, v in enumerate(data["visits"])]
        self._by_id = {v.visit_id: v for v in self._visits}
        if len(self._by_id) != len(self._visits):
            raise ArchiveError(f"the archive manifest {path} lists the same visit id twice")

    def visits(self) -> list[Visit]:
        return list(self._visits)

    def visit(self, visit_id: str) -> Visit:
        try:
            return self._by_id[visit_id]
        except KeyError:
            raise NotInArchive(f"no visit {visit_id} in this archive") from None

    def departments(self) -> list[str]:
        """The departments the archive's visits belong to, sorted."""
        return sorted({v.department for v in self._visits if v.department})

    def document_types(self) -> list[str]:
        """The document types found in the archive, sorted."""
        return sorted({d.doc_type for v in self._visits for d in v.documents if d.doc_type})

    def search(self, record_no: str | None = None, department: str | None = None,
               date_from: date | None = None, date_to: date | None = None,
               doc_type: str | None = None) -> list[Visit]:
        """Visits matching every given filter; a stay matches a date range it overlaps."""
        out = []
        for v in self._visits:
            start = v.admitted or v.discharged
            end = v.discharged or v.admitted
            if record_no and v.record_no != record_no.strip():
                continue
            if department and v.department != department:
                continue
            if date_from and (end is None or end < date_from):
                continue
            if date_to and (start is None or start > date_to):
                continue
            if doc_type and not any(d.doc_type == doc_type for d in v.documents):
                continue
            out.append(v)
        return out

    def document_path(self, doc: DocumentRef) -> Path:
        """The file of `doc`, refusing any path that would lead outside the archive folder."""
        rel = Path(doc.file)
        if rel.is_absolute():
            raise ArchiveError(f"document {doc.doc_id} names an absolute path; only paths inside the archive are allowed")
        path = (self.root / rel).resolve()
        if not path.is_relative_to(self.root):
            raise ArchiveError(f"document {doc.doc_id} points outside the archive folder; refused")
        return path

    def patient_identifiers(self, visit_id: str) -> list[dict]:
        """What the archive index knows about the visit's patient (records/<visit>/patient.json)."""
        path = self.root / "records" / self.visit(visit_id).visit_id / "patient.json"
        if not path.resolve().is_relative_to(self.root):
            raise ArchiveError(f"visit {visit_id} points outside the archive folder; refused")
        if not path.is_file():
            return []
        try:
            return list(json.loads(path.read_text(encoding="utf-8")).get("identifiers", []))
        except (OSError, ValueError, AttributeError) as exc:
            raise ArchiveError(f"the patient index of visit {visit_id} cannot be read: {exc}") from None
