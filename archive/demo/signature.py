"""Ink marks drawn with PIL: handwriting-like signatures and red round hospital stamps."""
from __future__ import annotations

import io
import math
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

_INKS = [(22, 38, 130), (15, 15, 25), (30, 50, 160), (40, 30, 60)]


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


class Pen:
    """Draws a person's signature; each name gets two stable variants, picked by the seeded RNG."""

    def __init__(self, font_buffer: bytes, rng: random.Random) -> None:
        self.rng = rng
        self._font = ImageFont.truetype(io.BytesIO(font_buffer), 56)
        self._small = ImageFont.truetype(io.BytesIO(font_buffer), 20)
        self._cache: dict[tuple[str, int], bytes] = {}
        self._ink: dict[str, tuple[int, int, int]] = {}

    @property
    def small_font(self) -> ImageFont.FreeTypeFont:
        return self._small

    def __call__(self, name: str) -> bytes:
        key = (name, self.rng.randrange(2))
        if key not in self._cache:
            ink = self._ink.setdefault(name, self.rng.choice(_INKS))
            seed = self.rng.randrange(1 << 30)
            self._cache[key] = signature_png(name, self._font, ink, random.Random(seed))
        return self._cache[key]


def signature_png(name: str, font: ImageFont.FreeTypeFont, ink: tuple[int, int, int],
                  rng: random.Random) -> bytes:
    """The name written fast: slanted, squeezed, overlapping glyphs, a shaky stroke, a flourish."""
    h = 96
    mask = Image.new("L", (70 * len(name) + 60, h), 0)
    x = 12
    for ch in name:
        glyph = Image.new("L", (80, 80), 0)
        ImageDraw.Draw(glyph).text((10, 4), ch, font=font, fill=255,
                                   stroke_width=rng.choice([0, 0, 1]), stroke_fill=255)
        sx = rng.uniform(0.7, 1.15)
        glyph = glyph.resize((int(80 * sx), 80)).rotate(rng.uniform(-14, 8), resample=Image.BILINEAR)
        mask.paste(glyph, (x, rng.randint(0, 14)), glyph)
        x += int(80 * sx * rng.uniform(0.55, 0.8))
    mask = mask.crop((0, 0, min(mask.width, x + 30), h))
    # Slant the whole name like fast handwriting, then wobble rows for a shaky hand.
    shear = rng.uniform(0.15, 0.4)
    mask = mask.transform((mask.width + int(h * shear), h), Image.AFFINE,
                          (1, shear, -h * shear, 0, 1, 0), resample=Image.BILINEAR)
    arr = np.asarray(mask).copy()
    phase, amp = rng.uniform(0, 6.28), rng.uniform(0.6, 1.6)
    for row in range(h):
        arr[row] = np.roll(arr[row], round(amp * math.sin(row / 7 + phase)))
    mask = Image.fromarray(arr)
    if rng.random() < 0.6:      # a flourish under or through the name
        d = ImageDraw.Draw(mask)
        y0 = rng.randint(h - 28, h - 12)
        pts = [(6 + i * (mask.width - 12) / 12,
                y0 + 6 * math.sin(i / 2.0 + phase) - i * rng.uniform(0, 1.2)) for i in range(13)]
        d.line(pts, fill=230, width=rng.randint(2, 3))
    mask = mask.filter(ImageFilter.GaussianBlur(0.7))
    mask = mask.resize((mask.width * 2 // 3, h * 2 // 3), Image.LANCZOS)
    img = Image.new("RGBA", mask.size, ink + (0,))
    img.putalpha(mask.point(lambda v: min(255, int(v * 1.2))))
    return _png(img)


def stamp_png(hospital: str, font_buffer: bytes, rng: random.Random,
              bottom: str = "病案管理专用章") -> bytes:
    """A red round seal: the hospital's name around the rim, a star, a line of text below."""
    size = 300
    big = ImageFont.truetype(io.BytesIO(font_buffer), 34)
    small = ImageFont.truetype(io.BytesIO(font_buffer), 24)
    mask = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(mask)
    c = size / 2
    d.ellipse((8, 8, size - 8, size - 8), outline=255, width=9)
    # Five-pointed star in the middle.
    pts = []
    for i in range(10):
        r = 38 if i % 2 == 0 else 15
        a = -math.pi / 2 + i * math.pi / 5
        pts.append((c + r * math.cos(a), c - 6 + r * math.sin(a)))
    d.polygon(pts, fill=255)
    n = len(hospital)
    span = min(250.0, 22.0 * n + 40)
    for i, ch in enumerate(hospital):
        ang = -90 - span / 2 + span * (i + 0.5) / n          # degrees, clockwise from +x
        glyph = Image.new("L", (44, 44), 0)
        ImageDraw.Draw(glyph).text((5, 2), ch, font=big, fill=255)
        glyph = glyph.rotate(-(ang + 90), resample=Image.BICUBIC)
        r = c - 42
        gx = c + r * math.cos(math.radians(ang)) - 22
        gy = c + r * math.sin(math.radians(ang)) - 22
        mask.paste(glyph, (int(gx), int(gy)), glyph)
    tw = d.textlength(bottom, font=small)
    d.text((c - tw / 2, c + 52), bottom, font=small, fill=255)
    # Uneven ink: knock out speckles, soften, and tilt the stamp a little.
    nrng = np.random.default_rng(rng.randrange(1 << 30))
    arr = np.asarray(mask).astype(np.float32)
    arr *= (nrng.random(arr.shape) > 0.12) * nrng.uniform(0.55, 1.0, arr.shape)
    mask = Image.fromarray(arr.clip(0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.8))
    mask = mask.rotate(rng.uniform(-25, 25), resample=Image.BICUBIC)
    mask = mask.resize((200, 200), Image.LANCZOS).point(lambda v: int(v * 0.85))
    img = Image.new("RGBA", mask.size, (205, 30, 35, 0))
    img.putalpha(mask)
    return _png(img)
