"""The rigid alignment benchmarks/minutiae_repeatability.py maps minutiae between captures with."""

from __future__ import annotations

import importlib
import math
import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def repeatability():
    if not (BENCHMARKS / "minutiae_repeatability.py").exists():
        pytest.skip("benchmarks/ not in this checkout")
    sys.path.insert(0, str(BENCHMARKS))
    try:
        return importlib.import_module("minutiae_repeatability")
    finally:
        sys.path.remove(str(BENCHMARKS))


def test_screen_rotation_turns_directions_counter_clockwise_on_screen(repeatability):
    # A unit step along direction a is (cos a, -sin a) in (x, row) pixels; turned by t it must be
    # the step along a + t.
    for a, t in [(0.0, 0.5), (1.0, -2.0), (2.5, math.pi)]:
        x, y = repeatability.screen_rotation(t, np.array([math.cos(a)]), np.array([-math.sin(a)]))
        assert x[0] == pytest.approx(math.cos(a + t), abs=1e-12)
        assert y[0] == pytest.approx(-math.sin(a + t), abs=1e-12)


def test_align_recovers_a_known_rigid_transform(repeatability):
    rng = np.random.default_rng(3)
    a = np.c_[rng.uniform(0, 300, 25), rng.uniform(0, 300, 25), rng.uniform(0, 2 * math.pi, 25)]
    turn, shift = 0.4, np.array([30.0, -12.0])
    x, y = repeatability.screen_rotation(turn, a[:, 0] - 150.0, a[:, 1] - 150.0)
    b = np.c_[x + 150.0 + shift[0], y + 150.0 + shift[1], a[:, 2] + turn]
    b = b[rng.permutation(len(b))]
    transform, inliers = repeatability.align(a, b)
    assert inliers == len(a)
    mx, my, ma = repeatability.mapped(transform, a[:, 0], a[:, 1], a[:, 2])
    # Every mapped minutia lands on its counterpart (unordered: nearest in b).
    gap = np.hypot(mx[:, None] - b[None, :, 0], my[:, None] - b[None, :, 1]).min(axis=1)
    assert gap.max() < 1e-6
    assert np.allclose(np.angle(np.exp(1j * (ma - a[:, 2] - turn))), 0.0, atol=1e-9)


def test_align_finds_little_between_unrelated_minutiae(repeatability):
    rng = np.random.default_rng(4)
    a = np.c_[rng.uniform(0, 300, 20), rng.uniform(0, 300, 20), rng.uniform(0, 2 * math.pi, 20)]
    b = np.c_[rng.uniform(0, 300, 20), rng.uniform(0, 300, 20), rng.uniform(0, 2 * math.pi, 20)]
    _, inliers = repeatability.align(a, b)
    assert inliers < 8  # the benchmark's --min-inliers default
