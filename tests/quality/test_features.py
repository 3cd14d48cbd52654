"""Each feature family against a naive reference or on synthetic ridge patterns with known properties."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from biocore.quality import DEFAULT_PARAMETERS as P
from biocore.quality._blocks import block_mask, block_mean
from biocore.quality.area import area_features
from biocore.quality.fields import compute_fields
from biocore.quality.assess import assess
from biocore.templates import Template
from biocore.quality.minutiae import minutiae_features
from tests.minutiae.synthetic import sinusoid


def _features(image: np.ndarray) -> dict[str, float]:
    return assess(compute_fields(image, 500), P).features


def _duty_pattern(duty: float, shape=(200, 200), period: int = 12) -> np.ndarray:
    """Horizontal dark ridges occupying ``duty`` of each period (square wave, softened)."""
    rows = np.arange(shape[0]) % period < duty * period
    image = np.where(rows[:, None], 40.0, 215.0) * np.ones(shape)
    return cv2.GaussianBlur(image, (0, 0), 1.0).astype(np.uint8)


def test_block_mean_matches_reshape_mean():
    rng = np.random.default_rng(0)
    image = rng.random((67, 45)).astype(np.float32)
    expected = image[:64, :40].reshape(8, 8, 5, 8).mean(axis=(1, 3))
    np.testing.assert_allclose(block_mean(image, 8), expected, rtol=1e-5)
    mask = rng.random((64, 40)) > 0.3
    naive = mask.reshape(8, 8, 5, 8).mean(axis=(1, 3)) > 0.5
    np.testing.assert_array_equal(block_mask(mask, 8), naive)


def test_area_features_against_naive_moments():
    mask = np.zeros((200, 300), bool)
    y, x = np.mgrid[0:200, 0:300]
    angle = math.radians(30.0)  # major axis 30 degrees clockwise from vertical on screen
    u = (x - 190) * math.cos(angle) - (y - 90) * math.sin(angle)
    v = (x - 190) * math.sin(angle) + (y - 90) * math.cos(angle)
    mask[(u / 30.0) ** 2 + (v / 70.0) ** 2 <= 1.0] = True
    f = area_features(mask, P)
    rows, cols = np.nonzero(mask)
    assert f["foreground_fraction"] == pytest.approx(mask.mean())
    assert f["area_mm2"] == pytest.approx(mask.sum() * (25.4 / 500) ** 2)
    assert f["centre_offset_x"] == pytest.approx((cols.mean() - 149.5) / 300, abs=1e-6)
    assert f["centre_offset_y"] == pytest.approx((rows.mean() - 99.5) / 200, abs=1e-6)
    assert f["elongation"] == pytest.approx(70.0 / 30.0, rel=0.05)
    assert abs(f["rotation_deg"]) == pytest.approx(30.0, abs=2.0)
    assert f["frame_sides_cut"] == 0.0
    assert area_features(np.zeros((50, 50), bool), P)["area_mm2"] == 0.0


def test_rotation_sign_follows_screen_convention():
    y, x = np.mgrid[0:200, 0:200]
    for sign in (1, -1):
        # Top of the ellipse leaning right (sign 1) or left (sign -1).
        a = math.radians(25.0) * sign
        u = (x - 100) * math.cos(a) + (y - 100) * math.sin(a)
        v = -(x - 100) * math.sin(a) + (y - 100) * math.cos(a)
        f = area_features((u / 25.0) ** 2 + (v / 70.0) ** 2 <= 1.0, P)
        assert abs(f["rotation_deg"]) == pytest.approx(25.0, abs=2.0)
        assert np.sign(f["rotation_deg"]) == -sign


def test_clean_sinusoid_is_clear_coherent_and_uniform():
    f = _features(sinusoid((200, 200), angle_rad=0.6, period_px=9.0))
    assert f["orientation_coherence"] > 0.85
    assert f["incoherent_fraction"] < 0.05
    assert f["ridge_valley_clarity"] > 0.8
    assert f["unclear_fraction"] < 0.1
    assert f["ridge_fraction"] == pytest.approx(0.5, abs=0.04)
    assert f["ridge_valley_uniformity"] < 0.1
    assert f["ridge_period_px"] == pytest.approx(9.0, abs=0.6)
    assert f["frequency_variation"] < 0.08
    assert f["gray_mean"] == pytest.approx(128.0, abs=3.0)
    # A sinusoid of amplitude 90 has standard deviation 90 / sqrt(2).
    assert f["contrast_gray"] == pytest.approx(90.0 / math.sqrt(2.0), rel=0.1)


def test_noise_lowers_clarity_and_coherence():
    clean = _features(sinusoid((200, 200), angle_rad=0.3, period_px=10.0))
    noisy = _features(sinusoid((200, 200), angle_rad=0.3, period_px=10.0, noise=70.0, seed=1))
    assert noisy["ridge_valley_clarity"] < clean["ridge_valley_clarity"] - 0.2
    assert noisy["orientation_coherence"] < clean["orientation_coherence"]
    assert noisy["unclear_fraction"] > clean["unclear_fraction"]


def test_ridge_fraction_follows_ridge_width():
    # Ridges 4, 6 and 8 px wide in a 12 px period (softened edges count partly on either side).
    thick = _features(_duty_pattern(8 / 12))["ridge_fraction"]
    even = _features(_duty_pattern(6 / 12))["ridge_fraction"]
    thin = _features(_duty_pattern(4 / 12))["ridge_fraction"]
    assert even == pytest.approx(0.5, abs=0.03)
    assert thick > even + 0.06 and thin < even - 0.06


def test_ridge_skewness_sign_follows_ridge_width():
    # Thin dark ridges (dry) leave a tail on the ridge side (positive), merged ridges (wet) negative.
    assert _features(_duty_pattern(4 / 12))["ridge_skewness"] > 0.3
    assert abs(_features(sinusoid((200, 200), angle_rad=0.2, period_px=10.0))["ridge_skewness"]) < 0.1
    assert _features(_duty_pattern(8 / 12))["ridge_skewness"] < -0.5


def test_frequency_follows_period():
    for period in (7.0, 11.0):
        f = _features(sinusoid((200, 200), angle_rad=1.0, period_px=period))
        assert f["ridge_period_px"] == pytest.approx(period, rel=0.08)


def test_minutiae_features_against_naive_count():
    rng = np.random.default_rng(3)
    n = 40
    x, y = rng.integers(0, 300, n).astype(np.int32), rng.integers(0, 300, n).astype(np.int32)
    quality = rng.integers(0, 101, n).astype(np.uint8)
    t = Template(x, y, np.zeros(n), np.ones(n, np.uint8), quality, width=300, height=300, dpi=500)
    mask = np.zeros((300, 300), bool)
    mask[40:260, 60:280] = True
    f = minutiae_features(t, area_features(mask, P), mask.shape, 1.0, P)
    rows, cols = np.nonzero(mask)
    cy, cx = rows.mean(), cols.mean()
    near = [i for i in range(n) if math.hypot(x[i] - cx, y[i] - cy) <= P.centre_radius_px]
    assert f["minutiae_count"] == n
    assert f["centre_minutiae_count"] == len(near)
    assert f["centre_minutiae_quality"] == pytest.approx(np.mean(quality[near]))
