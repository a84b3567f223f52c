"""Strips of pieces cut out of a page, stacked into one image to be read in one call.

`unread` (print a reading passed over) and `reread` (lines it garbled) each cut pieces out of a
page and set them in a strip on the page's paper. A Tesseract call costs about the same for a
small image as for a page's worth of start-up, so a page whose reading needs both strips
reads them one under the other, and each strip's lines are handed back to it.
"""
from __future__ import annotations

from . import edges, reread, unread
from .hocr import HocrLine
from .lazy import LazyModule
from .textlayer import TextLine

np = LazyModule("numpy", globals())


def second_look(parsed: list[HocrLine], grey: np.ndarray, dpi: float, dropped: list | None,
                *, whole_page: bool, garbled: bool) -> list[tuple[np.ndarray, list, object]]:
    """The pieces of a page its reading (`parsed`, of `grey`) passed over or garbled, to be read
    again in one strip: (image, slots, place) for each kind found. `dropped`: print-sized ink
    nothing read covered (`unread`); `garbled`: the lines it was mostly unsure of
    (`reread`); `whole_page`: the lines of print between the bands it skipped or took into
    another line's box unread."""
    pieces = []
    if dropped:   # a bed number alone in its cell
        pieces.append((*unread.strip(grey, dropped), unread.placed))
    # A garbled line's box holding two lines of print, a cell's note and its wrapped end, is
    # read again line by line: read whole inside the strip they ran into one line of garbage
    # ("…母亲赵玲陪" over "护", seed 57 V0029-10), though each reads alone.
    whole, cut = [], []
    for box in reread.garbled(parsed, grey) if garbled else []:
        lines = edges.stacked_lines(grey, [box], dpi)
        if lines:
            cut.extend(lines)
        else:
            whole.append(box)
    if whole:
        pieces.append((*reread.strip(grey, whole), reread.placed))
    if whole_page:
        # Grey labels over their values, lighter than the threshold Tesseract chose for the
        # page (seed 50 V0003-03, "床 号" over "17"). By the characters' rows: a line's box,
        # and even its characters', took in the labels' rows.
        chars = [b for ln in parsed for _c, b, _w in ln.chars]
        skipped = [edges.ink_across(grey, top, bottom) for top, bottom in edges.unread_lines(
            grey, [(b[1], b[3]) for b in chars], dpi, body=True)]
        skipped += edges.stacked_lines(grey, [ln.bbox for ln in parsed], dpi, chars)
        cut += [box for box in skipped if box is not None and reread.print_like(grey, box)]
    if cut:
        pieces.append((*reread.strip(grey, cut[:reread.MAX_LINES], padded=False),
                       reread.placed))
    return pieces


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
