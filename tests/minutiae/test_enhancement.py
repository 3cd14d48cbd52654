from __future__ import annotations

import math

import cv2
import numpy as np

from biocore.minutiae.enhancement import enhance, gabor_bank
from biocore.minutiae.normalization import normalize
from biocore.minutiae.orientation import orientation_field
from biocore.minutiae.parameters import DEFAULT_PARAMETERS as P

from .synthetic import sinusoid


def _naive_filter(image, kernel):
    """Direct correlation with reflected borders (what cv2.filter2D computes)."""
    h = kernel.shape[0] // 2
    padded = np.pad(image, h, mode="symmetric")
    out = np.zeros_like(image, dtype=np.float64)
    for i in range(kernel.shape[0]):
        for j in range(kernel.shape[1]):
            out += kernel[i, j] * padded[i : i + image.shape[0], j : j + image.shape[1]]
    return out


def test_bank_kernels_are_zero_mean_and_tuned_to_their_orientation():
    bank = gabor_bank(9.0, 8, 3.8, 5.0, 9)
    assert bank.shape == (8, 19, 19) and bank.dtype == np.float32
    np.testing.assert_allclose(bank.sum(axis=(1, 2)), 0.0, atol=1e-5)
    # Ridges at 45 degrees excite kernel 2 (2 * pi / 8) most.
    image = sinusoid((80, 80), angle_rad=math.pi / 4, period_px=9.0).astype(np.float32) - 128
    energy = [np.abs(_naive_filter(image, k)[20:-20, 20:-20]).mean() for k in bank]
    assert int(np.argmax(energy)) == 2


def test_filter2d_matches_naive_correlation():
    kernel = gabor_bank(8.0, 6, 3.0, 4.0, 5)[1]
    image = np.random.default_rng(0).normal(size=(30, 33)).astype(np.float32)
    fast = cv2.filter2D(image, cv2.CV_32F, kernel, borderType=cv2.BORDER_REFLECT)
    np.testing.assert_allclose(fast, _naive_filter(image, kernel), atol=1e-4)


def test_enhancement_restores_noisy_ridges():
    clean = sinusoid(angle_rad=0.6, period_px=9.0)
    noisy = sinusoid(angle_rad=0.6, period_px=9.0, noise=60.0, seed=3)
    normalized, _ = normalize(noisy, P)
    enhanced = enhance(normalized, orientation_field(normalized, P), 9.0, P)
    assert enhanced.shape == clean.shape and enhanced.dtype == np.float32
    truth = 128.0 - clean.astype(np.float64)  # ridges (dark) positive, like the enhanced image
    inner = (slice(20, -20), slice(20, -20))
    before = np.corrcoef(normalized[inner].ravel(), truth[inner].ravel())[0, 1]
    after = np.corrcoef(enhanced[inner].ravel(), truth[inner].ravel())[0, 1]
    assert after > 0.9 and after > before + 0.2


def test_separable_bank_matches_full_kernels():
    from biocore.minutiae.enhancement import filter_bank, separable_factors

    bank = gabor_bank(4.5, 12, 1.9, 2.5, 5)
    factors = separable_factors(bank)
    assert factors.shape == (12, 2, 2, 11) and factors.dtype == np.float32
    image = np.random.default_rng(2).normal(size=(40, 45)).astype(np.float32)
    fast = filter_bank(image, factors)
    for k in (0, 3, 7):
        exact = _naive_filter(image, bank[k])
        # Rank 2 keeps ~98% of a Gabor kernel's energy.
        assert np.linalg.norm(fast[k] - exact) < 0.2 * np.linalg.norm(exact)
        assert np.corrcoef(fast[k].ravel(), exact.ravel())[0, 1] > 0.98


