"""Stage 4: the ridge period map (the inverse of SFinGe's density/frequency map).

A per-finger mean period (about 9 px at 500 dpi, i.e. ~0.46 mm ridge to ridge), a smooth random
variation across the finger, and longer periods above the northernmost core and below the
southernmost delta, as observed on real prints (Cappelli et al., ICPR 2002).
"""

from __future__ import annotations

import numpy as np

from ._noise import smooth_noise
from .singularities import SingularPoints

__all__ = ["period_map"]


def period_map(rng: np.random.Generator, sp: SingularPoints, width: int, height: int, params) -> np.ndarray:
    """Ridge period in px on a (height, width) grid, float32.

    Parameters
    ----------
    rng : numpy.random.Generator
    sp : SingularPoints
        Cores and deltas of the finger (canvas px).
    width, height : int
        Canvas size in px.
    params : MasterParameters
    """
    mean = rng.uniform(*params.ridge_period_px)
    noise = smooth_noise(rng, height, width, params.ridge_period_smoothness_px)
    period = mean + 0.5 * params.ridge_period_variation_px * np.clip(noise, -2.0, 2.0)

    rows = np.arange(height, dtype=np.float32)[:, None]
    extra = np.zeros((height, 1), dtype=np.float32)
    if len(sp.cores):
        top = float(sp.cores[:, 1].min())
        extra = extra + 1.0 / (1.0 + np.exp((rows - top + 30.0) / 25.0))
    if len(sp.deltas):
        bottom = float(sp.deltas[:, 1].max())
        extra = extra + 1.0 / (1.0 + np.exp(-(rows - bottom - 20.0) / 25.0))
    period = period + params.ridge_period_near_core_extra_px * extra
    return period.astype(np.float32)
