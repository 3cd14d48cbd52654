"""Ridge frequency features from the extractor's frequency map.

``ridge_period_px`` (median over the foreground, 500 ppi grid) and ``frequency_variation`` (the
coefficient of variation of block frequencies): ridges of a finger change period slowly, so a
large variation means the frequency could not be measured (noise, smudges, broken ridges).

References
----------
.. [1] L. Hong, Y. Wan and A. K. Jain, "Fingerprint image enhancement: algorithm and performance
   evaluation," IEEE TPAMI 20(8), 1998.
.. [2] ISO/IEC 29794-4:2017 (NFIQ 2 feature FDA, frequency domain analysis).
"""

from __future__ import annotations

import numpy as np

from ._blocks import block_mean
from .parameters import QualityParameters

__all__ = ["frequency_features"]


def frequency_features(frequency: np.ndarray, blocks: np.ndarray, params: QualityParameters) -> dict[str, float]:
    """Frequency features of ``frequency`` (H, W) float32 cycles/px over the foreground ``blocks``."""
    values = block_mean(frequency, params.block_px)[blocks] if blocks.any() else np.zeros(0, np.float32)
    values = values[values > 0]
    if values.size == 0:
        return {"ridge_period_px": 0.0, "frequency_variation": 1.0}
    return {
        "ridge_period_px": float(1.0 / np.median(values)),
        "frequency_variation": float(values.std() / values.mean()),
    }
