"""Ridge-valley clarity and uniformity.

A difference of Gaussians keeps the ridge band (periods of 5-15 px at 500 ppi) and drops pixel
noise (finer) and smudges or pressure blotches (coarser). Per block:

* **clarity** is the share of the normalized image's energy that lies in that band, divided by the
  share a clean sinusoidal ridge pattern keeps (``params.clean_band_ratio``), clipped to [0, 1];
* the **ridge duty cycle** is the share of pixels darker than their local mean (positive in the
  extractor's normalized image): about 0.5 for well-separated ridges, higher where ridges merge (wet, pressure), lower
  where they thin and break (dry).

Features: ``ridge_valley_clarity`` (mean block clarity), ``unclear_fraction`` (share of blocks
below ``params.unclear_block_clarity``, NFIQ 2's local clarity idea), ``ridge_fraction`` (mean duty
cycle), ``ridge_valley_uniformity`` (standard deviation of the duty cycle across blocks; lower
is more uniform) and ``ridge_skewness``, the skewness of the normalized grey levels over the
foreground: thin dark ridges on a light ground (dry) leave a long tail on the ridge side
(positive), merged ridges with thin light valleys (wet) one on the valley side (negative); it does
not depend on the sensor's contrast.

References
----------
.. [1] E. Tabassi et al., "NFIQ 2 - NIST Fingerprint Image Quality," NISTIR 8382, 2021
   (local clarity score LCS and ridge-valley uniformity RVU).
"""

from __future__ import annotations

import cv2
import numpy as np

from ._blocks import block_mean
from .parameters import QualityParameters

__all__ = ["clarity_features"]


def clarity_features(
    normalized: np.ndarray, mask: np.ndarray, blocks: np.ndarray, params: QualityParameters
) -> dict[str, float]:
    """Clarity features of ``normalized`` (H, W) float32 over the foreground ``mask`` / ``blocks``."""
    if not blocks.any():
        return {"ridge_valley_clarity": 0.0, "unclear_fraction": 1.0, "ridge_fraction": 0.5,
                "ridge_valley_uniformity": 0.0, "ridge_skewness": 0.0}
    fine = cv2.GaussianBlur(normalized, (0, 0), params.band_inner_sigma_px, borderType=cv2.BORDER_REFLECT)
    coarse = cv2.GaussianBlur(normalized, (0, 0), params.band_outer_sigma_px, borderType=cv2.BORDER_REFLECT)
    # In place: fresh full-size temporaries cost page faults more than the arithmetic.
    band = np.subtract(fine, coarse, out=fine)
    b = params.block_px
    band_energy = block_mean(np.multiply(band, band, out=band), b)
    ratio = band_energy[blocks] / (block_mean(np.multiply(normalized, normalized, out=coarse), b)[blocks] + 1e-6)
    clarity = np.clip(ratio / params.clean_band_ratio, 0.0, 1.0)
    duty = block_mean((normalized > 0).view(np.uint8), b)[blocks]
    return {
        "ridge_valley_clarity": float(clarity.mean()),
        "unclear_fraction": float(np.mean(clarity < params.unclear_block_clarity)),
        "ridge_fraction": float(duty.mean()),
        "ridge_valley_uniformity": float(duty.std()),
        "ridge_skewness": _skewness(normalized[::2, ::2][mask[::2, ::2]]),
    }


def _skewness(values: np.ndarray) -> float:
    """Sample skewness (0 for fewer than 3 values or no spread); every other pixel is plenty."""
    if values.size < 3:
        return 0.0
    centred = values.astype(np.float64)
    centred -= centred.mean()
    square = centred * centred
    second = float(square.mean())
    # An elementwise product, not np.dot: a BLAS dot of this length may wake a thread pool.
    return float((square * centred).mean() / second**1.5) if second > 1e-12 else 0.0
