"""Red ink on a colour scan: the hospital's stamp, its name printed round the rim.

Scanned in colour, a stamp is red over black print. Read in grey it is one more dark blot: the
print it crosses ("主持人签名：", "记录人：" and the signatures beside them) came back from
Tesseract as nothing at all, and the stamp, no handwriting by its size, stayed in the export
with the hospital's name readable by any person. So red ink is taken out of the image
Tesseract reads (turned to the paper's tone, the print under it is read), and each blob of it
as large as a stamp is reported, for the policy's `handwriting` detector to hide like any ink
OCR cannot read. Red print smaller than that (a flag on a lab value) is left to OCR.
"""
from __future__ import annotations

from .cells import cell_counts, components, grown, grown_box, neighbours, paper_tone
from .lazy import LazyModule
from .scanprep import runs

np = LazyModule("numpy", globals())
Image = LazyModule("PIL.Image", globals())

# A pixel is red ink when red stands this far above both green and blue (scanner noise and
# JPEG colour bleed stay under 40 on black print and grey paper).
RED_OVER = 60
# A stamp is at least this big both ways (mm); a line of red print is shorter than that.
MIN_STAMP_MM = 9.0
MAX_STAMP_MM = 60.0    # larger is no stamp: an ECG's red grid, a coloured form
CELL_MM = 1.0          # red ink is gathered on a grid of cells this wide
CELL_SHARE = 0.04      # share of a cell's pixels that must be red for the cell to count
JOIN_MM = 2.0          # cells this far apart are one blob (a stamp's rim and its star)
# A colour scan is first looked at this small (3 ms a page): a stamp leaves dozens of red pixels.
PROBE_DPI = 24
PROBE_PIXELS = 12
PAD_MM = 1.0           # margin around a stamp's box: its faint edge is ink too


def any_red(pix) -> bool:
    """Whether a small colour rendering (a PyMuPDF RGB pixmap) holds enough red ink for a
    stamp: most colour scans hold none, and are then rendered in grey as before."""
    rgb = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, pix.n)
    red = (rgb[..., 0].astype(np.int16) - np.maximum(rgb[..., 1], rgb[..., 2])) > RED_OVER
    return int(red.sum()) >= PROBE_PIXELS


def drop_red(rgb: np.ndarray, dpi: float) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """The grey image Tesseract is to read (red ink turned to paper), and the pixel boxes
    (x0, y0, x1, y1) of the stamp-sized blobs of red ink in `rgb` (height x width x 3)."""
    grey = np.asarray(Image.fromarray(rgb, "RGB").convert("L")).copy()
    r = rgb[..., 0].astype(np.int16)
    red = (r - np.maximum(rgb[..., 1], rgb[..., 2])) > RED_OVER
    if not red.any():
        return grey, []
    # Its anti-aliased rim too, or a pale ring of the stamp is left for Tesseract to read.
    grey[grown_box(red, 1)] = np.uint8(paper_tone(grey))
    px_per_mm = dpi / 25.4
    cell = max(2, round(CELL_MM * px_per_mm))
    cells = cell_counts(red, cell) >= CELL_SHARE * cell * cell
    joined = grown_box(cells, round(JOIN_MM / CELL_MM))
    least, most = MIN_STAMP_MM * px_per_mm, MAX_STAMP_MM * px_per_mm
    pad = round(PAD_MM * px_per_mm)
    h, w = red.shape
    out = []
    for r0, c0, r1, c1 in components(joined):
        part = cells[r0:r1, c0:c1]
        rows, cols = np.flatnonzero(part.any(axis=1)), np.flatnonzero(part.any(axis=0))
        if not len(rows):
            continue
        y0, y1 = (r0 + rows[0]) * cell, (r0 + rows[-1] + 1) * cell
        x0, x1 = (c0 + cols[0]) * cell, (c0 + cols[-1] + 1) * cell
        if least <= x1 - x0 <= most and least <= y1 - y0 <= most:
            out.append((max(0, x0 - pad), max(0, y0 - pad), min(w, x1 + pad), min(h, y1 + pad)))
    return grey, out


# A seal on a scan made in grey is light grey ink with no dark core: the red of its ink turned
# 150-200 on paper 240, where print and handwriting have strokes under 120. Its ring and star,
# seen without the print crossing it, fill a square 20-60 mm wide at least this densely (cells
# of GREY_CELL_MM holding its ink); a scan's specks and the grey rims of print fill under 0.1.
GREY_LIGHT = 35         # levels under the paper's tone: ink
GREY_DARK = 120         # levels under the paper's tone: a stroke's dark core (print, handwriting)
GREY_DPI = 75           # looked at this coarsely (a few ms a page)
GREY_CELL_MM = 2.0
GREY_MIN_MM = 20.0
GREY_MAX_ASPECT = 1.5
GREY_MIN_FILL = 0.22    # seals measured 0.27-0.40; a lab's light reference column 0.17
RULE_GAP_CELLS = 2
GREY_MAX_DARK = 0.15    # share of a seal's box that is dark: print under it, not a photograph


