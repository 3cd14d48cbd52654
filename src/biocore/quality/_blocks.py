"""Block averages shared by the feature modules (private)."""

from __future__ import annotations

import cv2
import numpy as np

__all__ = ["block_mean", "block_mask"]


def block_mean(image: np.ndarray, block_px: int) -> np.ndarray:
    """Mean of each whole ``block_px`` square block, float32 of shape (H // b, W // b)."""
    rows, cols = image.shape[0] // block_px, image.shape[1] // block_px
    cropped = np.ascontiguousarray(image[: rows * block_px, : cols * block_px], dtype=np.float32)
    return cv2.resize(cropped, (max(1, cols), max(1, rows)), interpolation=cv2.INTER_AREA)


def block_mask(mask: np.ndarray, block_px: int) -> np.ndarray:
    """Blocks at least half covered by the foreground ``mask``, bool of shape (H // b, W // b)."""
    return block_mean(mask.view(np.uint8), block_px) > 0.5
