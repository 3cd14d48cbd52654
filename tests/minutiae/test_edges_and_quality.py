"""Edge rules and per-minutia quality."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from biocore.minutiae.detection import Candidates
from biocore.minutiae.filtering import remove_false_minutiae
from biocore.minutiae.parameters import DEFAULT_PARAMETERS
from biocore.minutiae.quality import minutia_quality


def _naive_quality(reliability, border, zero, floor, min_reliability, good=0.75, full=24.0):
    out = []
    for r, b in zip(reliability, border):
        flow = min(max((r - min_reliability) / (good - min_reliability), 0.0), 1.0)
        ramp = min(max((b - zero) / (full - zero), 0.0), 1.0)
        edge = 0.0 if b < zero else floor + (1.0 - floor) * ramp
        out.append(min(max(round(100.0 * flow**0.5 * edge), 1), 100))
    return out


@pytest.mark.parametrize("zero, floor", [(0.0, 0.5), (9.0, 0.5), (6.0, 0.2)])
def test_quality_matches_a_naive_reference(zero, floor):
    rng = np.random.default_rng(2)
    reliability = rng.uniform(0.1, 1.0, 200)
    border = rng.uniform(0.0, 40.0, 200)
    params = dataclasses.replace(DEFAULT_PARAMETERS, quality_edge_zero_px=zero, quality_edge_floor=floor)
    got = minutia_quality(reliability, border, params)
    assert got.dtype == np.uint8
    want = _naive_quality(reliability, border, zero, floor, params.min_reliability)
    # Rounding ties may fall either way between the vectorised and the scalar arithmetic.
    assert np.abs(got.astype(int) - np.array(want)).max() <= 1


def test_quality_rates_edge_minutiae_lowest_but_never_zero():
    params = dataclasses.replace(DEFAULT_PARAMETERS, quality_edge_zero_px=8.0, quality_edge_floor=0.5)
    q = minutia_quality(np.full(5, 0.9), np.array([2.0, 7.9, 8.0, 16.0, 30.0]), params)
    # Inside the edge band: rated 1 (kept, last in line); then rising to full quality 24 px in.
    assert q[0] == q[1] == 1
    assert 1 < q[2] < q[3] < q[4] == 100


def _candidates(kinds, rows, cols):
    n = len(kinds)
    return Candidates(
        np.asarray(rows, np.int32), np.asarray(cols, np.int32), np.zeros(n), np.asarray(kinds, np.uint8),
        np.full((n, 4), -1, np.int32), np.zeros((n, 4), np.int32),
    )


@pytest.mark.parametrize("ending_margin", [0.0, 9.0])
def test_endings_keep_their_own_margin_from_the_edge(ending_margin):
    # Far apart and unpaired, so only the edge rule can remove them:
    # an ending and a bifurcation 5 px from the edge, and both kinds again 20 px in.
    raw = _candidates([1, 2, 1, 2], [10, 60, 110, 160], [10, 60, 110, 160])
    border = np.array([5.0, 5.0, 20.0, 20.0])
    params = dataclasses.replace(
        DEFAULT_PARAMETERS, border_margin_px=3.0, border_margin_ending_px=ending_margin
    )
    keep = remove_false_minutiae(raw, border, np.ones(4), params)
    assert keep.tolist() == [ending_margin < 5.0, True, True, True]
