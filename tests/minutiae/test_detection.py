from __future__ import annotations

import math

import numpy as np
import pytest

import biocore
from biocore.minutiae.detection import detect
from biocore.templates import MinutiaKind

from .synthetic import dislocation


def _angle_error(a, b):
    d = abs((a - b) % (2 * math.pi))
    return min(d, 2 * math.pi - d)


def _naive_crossing_numbers(skeleton):
    """Crossing number of every skeleton pixel, straight from the definition."""
    ring = [(0, 1), (-1, 1), (-1, 0), (-1, -1), (0, -1), (1, -1), (1, 0), (1, 1)]
    out = {}
    for r, c in zip(*np.nonzero(skeleton)):
        values = [int(skeleton[r + dr, c + dc]) for dr, dc in ring]
        out[(int(r), int(c))] = sum(abs(values[i] - values[(i + 1) % 8]) for i in range(8)) // 2
    return out


def test_line_has_two_endings_pointing_into_it():
    skeleton = np.zeros((20, 40), np.uint8)
    skeleton[10, 5:35] = 1
    found = detect(skeleton, walk_px=40, direction_px=8)
    assert sorted(zip(found.col.tolist(), found.kind.tolist())) == [(5, 1), (34, 1)]
    for col, angle in zip(found.col, found.angle):
        assert _angle_error(angle, 0.0 if col == 5 else math.pi) < 1e-6
    # Each ending's walk reaches the other one's 8-neighbourhood after 28 steps.
    assert found.partner[:, 0].tolist() == [1, 0]
    assert found.branch_length[:, 0].tolist() == [28, 28]


def test_fork_is_one_bifurcation_pointing_between_its_branches():
    skeleton = np.zeros((40, 40), np.uint8)
    skeleton[20, 2:20] = 1  # stem from the left
    for k in range(1, 15):  # two branches to the upper and lower right
        skeleton[20 - k, 19 + k] = 1
        skeleton[20 + k, 19 + k] = 1
    found = detect(skeleton, walk_px=30, direction_px=10)
    bifurcations = np.flatnonzero(found.kind == MinutiaKind.BIFURCATION)
    assert len(bifurcations) == 1
    b = bifurcations[0]
    assert abs(found.row[b] - 20) <= 1 and abs(found.col[b] - 19) <= 1
    assert _angle_error(found.angle[b], 0.0) < math.radians(10)
    assert (found.kind == MinutiaKind.ENDING).sum() == 3


def test_crossing_numbers_agree_with_the_definition():
    rng = np.random.default_rng(5)
    from biocore.minutiae.thinning import thin

    skeleton = thin((rng.random((50, 50)) < 0.5).astype(np.uint8))
    skeleton[0, :] = skeleton[-1, :] = skeleton[:, 0] = skeleton[:, -1] = 0
    naive = _naive_crossing_numbers(skeleton)
    found = detect(skeleton, walk_px=5, direction_px=3)
    for r, c, k in zip(found.row, found.col, found.kind):
        cn = naive[(int(r), int(c))]
        assert (k == MinutiaKind.ENDING and cn == 1) or (k != MinutiaKind.ENDING and cn >= 3)
    endings = {rc for rc, cn in naive.items() if cn == 1}
    assert endings == {(int(r), int(c)) for r, c, k in zip(found.row, found.col, found.kind) if k == MinutiaKind.ENDING}


@pytest.mark.parametrize(
    "ridge_at_left, mirror, kind, angle",
    [
        (True, False, MinutiaKind.ENDING, math.pi),
        (True, True, MinutiaKind.ENDING, 0.0),
        (False, False, MinutiaKind.BIFURCATION, math.pi),
        (False, True, MinutiaKind.BIFURCATION, 0.0),
    ],
)
def test_extract_finds_the_drawn_minutia(ridge_at_left, mirror, kind, angle):
    image = dislocation(ridge_at_left=ridge_at_left, mirror=mirror)
    t = biocore.extract(image)
    assert 1 <= len(t) <= 3
    distance = np.hypot(t.x - 80.0, t.y - 80.0)
    i = int(np.argmin(distance))
    assert distance[i] <= 4.0
    assert t.kind[i] == kind
    assert _angle_error(float(t.angle[i]), angle) < math.radians(20)
    assert 0 < t.quality[i] <= 100


def test_resampled_input_comes_back_in_the_callers_grid():
    import cv2

    image = cv2.resize(dislocation(ridge_at_left=True), None, fx=1.6, fy=1.6, interpolation=cv2.INTER_CUBIC)
    t = biocore.extract(image, dpi=800)
    assert (t.width, t.height, t.dpi) == (256, 256, 800)
    distance = np.hypot(t.x - 128.0, t.y - 128.0)
    i = int(np.argmin(distance))
    assert distance[i] <= 6.0 and t.kind[i] == MinutiaKind.ENDING
    assert _angle_error(float(t.angle[i]), math.pi) < math.radians(20)
