"""Verification (1:1) and identification (1:N) error metrics from score sets.

Conventions
-----------
Scores are similarities: higher means more alike. A comparison is *accepted* at threshold ``t``
when ``score >= t``. Hence, as in the FVC reports (Maio et al. 2002),

* ``FMR(t)  = #{impostor scores >= t} / #impostor``  (false match rate),
* ``FNMR(t) = #{genuine scores  <  t} / #genuine``   (false non-match rate).

Both are step functions of ``t``; every metric here is evaluated on the finite set of thresholds
where they can change (each distinct score, plus ``+inf`` where everything is rejected), never
interpolated between scores, so results are exact and reproducible.

Identification follows NIST's definitions (NISTIR 8271, FRVT 1:N; FpVTE 2012): a *mated* search
has its mate enrolled; a *non-mated* search does not.

* ``FNIR(N, R, T)`` = fraction of mated searches whose mate is *not* returned at rank <= R with a
  score >= T.
* ``FPIR(N, T)`` = fraction of non-mated searches that return *any* candidate with score >= T,
  i.e. whose top candidate score is >= T (the non-mated score is the top score of the search).
* ``CMC(R)`` = fraction of mated searches whose mate is at rank <= R (threshold ignored), i.e.
  ``1 - FNIR(N, R, -inf)``.

References
----------
.. [1] D. Maio, D. Maltoni, R. Cappelli, J. L. Wayman, A. K. Jain, "FVC2000: Fingerprint
   Verification Competition", IEEE TPAMI 24(3), 2002 (EER definition with EER_low / EER_high).
.. [2] ISO/IEC 19795-1:2021, Biometric performance testing and reporting - Part 1.
.. [3] P. Grother, M. Ngan, K. Hanaoka, "Face Recognition Vendor Test (FRVT) Part 2:
   Identification", NISTIR 8271 (FNIR / FPIR definitions).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._shared.validation import describe
from ..errors import InvalidArgument

__all__ = [
    "ErrorCurve",
    "error_curve",
    "eer",
    "eer_interval",
    "fnmr_at_fmr",
    "fmr_at_fnmr",
    "threshold_for_fmr",
    "det_curve",
    "roc_curve",
    "verification_summary",
    "SearchOutcomes",
    "search_outcomes",
    "fnir",
    "fpir",
    "fnir_at_fpir",
    "cmc",
]


# --- validation ------------------------------------------------------------------------------


def _scores(value: Any, name: str, *, allow_empty: bool = False) -> np.ndarray:
    """A 1-D float64 copy of finite scores, or :class:`InvalidArgument` naming ``name``."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidArgument(f"{name}: expected a 1-D array of numbers, got {describe(value)}") from None
    if arr.ndim != 1:
        raise InvalidArgument(f"{name}: expected a 1-D array of scores, got {describe(arr)}")
    if arr.size == 0 and not allow_empty:
        raise InvalidArgument(f"{name}: expected at least one score, got an empty array")
    if not np.all(np.isfinite(arr)):
        raise InvalidArgument(f"{name}: scores must be finite, got NaN or infinity")
    return arr


def _rate(value: Any, name: str) -> float:
    try:
        rate = float(value)
    except (TypeError, ValueError):
        raise InvalidArgument(f"{name}: expected a rate in [0, 1], got {describe(value)}") from None
    if not 0.0 <= rate <= 1.0:
        raise InvalidArgument(f"{name}: expected a rate in [0, 1], got {rate:g}")
    return rate


def _rates(value: Any, name: str) -> tuple[np.ndarray, bool]:
    """Targets as a 1-D array, and whether a scalar came in (so the result can be a scalar)."""
    scalar = np.ndim(value) == 0
    arr = np.atleast_1d(np.asarray(value, dtype=np.float64)) if not isinstance(value, str) else None
    if arr is None or arr.ndim != 1:
        raise InvalidArgument(f"{name}: expected a rate or a 1-D array of rates in [0, 1], got {describe(value)}")
    for r in arr:
        _rate(r, name)
    return arr, scalar


