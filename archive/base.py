"""The interface every archive adapter offers (folder with a manifest, SQL index view, ...)."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Protocol, runtime_checkable

from archive.folder import ArchiveError, DocumentRef, NotInArchive, Visit

__all__ = ["Archive", "ArchiveError", "DocumentRef", "NotInArchive", "Visit"]


@runtime_checkable
class Archive(Protocol):
    """What the portal and the jobs need from a hospital's archive. No Flask, no writes."""

    def visits(self) -> list[Visit]:
        """Every visit (small archives, demos and tests)."""
        ...

    def visit(self, visit_id: str) -> Visit:
        """One visit with its documents in record order; NotInArchive if unknown."""
        ...

    def departments(self) -> list[str]:
        """The departments of the archive's visits, sorted (for the search form)."""
        ...

    def document_types(self) -> list[str]:
        """The document types in the archive, sorted (for the search form)."""
        ...

    def search(self, record_no: str | None = None, department: str | None = None,
               date_from: date | None = None, date_to: date | None = None,
               doc_type: str | None = None) -> list[Visit]:
        """Visits matching every given filter; a stay matches a date range it overlaps."""
        ...

    def document_path(self, doc: DocumentRef) -> Path:
        """The PDF of `doc`; ArchiveError for a path the archive must not hand out."""
        ...

    def patient_identifiers(self, visit_id: str) -> list[dict]:
        """What the index knows of the visit's patient: [{category, value}], hunted everywhere."""
        ...