def _oriented_response(responses, n, bank, theta, r, c):
    """Naive reference: bank ``bank``'s response at (r, c) interpolated linearly between the two of
    its ``n`` orientations (k pi / n) that bracket ``theta``, wrapping at pi."""
    position = theta * n / math.pi
    k = int(math.floor(position))
    w = position - k
    return (1 - w) * responses[bank * n + k % n, r, c] + w * responses[bank * n + (k + 1) % n, r, c]


def test_selection_kernel_interpolates_between_the_bracketing_filters():
    from biocore.minutiae.enhancement import _select_kernel

    rng = np.random.default_rng(5)
    n = 12
    responses = rng.normal(size=(n, 9, 11)).astype(np.float32)
    theta = rng.uniform(0.0, math.pi, size=(9, 11)).astype(np.float32)
    theta[0, :3] = [0.0, np.nextafter(np.float32(math.pi), np.float32(0.0)), np.float32(math.pi / 2)]
    out = np.empty((9, 11), np.float32)
    one_bank = np.array([4.5], np.float32)
    length = rng.uniform(0.2, 2.0, size=theta.shape)  # the doubled-angle vector need not be unit
    cos2, sin2 = (length * np.cos(2 * theta)).astype(np.float32), (length * np.sin(2 * theta)).astype(np.float32)
    _select_kernel(responses, cos2, sin2, one_bank, np.empty((1, 1), np.float32), out)
    expected = np.empty((9, 11))
    for r in range(9):
        for c in range(11):
            expected[r, c] = _oriented_response(responses, n, 0, float(theta[r, c]), r, c)
    # The kernel's arctangent is good to 1e-5 rad: weights to ~2e-5, responses here are O(1).
    np.testing.assert_allclose(out, expected, rtol=0, atol=3e-4)


def test_reused_scratch_arrays_give_the_fresh_arrays_results(monkeypatch):
    import biocore.minutiae.enhancement as enhancement

    def run(image):
        normalized, _ = normalize(image, P)
        return enhance(normalized, orientation_field(normalized, P), 9.0, P)

    big = sinusoid((200, 180), angle_rad=0.4, period_px=9.0, noise=20.0, seed=1)
    small = sinusoid((120, 150), angle_rad=1.3, period_px=8.0, noise=20.0, seed=2)
    first, second = run(big), run(small)  # the second reuses (part of) the first's scratch arrays
    kept = first.copy()
    third = run(big)
    monkeypatch.setattr(enhancement, "_SCRATCH_MAX_VALUES", 0)  # every array fresh
    assert np.array_equal(second, run(small)) and np.array_equal(third, run(big))
    assert np.array_equal(first, kept)  # results never alias a scratch array


def test_filter_bank_writes_into_the_given_array():
    from biocore.minutiae.enhancement import filter_bank, separable_factors

    factors = separable_factors(gabor_bank(4.5, 6, 1.9, 2.5, 5))
    image = np.random.default_rng(4).normal(size=(30, 35)).astype(np.float32)
    out = np.full((6, 30, 35), np.nan, np.float32)
    assert filter_bank(image, factors, out=out) is out
    np.testing.assert_array_equal(out, filter_bank(image, factors))


def test_selection_kernel_interpolates_between_the_banks_bracketing_the_local_period():
    from biocore.minutiae.enhancement import _select_kernel

    rng = np.random.default_rng(6)
    n, periods = 10, np.array([3.5, 4.5, 6.0], np.float32)
    responses = rng.normal(size=(3 * n, 7, 8)).astype(np.float32)
    theta = rng.uniform(0.0, math.pi, size=(7, 8)).astype(np.float32)
    local = rng.uniform(3.0, 6.5, size=(7, 8)).astype(np.float32)  # also outside the banks: clamped
    local[0, :3] = periods
    out = np.empty((7, 8), np.float32)
    cos2, sin2 = np.cos(2 * theta).astype(np.float32), np.sin(2 * theta).astype(np.float32)
    _select_kernel(responses, cos2, sin2, periods, local, out)
    expected = np.empty((7, 8))
    for r in range(7):
        for c in range(8):
            b = 0 if local[r, c] <= periods[1] else 1
            u = min(max((float(local[r, c]) - periods[b]) / (periods[b + 1] - periods[b]), 0.0), 1.0)
            expected[r, c] = ((1 - u) * _oriented_response(responses, n, b, float(theta[r, c]), r, c)
                              + u * _oriented_response(responses, n, b + 1, float(theta[r, c]), r, c))
    np.testing.assert_allclose(out, expected, rtol=0, atol=3e-4)


