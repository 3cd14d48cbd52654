from __future__ import annotations

import math

import numpy as np
import pytest

from biocore.minutiae.frequency import ridge_frequency
from biocore.minutiae.normalization import normalize
from biocore.minutiae.orientation import orientation_field
from biocore.minutiae.parameters import DEFAULT_PARAMETERS as P

from .synthetic import sinusoid


def _angle_error(a, b):
    """Smallest difference between orientations (mod pi)."""
    d = np.abs((np.asarray(a) - b) % np.pi)
    return np.minimum(d, np.pi - d)


@pytest.mark.parametrize("angle_deg", [0, 20, 45, 90, 120, 160])
def test_orientation_of_parallel_ridges(angle_deg):
    angle = math.radians(angle_deg)
    normalized, _ = normalize(sinusoid(angle_rad=angle, period_px=9.0, noise=10.0), P)
    field = orientation_field(normalized, P)
    inner = (slice(20, -20), slice(20, -20))
    theta = field.theta(normalized.shape)[inner]
    assert np.median(_angle_error(theta, angle)) < math.radians(3)
    assert np.percentile(_angle_error(theta, angle), 95) < math.radians(8)
    assert np.median(field.reliability(normalized.shape)[inner]) > 0.8


def test_noise_has_low_reliability():
    noise = np.random.default_rng(1).integers(0, 256, (160, 160)).astype(np.uint8)
    field = orientation_field(normalize(noise, P)[0], P)
    assert np.median(field.coherence) < 0.3


def test_sample_matches_the_dense_field():
    normalized, _ = normalize(sinusoid(angle_rad=0.7, period_px=10.0), P)
    field = orientation_field(normalized, P)
    theta, coherence = field.sample(np.array([80]), np.array([80]))
    assert _angle_error(theta, 0.7)[0] < math.radians(3) and coherence[0] > 0.8


@pytest.mark.parametrize("period", [6.0, 8.0, 10.0, 13.0])
@pytest.mark.parametrize("angle_deg", [0, 30, 45, 100])
def test_frequency_of_parallel_ridges(period, angle_deg):
    image = sinusoid(angle_rad=math.radians(angle_deg), period_px=period, noise=8.0)
    frequency = ridge_frequency(normalize(image, P)[0], P)
    assert frequency.shape == image.shape and frequency.dtype == np.float32
    estimated = 1.0 / np.median(frequency[30:-30, 30:-30])
    assert abs(estimated - period) / period < 0.08
