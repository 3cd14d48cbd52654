from __future__ import annotations

import numpy as np
import pytest

from biocore.synth import orientation, silhouette, singularities
from biocore.synth.parameters import CLASS_FREQUENCIES_BY_FINGER, DEFAULT_MASTER, FINGER_CLASSES
from biocore.synth.singularities import SingularPoints

W, H = DEFAULT_MASTER.canvas_width_px, DEFAULT_MASTER.canvas_height_px


def _points(cls: str, seed: int) -> SingularPoints:
    rng = np.random.default_rng(seed)
    s = silhouette.sample_silhouette(rng, DEFAULT_MASTER)
    return singularities.sample_singularities(rng, cls, s, DEFAULT_MASTER)


@pytest.mark.parametrize("cls", FINGER_CLASSES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_poincare_index_is_half_at_cores_and_minus_half_at_deltas(cls, seed):
    sp = _points(cls, seed)
    theta = orientation.orientation_field(sp, W, H)
    for x, y in sp.cores:
        assert orientation.poincare_index(theta, x, y, 6.0) == pytest.approx(0.5, abs=1e-6)
    for x, y in sp.deltas:
        assert orientation.poincare_index(theta, x, y, 6.0) == pytest.approx(-0.5, abs=1e-6)
    # Away from every singular point the field has none.
    pts = np.concatenate([sp.cores, sp.deltas, np.zeros((0, 2))])
    far = np.array([40.0, 40.0])
    assert np.all(np.hypot(pts[:, 0] - far[0], pts[:, 1] - far[1]) > 30)
    assert orientation.poincare_index(theta, *far, 10.0) == pytest.approx(0.0, abs=1e-6)


def test_whorl_centre_has_index_one():
    sp = _points("whorl", 3)
    theta = orientation.orientation_field(sp, W, H)
    centre = sp.cores.mean(axis=0)
    assert orientation.poincare_index(theta, *centre, 45.0, samples=256) == pytest.approx(1.0, abs=1e-6)


def test_zero_pole_matches_formula_by_hand():
    sp = SingularPoints("left_loop", np.array([[100.0, 100.0]]), np.array([[160.0, 200.0]]))
    x, y = 130.0, 60.0
    # w = x - i y: arguments measured with the imaginary axis pointing up on screen.
    expected = 0.5 * (np.angle(complex(x - 100, -(y - 100))) - np.angle(complex(x - 160, -(y - 200)))) % np.pi
    assert orientation.zero_pole(sp, np.array(x), np.array(y)) == pytest.approx(expected)
    assert 0.0 <= orientation.orientation_at(sp, np.array(x), np.array(y)) < np.pi


def test_class_frequencies_are_realistic():
    for p, probs in CLASS_FREQUENCIES_BY_FINGER.items():
        assert sum(probs) == pytest.approx(1.0)
    arch, tented, left, right, whorl = CLASS_FREQUENCIES_BY_FINGER[0]
    assert 0.02 < arch < 0.06 and 0.02 < tented < 0.05 and 0.55 < left + right < 0.72 and 0.22 < whorl < 0.35
    # Ulnar loops dominate: right loops on the right hand, left loops on the left hand.
    assert CLASS_FREQUENCIES_BY_FINGER[3][3] > CLASS_FREQUENCIES_BY_FINGER[3][2]
    assert CLASS_FREQUENCIES_BY_FINGER[8][2] > CLASS_FREQUENCIES_BY_FINGER[8][3]
    rng = np.random.default_rng(0)
    draws = [singularities.sample_class(rng, 5) for _ in range(2000)]
    assert draws.count("right_loop") / 2000 == pytest.approx(CLASS_FREQUENCIES_BY_FINGER[5][3], abs=0.04)


def test_plain_arch_has_no_singularity_but_bends():
    sp = _points("arch", 4)
    theta = orientation.orientation_field(sp, W, H)
    x0, y0 = sp.arch[0], sp.arch[1]
    for r in (10.0, 40.0, 90.0):
        assert orientation.poincare_index(theta, x0, y0 - 20, r) == pytest.approx(0.0, abs=1e-6)
    # Ridges rise towards the middle: left of centre they slope up to the right, right of it down.
    left = theta[int(y0 - 40), int(x0 - 60)]
    right = theta[int(y0 - 40), int(x0 + 60)]
    assert 0.05 < left < np.pi / 2 and np.pi / 2 < right < np.pi - 0.05
