"""Pixel masks counted in square cells, spread, and cut into runs: where a change, a stroke,
a blob or a table rule is looked for."""
from __future__ import annotations

from .lazy import LazyModule

np = LazyModule("numpy", globals())


def paper_tone(grey: np.ndarray) -> int:
    """The grey level of a scan's paper: the median of every fourth pixel of every fourth row
    (most of a page is paper; a sixteenth of it tells)."""
    return int(np.median(grey[::4, ::4]))


def cell_counts(mask: np.ndarray, cell: int) -> np.ndarray:
    """How many pixels of `mask` are set in each cell x cell square (the last row and column
    of cells may be cut short by the image's edge)."""
    return cell_sums(mask, cell, np.int32)


def cell_sums(values: np.ndarray, cell: int, dtype=float) -> np.ndarray:
    """The sum of `values` in each cell x cell square, as `cell_counts` cuts them."""
    h, w = values.shape
    rows, cols = -(-h // cell), -(-w // cell)
    padded = np.zeros((rows * cell, cols * cell), dtype=dtype)
    padded[:h, :w] = values
    return padded.reshape(rows, cell, cols, cell).sum(axis=(1, 3))


def grown(mask: np.ndarray, reach: int, axis: int) -> np.ndarray:
    """`mask` with each set pixel spread `reach` places either way along `axis`."""
    out = mask.copy()
    for step in range(1, min(reach, mask.shape[axis] - 1) + 1):
        if axis == 1:
            out[:, step:] |= mask[:, :-step]
            out[:, :-step] |= mask[:, step:]
        else:
            out[step:] |= mask[:-step]
            out[:-step] |= mask[step:]
    return out


def grown_box(mask: np.ndarray, down: int, across: int | None = None) -> np.ndarray:
    """`mask` with each set pixel spread `down` rows and `across` columns (`down` unless given)
    either way: a box around it."""
    return grown(grown(mask, down, 0), down if across is None else across, 1)


def neighbours(mask: np.ndarray) -> np.ndarray:
    """How many set cells each 3 x 3 square of `mask` holds, around each cell, itself
    included."""
    h, w = mask.shape
    padded = np.pad(mask.astype(np.int32), 1)
    return sum(padded[dy:dy + h, dx:dx + w] for dy in range(3) for dx in range(3))


def true_runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of each run of set values in the 1-D `flags`."""
    padded = np.concatenate(([False], flags.astype(bool), [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def components(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Bounding boxes (row0, col0, row1, col1) of the 8-connected groups of true cells."""
    seen = np.zeros_like(mask)
    out = []
    height, width = mask.shape
    for r, c in zip(*np.nonzero(mask)):
        if seen[r, c]:
            continue
        seen[r, c] = True
        stack, box = [(r, c)], [r, c, r + 1, c + 1]
        while stack:
            y, x = stack.pop()
            box[0], box[1] = min(box[0], y), min(box[1], x)
            box[2], box[3] = max(box[2], y + 1), max(box[3], x + 1)
            for ny in (y - 1, y, y + 1):
                for nx in (x - 1, x, x + 1):
                    if 0 <= ny < height and 0 <= nx < width and mask[ny, nx] and not seen[ny, nx]:
                        seen[ny, nx] = True
                        stack.append((ny, nx))
        out.append(tuple(int(v) for v in box))
    return out
