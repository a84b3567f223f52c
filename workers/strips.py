"""Strips of pieces cut out of a page, stacked into one image to be read in one call.

`unread` (print a reading passed over) and `reread` (lines it garbled) each cut pieces out of a
page and set them in a strip on the page's paper. A Tesseract call costs about the same for a
small image as for a page's worth of start-up, so a page whose reading needs both strips
reads them one under the other, and each strip's lines are handed back to it.
"""
from __future__ import annotations

from .lazy import LazyModule
from .textlayer import TextLine

np = LazyModule("numpy", globals())


def stacked(images: list[np.ndarray], paper: int) -> tuple[np.ndarray, list[int]]:
    """`images` (grey, each with paper at its edges) one under another, the narrower ones
    widened with `paper`'s tone, and the row each starts at."""
    width = max(image.shape[1] for image in images)
    rows, tops, y = [], [], 0
    for image in images:
        row = np.full((image.shape[0], width), paper, dtype=np.uint8)
        row[:, :image.shape[1]] = image
        rows.append(row)
        tops.append(y)
        y += image.shape[0]
    return (rows[0] if len(rows) == 1 else np.vstack(rows)), tops


def split(lines: list[tuple[TextLine, float]], tops: list[int]
          ) -> list[list[tuple[TextLine, float]]]:
    """The stack's reading (`lines`, boxes in its pixels) dealt to the strips it was read in,
    by where each line's middle stands, its boxes moved into that strip's pixels."""
    out: list[list[tuple[TextLine, float]]] = [[] for _ in tops]
    for line, conf in lines:
        _x0, y0, _x1, y1 = line.bbox
        k = max((i for i, top in enumerate(tops) if top <= (y0 + y1) / 2), default=0)
        dy = tops[k]
        out[k].append((TextLine(line.text, [(b[0], b[1] - dy, b[2], b[3] - dy) for b in line.boxes],
                                line.source, unsure=line.unsure), conf))
    return out
