"""Stage 8: skin condition and pressure - how much ink each point of the ridge field leaves.

The master's ridge field (in [-1, 1], ridges positive) is thresholded softly at a level that
varies over the finger: a positive level (dry skin, light pressure) keeps only the ridge crests,
so ridges come out thin and broken; a negative level (wet skin, heavy pressure) lets ridges
spread into the valleys and merge. Pressure falls off towards the edge of the contact region,
where ridges thin out and vanish. Dry skin also shows pores and small breaks along ridges.

References
----------
R. Cappelli, D. Maio, D. Maltoni, "Synthetic fingerprint-database generation", ICPR 2002
(skin condition by erosion/dilation of the ridge pattern and noise).
"""

from __future__ import annotations

import cv2
import numpy as np

from ._noise import smooth_noise

__all__ = ["ink"]


def ink(rng: np.random.Generator, ridges: np.ndarray, presence: np.ndarray, level: float, params) -> np.ndarray:
    """Ink coverage in [0, 1] (float32, same shape as ``ridges``).

    Parameters
    ----------
    rng : numpy.random.Generator
    ridges : ndarray, shape (H, W), float32
        The master ridge field carried onto the impression grid.
    presence : ndarray, shape (H, W), float32
        1 inside the contact region, falling to 0 at and beyond its edge.
    level : float
        Skin condition: < 0 wet / heavy pressure, > 0 dry / light pressure.
    params : ImpressionParameters
    """
    h, w = ridges.shape
    field = ridges
    if level < 0.0:
        # Wet skin: ink bleeds, valleys fill in: smooth the field before thresholding.
        field = cv2.GaussianBlur(ridges, (0, 0), params.wet_blur_base_px + params.wet_blur_per_level_px * -level)
        field = field / max(float(np.abs(field).max()), 1e-6)
    patches = smooth_noise(rng, h, w, params.ridge_level_patch_size_px)
    local = level + params.ridge_level_patchiness * patches + params.edge_level_rise * (1.0 - presence)
    out = 1.0 / (1.0 + np.exp(-(field - local) / params.ridge_softness))
    # Noise of the capture (SFinGe's noising step): white specks breaking ridges (pores, dry
    # patches, dust) and dark specks in valleys (sweat, dirt); more specks the drier the skin.
    noisiness = rng.uniform(*params.speck_level)
    density = params.speck_density_per_px2 * noisiness
    white = _specks(rng, h, w, density * (1.0 + 2.0 * max(level, 0.0)))
    dark = _specks(rng, h, w, params.dark_speck_ratio * density * (1.0 + 2.0 * max(-level, 0.0)))
    out = np.maximum(out * (1.0 - white), params.dark_speck_ink * dark)
    # Skin and ink texture: ridges are never evenly inked.
    grain = cv2.GaussianBlur(rng.standard_normal((h, w)).astype(np.float32), (0, 0), params.grain_size_px)
    grain /= max(float(grain.std()), 1e-6)
    out = out * np.clip(1.0 + params.grain_strength * grain, 0.0, 1.0)
    return (out * presence).astype(np.float32)


def _specks(rng: np.random.Generator, h: int, w: int, density_per_px2: float) -> np.ndarray:
    """Soft round specks of radius ~1-2 px at a Poisson density, values in [0, 1] (float32)."""
    count = int(rng.poisson(density_per_px2 * h * w))
    specks = np.zeros((h, w), np.float32)
    specks[rng.integers(0, h, count), rng.integers(0, w, count)] = rng.uniform(0.5, 1.5, count).astype(np.float32)
    return np.clip(cv2.GaussianBlur(specks, (0, 0), 1.0) * 8.0, 0.0, 1.0)
