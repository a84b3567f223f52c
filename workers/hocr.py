"""Tesseract's hOCR as text lines: characters with boxes fitted to their ink, in PDF points.

Also marks the ink no confident line explains, the size of handwriting (`handwriting`).
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

import numpy as np
import pymupdf

from . import handwriting, ocrfit
from .textlayer import HANDWRITING, Rect, TextLine

_LINE = re.compile(r"class='(?:ocr_line|ocr_header|ocr_textfloat|ocr_caption)'[^>]*"
                   r"title=\"bbox (\d+) (\d+) (\d+) (\d+)")
_WORD = re.compile(r"class='ocrx_word'[^>]*title='bbox \d+ \d+ \d+ \d+; x_wconf (\d+)'")
_CHAR = re.compile(r"class='ocrx_cinfo' title='x_bboxes (\d+) (\d+) (\d+) (\d+)[^']*'>([^<]*)<")
_TOKEN = re.compile("|".join(f"(?P<{n}>{p.pattern})" for n, p in
                             (("line", _LINE), ("word", _WORD), ("char", _CHAR))))


@dataclass
class HocrLine:
    bbox: tuple[int, int, int, int]
    chars: list[tuple[str, tuple[int, int, int, int], int]]   # char, pixel box, word number
    confs: list[float]
    first_word: int = 0    # the page-wide number of the line's first word (confs[0])

    def word_conf(self, word: int) -> float:
        i = word - self.first_word
        return self.confs[i] if 0 <= i < len(self.confs) else 0.0


def parse_hocr(hocr: str) -> list[HocrLine]:
    """Lines of characters with Tesseract's (approximate) pixel boxes and word confidences."""
    lines: list[HocrLine] = []
    word = -1
    for m in _TOKEN.finditer(hocr):
        kind = m.lastgroup
        if kind == "line":
            lines.append(HocrLine(tuple(int(v) for v in m.group(2, 3, 4, 5)), [], [], word + 1))
        elif kind == "word" and lines:
            word += 1
            lines[-1].confs.append(float(m.group(7)))
        elif kind == "char" and lines:
            text = html.unescape(m.group(13))
            box = tuple(int(v) for v in m.group(9, 10, 11, 12))
            for c in text:   # a cinfo may hold a ligature; keep one entry per character
                if not c.isspace():
                    lines[-1].chars.append((c, box, word))
    return [line for line in lines if line.chars]


def lines_from_hocr(hocr: str, gray: np.ndarray, transform: tuple[float, ...],
                    rows: np.ndarray | None = None) -> list[tuple[TextLine, float]]:
    """Fit each character's box to the ink, then map the boxes to PDF points (through `rows`
    first, when the image is rows taken from a larger one)."""
    m = pymupdf.Matrix(*transform)
    fitted, printed = [], []
    for line in parse_hocr(hocr):
        text, boxes = ocrfit.fit_line(line.bbox, line.chars, gray)
        if not text.strip():
            continue
        conf = sum(line.confs) / len(line.confs) if line.confs else 0.0
        fitted.append((text, boxes, conf))
        read = iter(line.chars)   # `text` is their characters, in order, with spaces added
        printed.extend((int(b[0]), int(b[1]), int(b[2]) + 1, int(b[3]) + 1, ch)
                       for ch, b in zip(text, boxes) if not ch.isspace()
                       and line.word_conf(next(read)[2]) >= handwriting.PRINT_CONF)
    # Ink no confident line explains, the size of handwriting: one mark character each.
    fitted.extend((HANDWRITING, [b], 0.0) for b in handwriting.blobs(gray, printed))
    out = []
    for text, boxes, conf in fitted:
        if rows is not None:
            last = len(rows) - 1
            boxes = [(b[0], int(rows[min(max(int(b[1]), 0), last)]), b[2],
                      int(rows[min(max(int(b[3]) - 1, 0), last)]) + 1) for b in boxes]
        out.append((TextLine(text, [_to_pdf(b, m) for b in boxes], "ocr"), conf))
    return out


def _to_pdf(box, m: pymupdf.Matrix) -> Rect:
    r = pymupdf.Rect(box) * m   # the bounding box of the mapped corners
    return (r.x0, r.y0, r.x1, r.y1)
