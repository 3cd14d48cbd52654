"""Stage 6: binarization of the enhanced image inside the foreground."""

from __future__ import annotations

import numpy as np

__all__ = ["binarize"]


def binarize(enhanced: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Ridge pixels: positive enhanced response inside the mask.

    Parameters
    ----------
    enhanced : ndarray, shape (H, W), float32
    mask : ndarray, shape (H, W), bool

    Returns
    -------
    binary : ndarray, shape (H, W), uint8
        1 on ridges, 0 elsewhere; the outermost pixel ring is always 0 (later stages look at
        8-neighbourhoods without bounds checks).
    """
    binary = ((enhanced > 0.0) & mask).astype(np.uint8)
    binary[0, :] = binary[-1, :] = 0
    binary[:, 0] = binary[:, -1] = 0
    return binary
