"""Tesseract's hOCR as text lines: characters with boxes fitted to their ink, in PDF points.

Also marks the ink no confident line explains, the size of handwriting (`handwriting`).
"""
from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

import pymupdf

from . import handwriting, ocrfit, unread
from .lazy import LazyModule
from .textlayer import HANDWRITING, UNSURE, UNSURE_CONF, Rect, TextLine, union

np = LazyModule("numpy", globals())

_LINE = re.compile(r"class='(?:ocr_line|ocr_header|ocr_textfloat|ocr_caption)'[^>]*"
                   r"title=\"bbox (\d+) (\d+) (\d+) (\d+)")
_WORD = re.compile(r"class='ocrx_word'[^>]*title='bbox \d+ \d+ \d+ \d+; x_wconf (\d+)'")
_CHAR = re.compile(r"class='ocrx_cinfo' title='x_bboxes (\d+) (\d+) (\d+) (\d+)[^']*'>([^<]*)<")
# A cell read alone joins a row's line when they share this much of the smaller one's height:
# a row's cells sit a few pixels apart (centred, top-aligned); a note's second line does not.
ROW_SHARE = 0.3
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
                    rows: np.ndarray | None = None, rejoin: bool = False,
                    ) -> list[tuple[TextLine, float]]:
    """`fitted_lines` of Tesseract's hOCR."""
    return fitted_lines(parse_hocr(hocr), gray, transform, rows, rejoin)


def fitted_lines(parsed: list[HocrLine], gray: np.ndarray, transform: tuple[float, ...],
                 rows: np.ndarray | None = None, rejoin: bool = False,
                 dropped: list | None = None) -> list[tuple[TextLine, float]]:
    """Fit each character's box to the ink, then map the boxes to PDF points (through `rows`
    first, when the image is rows taken from a larger one; `rejoin`: its rows are a table's
    columns stacked, whose cells are joined into rows again). `dropped`, when given, receives
    the pixel boxes of print-sized ink nothing read covers (`unread.dropped`)."""
    m = pymupdf.Matrix(*transform)
    fitted, printed, widths = [], [], []
    for line in parsed:
        text, boxes = ocrfit.fit_line(line.bbox, line.chars, gray)
        if not text.strip():
            continue
        conf = sum(line.confs) / len(line.confs) if line.confs else 0.0
        read = iter(line.chars)   # `text` is their characters, in order, with spaces added
        unsure, sure = [], []
        for ch, b in zip(text, boxes):
            word = 100.0 if ch.isspace() else line.word_conf(next(read)[2])
            unsure.append(UNSURE if word < UNSURE_CONF else " ")
            if word >= handwriting.PRINT_CONF and not ch.isspace():
                sure.append((int(b[0]), int(b[1]), int(b[2]) + 1, int(b[3]) + 1, ch))
        printed.extend(handwriting.print_sized(sure))
        if dropped is not None:   # the em `unread` measures blobs by; only pass 1 asks
            widths.extend(b[2] - b[0] for ch, b in zip(text, boxes)
                          if unicodedata.east_asian_width(ch) == "W")
        fitted.append((text, boxes, conf, "".join(unsure) if UNSURE in unsure else ""))
    # Ink no confident line explains, the size of handwriting: one mark character each.
    fitted.extend((HANDWRITING, [b], 0.0, "") for b in handwriting.blobs(gray, printed))
    if dropped is not None and len(widths) >= unread.MIN_CHARS:
        em = float(np.median(widths))
        dropped.extend(unread.dropped(
            gray, [tuple(int(v) for v in b) for text, boxes, _c, _u in fitted
                   for ch, b in zip(text, boxes) if unread.reads_ink(text, ch, b, em)],
            em,
            [(int(b[1]), int(b[3])) for text, boxes, _c, _u in fitted if text != HANDWRITING
             for b in [union(boxes)]]))
    mapped = [(text, in_rows(boxes, rows), conf, unsure) for text, boxes, conf, unsure in fitted]
    if rejoin:
        mapped = rejoined(mapped)
    return [(TextLine(text, [_to_pdf(b, m) for b in boxes], "ocr", unsure=unsure), conf)
            for text, boxes, conf, unsure in mapped]


