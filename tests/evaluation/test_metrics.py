"""Metrics against brute-force loops over every threshold, on seeded and generated score sets."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from biocore import evaluation as ev
from biocore.errors import InvalidArgument

# --- naive references ------------------------------------------------------------------------


def _fmr(imp, t):
    return sum(1 for s in imp if s >= t) / len(imp)


def _fnmr(gen, t):
    return sum(1 for s in gen if s < t) / len(gen)


def _thresholds(gen, imp):
    return sorted(set(gen) | set(imp)) + [float("inf")]


def _eer_fvc(gen, imp):
    ts = _thresholds(gen, imp)
    t1 = max(t for t in ts if _fnmr(gen, t) <= _fmr(imp, t))
    t2 = min(t for t in ts if _fnmr(gen, t) >= _fmr(imp, t))
    if _fnmr(gen, t1) + _fmr(imp, t1) <= _fmr(imp, t2) + _fnmr(gen, t2):
        low, high = _fnmr(gen, t1), _fmr(imp, t1)
    else:
        low, high = _fmr(imp, t2), _fnmr(gen, t2)
    return (low + high) / 2


def _fnmr_at_fmr(gen, imp, target):
    return min(_fnmr(gen, t) for t in _thresholds(gen, imp) if _fmr(imp, t) <= target)


def _fmr_at_fnmr(gen, imp, target):
    return min(_fmr(imp, t) for t in _thresholds(gen, imp) if _fnmr(gen, t) <= target)


scores = st.lists(st.integers(0, 30).map(float), min_size=1, max_size=40)


# --- verification ----------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(scores, scores)
def test_eer_and_rates_match_brute_force(gen, imp):
    assert ev.eer(gen, imp) == pytest.approx(_eer_fvc(gen, imp))
    for target in (0.0, 0.01, 0.1, 0.25, 0.5, 1.0):
        assert ev.fnmr_at_fmr(gen, imp, target) == pytest.approx(_fnmr_at_fmr(gen, imp, target))
        assert ev.fmr_at_fnmr(gen, imp, target) == pytest.approx(_fmr_at_fnmr(gen, imp, target))


def test_curve_points_are_exact_on_continuous_scores():
    rng = np.random.default_rng(4)
    gen, imp = rng.normal(2.0, 1.0, 300), rng.normal(0.0, 1.0, 900)
    c = ev.error_curve(gen, imp)
    assert np.all(np.diff(c.thresholds) > 0) and np.isinf(c.thresholds[-1])
    for k in rng.integers(0, c.thresholds.size, 25):
        t = c.thresholds[k]
        assert c.fmr[k] == pytest.approx(_fmr(imp, t)) and c.fnmr[k] == pytest.approx(_fnmr(gen, t))
    fmr, tmr, _ = ev.roc_curve(gen, imp)
    np.testing.assert_allclose(tmr, 1 - c.fnmr)
    assert ev.eer(gen, imp) == pytest.approx(_eer_fvc(list(gen), list(imp)))
    # Two unit-variance Gaussians two sigmas apart: EER near Phi(-1) = 15.9%.
    assert 0.12 < ev.eer(gen, imp) < 0.20
    np.testing.assert_allclose(
        ev.fnmr_at_fmr(gen, imp, [0.01, 0.1]), [_fnmr_at_fmr(gen, imp, 0.01), _fnmr_at_fmr(gen, imp, 0.1)]
    )


def test_separated_and_reversed_scores():
    assert ev.eer([5, 6, 7], [1, 2, 3]) == 0.0
    assert ev.fnmr_at_fmr([5, 6, 7], [1, 2, 3], 0.0) == 0.0
    assert ev.eer([1, 2, 3], [5, 6, 7]) == 1.0
    assert ev.eer_interval([0.9, 0.8, 0.3], [0.1, 0.2, 0.4]) == (pytest.approx(1 / 3), pytest.approx(1 / 3))


def test_threshold_for_fmr_meets_the_target_at_the_lowest_threshold():
    rng = np.random.default_rng(1)
    imp = rng.normal(size=2000)
    for target in (0.5, 0.1, 0.01, 0.001, 0.0):
        t = ev.threshold_for_fmr(imp, target)
        assert np.isfinite(t) and _fmr(imp, t) <= target
        lower = imp[imp < t]
        if lower.size:  # the next score down would break the target
            assert _fmr(imp, lower.max()) > target


def test_summary_has_the_report_figures():
    s = ev.verification_summary([3, 4, 5], [0, 1, 4])
    assert s["eer"] == pytest.approx(_eer_fvc([3, 4, 5], [0, 1, 4])) and s["genuine"] == 3 and s["impostor"] == 3
    assert s["fnmr@fmr=1e-2"] == pytest.approx(_fnmr_at_fmr([3, 4, 5], [0, 1, 4], 0.01))


@pytest.mark.parametrize(
    "gen, imp, match",
    [([], [1.0], "genuine"), ([1.0], [[1.0]], "impostor"), ([np.nan], [1.0], "genuine"), (["a"], [1.0], "genuine")],
)
def test_bad_scores_raise_naming_the_argument(gen, imp, match):
    with pytest.raises(InvalidArgument, match=match):
        ev.eer(gen, imp)


def test_bad_rate_raises():
    with pytest.raises(InvalidArgument, match="fmr"):
        ev.fnmr_at_fmr([1.0], [0.0], 1.5)


# --- identification --------------------------------------------------------------------------


def _dense_case(seed, n_search=60, n_gallery=25):
    rng = np.random.default_rng(seed)
    s = np.round(rng.normal(size=(n_search, n_gallery)), 1)  # rounded: plenty of ties
    mates = np.where(rng.random(n_search) < 0.6, rng.integers(0, n_gallery, n_search), -1)
    for r in np.flatnonzero(mates >= 0):
        s[r, mates[r]] += rng.choice([0.0, 2.0])
    return s, mates


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_identification_metrics_match_brute_force(seed):
    s, mates = _dense_case(seed)
    out = ev.search_outcomes(s, mates)
    mated = [r for r in range(len(mates)) if mates[r] >= 0]
    nonmated = [r for r in range(len(mates)) if mates[r] < 0]
    ranks = [1 + sum(1 for j in range(s.shape[1]) if j != mates[r] and s[r, j] >= s[r, mates[r]]) for r in mated]
    np.testing.assert_array_equal(out.mate_ranks, ranks)
    np.testing.assert_array_equal(out.nonmated_top_scores, [max(s[r]) for r in nonmated])

    for threshold in (-1.0, 0.5, 1.5):
        for rank in (1, 3, None):
            miss = sum(
                1 for k, r in enumerate(mated)
                if not (s[r, mates[r]] >= threshold and (rank is None or ranks[k] <= rank))
            ) / len(mated)
            assert ev.fnir(out.mate_scores, out.mate_ranks, threshold, rank) == pytest.approx(miss)
        assert ev.fpir(out.nonmated_top_scores, threshold) == pytest.approx(
            sum(1 for r in nonmated if max(s[r]) >= threshold) / len(nonmated)
        )

    for target in (0.0, 0.1, 0.5, 1.0):
        candidates = sorted(set(out.nonmated_top_scores)) + [np.inf]
        t = min(c for c in candidates if ev.fpir(out.nonmated_top_scores, c) <= target)
        want = ev.fnir(out.mate_scores, out.mate_ranks, t, 1)
        got = ev.fnir_at_fpir(out.mate_scores, out.mate_ranks, out.nonmated_top_scores, target, rank=1)
        assert got == pytest.approx(want)

    curve = ev.cmc(out.mate_ranks, 10)
    np.testing.assert_allclose(curve, [sum(1 for k in ranks if k <= r) / len(ranks) for r in range(1, 11)])
    assert np.all(np.diff(curve) >= 0)


def test_cmc_counts_mates_absent_from_candidate_lists_as_misses():
    np.testing.assert_allclose(ev.cmc(np.array([1, 0, 2, 5]), 3), [0.25, 0.5, 0.5])


def test_search_outcomes_validates_mates():
    with pytest.raises(InvalidArgument, match="mates"):
        ev.search_outcomes(np.zeros((2, 3)), np.array([0, 3]))
