"""Scans MuPDF re-wrote while blanking their pixels, encoded as JPEG again.

MuPDF writes a redacted image back uncompressed; saving then deflates it: a 200-300 dpi grey
scan became 3-4 MB raw, ~0.5 MB deflated (2.5x the JPEG it was) and ~0.1 s of the save each
(FINDINGS.md). The blanked pixels are gone before this runs: encoding only decides how the
remaining ones are stored.
"""
from __future__ import annotations

import io

import pymupdf

from .lazy import LazyModule

Image = LazyModule("PIL.Image", globals())

QUALITY = 85
# Smaller images (a signature, a stamp) stay as MuPDF wrote them: deflate suits their few tones.
MIN_PIXELS = 1_000_000


def image_xrefs(page: pymupdf.Page) -> set[int]:
    return {im[0] for im in page.get_images(full=True)}


def reencode_rewritten(page: pymupdf.Page, before: set[int]) -> int:
    """JPEG-encode the large 8-bit grey or RGB images that are new on `page` since `before`
    (the xrefs it showed before redaction) and stored without a filter; how many."""
    doc = page.parent
    done = 0
    for xref, smask, width, height, bpc, *_ in page.get_images(full=True):
        if (xref in before or smask or bpc != 8 or width * height < MIN_PIXELS
                or doc.xref_get_key(xref, "Filter")[0] != "null"):
            continue
        pix = pymupdf.Pixmap(doc, xref)
        if pix.alpha or pix.n not in (1, 3):
            continue
        doc.update_stream(xref, _jpeg(pix), compress=False)
        doc.xref_set_key(xref, "Filter", "/DCTDecode")
        # The samples are decoded ones: any palette, ICC profile or /Decode is applied already.
        doc.xref_set_key(xref, "ColorSpace", "/DeviceGray" if pix.n == 1 else "/DeviceRGB")
        for key in ("DecodeParms", "Decode"):
            doc.xref_set_key(xref, key, "null")
        done += 1
    return done


def _jpeg(pix: pymupdf.Pixmap) -> bytes:
    # Pillow's libjpeg-turbo: 4-5x faster than MuPDF's encoder on a page-sized scan.
    image = Image.frombytes("L" if pix.n == 1 else "RGB", (pix.width, pix.height), pix.samples)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=QUALITY)
    return out.getvalue()