def _light_ink(grey: np.ndarray, paper: int, reach: int, darkest: np.ndarray | None = None
               ) -> np.ndarray:
    """Ink lighter than any stroke's core and not beside one (the grey rim of print).
    `darkest`: where `grey` samples a larger image, the darkest pixel each sample stands for,
    so a stroke thinner than the sampling step still counts as one's core."""
    dark = (grey if darkest is None else darkest) < paper - GREY_DARK
    return (grey < paper - GREY_LIGHT) & ~dark & ~grown_box(dark, reach)


def _block_min(grey: np.ndarray, step: int) -> np.ndarray:
    h, w = grey.shape[0] // step * step, grey.shape[1] // step * step
    return grey[:h, :w].reshape(h // step, step, w // step, step).min(axis=(1, 3))


def drop_grey(grey: np.ndarray, dpi: float) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """`grey` with the light ink of seals turned to paper, and the pixel boxes of the seals:
    a grey scan's stamp, read by Tesseract as words over the print it crosses ("本 ef攻光
    Prmamn" over "医师签名: 申斌", seed 30 V0004-13), left whole with the hospital's name."""
    step = max(1, round(dpi / GREY_DPI))
    # Print's cores by the darkest pixel of each step: sampled one pixel in `step`, a 150 dpi
    # scan read at 300 lost its strokes' thin cores, print's grey rims joined the seal to the
    # lines above it, and the seal went unfound (seed 42 V0030-10).
    darkest = _block_min(grey, step)
    small = grey[:darkest.shape[0] * step:step, :darkest.shape[1] * step:step]
    paper = paper_tone(small)
    px_per_mm = dpi / step / 25.4
    light = _light_ink(small, paper, max(1, round(px_per_mm / 2)), darkest)
    cell = max(2, round(GREY_CELL_MM * px_per_mm))
    # Two pixels at least: at a 200 dpi scan's 5-pixel cells one speck made a cell of ink,
    # and specks joined a seal to everything near it (seed 37 V0002-08).
    cells = cell_counts(light, cell) >= max(2, CELL_SHARE * cell * cell)
    # A row of cells longer than any seal, across gaps a scan's noise broke it with, is a
    # printed rule as light as a seal's ink: a seal touching one joined it and was no seal's
    # shape, and the hospital's name round its rim stayed (seed 56 V0026-08).
    cells &= ~runs(grown(cells, RULE_GAP_CELLS, 1), round(MAX_STAMP_MM / GREY_CELL_MM), 1)
    pad = round(PAD_MM * dpi / 25.4)
    boxes = []
    for r0, c0, r1, c1 in _seals(cells, grey, paper, cell * step):
        y0, x0, y1, x1 = (v * cell * step for v in (r0, c0, r1, c1))
        boxes.append((max(0, x0 - pad), max(0, y0 - pad), min(grey.shape[1], x1 + pad),
                      min(grey.shape[0], y1 + pad)))
    if not boxes:
        return grey, []
    out = grey.copy()
    reach = max(1, round(dpi / 25.4 / 2))
    for x0, y0, x1, y1 in boxes:
        part = out[y0:y1, x0:x1]
        part[_light_ink(part, paper, reach)] = np.uint8(paper)
    return out, boxes


def _seals(cells: np.ndarray, grey: np.ndarray, paper: int, size: int
           ) -> list[tuple[int, int, int, int]]:
    """The cell boxes (row0, col0, row1, col1) of the groups of light ink cells shaped like a
    seal; `size`: a cell's side in `grey`'s pixels. A group too large for one is looked at
    again without its lone cells: a scan's specks a cell from a seal's rim and from each other
    chained it to the print beside it ("医师签名" and its date, seed 80 V0027-09)."""
    least, most = GREY_MIN_MM / GREY_CELL_MM, MAX_STAMP_MM / GREY_CELL_MM
    out = []
    for r0, c0, r1, c1 in components(grown_box(cells, 1)):
        h, w = r1 - r0, c1 - c0
        part = cells[r0:r1, c0:c1]
        if h > most or w > most:
            core = part & (neighbours(part) > 1)
            if core.sum() < part.sum():
                out.extend((r0 + a, c0 + b, r0 + c, c0 + d) for a, b, c, d in _seals(
                    core, grey[r0 * size:r1 * size, c0 * size:c1 * size], paper, size))
            continue
        if not (least <= h <= most and least <= w <= most
                and max(h, w) <= GREY_MAX_ASPECT * min(h, w)):
            continue
        if part.mean() < GREY_MIN_FILL:
            continue
        y0, x0, y1, x1 = (v * size for v in (r0, c0, r1, c1))
        if (grey[y0:y1, x0:x1] < paper - GREY_DARK).mean() > GREY_MAX_DARK:
            continue
        out.append((r0, c0, r1, c1))
    return out
