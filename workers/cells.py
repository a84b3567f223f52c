"""Pixel masks counted in square cells: where a change, a stroke or a blob is looked for."""
from __future__ import annotations

import numpy as np


def cell_counts(mask: np.ndarray, cell: int) -> np.ndarray:
    """How many pixels of `mask` are set in each cell x cell square (the last row and column
    of cells may be cut short by the image's edge)."""
    h, w = mask.shape
    rows, cols = -(-h // cell), -(-w // cell)
    padded = np.zeros((rows * cell, cols * cell), dtype=np.int32)
    padded[:h, :w] = mask
    return padded.reshape(rows, cell, cols, cell).sum(axis=(1, 3))