def test_local_period_banks_follow_a_print_whose_period_changes():
    """Ridges at 7 px on the left and 11 px on the right: the banks tuned around the median
    period, selected by the local period, restore both halves better than one bank at the median."""
    from dataclasses import replace

    from biocore.minutiae.frequency import ridge_frequency

    rows, cols = 160, 240
    y, x = np.mgrid[0:rows, 0:cols].astype(np.float64)
    period = np.where(x < cols / 2, 7.0, 11.0)
    # Phase accumulated along x so that the stripes stay continuous where the period changes.
    phase = np.cumsum(2 * np.pi / period[0])[None, :] * np.ones((rows, 1))
    clean = 128 + 100 * np.cos(phase)
    noisy = np.clip(clean + np.random.default_rng(7).normal(0, 70, clean.shape), 0, 255).astype(np.uint8)
    normalized, _ = normalize(noisy, P)
    field = orientation_field(normalized, P)
    frequency = ridge_frequency(normalized, P)
    truth = 128.0 - clean
    inner = (slice(25, -25), np.r_[25:100, 140:215])

    def fidelity(image):
        return np.corrcoef(image[inner].ravel(), truth[inner].ravel())[0, 1]

    local = fidelity(enhance(normalized, field, 9.0, P, frequency))
    single = fidelity(enhance(normalized, field, 9.0, replace(P, gabor_period_ratios=(1.0,)), frequency))
    # Correlation with the clean stripes: the residual shrinks by a third or more.
    assert local > 0.95 and 1.0 - local < 0.67 * (1.0 - single)


def test_fast_arctangent_matches_numpy_everywhere():
    from biocore.minutiae.enhancement import _fast_atan2

    angles = np.linspace(-math.pi, math.pi, 2001)
    for radius in (1e-3, 1.0, 50.0):
        y, x = radius * np.sin(angles), radius * np.cos(angles)
        got = np.array([_fast_atan2(np.float32(a), np.float32(b)) for a, b in zip(y, x)])
        error = np.abs(np.angle(np.exp(1j * (got - np.arctan2(y, x)))))
        assert error.max() < 2e-5
    assert _fast_atan2(np.float32(0.0), np.float32(0.0)) == 0.0


def test_mirrored_kernels_share_separable_terms_and_filter_like_their_own_factors():
    from biocore.minutiae.enhancement import _filter_plan, filter_bank, separable_factors

    bank = gabor_bank(4.0, 10, 1.7, 2.2, 5)
    factors = separable_factors(bank)
    plan = _filter_plan(factors.tobytes(), factors.shape)
    # 0 and 90 degrees stand alone; theta and pi - theta are filtered together.
    assert [(k, m) for k, m, _ in plan] == [(0, -1), (1, 9), (2, 8), (3, 7), (4, 6), (5, -1)]
    image = np.random.default_rng(8).normal(size=(50, 40)).astype(np.float32)
    shared = filter_bank(image, factors)
    for k in (2, 8):
        # The mirrored kernel's factors reproduce its own best rank-2 approximation.
        u, sv, vt = np.linalg.svd(bank[k].astype(np.float64))
        approx = (u[:, :2] * sv[:2]) @ vt[:2]
        np.testing.assert_allclose(np.einsum("ri,rj->ij", factors[k, :, 0], factors[k, :, 1]), approx, atol=1e-5)
        np.testing.assert_allclose(shared[k], _naive_filter(image, approx.astype(np.float32)), atol=1e-4)
