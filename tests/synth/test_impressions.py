from __future__ import annotations

import numpy as np
import pytest

from biocore.errors import InvalidArgument
from biocore.synth import make_impression, make_master
from biocore.synth.distortion import Placement


@pytest.fixture(scope="module")
def master():
    return make_master(11, finger=2)


def test_impression_is_deterministic(master):
    a = make_impression(master, 5)
    b = make_impression(master, 5)
    c = make_impression(master, 6)
    assert np.array_equal(a.image, b.image) and a.template == b.template
    assert not np.array_equal(a.image, c.image)


def test_placement_forward_then_inverse_is_identity(master):
    rng = np.random.default_rng(0)
    for seed in range(5):
        p: Placement = make_impression(master, seed).placement
        x = rng.uniform(40, 310, 500)
        y = rng.uniform(40, 400, 500)
        qx, qy = p.forward(x, y)
        bx, by = p.inverse(qx, qy)
        assert np.max(np.hypot(bx - x, by - y)) < 1e-3
        # ... and the other way round.
        fx, fy = p.forward(*p.inverse(x, y))
        assert np.max(np.hypot(fx - x, fy - y)) < 1e-3


def test_ground_truth_is_the_exact_image_of_the_master_minutiae(master):
    imp = make_impression(master, 3, skin="normal")
    g, m = imp.minutiae, master.minutiae
    qx, qy = imp.placement.forward(m.x, m.y)
    qa = imp.placement.forward_angle(m.x, m.y, m.angle)
    # Every kept minutia is the forward image of a master minutia, with its kind.
    for x, y, a, k in zip(g.x, g.y, g.angle, g.kind):
        i = int(np.argmin(np.hypot(qx - x, qy - y)))
        assert np.hypot(qx[i] - x, qy[i] - y) < 1e-9 and qa[i] == pytest.approx(a) and m.kind[i] == k
    # Transform back: the master positions return.
    bx, by = imp.placement.inverse(g.x, g.y)
    d = np.min(np.hypot(bx[:, None] - m.x[None, :], by[:, None] - m.y[None, :]), axis=1)
    assert np.all(d < 1e-3)
    assert 0.4 * len(m) <= len(g) <= len(m)
    t = imp.template
    assert len(t) == len(g) and np.all(np.abs(t.x - g.x) <= 0.5) and np.all(np.abs(t.y - g.y) <= 0.5)


def test_minutiae_sit_on_inked_ridges(master):
    for skin in ("wet", "normal", "dry"):
        imp = make_impression(master, 9, skin=skin)
        g = imp.minutiae
        img = imp.image.astype(float)
        at_minutiae = img[np.rint(g.y).astype(int), np.rint(g.x).astype(int)]
        background = np.median(img[imp.presence == 0])
        assert np.mean(at_minutiae) < background - 40


def test_rotation_of_angles_matches_placement(master):
    imp = make_impression(master, 4)
    p = imp.placement
    # Far from distortion, a direction turns by the placement rotation.
    q = p.forward_angle(np.array([p.contact_x]), np.array([p.contact_y]), np.array([0.3]))
    assert q[0] == pytest.approx((0.3 + p.rotation_rad) % (2 * np.pi), abs=1e-6)


def test_resolution_scales_image_and_truth(master):
    a = make_impression(master, 2, dpi=500, skin="dry")
    b = make_impression(master, 2, dpi=1000, skin="dry")
    assert b.image.shape == (2 * a.image.shape[0], 2 * a.image.shape[1]) and b.template.dpi == 1000
    x, y = master.minutiae.x, master.minutiae.y
    ax, ay = a.placement.forward(x, y)
    bx, by = b.placement.forward(x, y)
    assert np.allclose(bx, 2 * ax) and np.allclose(by, 2 * ay)
    # Ground truth seen at both resolutions is the same minutiae, at twice the coordinates.
    d = np.min(np.hypot(b.minutiae.x[:, None] - 2 * a.minutiae.x[None, :], b.minutiae.y[:, None] - 2 * a.minutiae.y[None, :]), axis=1)
    assert np.mean(d < 1e-6) > 0.8


def test_impression_image_looks_like_a_print(master):
    imp = make_impression(master, 1)
    img = imp.image
    assert img.dtype == np.uint8 and img.shape == (400, 300)
    inside = img[imp.presence > 0.9]
    assert inside.std() > 30  # ridges and valleys contrast
    assert np.median(img[imp.presence == 0]) > 200  # light background


def test_bad_arguments():
    m = make_master(1)
    with pytest.raises(InvalidArgument, match="skin"):
        make_impression(m, 1, skin="oily")
    with pytest.raises(InvalidArgument, match="master"):
        make_impression("m", 1)
    with pytest.raises(InvalidArgument, match="dpi"):
        make_impression(m, 1, dpi=100)
