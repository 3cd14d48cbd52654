"""Small image helpers shared by the stages (private)."""

from __future__ import annotations

import cv2
import numpy as np

__all__ = ["smooth", "resize_to"]


def smooth(image: np.ndarray, sigma_px: float) -> np.ndarray:
    """Gaussian smoothing (float32); large scales are computed on a decimated grid for speed.

    Above a few pixels a Gaussian passes nothing the decimated grid cannot hold, so the image is
    area-averaged down by ``sigma_px // 3``, blurred there and interpolated back.
    """
    factor = int(sigma_px // 3)
    if factor <= 1:
        return cv2.GaussianBlur(image, (0, 0), sigma_px, borderType=cv2.BORDER_REFLECT)
    rows, cols = image.shape[:2]
    small = cv2.resize(image, (max(1, -(-cols // factor)), max(1, -(-rows // factor))), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), sigma_px / factor, borderType=cv2.BORDER_REFLECT)
    return cv2.resize(small, (cols, rows), interpolation=cv2.INTER_LINEAR)


def resize_to(image: np.ndarray, shape: tuple[int, int], *, interpolation: int = cv2.INTER_LINEAR) -> np.ndarray:
    """Resize a 2-D (or 2-D multi-channel) array to ``shape = (rows, cols)``."""
    if image.shape[:2] == tuple(shape):
        return image
    return cv2.resize(image, (int(shape[1]), int(shape[0])), interpolation=interpolation)
