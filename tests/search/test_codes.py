from __future__ import annotations

import math

import numpy as np
import pytest

import biocore
from biocore.errors import InvalidTemplate
from biocore.search.codes import finger_codes, normalise_histograms, person_vectors
from biocore.search.parameters import CODE

from .persons import noisy_copy, random_template


def naive_histogram(t: biocore.Template, p=CODE) -> np.ndarray:
    """Reference: the soft pair histogram written as plain Python loops."""
    h = np.zeros((p.distance_bins, p.relative_angle_bins, p.radial_angle_bins))
    if len(t) < p.min_minutiae:
        return h
    s = p.reference_dpi / t.dpi
    for i in range(len(t)):
        for j in range(len(t)):
            if i == j:
                continue
            dx, dy = float(t.x[j]) - float(t.x[i]), float(t.y[j]) - float(t.y[i])
            d = math.hypot(dx, dy) * s
            if not p.min_pair_distance_px <= d < p.max_pair_distance_px:
                continue
            rel = (float(t.angle[j]) - float(t.angle[i])) % (2 * math.pi)
            rad = (math.atan2(-dy, dx) - float(t.angle[i])) % (2 * math.pi)
            u = (d - p.min_pair_distance_px) / (p.max_pair_distance_px - p.min_pair_distance_px) * p.distance_bins - 0.5
            u = min(max(u, 0.0), p.distance_bins - 1.0)
            d_bins = [(int(u), 1 - (u - int(u))), (min(int(u) + 1, p.distance_bins - 1), u - int(u))]

            def circ(v: float, n: int):
                v = (v - 0.5) % n
                lo = int(v) % n
                return [(lo, 1 - (v - int(v))), ((lo + 1) % n, v - int(v))]

            for dk, dw in d_bins:
                for ak, aw in circ(rel / (2 * math.pi) * p.relative_angle_bins, p.relative_angle_bins):
                    for bk, bw in circ(rad / (2 * math.pi) * p.radial_angle_bins, p.radial_angle_bins):
                        h[dk, ak, bk] += dw * aw * bw
    return h


def test_kernel_matches_naive_reference(rng):
    ts = [random_template(rng, n=n) for n in (0, 3, 5, 25, 40)] + [random_template(rng, n=30).replace(dpi=1000)]
    got = finger_codes(ts, whiten=False)
    want = normalise_histograms(np.stack([naive_histogram(t) for t in ts]).astype(np.float32))
    np.testing.assert_allclose(got, want, atol=2e-5)
    assert np.all(got[:2] == 0)  # too few minutiae: the neutral all-zero code
    assert np.all(finger_codes(ts[:2]) == 0)  # also after whitening


def test_codes_are_unit_length_and_rotation_translation_invariant(rng):
    n = 60  # minutiae in the middle of a large canvas, so that nothing leaves it when rotated
    t = biocore.Template(x=rng.integers(200, 400, n), y=rng.integers(200, 400, n), angle=rng.uniform(0, 6.28, n),
                         width=600, height=600)
    moved = noisy_copy(t, rng, rotate_rad=1.0, shift_px=40, jitter_px=0.0, keep=1.0)
    a, b = finger_codes([t, moved])
    assert a @ a == pytest.approx(1.0, abs=1e-5)
    assert a @ b > 0.9  # only coordinate rounding and clipping at the border differ


def test_mates_score_above_unrelated_fingers(rng):
    probes, mates, others = [], [], []
    for _ in range(20):
        t = random_template(rng)
        probes.append(t)
        mates.append(noisy_copy(t, rng))
        others.append(random_template(rng))
    p, m, o = finger_codes(probes), finger_codes(mates), finger_codes(others)
    genuine = np.sum(p * m, axis=1)
    impostor = np.sum(p * o, axis=1)
    assert genuine.min() > impostor.max()
    assert abs(float(np.mean(impostor))) < 0.2  # centred: unrelated fingers score about 0


def test_person_vectors_sum_cosines_over_shared_fingers(rng):
    codes = rng.normal(size=(2, 10, CODE.dim)).astype(np.float32)
    present = np.ones((2, 10), bool)
    present[0, 3] = present[1, 7] = False
    v = person_vectors(codes, present)
    shared = present[0] & present[1]
    want = sum(float(codes[0, f] @ codes[1, f]) for f in range(10) if shared[f])
    assert v.shape == (2, 10 * CODE.dim)
    assert float(v[0] @ v[1]) == pytest.approx(want, rel=1e-4)


def test_rejects_non_templates():
    with pytest.raises(InvalidTemplate, match=r"templates\[0\]"):
        finger_codes(["not a template"])


def test_whitening_is_the_documented_affine_map(rng):
    from biocore.search.codes import _whitening

    ts = [random_template(rng) for _ in range(4)]
    raw = finger_codes(ts, whiten=False)
    mean, projection = _whitening()
    want = (raw - mean) @ projection
    want /= np.linalg.norm(want, axis=1, keepdims=True)
    np.testing.assert_allclose(finger_codes(ts), want, atol=1e-5)


def test_fit_whitening_decorrelates(rng):
    from biocore.search.codes import fit_whitening

    x = rng.normal(size=(500, 6)) @ rng.normal(size=(6, 6))
    mean, projection = fit_whitening(x.astype(np.float32), regularisation=0.0)
    y = (x - mean) @ projection
    np.testing.assert_allclose(np.cov(y.T, bias=True), np.eye(6), atol=1e-3)
