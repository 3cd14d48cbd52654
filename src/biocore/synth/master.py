"""Stage 5: the master ridge pattern, grown from random seeds by iterative oriented filtering.

SFinGe's ridge generator: start from a few isolated seeds and repeatedly filter the image with
a Gabor filter tuned, at every pixel, to the local ridge orientation and period; each pass
spreads the ridges one filter radius further and straightens them along the orientation field,
until the whole silhouette is covered. Minutiae appear where ridges grown from different seeds
meet out of phase. The result is a float field in [-1, 1], ridges positive.

Only the filter responses at the pixels of the silhouette are computed (a Numba kernel that
picks, per pixel, the nearest kernel of a precomputed bank), which is cheaper than filtering the
whole canvas with every kernel of the bank.

References
----------
R. Cappelli, D. Maio, D. Maltoni, "Synthetic fingerprint-database generation", ICPR 2002.
D. Maltoni, D. Maio, A. K. Jain, S. Prabhakar, Handbook of Fingerprint Recognition, 2nd ed.,
Springer 2009, ch. 6.
"""

from __future__ import annotations

import numpy as np

from . import _kernels

__all__ = ["gabor_bank", "grow_ridges"]


def gabor_bank(periods_px: np.ndarray, orientation_bins: int, radius_px: int, sigma_fraction: float) -> np.ndarray:
    """Even Gabor kernels, shape (len(periods_px), orientation_bins, 2r+1, 2r+1), float32.

    Kernel ``[p, o]`` oscillates across ridges of orientation ``o * pi / orientation_bins`` with
    period ``periods_px[p]``; each has zero mean and unit response to a matched unit sinusoid.
    """
    r = radius_px
    dy, dx = np.mgrid[-r : r + 1, -r : r + 1].astype(np.float64)
    bank = np.empty((len(periods_px), orientation_bins, 2 * r + 1, 2 * r + 1), dtype=np.float32)
    for p, period in enumerate(periods_px):
        sigma = sigma_fraction * period
        envelope = np.exp(-(dx * dx + dy * dy) / (2.0 * sigma * sigma))
        for o in range(orientation_bins):
            normal = o * np.pi / orientation_bins + np.pi / 2.0
            across = dx * np.cos(normal) - dy * np.sin(normal)  # screen y grows downward
            wave = np.cos(2.0 * np.pi * across / period)
            kern = envelope * wave
            kern -= envelope * (kern.sum() / envelope.sum())
            kern /= (kern * wave).sum()
            bank[p, o] = kern
    return bank


def grow_ridges(
    rng: np.random.Generator, orientation: np.ndarray, period: np.ndarray, mask: np.ndarray, params
) -> np.ndarray:
    """Grow a ridge pattern over ``mask`` following ``orientation`` and ``period``.

    Parameters
    ----------
    rng : numpy.random.Generator
        Picks the seed positions and signs.
    orientation : ndarray, shape (H, W), float32
        Ridge orientation in [0, pi) (see :mod:`.orientation`).
    period : ndarray, shape (H, W), float32
        Ridge period in px.
    mask : ndarray, shape (H, W), bool
        Where to grow ridges (the silhouette, possibly dilated).
    params : MasterParameters

    Returns
    -------
    ndarray, shape (H, W), float32
        The master ridge field in [-1, 1], ridges positive, 0 outside ``mask``.
    """
    n_orient = params.orientation_bins
    lo, hi = float(period[mask].min()), float(period[mask].max())
    periods = np.linspace(lo, hi, params.period_bins) if hi > lo else np.array([lo])
    bank = gabor_bank(periods, n_orient, params.gabor_radius_px, params.gabor_sigma_fraction_of_period)

    rows, cols = np.nonzero(mask)
    rows = rows.astype(np.int64)
    cols = cols.astype(np.int64)
    o_bin = (np.rint(orientation[rows, cols] / (np.pi / n_orient)).astype(np.int64)) % n_orient
    p_step = (hi - lo) / max(len(periods) - 1, 1) if hi > lo else 1.0
    p_bin = np.clip(np.rint((period[rows, cols] - lo) / p_step), 0, len(periods) - 1).astype(np.int64)

    field = np.zeros(mask.shape, dtype=np.float32)
    picks = rng.choice(rows.shape[0], size=params.seed_count, replace=False)
    field[rows[picks], cols[picks]] = rng.choice(np.array([-1.0, 1.0], dtype=np.float32), size=params.seed_count)
    out = np.zeros_like(field)
    for it in range(params.growth_iterations):
        boost = params.seed_gain_factor if it < params.seed_gain_iterations else 1.0
        gain = params.growth_gain * boost
        _kernels.oriented_filter_step(field, rows, cols, o_bin, p_bin, bank, np.float32(gain), out)
        field, out = out, field
    return field
