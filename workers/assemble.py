"""One output PDF from a record's redacted documents: pages in order, an outline by document
type, page numbers, an optional watermark and password, saved atomically with a SHA-256.

Memory stays flat however long the record is: pages are copied into a work file in batches,
each batch appended with an incremental save and the work file reopened, so MuPDF never holds
more than one batch of page objects (scanned pages are ~200 KB each). The final full save
streams objects from the work file.
"""
from __future__ import annotations

import contextlib
import hashlib
import math
import os
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import pymupdf

from workers.drawing import cjk_font, commit, fit_text
from workers.pdfopen import release_caches

BATCH_PAGES = 32          # pages copied between flushes of the work file
PRODUCER = "emr-redact"
FOOTER_SIZE = 8
FOOTER_GREY = (0.45, 0.45, 0.45)
WATERMARK_OPACITY = 0.18
PERMISSIONS = (pymupdf.PDF_PERM_PRINT | pymupdf.PDF_PERM_PRINT_HQ | pymupdf.PDF_PERM_COPY
               | pymupdf.PDF_PERM_ACCESSIBILITY)


@dataclass(frozen=True)
class AssemblyResult:
    """The file written, its SHA-256 (hex) and its page count."""

    path: Path
    sha256: str
    pages: int


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _temp_beside(path: Path, tag: str) -> Path:
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=f".{tag}")
    os.close(fd)
    return Path(name)


@contextlib.contextmanager
def safe_output(path: Path | str) -> Iterator[Path]:
    """Yield a temp path beside `path`; on success fsync it and rename it over `path`.

    On any exception the temp file is removed and `path` is left as it was.
    """
    path = Path(path)
    tmp = _temp_beside(path, "tmp")
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    finally:
        tmp.unlink(missing_ok=True)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def number_page(page: pymupdf.Page, number: int, total: int) -> None:
    """The footer of output page `number` (0-based) of `total`."""
    shape = page.new_shape()
    write_footer(shape, number, total)
    commit(shape)


def write_footer(shape: pymupdf.Shape, number: int, total: int) -> None:
    """`number_page`'s footer, added to a shape its caller commits."""
    rect = shape.page.rect
    band = pymupdf.Rect(0, rect.height - 24, rect.width, rect.height - 8)
    fit_text(shape, band, f"第{number + 1}页/共{total}页", color=FOOTER_GREY, max_size=FOOTER_SIZE)


def _watermark_png(text: str, width: float, height: float) -> bytes:
    """The watermark as a transparent image: the requester's text is not in the text layer,
    so verification never mistakes it for the record's content."""
    font = cjk_font()
    diagonal = math.hypot(width, height)
    size = min(60.0, 0.7 * diagonal / max(font.text_length(text, fontsize=1), 1e-6))
    scratch = pymupdf.open()
    page = scratch.new_page(width=width, height=height)
    writer = pymupdf.TextWriter(page.rect)
    length = font.text_length(text, fontsize=size)
    centre = pymupdf.Point(width / 2, height / 2)
    writer.append((centre.x - length / 2, centre.y + size * 0.35), text, font=font, fontsize=size)
    angle = math.degrees(math.atan2(height, width))
    writer.write_text(page, color=(0.5, 0.5, 0.5), opacity=WATERMARK_OPACITY,
                      morph=(centre, pymupdf.Matrix(angle)))
    png = page.get_pixmap(dpi=96, alpha=True).tobytes("png")
    scratch.close()
    return png


