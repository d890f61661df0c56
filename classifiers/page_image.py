"""The page-image signal: a coarse thumbnail of where the ink sits on the first page.

Cheap and label-free: 16 x 16 mean ink over a 96 x 96 grey thumbnail, the row and column ink
profiles at 48 bins, and three page statistics (aspect ratio, mean ink, dark share). Letters,
forms, tables and handwritten pages differ in these even when OCR reads little.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

THUMBNAIL_SIZE = 96
GRID = 16
PROFILE_BINS = 48
FEATURES = GRID * GRID + 2 * PROFILE_BINS + 3


def thumbnail_features(image: Image.Image) -> np.ndarray:
    """`FEATURES` floats in [0, ~2] describing the page image (float32)."""
    gray = image.convert("L")
    aspect = gray.width / max(gray.height, 1)
    small = gray.resize((THUMBNAIL_SIZE, THUMBNAIL_SIZE), Image.Resampling.BOX)
    ink = 1.0 - np.asarray(small, dtype=np.float32) / 255.0
    cell = THUMBNAIL_SIZE // GRID
    grid = ink.reshape(GRID, cell, GRID, cell).mean(axis=(1, 3)).ravel()
    step = THUMBNAIL_SIZE // PROFILE_BINS
    rows = ink.mean(axis=1).reshape(PROFILE_BINS, step).mean(axis=1)
    cols = ink.mean(axis=0).reshape(PROFILE_BINS, step).mean(axis=1)
    stats = [aspect, float(ink.mean()), float((ink > 0.5).mean())]
    return np.concatenate([grid, rows, cols, stats]).astype(np.float32)
