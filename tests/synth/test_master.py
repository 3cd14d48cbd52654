from __future__ import annotations

import numpy as np
import pytest

from biocore.errors import InvalidArgument
from biocore.synth import groundtruth, make_master
from biocore.synth.masters import _make_master_cached
from biocore.synth.parameters import DEFAULT_MASTER, FINGER_CLASSES


@pytest.fixture(scope="module")
def masters():
    return [make_master(100 + i, finger_class=cls) for i, cls in enumerate(FINGER_CLASSES)]


def test_master_is_deterministic_from_seed():
    a = _make_master_cached.__wrapped__(42, 3, None, DEFAULT_MASTER)
    b = _make_master_cached.__wrapped__(42, 3, None, DEFAULT_MASTER)
    c = _make_master_cached.__wrapped__(43, 3, None, DEFAULT_MASTER)
    assert np.array_equal(a.ridges, b.ridges) and a.template() == b.template()
    assert not np.array_equal(a.ridges, c.ridges)


def test_master_rejects_bad_arguments():
    with pytest.raises(InvalidArgument, match="seed"):
        make_master(-1)
    with pytest.raises(InvalidArgument, match="finger_class"):
        make_master(1, finger_class="spiral")


def test_ridges_cover_the_silhouette_with_realistic_period(masters):
    for m in masters:
        inner = m.mask & (np.abs(m.ridges) > 0.5)
        assert inner.sum() > 0.9 * m.mask.sum()
        # Mean spatial frequency of a central block, power-weighted over its spectrum (the argmax
        # alone is quantized to 64 / k px and jumps between 10.7 and 12.8 px where ridges curve).
        cy, cx = int(m.silhouette.centre_y), int(m.silhouette.centre_x)
        block = m.ridges[cy - 32 : cy + 32, cx - 32 : cx + 32].astype(np.float64)
        spec = np.abs(np.fft.fft2(block - block.mean())) ** 2
        f = np.fft.fftfreq(64)
        fy, fx = np.meshgrid(f, f, indexing="ij")
        radius = np.hypot(fy, fx)
        band = (radius > 1 / 20) & (radius < 1 / 5.5)  # the fundamental, not the clipped ridges' harmonics
        period = 1.0 / float((spec * radius)[band].sum() / spec[band].sum())
        assert 7.0 < period < 12.5


def test_ground_truth_sits_on_skeleton_endings_and_bifurcations(masters):
    for m in masters:
        skel = groundtruth.skeleton_of(m.ridges) & m.mask
        cn = groundtruth.crossing_number(skel)
        g = m.minutiae
        xi, yi = g.x.astype(int), g.y.astype(int)
        assert np.all(skel[yi, xi])
        assert np.array_equal(cn[yi, xi], np.where(g.kind == 1, 1, 3))
        assert 15 <= len(g) <= 120
        # Most skeleton endings/bifurcations well inside the silhouette are in the ground truth.
        import cv2

        deep = cv2.distanceTransform(m.mask.astype(np.uint8), cv2.DIST_L2, 5) > 25
        candidates = ((cn == 1) | (cn == 3)) & deep
        found = np.zeros_like(candidates)
        found[yi, xi] = True
        assert (found & candidates).sum() >= 0.7 * candidates.sum()


def test_crossing_number_matches_naive_loop():
    rng = np.random.default_rng(1)
    skel = rng.random((30, 30)) < 0.3
    cn = groundtruth.crossing_number(skel)
    ring = [(0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1), (-1, 0), (-1, 1)]
    for r in range(30):
        for c in range(30):
            if not skel[r, c]:
                assert cn[r, c] == 0
                continue
            v = [int(skel[r + dr, c + dc]) if 0 <= r + dr < 30 and 0 <= c + dc < 30 else 0 for dr, dc in ring]
            assert cn[r, c] == sum(abs(v[k] - v[(k + 1) % 8]) for k in range(8)) // 2


def _bar_master(shape, segments):
    import cv2

    img = np.full(shape, -1.0, np.float32)
    for (x0, y0), (x1, y1) in segments:
        cv2.line(img, (x0, y0), (x1, y1), 1.0, 3)
    return img


def test_minutia_directions_follow_iso_convention():
    valid = np.ones((80, 120), bool)
    # A horizontal ridge from x=30 to x=100: the ending at x=30 points right (into the ridge),
    # the one at x=100 points left.
    g, _ = groundtruth.detect_minutiae(_bar_master((80, 120), [((30, 40), (100, 40))]), valid, DEFAULT_MASTER)
    assert len(g) == 2 and np.all(g.kind == 1)
    left, right = np.argmin(g.x), np.argmax(g.x)
    assert np.cos(g.angle[left]) > 0.95 and np.cos(g.angle[right]) < -0.95
    # A fork: stem from the left, branches up-right and down-right; the bifurcation points right
    # (between its branches); the stem's free end points right too, the branch ends point back.
    fork = [((20, 40), (60, 40)), ((60, 40), (100, 20)), ((60, 40), (100, 60))]
    g, _ = groundtruth.detect_minutiae(_bar_master((80, 120), fork), valid, DEFAULT_MASTER)
    bif = np.flatnonzero(g.kind == 2)
    assert len(bif) == 1 and abs(g.x[bif[0]] - 60) <= 3
    assert np.cos(g.angle[bif[0]]) > 0.9
    # The upper branch end (y small) points back down-left: dy > 0 on screen means sin(angle) < 0.
    up = np.flatnonzero((g.kind == 1) & (g.y < 30))
    assert len(up) == 1 and np.cos(g.angle[up[0]]) < 0 and np.sin(g.angle[up[0]]) < 0


def test_master_template_is_valid(masters):
    t = masters[0].template()
    assert t.width == DEFAULT_MASTER.canvas_width_px and t.dpi == 500 and len(t) == len(masters[0].minutiae)
    assert set(np.unique(t.kind)) <= {1, 2}


def test_stages_are_traced():
    import biocore

    with biocore.trace() as t:
        m = _make_master_cached.__wrapped__(77, 1, None, DEFAULT_MASTER)
    assert {"synth.master.orientation", "synth.master.ridges", "synth.master.skeleton"} <= set(t.keys())
    assert np.array_equal(t["synth.master.ridges"], m.ridges)


def test_directions_take_the_field_axis_and_the_skeleton_sense():
    valid = np.ones((80, 120), bool)
    fork = [((20, 40), (60, 40)), ((60, 40), (100, 20)), ((60, 40), (100, 60))]
    # A field tilted 10 degrees: every direction lies on that axis, bifurcation towards the fork
    # (right), the stem's end into its ridge (right), the branch ends back (left).
    tilt = np.radians(10.0)
    field = np.full((80, 120), tilt, np.float32)
    g, _ = groundtruth.detect_minutiae(_bar_master((80, 120), fork), valid, DEFAULT_MASTER, field)
    assert len(g) == 4
    off = np.abs((g.angle - tilt + np.pi / 2) % np.pi - np.pi / 2)
    assert np.all(off < 1e-6)
    right = np.cos(g.angle - tilt) > 0
    bif = g.kind == 2
    assert right[bif].all() and right[(g.kind == 1) & (g.x < 40)].all()
    assert not right[(g.kind == 1) & (g.x > 80)].any()
