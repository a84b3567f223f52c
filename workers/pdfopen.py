"""Open an input PDF or say, in words, why it cannot be used and what to do about it."""
from __future__ import annotations

from pathlib import Path

import pymupdf

# A PDF's header may follow some junk; readers accept it within the first KiB.
HEADER_WINDOW = 1024


class UnreadableDocument(ValueError):
    """An input that is not a usable PDF. The message names the file and the remedy."""


ICON_ONLY = (pymupdf.PDF_ANNOT_TEXT, pymupdf.PDF_ANNOT_FILE_ATTACHMENT, pymupdf.PDF_ANNOT_SOUND)


def open_pdf(path: Path | str, notes: list[tuple[str, str]] | None = None) -> pymupdf.Document:
    """The document, annotations and form fields baked into its pages, sticky notes and
    attachments' icons removed. `notes`, when given, receives each annotation's (author,
    text) first: what a note said would otherwise be lost to the detectors (`docinfo`)."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise UnreadableDocument(f"{name}: file not found. Check the path or the archive index.")
    with path.open("rb") as fh:
        head = fh.read(HEADER_WINDOW)
    if not head:
        raise UnreadableDocument(f"{name}: the file is empty (0 bytes). "
                                 "Export it from the archive system again.")
    if b"%PDF-" not in head:
        raise UnreadableDocument(f"{name}: not a PDF file. Convert it to PDF, or remove it "
                                 "from the request.")
    try:
        doc = pymupdf.open(path, filetype="pdf")
    except Exception as exc:  # noqa: BLE001 - MuPDF raises several types for broken files
        raise UnreadableDocument(f"{name}: the PDF is damaged and cannot be read "
                                 f"({type(exc).__name__}). Export it from the archive "
                                 "system again.") from None
    if doc.needs_pass:
        doc.close()
        raise UnreadableDocument(f"{name}: the PDF is password-protected. Remove the password "
                                 "in the archive system, then request the export again.")
    if doc.page_count == 0:
        doc.close()
        raise UnreadableDocument(f"{name}: the PDF has no pages (it may be truncated). "
                                 "Export it from the archive system again.")
    if notes is not None:
        notes.extend((a.info.get("title", ""), a.info.get("content", ""))
                     for page in doc for a in page.annots() or ())
    annotated = [page for page in doc if page.first_annot is not None]
    for page in annotated:
        # A sticky note or an attachment shows only an icon, which baking would draw into the
        # page: OCR read one at a line's end as "国", ran that line into the next and boxed a
        # relative's name half a name off (seed 36 V0022-03). What it holds is in `notes`.
        for xref in [a.xref for a in page.annots(types=ICON_ONLY)]:
            page.delete_annot(page.load_annot(xref))
    if doc.is_form_pdf or any(page.first_annot is not None for page in annotated):
        # Field values and annotation text are not page content: bake them in so the
        # detectors see them and redaction removes them (scrubbing alone would drop them
        # unseen, and a free-text note would never be checked).
        doc.bake(annots=True, widgets=True)
    return doc


def release_caches() -> None:
    """Empty MuPDF's resource store (decoded fonts and images, shared by all documents).

    Its entries outlive the documents they came from, up to 256 MB, so the store grew with every
    document of a record until it was full. Call this once a document is closed: what open
    documents still need is reloaded on use.
    """
    pymupdf.TOOLS.store_shrink(100)
