"""Per-minutia quality: local evidence (window kernel, crowding, isolation) and the rating."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from biocore.minutiae.parameters import DEFAULT_PARAMETERS
from biocore.minutiae.quality import MinutiaEvidence, _window_sums, minutia_evidence, minutia_quality


def _naive_window_sums(a, b, rows, cols, radius):
    out = []
    for r, c in zip(rows, cols):
        wa = a[max(r - radius, 0) : r + radius + 1, max(c - radius, 0) : c + radius + 1].astype(np.float64)
        wb = b[max(r - radius, 0) : r + radius + 1, max(c - radius, 0) : c + radius + 1].astype(np.float64)
        out.append([np.sum(wa * wb), np.sum(wa * wa), np.sum(wb * wb), wa.size])
    return np.array(out)


@pytest.mark.parametrize("radius", [0, 3, 12])
def test_window_sums_match_a_naive_reference_up_to_the_image_edges(radius):
    rng = np.random.default_rng(radius)
    a = rng.normal(size=(37, 51)).astype(np.float32)
    b = rng.normal(size=(37, 51)).astype(np.float32)
    rows = np.array([0, 36, 18, 5, 30, 0], np.int64)
    cols = np.array([0, 50, 25, 49, 2, 50], np.int64)
    got = _window_sums(a, b, rows, cols, radius)
    np.testing.assert_allclose(got, _naive_window_sums(a, b, rows, cols, radius), rtol=1e-6, atol=1e-6)


def _ridges(shape=(120, 120), period=9.0, angle=0.5):
    y, x = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float64)
    return np.cos(2 * math.pi * (x * math.sin(angle) + y * math.cos(angle)) / period).astype(np.float32)


def _evidence(normalized, enhanced, rows, cols, raw_rows=None, raw_cols=None):
    rows, cols = np.asarray(rows), np.asarray(cols)
    raw_rows = rows if raw_rows is None else np.asarray(raw_rows)
    raw_cols = cols if raw_cols is None else np.asarray(raw_cols)
    n = rows.shape[0]
    mask = np.ones(normalized.shape, bool)
    return minutia_evidence(rows, cols, raw_rows, raw_cols, np.full(n, 0.8), np.full(n, 30.0),
                            normalized, enhanced, mask, DEFAULT_PARAMETERS)


def test_clean_ridges_agree_with_their_enhancement_and_noise_does_not():
    clean = _ridges()
    noisy = clean + np.random.default_rng(0).normal(0.0, 1.5, clean.shape).astype(np.float32)
    at = ([60], [60])
    e_clean = _evidence(clean, clean, *at)
    e_noisy = _evidence(noisy, clean, *at)
    assert e_clean.agreement[0] == pytest.approx(1.0, abs=1e-6)
    assert e_noisy.agreement[0] < 0.7
    assert minutia_quality(e_noisy, DEFAULT_PARAMETERS)[0] < minutia_quality(e_clean, DEFAULT_PARAMETERS)[0]


def test_weak_response_has_low_amplitude():
    ridges = _ridges()
    faint = ridges.copy()
    faint[:, :60] *= 0.2  # the left half responds weakly
    e = _evidence(ridges, faint, [60, 60], [20, 100])
    assert e.amplitude[0] < 0.5 < 1.0 < e.amplitude[1]


def test_crowding_counts_raw_candidates_within_the_radius_and_isolation_the_nearest_kept():
    ridges = _ridges()
    radius = DEFAULT_PARAMETERS.quality_crowd_radius_px
    rows, cols = [60, 60], [20, 100]
    # Around the first: itself, two inside the radius, one just outside.
    raw_rows = rows + [60, 70, 60]
    raw_cols = cols + [25, 20, 20 + int(radius) + 1]
    e = _evidence(ridges, ridges, rows, cols, raw_rows, raw_cols)
    assert e.crowd.tolist() == [2.0, 0.0]
    assert e.nearest_px.tolist() == [80.0, 80.0]
    alone = _evidence(ridges, ridges, [60], [60])
    assert np.isinf(alone.nearest_px[0])


def _ev(n=1, **values):
    base = dict(coherence=0.7, border_px=30.0, agreement=0.6, amplitude=1.0, crowd=3.0, nearest_px=15.0)
    base.update(values)
    return MinutiaEvidence(**{k: np.broadcast_to(np.asarray(v, np.float64), (n,)).copy() for k, v in base.items()})


def _naive_quality(e, p):
    out = []
    for k in range(e.coherence.shape[0]):
        z = (p.quality_bias + p.quality_weight_coherence * e.coherence[k] + p.quality_weight_agreement * e.agreement[k]
             + p.quality_weight_amplitude * math.log(min(max(e.amplitude[k], 0.05), 20.0))
             + p.quality_weight_crowd * math.log(1.0 + e.crowd[k])
             + p.quality_weight_nearest * math.log(min(max(e.nearest_px[k], 1.0), 40.0)))
        b = e.border_px[k]
        ramp = min(max((b - p.quality_edge_zero_px) / (p.quality_edge_full_px - p.quality_edge_zero_px), 0.0), 1.0)
        edge = 0.0 if b < p.quality_edge_zero_px else p.quality_edge_floor + (1 - p.quality_edge_floor) * ramp
        out.append(min(max(round(100.0 / (1.0 + math.exp(-z)) * edge), 1), 100))
    return np.array(out)


def test_quality_matches_a_naive_reference():
    rng = np.random.default_rng(5)
    n = 300
    e = MinutiaEvidence(rng.uniform(0, 1, n), rng.uniform(0, 40, n), rng.uniform(-0.2, 1, n),
                        rng.uniform(0.01, 3, n), rng.integers(0, 12, n).astype(float), rng.uniform(0.5, 60, n))
    got = minutia_quality(e, DEFAULT_PARAMETERS)
    assert got.dtype == np.uint8
    # Rounding ties may fall either way between the vectorised and the scalar arithmetic.
    assert np.abs(got.astype(int) - _naive_quality(e, DEFAULT_PARAMETERS)).max() <= 1


@pytest.mark.parametrize("name, values, rising", [
    ("coherence", [0.2, 0.4, 0.6, 0.8, 1.0], True),
    ("agreement", [0.0, 0.2, 0.4, 0.6, 0.8], True),
    ("amplitude", [0.4, 0.6, 0.9, 1.3, 2.0], True),
    ("nearest_px", [2.0, 4.0, 8.0, 16.0, 32.0], True),
    ("crowd", [0.0, 2.0, 5.0, 10.0, 20.0], False),
])
def test_quality_is_monotonic_in_each_piece_of_evidence(name, values, rising):
    q = minutia_quality(_ev(len(values), **{name: values}), DEFAULT_PARAMETERS).astype(int)
    steps = np.diff(q) if rising else -np.diff(q)
    assert (steps > 0).all(), q


def test_edge_minutiae_are_rated_lowest_but_never_zero():
    params = dataclasses.replace(DEFAULT_PARAMETERS, quality_edge_zero_px=8.0, quality_edge_floor=0.5,
                                 quality_edge_full_px=24.0)
    q = minutia_quality(_ev(5, coherence=1.0, agreement=1.0, amplitude=2.0, crowd=0.0, nearest_px=40.0,
                            border_px=[2.0, 7.9, 8.0, 16.0, 30.0]), params)
    assert q[0] == q[1] == 1
    assert 1 < q[2] < q[3] < q[4]
    assert q[4] >= 95