class Assembler:
    """Builds one PDF from documents added in order; use as a context manager, then `finish()`."""

    def __init__(self, out_path: Path | str, *, watermark: str | None = None,
                 password: str | None = None, numbered: bool = False) -> None:
        """`numbered`: the pages come with their footers (`number_page`), drawn by the workers
        that redacted them; otherwise they are drawn here, one page after another."""
        self.out_path = Path(out_path)
        self.numbered = numbered
        self.watermark = watermark or None
        self.password = password or None
        self._work_path: Path | None = None
        self._work: pymupdf.Document | None = None
        self._on_disk = False           # the work file holds a saved PDF
        self._unsaved = 0               # pages copied since the last flush
        self._pages = 0
        self._toc: list[list] = []

    def __enter__(self) -> Self:
        self._work_path = _temp_beside(self.out_path, "work.pdf")
        return self

    def __exit__(self, *exc: object) -> None:
        self._close_work()
        if self._work_path is not None:
            self._work_path.unlink(missing_ok=True)

    @property
    def pages(self) -> int:
        return self._pages

    def add(self, source: Path | str | pymupdf.Document, doc_type_label: str | None) -> None:
        """Append all pages of a redacted, scrubbed document under an outline entry.

        A label of None continues the previous entry (a later part of the same document).
        """
        if self._work_path is None:
            raise RuntimeError("use Assembler as a context manager")
        owned = not isinstance(source, pymupdf.Document)
        src = pymupdf.open(source) if owned else source
        try:
            if not src.is_pdf or src.needs_pass:
                raise ValueError("an assembled document must be an unencrypted PDF")
            if src.page_count == 0:
                return
            if doc_type_label is not None:
                self._toc.append([1, doc_type_label, self._pages + 1])
            for start in range(0, src.page_count, BATCH_PAGES):
                end = min(start + BATCH_PAGES, src.page_count) - 1
                work = self._open_work()
                work.insert_pdf(src, from_page=start, to_page=end, links=False, annots=False)
                self._pages += end - start + 1
                self._unsaved += end - start + 1
                if self._unsaved >= BATCH_PAGES:
                    self._flush()
        finally:
            if owned:
                src.close()

    def finish(self) -> AssemblyResult:
        """Number the pages, watermark, encrypt, and write the output file atomically."""
        if self._pages == 0:
            raise ValueError("nothing to assemble")
        self._flush()
        work = self._open_work()
        work.set_toc(self._toc)
        work.del_xml_metadata()
        work.set_metadata({"producer": PRODUCER, "creator": PRODUCER})
        self._stamp(work)
        options: dict = {"garbage": 4, "deflate": True, "deflate_images": False}
        if self.password:
            options.update(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw=self.password,
                           owner_pw=secrets.token_urlsafe(24), permissions=PERMISSIONS)
        with safe_output(self.out_path) as tmp:
            work.save(tmp, **options)
            self._close_work()
        release_caches()
        return AssemblyResult(self.out_path, file_sha256(self.out_path), self._pages)

    # --- work file ----------------------------------------------------------------------

    def _open_work(self) -> pymupdf.Document:
        if self._work is None:
            self._work = pymupdf.open(self._work_path) if self._on_disk else pymupdf.open()
        return self._work

    def _flush(self) -> None:
        """Write copied pages to the work file and drop them from memory."""
        if self._work is None:
            return
        if self._on_disk:
            self._work.saveIncr()
        else:
            self._work.save(self._work_path, garbage=1)
            self._on_disk = True
        self._close_work()
        release_caches()
        self._unsaved = 0

    def _close_work(self) -> None:
        if self._work is not None:
            self._work.close()
            self._work = None

    def _stamp(self, work: pymupdf.Document) -> None:
        """Footer and watermark on every page (new content is small: memory stays flat)."""
        if self.numbered and not self.watermark:
            return
        marks: dict[tuple[int, int], int] = {}     # page size -> watermark image xref
        for page in work:
            self._stamp_page(page, work.page_count, marks)
            if page.number % BATCH_PAGES == BATCH_PAGES - 1:
                # what reading the pages put in MuPDF's store: each part's fonts, every scan
                release_caches()

    def _stamp_page(self, page: pymupdf.Page, total: int, marks: dict) -> None:
        if not self.numbered:
            number_page(page, page.number, total)
        if not self.watermark:
            return
        rect = page.rect
        key = (round(rect.width), round(rect.height))
        if key in marks:
            page.insert_image(rect, xref=marks[key], overlay=True)
        else:
            png = _watermark_png(self.watermark, rect.width, rect.height)
            marks[key] = page.insert_image(rect, stream=png, overlay=True)
