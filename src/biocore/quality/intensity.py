"""Grey-level features: how dark and how contrasted the print is.

``gray_mean`` (mean grey level 0-255 over the foreground: dark prints are wet or pressed, light
ones dry), ``contrast_gray`` (median grey-level standard deviation over 2x2-block windows of the
foreground, about one ridge period across) and ``saturated_fraction`` (foreground pixels at
the ends of the grey scale, <= 5 or >= 250).

References
----------
.. [1] ISO/IEC 29794-4:2017 (NFIQ 2 features MU and MMB, mean and block-mean grey levels).
"""

from __future__ import annotations

import numpy as np

from ._blocks import block_mean
from .parameters import QualityParameters

__all__ = ["intensity_features"]

_DARK_SATURATION, _LIGHT_SATURATION = 5, 250


def intensity_features(gray: np.ndarray, mask: np.ndarray, params: QualityParameters) -> dict[str, float]:
    """Grey-level features of ``gray`` (H, W) uint8 over the foreground ``mask`` (H, W) bool."""
    if not mask.any():
        return {"gray_mean": float(gray.mean()), "contrast_gray": 0.0, "saturated_fraction": 0.0}
    values = gray[mask]
    b = 2 * params.block_px
    image = gray.astype(np.float32)
    mean, square = block_mean(image, b), block_mean(image * image, b)
    inside = block_mean(mask.view(np.uint8), b) > 0.5
    std = np.sqrt(np.maximum(square - mean * mean, 0.0))[inside]
    saturated = np.count_nonzero((values <= _DARK_SATURATION) | (values >= _LIGHT_SATURATION))
    return {
        "gray_mean": float(values.mean()),
        "contrast_gray": float(np.median(std)) if std.size else 0.0,
        "saturated_fraction": float(saturated / values.size),
    }
