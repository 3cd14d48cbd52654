"""Stage 9: removal of false minutiae.

Skeletons of real prints carry artefacts that look like minutiae: spurs (a short branch off a
ridge: a bifurcation and an ending a few pixels apart on the same skeleton), islands and short
ridges (two endings joined by a short skeleton path), bridges and ladders (two bifurcations joined
by a short path across a valley), breaks (two endings facing each other across a small gap along
the ridge flow), clusters (several minutiae crowded into a noisy spot), and anything near the edge
of the print (endings, which the edge fakes, within a wider margin than bifurcations) or where
the orientation is unreliable. Each rule is decided on the raw candidates at once, so the outcome
does not depend on the order of the minutiae.

References
----------
.. [1] Q. Xiao and H. Raafat, "Fingerprint image postprocessing: a combined statistical and
   structural approach," Pattern Recognition 24(10), 1991.
"""

from __future__ import annotations

import numpy as np

from .detection import Candidates
from .parameters import ExtractionParameters

__all__ = ["remove_false_minutiae"]

ENDING, BIFURCATION = 1, 2


def remove_false_minutiae(
    raw: Candidates,
    border_distance: np.ndarray,
    reliability: np.ndarray,
    params: ExtractionParameters,
) -> np.ndarray:
    """Which raw candidates are genuine.

    Parameters
    ----------
    raw : Candidates
        From :func:`~biocore.minutiae.detection.detect`.
    border_distance : ndarray, shape (n,), float
        Distance (pixels) of each candidate to the edge of the foreground or of the image.
    reliability : ndarray, shape (n,), float
        Orientation coherence at each candidate.
    params : ExtractionParameters

    Returns
    -------
    keep : ndarray, shape (n,), bool
    """
    remove = raw.kind == 0
    kind = raw.kind
    for b in range(raw.partner.shape[1]):
        other = raw.partner[:, b]
        met = other >= 0
        me = np.flatnonzero(met)
        if me.size == 0:
            continue
        them = other[me]
        steps = raw.branch_length[me, b]
        k_me, k_them = kind[me], kind[them]
        short_ridge = (k_me == ENDING) & (k_them == ENDING) & (steps <= params.short_ridge_px)
        spur = (k_me != k_them) & (steps <= params.spur_px)
        bridge = (k_me == BIFURCATION) & (k_them == BIFURCATION) & (steps <= params.bridge_px)
        hit = short_ridge | spur | bridge
        remove[me[hit]] = True
        remove[them[hit]] = True

    # Ridges cut by the print's edge "end" there: endings keep a wider margin than bifurcations.
    ending_margin = max(params.border_margin_px, params.border_margin_ending_px)
    remove |= border_distance < np.where(kind == ENDING, ending_margin, params.border_margin_px)
    remove |= reliability < params.min_reliability

    keep = ~remove
    _remove_breaks(raw, keep, params)
    _remove_clusters(raw, keep, params)
    return keep


def _remove_breaks(raw: Candidates, keep: np.ndarray, params: ExtractionParameters) -> None:
    """Drop pairs of endings facing each other across a short gap (in place on ``keep``)."""
    idx = np.flatnonzero(keep & (raw.kind == ENDING))
    if idx.size < 2:
        return
    x = raw.col[idx].astype(np.float64)
    y = raw.row[idx].astype(np.float64)
    a = raw.angle[idx]
    dx = x[None, :] - x[:, None]
    dy = y[None, :] - y[:, None]
    distance = np.hypot(dx, dy)
    # Ending i points into its own ridge, away from the gap: the gap lies behind it, towards j.
    towards = np.arctan2(-dy, dx)
    behind_i = np.abs(_wrap(towards - (a[:, None] + np.pi)))
    opposite = np.abs(_wrap(a[:, None] - a[None, :] - np.pi))
    pair = (
        (distance < params.break_distance_px)
        & (behind_i < params.break_max_angle_rad)
        & (behind_i.T < params.break_max_angle_rad)
        & (opposite < params.break_max_angle_rad)
    )
    np.fill_diagonal(pair, False)
    keep[idx[pair.any(axis=1)]] = False


def _remove_clusters(raw: Candidates, keep: np.ndarray, params: ExtractionParameters) -> None:
    """Drop minutiae crowded by others (in place on ``keep``)."""
    idx = np.flatnonzero(keep)
    if idx.size < 2:
        return
    x = raw.col[idx].astype(np.float64)
    y = raw.row[idx].astype(np.float64)
    close = np.hypot(x[None, :] - x[:, None], y[None, :] - y[:, None]) < params.cluster_radius_px
    crowd = close.sum(axis=1) - 1
    keep[idx[crowd >= params.cluster_min_count]] = False


def _wrap(angle: np.ndarray) -> np.ndarray:
    """Angles wrapped to [-pi, pi)."""
    return (angle + np.pi) % (2.0 * np.pi) - np.pi