# --- verification ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorCurve:
    """FMR and FNMR at every threshold where either can change.

    Attributes
    ----------
    thresholds : ndarray of float64, shape (k,)
        Increasing: every distinct score, then ``+inf``.
    fmr, fnmr : ndarray of float64, shape (k,)
        Rates at each threshold (accept when ``score >= threshold``); ``fmr`` is non-increasing,
        ``fnmr`` non-decreasing.
    """

    thresholds: np.ndarray
    fmr: np.ndarray
    fnmr: np.ndarray


def error_curve(genuine: Any, impostor: Any) -> ErrorCurve:
    """FMR and FNMR at every distinct score threshold (the exact DET curve as points).

    Parameters
    ----------
    genuine, impostor : array_like of float, shape (n,), (m,)
        Similarity scores of mated and non-mated comparisons; finite, non-empty.

    Returns
    -------
    ErrorCurve
    """
    g = np.sort(_scores(genuine, "genuine"))
    i = np.sort(_scores(impostor, "impostor"))
    thresholds = np.concatenate([np.unique(np.concatenate([g, i])), [np.inf]])
    fmr = (i.size - np.searchsorted(i, thresholds, side="left")) / i.size
    fnmr = np.searchsorted(g, thresholds, side="left") / g.size
    return ErrorCurve(thresholds, fmr, fnmr)


def eer_interval(genuine: Any, impostor: Any) -> tuple[float, float]:
    """``(EER_low, EER_high)`` as defined for FVC2000 [1]_; the EER is their mean.

    With ``t1 = max{t : FNMR(t) <= FMR(t)}`` and ``t2 = min{t : FNMR(t) >= FMR(t)}``, the
    interval is ``(FNMR(t1), FMR(t1))`` if ``FNMR(t1) + FMR(t1) <= FMR(t2) + FNMR(t2)``, else
    ``(FMR(t2), FNMR(t2))``.
    """
    c = error_curve(genuine, impostor)
    below = np.flatnonzero(c.fnmr <= c.fmr)  # a prefix: fnmr rises, fmr falls with t
    above = np.flatnonzero(c.fnmr >= c.fmr)
    t1, t2 = int(below[-1]), int(above[0])
    if c.fnmr[t1] + c.fmr[t1] <= c.fmr[t2] + c.fnmr[t2]:
        return float(c.fnmr[t1]), float(c.fmr[t1])
    return float(c.fmr[t2]), float(c.fnmr[t2])


def eer(genuine: Any, impostor: Any) -> float:
    """Equal error rate, FVC definition [1]_: the midpoint of :func:`eer_interval`.

    Examples
    --------
    >>> eer([0.9, 0.8, 0.3], [0.1, 0.2, 0.4])
    0.3333333333333333
    """
    low, high = eer_interval(genuine, impostor)
    return (low + high) / 2.0


def fnmr_at_fmr(genuine: Any, impostor: Any, fmr: Any) -> float | np.ndarray:
    """The lowest FNMR over thresholds whose FMR is at most ``fmr`` (FVC's ``FMR100`` for 0.01).

    Parameters
    ----------
    genuine, impostor : array_like of float
        Scores, as in :func:`error_curve`.
    fmr : float or array_like of float
        Target false match rate(s) in [0, 1].

    Returns
    -------
    float, or ndarray of float64 with the shape of ``fmr`` when an array is given.
    """
    targets, scalar = _rates(fmr, "fmr")
    c = error_curve(genuine, impostor)
    # fmr is non-increasing in t: the first threshold meeting the target has the lowest fnmr.
    first = np.searchsorted(-c.fmr, -targets, side="left")
    out = c.fnmr[first]
    return float(out[0]) if scalar else out


def fmr_at_fnmr(genuine: Any, impostor: Any, fnmr: Any) -> float | np.ndarray:
    """The lowest FMR over thresholds whose FNMR is at most ``fnmr`` (FVC's ``FNMR100`` style)."""
    targets, scalar = _rates(fnmr, "fnmr")
    c = error_curve(genuine, impostor)
    last = np.searchsorted(c.fnmr, targets, side="right") - 1  # fnmr[0] == 0 so last >= 0
    out = c.fmr[last]
    return float(out[0]) if scalar else out