def in_rows(boxes: list, rows: np.ndarray | None) -> list:
    """Pixel boxes of an image made of rows taken from a larger one (`rows[i]`: the larger
    one's row of image row i), in the larger one's pixels."""
    if rows is None:
        return boxes
    last = len(rows) - 1
    return [(b[0], int(rows[min(max(int(b[1]), 0), last)]), b[2],
             int(rows[min(max(int(b[3]) - 1, 0), last)]) + 1) for b in boxes]


# A line's text, its characters' pixel boxes, its confidence, its unsure characters
Read = tuple[str, list, float, str]


def rejoined(lines: list[Read]) -> list[Read]:
    """Cells read a column at a time (`scanprep.unrolled`), joined again into the lines of the
    page's rows, left to right with a space between cells: a cell joins the row of the first
    line it shares ROW_SHARE of the smaller height with, unless it overlaps a cell already
    there. In the image's pixels: a tilted scan's rows are level there, not on the page."""
    rows: list[list[tuple[Rect, Read]]] = []   # each cell with its box, computed once
    marks = [item for item in lines if item[0] == HANDWRITING]
    cells = [(union(part[1]), part) for item in lines if item[0] != HANDWRITING
             for part in _level_parts(item)]
    for b, item in sorted(cells, key=lambda cell: _middle(cell[0])):
        for row in rows:
            a = row[0][0]
            shared = min(a[3], b[3]) - max(a[1], b[1])
            if (shared >= ROW_SHARE * min(a[3] - a[1], b[3] - b[1])
                    and not any(_across(other, b) for other, _ in row)):
                row.append((b, item))
                break
        else:
            rows.append([(b, item)])
    out: list[Read] = []
    for row in rows:
        row.sort(key=lambda cell: cell[0][0])
        text, boxes, weight, unsure = "", [], 0.0, ""
        for _box, (line_text, line_boxes, conf, line_unsure) in row:
            if boxes:
                left, right = boxes[-1], line_boxes[0]
                text += " "
                unsure += " "
                boxes.append((left[2], min(left[1], right[1]), max(right[0], left[2]),
                              max(left[3], right[3])))
            text += line_text
            unsure += line_unsure or " " * len(line_text)
            boxes.extend(line_boxes)
            weight += conf * len(line_text)
        out.append((text, boxes, weight / max(len(text), 1),
                    unsure if UNSURE in unsure else ""))
    return out + marks


def _level_parts(item: Read) -> list[Read]:
    """A line cut where its characters step to another height: Tesseract may run a line on
    from the foot of one stacked column into the head of the next (a header "护士签名" read
    with the last row of the column before it)."""
    text, boxes, conf, unsure = item
    parts, start = [], 0
    for i in range(1, len(boxes)):
        a, b = boxes[i - 1], boxes[i]
        if text[i].isspace() or text[i - 1].isspace():
            continue
        if abs(_middle(a) - _middle(b)) > max(a[3] - a[1], b[3] - b[1]):
            parts.append((text[start:i], boxes[start:i], start))
            start = i
    parts.append((text[start:], boxes[start:], start))
    out = []
    for t, bx, at in parts:
        if not t.strip():
            continue
        a, b = len(t) - len(t.lstrip()), len(t.rstrip())
        out.append((t[a:b], bx[a:b], conf, unsure[at + a:at + b] if unsure else ""))
    return out


def _middle(box) -> float:
    return (box[1] + box[3]) / 2


def _across(a, b) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0])


def _to_pdf(box, m: pymupdf.Matrix) -> Rect:
    r = pymupdf.Rect(box) * m   # the bounding box of the mapped corners
    return (r.x0, r.y0, r.x1, r.y1)
