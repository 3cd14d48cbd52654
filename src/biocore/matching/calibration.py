"""Score thresholds for target false match rates (1e-2 ... 1e-6) of the default matcher.

How the table was produced
--------------------------
Command (from the repository root, with ../shared/data present)::

    python benchmarks/verify_fvc.py --calibrate

(``--mirrors --calibrate`` prints the same table, fitted on the run with the images as they are.)

Impostor scores: every cross-finger pair (2,880 per set) of the six real FVC2000/FVC2002 ``B``
sets, minutiae from NBIS mindtct and from biocore.extract, pooled: 34,560 scores (2026-11-23, refitted when
the score became edge evidence + weight_mcc x Minutia Cylinder-Code score, over quality-selected
minutiae, again after the extractor's per-pixel Gabor banks and native 569 ppi reading, and again
when the edge evidence came to weigh pairs held by several consistent edges more, and after the
extractor's 9 px ending margin and milder structural rules, and after the extractor's logistic
minutia rating with the matcher leaving out minutiae rated 1, and when coverage came to weigh
minutiae by quality and count only the overlap, and with hash_neighbors 7). The empirical
quantile gives the thresholds where the sample supports it (FMR >= 10 / number of impostors);
below, the upper tail is extrapolated with a generalized Pareto distribution fitted by maximum
likelihood to the excesses over the empirical 1e-2 quantile (peaks over threshold; Pickands
1975, Balkema-de Haan 1974): ``t(fmr) = u + sigma/xi * ((fmr / p_u) ** -xi - 1)`` with
``p_u = P(score > u)``. Each entry is the larger of the two estimates, so the table errs towards
fewer false matches. The fitted values are recorded in :data:`FIT`.
"""

from __future__ import annotations

import math

from .._shared.validation import describe
from ..errors import InvalidArgument

__all__ = ["THRESHOLDS", "FIT", "threshold_for_fmr"]

#: FMR -> score threshold (accept when score >= threshold), default matcher parameters.
THRESHOLDS: dict[float, float] = {
    1e-2: 30.58,
    1e-3: 41.96,
    1e-4: 53.93,
    1e-5: 67.46,
    1e-6: 82.4,
}

#: The tail fit behind THRESHOLDS (peaks over threshold, generalized Pareto).
FIT: dict[str, float] = {"u": 30.572, "p_u": 0.01001, "sigma": 4.587, "xi": 0.0429, "impostors": 34560.0}


def threshold_for_fmr(fmr: float) -> float:
    """The score threshold at which the default matcher's false match rate is ``fmr``.

    Parameters
    ----------
    fmr : float
        Target false match rate in [1e-6, 1e-2]. Between table entries the threshold is
        interpolated linearly in ``log10(fmr)``.

    Returns
    -------
    float
        Accept a comparison when ``biocore.match(a, b) >= threshold``.

    Examples
    --------
    >>> from biocore.matching import threshold_for_fmr
    >>> threshold_for_fmr(1e-3) > threshold_for_fmr(1e-2)
    True
    """
    try:
        target = float(fmr)
    except (TypeError, ValueError):
        raise InvalidArgument(f"fmr: expected a false match rate in [1e-06, 0.01], got {describe(fmr)}") from None
    if not 1e-6 * (1 - 1e-9) <= target <= 1e-2 * (1 + 1e-9):
        raise InvalidArgument(f"fmr: expected a false match rate in [1e-06, 0.01], got {target:g}")
    keys = sorted(THRESHOLDS, reverse=True)  # 1e-2, 1e-3, ...
    x = -math.log10(target)
    for hi, lo in zip(keys, keys[1:]):
        x0, x1 = -math.log10(hi), -math.log10(lo)
        if x <= x1 + 1e-12:
            w = min(1.0, max(0.0, (x - x0) / (x1 - x0)))
            return THRESHOLDS[hi] + w * (THRESHOLDS[lo] - THRESHOLDS[hi])
    return THRESHOLDS[keys[-1]]
