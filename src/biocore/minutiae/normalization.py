"""Stage 1: local contrast normalization.

The grey image is turned into zero-mean, unit-contrast float32 with ridges positive, so that
every later threshold is independent of the sensor's brightness and contrast.
"""

from __future__ import annotations

import numpy as np

from ._filters import smooth
from .parameters import ExtractionParameters

__all__ = ["normalize"]

# Contrast floor (grey levels): keeps flat background from being amplified into noise.
_CONTRAST_FLOOR_GRAY = 4.0


def normalize(gray: np.ndarray, params: ExtractionParameters) -> tuple[np.ndarray, np.ndarray]:
    """Remove the local mean and divide by the local contrast.

    Parameters
    ----------
    gray : ndarray, shape (H, W), uint8
    params : ExtractionParameters
        Uses ``normalize_sigma_px``.

    Returns
    -------
    normalized : ndarray, shape (H, W), float32
        ``(mean - gray) / contrast``: ridges (dark on every common sensor) are positive,
        valleys negative, magnitudes around 1 on a print.
    contrast : ndarray, shape (H, W), float32
        Local standard deviation of ``gray`` in grey levels (0-255 scale).
    """
    # In place wherever a buffer is free again: this is the first full-size stage, and every fresh
    # full-size temporary here costs page faults (the allocator hands memory back between images).
    image = gray.astype(np.float32)
    mean = smooth(image, params.normalize_sigma_px)
    deviation = np.subtract(mean, image, out=mean)
    square = np.multiply(deviation, deviation, out=image)
    contrast = smooth(square, params.normalize_sigma_px)
    np.sqrt(np.maximum(contrast, 0.0, out=contrast), out=contrast)
    normalized = np.divide(deviation, np.add(contrast, _CONTRAST_FLOOR_GRAY, out=square), out=deviation)
    return normalized, contrast
