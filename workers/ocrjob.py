"""What Tesseract is given: an image, the map from its pixels to PDF points, how it is to be
prepared, and the content key its reading is cached under.

Built in the calling thread (`workers.ocr` renders pages into jobs), made `ready` in the
worker thread that reads it, so a scan's preparation (`scanprep`) runs in the pool.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace

import pymupdf

from . import ocrfit, scanprep, stamps
from .cells import grown, paper_tone
from .lazy import LazyModule
from .textlayer import Rect

np = LazyModule("numpy", globals())
Image = LazyModule("PIL.Image", globals())

LANG = "chi_sim"   # not chi_sim+eng: slower, and it turns Chinese labels into Latin letters
# psm 6 (one block of text lines): with a scan levelled and its table rules taken out
# (`scanprep`), each table row is read as one line, left to right, as a text layer reads it;
# psm 3's layout analysis dropped whole columns of such a table (a nursing sheet's signature
# column) and cut rows into cells read column by column (FINDINGS.md, 2026-12-02).
# tessedit_do_invert=0 (no inverted-text retry) changed nothing measurable on clean scans.
CONFIG = "--psm 6 -c tessedit_do_invert=0 -c hocr_char_boxes=1"
CROP_MARGIN = 24               # pixels of paper kept around the windows a verification reads


@dataclass(frozen=True)
class OcrJob:
    """An image to read, with the map from its pixels to PDF points (a PyMuPDF matrix).

    `level` set: the image is a scan as rendered, to be prepared (`scanprep`: turned by `level`
    degrees, table rules taken out) by the worker that reads it, so the preparation runs in
    the pool and the key is known before it. `keep` (same size, 255 = read) blanks the rest to
    the paper's tone after preparing: verification reads only what redaction changed.
    """

    image: Image.Image
    transform: tuple[float, float, float, float, float, float]
    key: str = ""
    level: float | None = None
    keep: Image.Image | None = None
    # Set by `ready` when it closed up blank rows: image row i is row rows[i] of the transform.
    rows: np.ndarray | None = field(default=None, compare=False)
    # Stamps the colour scan holds (`stamps`), in PDF points: their red ink is not in `image`.
    marks: tuple[Rect, ...] = ()
    # Set by `scanprep.prepared` when a table's columns are stacked (rows says where from):
    # the cells read on one row of the page are joined into its line again.
    unrolled: bool = field(default=False, compare=False)
    # Read again the header and footer lines the page's reading skipped (`workers.edges`):
    # pass 1 does, to find what to hide; verification reads as an outsider's Tesseract would.
    edges: bool = True

    def with_key(self, lang: str = LANG, config: str = CONFIG) -> OcrJob:
        return replace(self, key=job_key(self, lang, config))


def job_key(job: OcrJob, lang: str = LANG, config: str = CONFIG) -> str:
    """Content key: pixels, size, what Tesseract was asked, how the image is prepared, and
    where the result goes on the page."""
    h = hashlib.sha256()
    image = job.image
    h.update(f"{image.mode}{image.size}|{lang}|{config}|{ocrfit.VERSION}|".encode())
    h.update(",".join(f"{v:.4f}" for v in job.transform).encode())
    if job.level is not None:
        h.update(f"|prepared {scanprep.VERSION} {job.level:.2f}|".encode())
    h.update(image.tobytes())
    if job.keep is not None:
        h.update(b"|keep|" + job.keep.tobytes())
    if job.marks:
        h.update(f"|marks {stamps.RED_OVER} {job.marks}".encode())
    if not job.edges:
        h.update(b"|no edges|")
    return h.hexdigest()


def ready(job: OcrJob) -> OcrJob:
    """The job as Tesseract is given it: prepared when it asks, blank outside `keep`."""
    if job.level is None and job.keep is None:
        return job
    # Windows to keep are in the page's own rows: a table is not unrolled under them.
    out = (scanprep.prepared(job, job.level, unroll=job.keep is None)
           if job.level is not None else job)
    if job.keep is None:
        return out
    keep = job.keep
    if job.level is not None:
        keep = scanprep.levelled(OcrJob(keep, job.transform), job.level, fill=0).image
    grey = np.array(out.image.convert("L"))
    kept = np.asarray(keep) >= 128
    # Filled with the page's own paper tone, not white: a scan's grey paper cut off sharply by
    # white reads to Tesseract as a box around the window, and it read the text inside as noise.
    grey[~kept] = paper_tone(grey)
    cols = np.flatnonzero(kept.any(axis=0))
    if not len(cols):
        return OcrJob(Image.fromarray(grey, "L"), out.transform)
    # Only the windows' rows and columns are given, blank rows between them closed up to a
    # gap: Tesseract's cost has a part that grows with the image, read or not (FINDINGS.md).
    rows = _rows_kept(kept.any(axis=1))
    x0, x1 = max(0, cols[0] - CROP_MARGIN), min(grey.shape[1], cols[-1] + 1 + CROP_MARGIN)
    m = pymupdf.Matrix(1, 0, 0, 1, x0, 0) * pymupdf.Matrix(*out.transform)
    return OcrJob(Image.fromarray(np.ascontiguousarray(grey[rows, x0:x1]), "L"),
                  (m.a, m.b, m.c, m.d, m.e, m.f), rows=rows)


def _rows_kept(inked: np.ndarray) -> np.ndarray:
    """Indices of the rows to give Tesseract: the window rows with CROP_MARGIN rows of paper
    either side (so two windows far apart meet with twice that between them)."""
    return np.flatnonzero(grown(inked, CROP_MARGIN, 0))
