"""Turn a born-digital document into what a scanner makes: skewed, noisy, image-only pages."""
from __future__ import annotations

import io
import random
from functools import lru_cache

import numpy as np
import pymupdf
from PIL import Image, ImageFilter

# Points a moved rect grows by: the scan's blur and JPEG spread ink a pixel or two, and the
# pixel grid rounds the render's origin (at 150 dpi a pixel is 0.5 pt).
MOVED_PAD = 3.0


@lru_cache(maxsize=1)
def _noise_tile() -> np.ndarray:
    """A fixed 256x256 patch of sensor noise (int16, sd about 3)."""
    return (np.random.default_rng(20250301).normal(0, 3, (256, 256))).astype(np.int16)


def scan_page_image(page: pymupdf.Page, rng: random.Random, dpi: int,
                    color: bool) -> tuple[bytes, pymupdf.Matrix]:
    """The page as a JPEG: rasterized, tilted, speckled, blurred a little; and the map from a
    point of the page to where it lands on a page of the same size showing the JPEG."""
    # Render already tilted (MuPDF rotates the vectors for free), then cut back to the page size.
    zoom = dpi / 72
    angle = rng.uniform(-1.5, 1.5)
    mat = pymupdf.Matrix(zoom, zoom).prerotate(angle)
    pix = page.get_pixmap(matrix=mat, colorspace=pymupdf.csRGB if color else pymupdf.csGRAY)
    mode = "RGB" if color else "L"
    img = Image.frombytes(mode, (pix.width, pix.height), pix.samples)
    w, h = int(page.rect.width * zoom), int(page.rect.height * zoom)
    dx = (pix.width - w) // 2 + rng.randint(-8, 8)
    dy = (pix.height - h) // 2 + rng.randint(-8, 8)
    img = img.crop((dx, dy, dx + w, dy + h))
    # Point -> pixel of the tilted render (its origin is pix.x, pix.y) -> pixel of the crop ->
    # point of the page the crop is shown on (w, h were rounded down: scale back exactly).
    moved = mat * pymupdf.Matrix(1, 0, 0, 1, -pix.x - dx, -pix.y - dy) \
        * pymupdf.Matrix(page.rect.width / w, page.rect.height / h)
    if dx < 0 or dy < 0:        # the crop reached outside the render: white, not black
        bg = Image.new(mode, (w, h), (255, 255, 255) if color else 255)
        bg.paste(img.crop((max(0, -dx), max(0, -dy), w, h)), (max(0, -dx), max(0, -dy)))
        img = bg
    nrng = np.random.default_rng(rng.randrange(1 << 30))
    arr = np.asarray(img).astype(np.int16)
    # Paper tone and sensor noise (a shifted tile of noise: drawing fresh noise for millions of
    # pixels per page cost more than everything else together), then dust specks.
    h, w = arr.shape[:2]
    tile = np.roll(_noise_tile(), (rng.randrange(256), rng.randrange(256)), axis=(0, 1))
    noise = np.tile(tile, (h // 256 + 1, w // 256 + 1))[:h, :w] * rng.randint(1, 2)
    arr -= rng.randint(0, 16)
    arr += noise[..., None] if color else noise
    count = int(h * w * rng.uniform(0.0001, 0.0006))
    ys, xs = nrng.integers(0, h - 2, count), nrng.integers(0, w - 2, count)
    arr[ys, xs] = arr[ys + 1, xs] = nrng.integers(0, 90, count)[:, None] if color else nrng.integers(0, 90, count)
    img = Image.fromarray(arr.clip(0, 255).astype(np.uint8), mode)
    if rng.random() < 0.6:
        img = img.filter(ImageFilter.SMOOTH)
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=rng.randint(45, 75))
    return buf.getvalue(), moved


def scan_document(doc: pymupdf.Document,
                  rng: random.Random) -> tuple[pymupdf.Document, int, list[pymupdf.Matrix]]:
    """A new document with one JPEG per page and no text layer; returns it, the dpi used and,
    per page, where the scan moved its points (`moved_rect`)."""
    dpi = rng.choice([150, 200, 200, 200, 250, 300])
    color = dpi <= 200 and rng.random() < 0.35     # colour scans keep red stamps red
    out = pymupdf.open()
    moves = []
    for page in doc:
        jpeg, moved = scan_page_image(page, rng, dpi, color)
        new = out.new_page(width=page.rect.width, height=page.rect.height)
        new.insert_image(new.rect, stream=jpeg)
        moves.append(moved)
    return out, dpi, moves


def moved_rect(rect, moved: pymupdf.Matrix) -> pymupdf.Rect:
    """Where the content of `rect` lies on the scanned page: the box around its tilted corners,
    grown by MOVED_PAD."""
    return pymupdf.Rect(rect) * moved + (-MOVED_PAD, -MOVED_PAD, MOVED_PAD, MOVED_PAD)