def threshold_for_fmr(impostor: Any, fmr: float) -> float:
    """The lowest threshold at which the empirical FMR of ``impostor`` is at most ``fmr``.

    Returns ``+inf`` only when ``fmr`` is below ``1 / len(impostor)`` and the highest impostor
    scores tie, i.e. when no finite threshold meets the target; otherwise a score value or the
    next representable number above the top impostor score.
    """
    target = _rate(fmr, "fmr")
    i = np.sort(_scores(impostor, "impostor"))
    candidates = np.concatenate([np.unique(i), [np.nextafter(i[-1], np.inf)]])
    rates = (i.size - np.searchsorted(i, candidates, side="left")) / i.size
    return float(candidates[np.searchsorted(-rates, -target, side="left")])


def det_curve(genuine: Any, impostor: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """DET points ``(fmr, fnmr, thresholds)``, thresholds increasing (see :func:`error_curve`)."""
    c = error_curve(genuine, impostor)
    return c.fmr, c.fnmr, c.thresholds


def roc_curve(genuine: Any, impostor: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ROC points ``(fmr, tmr, thresholds)`` with ``tmr = 1 - fnmr`` (true match rate)."""
    c = error_curve(genuine, impostor)
    return c.fmr, 1.0 - c.fnmr, c.thresholds


def verification_summary(genuine: Any, impostor: Any) -> dict[str, float]:
    """The figures a verification report prints: EER, FNMR at FMR 1% / 0.1% / 0.01%, counts.

    Returns
    -------
    dict
        ``{"eer", "eer_low", "eer_high", "fnmr@fmr=1e-2", "fnmr@fmr=1e-3", "fnmr@fmr=1e-4",
        "fmr@fnmr=1e-2", "genuine", "impostor"}``; rates as fractions, counts as floats.
    """
    g = _scores(genuine, "genuine")
    i = _scores(impostor, "impostor")
    low, high = eer_interval(g, i)
    at = fnmr_at_fmr(g, i, [1e-2, 1e-3, 1e-4])
    return {
        "eer": (low + high) / 2.0,
        "eer_low": low,
        "eer_high": high,
        "fnmr@fmr=1e-2": float(at[0]),
        "fnmr@fmr=1e-3": float(at[1]),
        "fnmr@fmr=1e-4": float(at[2]),
        "fmr@fnmr=1e-2": float(fmr_at_fnmr(g, i, 1e-2)),
        "genuine": float(g.size),
        "impostor": float(i.size),
    }


# --- identification --------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchOutcomes:
    """What FNIR, FPIR and CMC need from a set of 1:N searches.

    Attributes
    ----------
    mate_scores : ndarray of float64, shape (n_mated,)
        Score of the mate in each mated search; ``-inf`` when the mate is not on the candidate list.
    mate_ranks : ndarray of int64, shape (n_mated,)
        1-based rank of the mate in each mated search; 0 when it is not on the candidate list.
    nonmated_top_scores : ndarray of float64, shape (n_nonmated,)
        Top candidate score of each non-mated search; ``-inf`` for an empty candidate list.
    """

    mate_scores: np.ndarray
    mate_ranks: np.ndarray
    nonmated_top_scores: np.ndarray


def search_outcomes(scores: Any, mates: Any) -> SearchOutcomes:
    """Summarise dense 1:N score rows into :class:`SearchOutcomes`.

    Parameters
    ----------
    scores : array_like of float, shape (n_searches, n_gallery)
        Score of every search against every gallery entry.
    mates : array_like of int, shape (n_searches,)
        Gallery index of each search's mate, or -1 for a non-mated search.

    Notes
    -----
    Ranks are pessimistic under ties: a mate's rank is 1 + the number of *other* entries scoring
    at least as high, so a tie never flatters the system.
    """
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim != 2 or s.shape[1] == 0:
        raise InvalidArgument(f"scores: expected a 2-D array (n_searches, n_gallery >= 1), got {describe(s)}")
    if np.isnan(s).any():
        raise InvalidArgument("scores: expected no NaN")
    m = np.asarray(mates)
    if m.shape != (s.shape[0],) or m.dtype.kind not in "iu":
        raise InvalidArgument(f"mates: expected {s.shape[0]} integers (one per search row), got {describe(m)}")
    m = m.astype(np.int64)
    if np.any((m < -1) | (m >= s.shape[1])):
        raise InvalidArgument(f"mates: expected gallery indices in [0, {s.shape[1] - 1}] or -1, got {m.min()}..{m.max()}")
    mated = np.flatnonzero(m >= 0)
    mate_scores = s[mated, m[mated]]
    ranks = (s[mated] >= mate_scores[:, None]).sum(axis=1)  # counts the mate itself once
    return SearchOutcomes(mate_scores, ranks.astype(np.int64), s[m < 0].max(axis=1))


def _outcome_arrays(mate_scores: Any, mate_ranks: Any) -> tuple[np.ndarray, np.ndarray]:
    sc = np.asarray(mate_scores, dtype=np.float64)
    rk = np.asarray(mate_ranks)
    if sc.ndim != 1 or sc.size == 0 or np.isnan(sc).any():
        raise InvalidArgument(f"mate_scores: expected a non-empty 1-D array without NaN, got {describe(sc)}")
    if rk.shape != sc.shape or rk.dtype.kind not in "iu" or np.any(rk < 0):
        raise InvalidArgument(f"mate_ranks: expected {sc.size} non-negative integers, got {describe(rk)}")
    return sc, rk.astype(np.int64)


def fnir(mate_scores: Any, mate_ranks: Any, threshold: float, rank: int | None = None) -> float:
    """False negative identification rate: mates missed at rank <= ``rank`` or below ``threshold``.

    ``rank=None`` accepts the mate anywhere on the candidate list (rank >= 1).
    """
    sc, rk = _outcome_arrays(mate_scores, mate_ranks)
    found = (rk >= 1) & (sc >= float(threshold))
    if rank is not None:
        found &= rk <= int(rank)
    return 1.0 - float(found.mean())


def fpir(nonmated_top_scores: Any, threshold: float) -> float:
    """False positive identification rate: non-mated searches whose top score is >= ``threshold``."""
    top = np.asarray(nonmated_top_scores, dtype=np.float64)
    if top.ndim != 1 or top.size == 0 or np.isnan(top).any():
        raise InvalidArgument(f"nonmated_top_scores: expected a non-empty 1-D array without NaN, got {describe(top)}")
    return float((top >= float(threshold)).mean())


def fnir_at_fpir(
    mate_scores: Any, mate_ranks: Any, nonmated_top_scores: Any, fpir_target: Any, rank: int | None = None
) -> float | np.ndarray:
    """FNIR at the lowest threshold whose FPIR is at most ``fpir_target`` (scalar or array)."""
    sc, rk = _outcome_arrays(mate_scores, mate_ranks)
    targets, scalar = _rates(fpir_target, "fpir_target")
    top = np.asarray(nonmated_top_scores, dtype=np.float64)
    fpir(top, 0.0)  # validates
    finite = np.sort(top[np.isfinite(top)])
    candidates = np.concatenate([[-np.inf], np.unique(finite), [np.inf]])
    rates = (top.size - np.searchsorted(np.sort(top), candidates, side="left")) / top.size
    thresholds = candidates[np.searchsorted(-rates, -targets, side="left")]
    out = np.array([fnir(sc, rk, t, rank) for t in thresholds])
    return float(out[0]) if scalar else out


def cmc(mate_ranks: Any, max_rank: int) -> np.ndarray:
    """Cumulative match characteristic: identification rate at ranks 1..``max_rank``.

    Returns
    -------
    ndarray of float64, shape (max_rank,)
        Entry ``r - 1`` is the fraction of mated searches whose mate is at rank <= r.
    """
    rk = np.asarray(mate_ranks)
    if rk.ndim != 1 or rk.size == 0 or rk.dtype.kind not in "iu" or np.any(rk < 0):
        raise InvalidArgument(f"mate_ranks: expected a non-empty 1-D array of non-negative integers, got {describe(rk)}")
    if isinstance(max_rank, bool) or not isinstance(max_rank, (int, np.integer)) or max_rank < 1:
        raise InvalidArgument(f"max_rank: expected an integer >= 1, got {describe(max_rank)}")
    found = rk[rk >= 1]
    counts = np.bincount(np.minimum(found, max_rank + 1), minlength=max_rank + 2)[1 : max_rank + 1]
    return np.cumsum(counts) / rk.size
