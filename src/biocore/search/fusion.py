"""Score fusion over the fingers of a person.

Per-finger scores come as a (candidates, 10) array with NaN where the probe or the candidate lacks
that finger position. The fused score is the sum of the ``top`` highest per-finger scores among
the shared positions: absent fingers neither add nor subtract, and with ``top`` below 10 a few
poor prints (bandaged finger, smudge) cannot drown the evidence of the others.

Functions are pure so that a distributed job fuses exactly as one machine does.

References
----------
.. [1] Ross, Nandakumar, Jain, *Handbook of Multibiometrics*, Springer 2006, ch. 4 (score-level fusion).
"""

from __future__ import annotations

import numpy as np

__all__ = ["fuse", "shared_positions", "evidence_from_scores"]


def fuse(finger_scores: np.ndarray, top: int = 10) -> np.ndarray:
    """Fused person scores.

    Parameters
    ----------
    finger_scores : ndarray of float, shape (n, 10)
        Per finger position (slot ``p - 1``), NaN where not shared.
    top : int
        How many of the best shared fingers to add up.

    Returns
    -------
    ndarray of float64, shape (n,)
        Sum of the ``top`` best shared scores; 0 for candidates sharing no finger.

    Examples
    --------
    >>> fuse(np.array([[1.0, np.nan, 3.0, 2.0]]), top=2)
    array([5.])
    """
    s = np.asarray(finger_scores, dtype=np.float64)
    filled = np.where(np.isnan(s), -np.inf, s)
    top = max(1, min(int(top), s.shape[1]))
    best = -np.sort(-filled, axis=1)[:, :top]
    return np.where(np.isfinite(best), best, 0.0).sum(axis=1)


def evidence_from_scores(scores: np.ndarray, thresholds: dict[float, float]) -> np.ndarray:
    """Map matcher scores to evidence ``-log10(FMR(score))`` with the matcher's calibration table.

    ``thresholds`` maps FMR targets to score thresholds (``biocore.matching.THRESHOLDS``). Between
    entries the map is linear in ``log10(FMR)``; beyond the largest it continues the last slope;
    below the smallest it continues the first slope down to 0 (no evidence) and never goes negative.
    Summing evidence over fingers is a log-likelihood-ratio-like fusion: independent fingers'
    false-match probabilities multiply.

    Parameters
    ----------
    scores : ndarray of float, any shape (NaN kept)
    thresholds : dict {fmr: score threshold}, at least two entries

    Returns
    -------
    ndarray of float64, same shape
    """
    fmr = np.array(sorted(thresholds), dtype=np.float64)[::-1]  # 1e-2, 1e-3, ...
    t = np.array([thresholds[f] for f in fmr], dtype=np.float64)
    e = -np.log10(fmr)
    s = np.asarray(scores, dtype=np.float64)
    lo_slope = (e[1] - e[0]) / (t[1] - t[0])
    hi_slope = (e[-1] - e[-2]) / (t[-1] - t[-2])
    out = np.interp(s, t, e)
    out = np.where(s < t[0], e[0] + (s - t[0]) * lo_slope, out)
    out = np.where(s > t[-1], e[-1] + (s - t[-1]) * hi_slope, out)
    return np.maximum(out, 0.0)


def shared_positions(finger_scores: np.ndarray) -> np.ndarray:
    """Number of finger positions both sides hold, per candidate (int64, shape (n,))."""
    return (~np.isnan(np.asarray(finger_scores, dtype=np.float64))).sum(axis=1)
