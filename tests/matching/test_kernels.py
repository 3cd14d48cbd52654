"""The native edge tables and root votes against slow NumPy/Python references on small inputs."""

from __future__ import annotations

import numpy as np
import pytest

from biocore._native import _core
from biocore.matching import DEFAULT_PARAMETERS, pack
from biocore.matching.parameters import MatchingParameters

from .synthetic import random_template, transformed

STEPS = 65536
EDGE = np.dtype([("len", "<f4"), ("j", "<u2"), ("a1", "<u2"), ("a2", "<u2"), ("spare", "<u2")])  # 12 bytes, as in C++


def _steps(rad):
    return np.mod(np.floor(np.asarray(rad, np.float64) * STEPS / (2 * np.pi) + 0.5).astype(np.int64), STEPS)


def _reference_edges(t, prm: MatchingParameters):
    """K nearest neighbours within max_edge_px, by length then index; invariant edge angles."""
    x, y = t.x.astype(np.float64), t.y.astype(np.float64)
    a = _steps(t.angle)
    table = []
    for i in range(len(t)):
        d = np.hypot(x - x[i], y - y[i])
        order = sorted((d[j], j) for j in range(len(t)) if j != i and 0 < d[j] <= prm.max_edge_px)
        row = []
        for dist, j in order[: prm.neighbors]:
            direction = _steps(np.arctan2(-(y[j] - y[i]), x[j] - x[i]))
            row.append((dist, j, (direction - a[i]) % STEPS, (direction - a[j]) % STEPS))
        table.append(row)
    return table


def _wrapped(d):
    return (int(d) + 32768) % STEPS - 32768


def _agree(e, f, prm: MatchingParameters):
    tol = prm.length_tolerance_px + prm.length_tolerance_rel * max(e[0], f[0])
    shortest = max(min(e[0], f[0]), 1.0)
    angle_tol = prm.angle_tolerance_rad + prm.direction_tolerance_px / shortest
    angle_tol_steps = int(min(angle_tol * STEPS / (2 * np.pi), 16384))
    return (
        abs(e[0] - f[0]) <= tol
        and abs(_wrapped(e[2] - f[2])) <= angle_tol_steps
        and abs(_wrapped(e[3] - f[3])) <= angle_tol_steps
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_edge_table_matches_reference(seed):
    rng = np.random.default_rng(seed)
    t = random_template(rng, n=25, size=260)
    prm = DEFAULT_PARAMETERS
    packed = pack([t])
    edges = packed.edges.view(EDGE).reshape(len(t), prm.neighbors)
    want = _reference_edges(t, prm)
    for i, row in enumerate(want):
        assert packed.edge_count[i] == len(row)
        for k, (dist, j, a1, a2) in enumerate(row):
            got = edges[i, k]
            assert got["j"] == j and got["len"] == pytest.approx(dist, abs=1e-3)
            assert abs(_wrapped(int(got["a1"]) - a1)) <= 2 and abs(_wrapped(int(got["a2"]) - a2)) <= 2


@pytest.mark.parametrize("vector", [True, False], ids=["vector", "scalar"])
@pytest.mark.parametrize("one_off", [False, True], ids=["hash", "grid"])
@pytest.mark.parametrize("seed", [0, 1])
def test_root_votes_match_brute_force(seed, one_off, vector):
    rng = np.random.default_rng(seed)
    t = random_template(rng, n=18, size=240)
    other = transformed(t, rng, rotation_rad=0.7, jitter_px=2.0, jitter_rad=0.05, keep=0.8, spurious=3)
    prm = DEFAULT_PARAMETERS
    probe = _core.PreparedProbe(t.x, t.y, t.angle, t.kind, t.quality, 1.0, prm.native())
    try:  # the grid's AVX-512 lookup (when the processor has it) or its scalar one
        _core.mcc_vector_scan(vector)
        got = probe.votes(other.x, other.y, other.angle, other.kind, other.quality, 1.0, one_off)
        again = probe.votes(other.x, other.y, other.angle, other.kind, other.quality, 1.0, not one_off)
    finally:
        _core.mcc_vector_scan(True)

    pe, ce = _reference_edges(t, prm), _reference_edges(other, prm)
    want = np.zeros((len(t), len(other)), np.int64)
    for i, prow in enumerate(pe):
        for e in prow[: prm.hash_neighbors]:
            for a, crow in enumerate(ce):
                for f in crow[: prm.hash_neighbors]:
                    if f[0] < prm.max_edge_px and _agree(e, f, prm):
                        want[i, a] += 1
                        want[e[1], f[1]] += 1
    # The reference works in float64, the kernel in float32: allow the rare edge within a rounding
    # step of a tolerance to land on the other side.
    assert np.abs(got.astype(np.int64) - want).sum() <= 2
    assert got.sum() > 0
    # the probe hash (match_many) and the probe grid (one-off calls) find exactly the same votes
    np.testing.assert_array_equal(got, again)
