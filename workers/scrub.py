"""Strip everything from a PDF that is not page content: metadata, outlines, annotations, forms,
attachments, scripts, page labels, thumbnails and private application data.

Run after redaction (redaction only edits page content). Removed objects stay in the file until
it is saved with garbage collection (`garbage>=1`), so save with `garbage=4`.
"""
from __future__ import annotations

import pymupdf

# Catalog entries that carry text, actions or structure that could hold PHI. The structure tree
# holds /Alt and /ActualText; /Names holds JavaScript, embedded files and named destinations.
CATALOG_KEYS = (
    "Names", "Dests", "OpenAction", "AA", "Outlines", "PageLabels", "AcroForm", "Metadata",
    "PieceInfo", "StructTreeRoot", "MarkInfo", "Threads", "URI", "SpiderInfo", "Collection",
    "Legal", "Perms",
)
# Page entries: thumbnails are pictures of the *unredacted* page.
PAGE_KEYS = ("AA", "Annots", "Thumb", "PieceInfo", "Metadata", "B", "StructParents", "Tabs")


def scrub_document(doc: pymupdf.Document) -> None:
    """Remove metadata, XMP, outline, annotations, links, forms, attachments, JavaScript,
    page labels and application data from `doc`, in place."""
    if not doc.is_pdf:
        raise ValueError("only PDF documents can be scrubbed")
    for name in list(doc.embfile_names()):
        doc.embfile_del(name)
    for page in doc:
        _scrub_page(doc, page)
    _drop_keys(doc, doc.pdf_catalog(), CATALOG_KEYS)
    doc.del_xml_metadata()
    doc.set_metadata({})
    # set_metadata keeps custom Info keys: drop the Info dictionary altogether
    _drop_keys(doc, -1, ("Info", "PieceInfo"))


def _scrub_page(doc: pymupdf.Document, page: pymupdf.Page) -> None:
    # widgets are annotations too; deleting them drops field values (flatten before analysis)
    while (widget := page.first_widget) is not None:
        page.delete_widget(widget)
    while (annot := page.first_annot) is not None:
        page.delete_annot(annot)
    for link in page.get_links():
        page.delete_link(link)
    _drop_keys(doc, page.xref, PAGE_KEYS)


def _drop_keys(doc: pymupdf.Document, xref: int, keys: tuple[str, ...]) -> None:
    """Remove those of `keys` that object `xref` has. Its keys are listed once: asking for
    each key in turn (8 a page, 17 in the catalog) was most of scrubbing a page."""
    present = set(doc.xref_get_keys(xref))
    for key in keys:
        if key in present and doc.xref_get_key(xref, key)[0] != "null":
            doc.xref_set_key(xref, key, "null")


def flatten_forms(doc: pymupdf.Document) -> None:
    """Turn form fields and annotations into page content, so detectors see and redaction
    removes their text; call before extracting the text layer."""
    doc.bake(annots=True, widgets=True)
