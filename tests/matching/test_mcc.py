"""Minutia Cylinder-Code kernels against a slow NumPy reference, and their invariances."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy.special import erf

from biocore.matching import DEFAULT_PARAMETERS, Matcher, pack
from biocore.matching.parameters import MatchingParameters

from .synthetic import random_template, transformed

STEPS = 65536


def _bits(words: np.ndarray) -> np.ndarray:
    """uint64 words (n, W) -> bits (n, 64 W), bit b of word w at column 64 w + b."""
    return np.unpackbits(np.ascontiguousarray(words).view(np.uint8), axis=1, bitorder="little").astype(bool)


def _reference_cylinders(x, y, steps, prm: MatchingParameters):
    """Cylinder value and validity bits by the definitions (float64, exact erf/exp), layout as native."""
    n, ns, nd = len(x), prm.mcc_cells, prm.mcc_sections
    theta = steps * 2 * np.pi / STEPS
    step = 2 * prm.mcc_radius_px / ns
    half = (ns - 1) / 2
    sig, sd = prm.mcc_sigma_space_px, prm.mcc_sigma_direction_rad
    width = 2 * np.pi / nd
    # convex hull as outward lines (the native test: every line within the margin)
    from scipy.spatial import ConvexHull

    hull = ConvexHull(np.column_stack([x, y]))
    lines = hull.equations  # a x + b y + c <= 0 inside, unit normals
    bits = np.zeros((n, nd, ns, ns), bool)
    valid = np.zeros((n, nd, ns, ns), bool)
    for m in range(n):
        c, s = math.cos(theta[m]), math.sin(theta[m])
        neighbours = [t for t in range(n) if t != m and math.hypot(x[t] - x[m], y[t] - y[m]) <= prm.mcc_radius_px + 3 * sig]
        cells = 0
        for i in range(ns):
            for j in range(ns):
                u, w = (i - half) * step, (j - half) * step
                if u * u + w * w > prm.mcc_radius_px**2:
                    continue
                px, py = x[m] + u * c - w * s, y[m] - (u * s + w * c)
                if np.max(lines[:, 0] * px + lines[:, 1] * py + lines[:, 2]) > prm.mcc_hull_margin_px:
                    continue
                cells += 1
                valid[m, :, i, j] = True
                for k in range(nd):
                    total = 0.0
                    for t in neighbours:
                        d = math.hypot(x[t] - px, y[t] - py)
                        if d > 3 * sig:
                            continue
                        gs = math.exp(-d * d / (2 * sig * sig)) / (sig * math.sqrt(2 * np.pi))
                        rel = math.remainder(theta[m] - theta[t], 2 * np.pi)
                        alpha = math.remainder(-np.pi + (k + 0.5) * width - rel, 2 * np.pi)
                        gd = 0.5 * (erf((alpha + width / 2) / (sd * math.sqrt(2))) - erf((alpha - width / 2) / (sd * math.sqrt(2))))
                        total += gs * gd
                    bits[m, k, i, j] = total > prm.mcc_bit_threshold
        disc = sum((((i - half) * step) ** 2 + ((j - half) * step) ** 2 <= prm.mcc_radius_px**2)
                   for i in range(ns) for j in range(ns))
        if len(neighbours) < prm.mcc_min_neighbors or cells < prm.mcc_min_valid_cells * disc:
            bits[m] = valid[m] = False
    return bits.reshape(n, -1), valid.reshape(n, -1)


SMALL = MatchingParameters(mcc_cells=8, mcc_sections=4)


@pytest.mark.parametrize("seed", [0, 1])
def test_cylinders_match_reference(seed):
    rng = np.random.default_rng(seed)
    t = random_template(rng, n=14, size=220)
    packed = pack([t], parameters=SMALL)
    got = _bits(packed.cylinders)
    words = packed.cylinders.shape[1] // 2
    bits = SMALL.mcc_cells**2 * SMALL.mcc_sections
    got_bits, got_valid = got[:, :bits], got[:, 64 * words: 64 * words + bits]
    want_bits, want_valid = _reference_cylinders(packed.x.astype(float), packed.y.astype(float),
                                                 packed.angle.astype(float), SMALL)
    assert want_valid.any() and want_bits.any()
    assert np.array_equal(got_valid, want_valid)
    # direction contributions come from a 1024-bin table: a cell within rounding of the threshold may flip
    assert np.count_nonzero(got_bits != want_bits) <= 0.005 * got_bits.size


def _reference_similarity(a_bits, a_valid, a_angle, b_bits, b_valid, b_angle, prm: MatchingParameters):
    if abs(math.remainder((a_angle - b_angle) * 2 * np.pi / STEPS, 2 * np.pi)) > prm.mcc_max_rotation_rad + 1e-4:
        return 0.0
    both = a_valid & b_valid
    ca, cb = a_bits & both, b_bits & both
    na, nb, nx = ca.sum(), cb.sum(), (ca ^ cb).sum()
    if both.sum() < prm.mcc_min_matchable * _disc_cells(prm) * prm.mcc_sections or na + nb == 0:
        return 0.0
    return 1 - math.sqrt(nx) / (math.sqrt(na) + math.sqrt(nb))


def _disc_cells(prm: MatchingParameters) -> int:
    ns, step = prm.mcc_cells, 2 * prm.mcc_radius_px / prm.mcc_cells
    half = (ns - 1) / 2
    return sum((((i - half) * step) ** 2 + ((j - half) * step) ** 2 <= prm.mcc_radius_px**2)
               for i in range(ns) for j in range(ns))


def _sigmoid(v, mu, tau):
    return 1 / (1 + math.exp(-tau * (v - mu)))


def _reference_lssr(a, b, prm: MatchingParameters):
    """LSS-R (Cappelli et al. 2010) from packed single templates a, b, exact arithmetic."""
    na, nb = a.x.shape[0], b.x.shape[0]  # minutiae (each pack holds one template)
    words = a.cylinders.shape[1] // 2
    ab, bb = _bits(a.cylinders), _bits(b.cylinders)
    sim = np.zeros((na, nb))
    for i in range(na):
        for j in range(nb):
            sim[i, j] = _reference_similarity(ab[i, :64 * words], ab[i, 64 * words:], int(a.angle[i]),
                                              bb[j, :64 * words], bb[j, 64 * words:], int(b.angle[j]), prm)
    flat = [(-sim[i, j], i * nb + j) for i in range(na) for j in range(nb) if sim[i, j] > 0]
    if not flat:
        return 0.0
    flat.sort()
    nr = min(na, nb, 64, len(flat))
    pairs = [(k // nb, k % nb) for _, k in flat[:nr]]
    lam0 = np.array([sim[i, j] for i, j in pairs])
    ang = lambda v: v * 2 * np.pi / STEPS  # noqa: E731
    rho = np.zeros((nr, nr))
    for r, (i1, j1) in enumerate(pairs):
        for q, (i2, j2) in enumerate(pairs):
            if q == r:
                continue
            da = math.hypot(a.x[i2] - a.x[i1], a.y[i2] - a.y[i1])
            db = math.hypot(b.x[j2] - b.x[j1], b.y[j2] - b.y[j1])
            d2 = abs(math.remainder(ang(int(a.angle[i1]) - int(a.angle[i2])) - ang(int(b.angle[j1]) - int(b.angle[j2])), 2 * np.pi))
            dir_a = math.atan2(-(a.y[i2] - a.y[i1]), a.x[i2] - a.x[i1])
            dir_b = math.atan2(-(b.y[j2] - b.y[j1]), b.x[j2] - b.x[j1])
            d3 = abs(math.remainder((ang(int(a.angle[i1])) - dir_a) - (ang(int(b.angle[j1])) - dir_b), 2 * np.pi))
            rho[r, q] = (_sigmoid(abs(da - db), prm.relax_distance_mu_px, prm.relax_distance_tau)
                         * _sigmoid(d2, prm.relax_direction_mu_rad, prm.relax_direction_tau)
                         * _sigmoid(d3, prm.relax_radial_mu_rad, prm.relax_radial_tau))
    lam = lam0.copy()
    for _ in range(prm.relax_iterations):
        lam = prm.relax_weight * lam + (1 - prm.relax_weight) / max(nr - 1, 1) * rho @ lam
    n_p = prm.mcc_pairs_min + round(_sigmoid(min(na, nb), prm.mcc_pairs_mu, prm.mcc_pairs_tau)
                                    * (prm.mcc_pairs_max - prm.mcc_pairs_min))
    best = np.argsort(-(lam / lam0), kind="stable")[: min(n_p, nr)]
    return float(lam[best].sum() / n_p)


@pytest.mark.parametrize("seed", [0, 1])
def test_lssr_score_matches_reference(seed):
    rng = np.random.default_rng(seed)
    t = random_template(rng, n=22, size=260)
    other = transformed(t, rng, rotation_rad=0.5, jitter_px=2.0, jitter_rad=0.05, keep=0.85, spurious=3)
    prm = SMALL
    a, b = pack([t], parameters=prm), pack([other], parameters=prm)
    got = Matcher(t, parameters=prm)._prepared.match_packed(
        b.offsets, b.x, b.y, b.angle, b.kind, b.quality, b.edges, b.edge_count, b.cylinders, 1, True)[0, 1]
    want = _reference_lssr(a, b, prm)
    assert want > 0.1
    # tables for the relaxation sigmoids (1/8 px, 64 angle steps a bin) and float32 sums
    assert got == pytest.approx(want, rel=0.03, abs=0.005)


def test_cylinders_invariant_to_rotation_and_translation():
    rng = np.random.default_rng(3)
    t = random_template(rng, n=40)
    # within mcc_max_rotation_rad (beyond it the edge evidence alone carries the score)
    moved = transformed(t, rng, rotation_rad=1.2, shift_px=(40.0, -25.0))
    assert len(moved) == len(t)
    a, b = pack([t]), pack([moved])
    ba, bb = _bits(a.cylinders), _bits(b.cylinders)
    # integer positions after the move: a few cells near a neighbour's reach may change
    agree = np.mean(ba == bb)
    assert agree > 0.97
    prm = DEFAULT_PARAMETERS
    parts = Matcher(t)._prepared.match_packed(b.offsets, b.x, b.y, b.angle, b.kind, b.quality, b.edges, b.edge_count,
                                               b.cylinders, 1, True)
    self_parts = Matcher(t)._prepared.match_packed(a.offsets, a.x, a.y, a.angle, a.kind, a.quality, a.edges, a.edge_count,
                                                    a.cylinders, 1, True)
    assert parts[0, 1] > 0.8 * self_parts[0, 1]
    assert prm.mcc_cells**2 * prm.mcc_sections <= 64 * (a.cylinders.shape[1] // 2)


def test_impostor_mcc_scores_are_low():
    rng = np.random.default_rng(4)
    t, u = random_template(rng), random_template(rng)
    b = pack([u])
    parts = Matcher(t)._prepared.match_packed(b.offsets, b.x, b.y, b.angle, b.kind, b.quality, b.edges, b.edge_count,
                                               b.cylinders, 1, True)
    assert parts[0, 1] < 0.1


def test_one_off_cache_is_bounded_and_agrees_with_the_uncached_path():
    from biocore.matching import match
    from biocore.matching import matcher as matcher_module

    rng = np.random.default_rng(5)
    t = random_template(rng)
    others = [transformed(t, rng, rotation_rad=0.4, jitter_px=1.5, keep=0.8) for _ in range(3)]
    explicit = dataclasses.replace(DEFAULT_PARAMETERS)  # equal values, not the default object: no cache
    for o in others:
        assert match(t, o) == pytest.approx(match(t, o, parameters=explicit), rel=1e-6)
    for _ in range(matcher_module._PREPARED_CACHE_SIZE + 20):
        match(t, random_template(rng, n=8))
    assert len(matcher_module._prepared_cache) <= matcher_module._PREPARED_CACHE_SIZE


def _reference_selection(quality, qmin, nmin, floor):
    q = [int(v) for v in quality]
    if not any(q):
        return list(range(len(q)))
    best_first = sorted(range(len(q)), key=lambda i: (-q[i], i))
    keep = max(min(nmin, len(q)), sum(v >= qmin for v in q))
    return sorted(i for i in best_first[:keep] if not 1 <= q[i] <= floor)


@pytest.mark.parametrize("floor", [0, 1, 4])
def test_minutia_selection_matches_reference_and_is_idempotent(floor):
    from biocore.matching.packing import selected_minutiae

    rng = np.random.default_rng(6)
    prm = dataclasses.replace(DEFAULT_PARAMETERS, min_minutia_quality=30, min_minutiae_kept=6, drop_quality_at_most=floor)
    counts = [0, 3, 10, 25, 8, 12]
    qualities = [rng.integers(0, 60, n) for n in counts]
    qualities[4][:] = 0  # not rated: all kept
    qualities[5][:6] = rng.integers(1, 5, 6)  # low ratings that the floor drops
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    quality = np.concatenate(qualities).astype(np.uint8)
    keep = selected_minutiae(offsets, quality, prm)
    want = np.zeros(quality.shape[0], bool)
    for k, q in enumerate(qualities):
        want[offsets[k] + np.array(_reference_selection(q, 30, 6, floor), np.int64)] = True
    np.testing.assert_array_equal(keep, want)
    templates = [random_template(rng, n=n) for n in counts]
    templates = [biocore_template_with_quality(t, q) for t, q in zip(templates, qualities)]
    once = pack(templates, parameters=prm)
    again = type(once).from_minutiae(**once.minutiae_arrays(), parameters=prm)
    np.testing.assert_array_equal(once.offsets, again.offsets)
    np.testing.assert_array_equal(once.x, again.x)
    assert once.offsets[-1] == want.sum()


def biocore_template_with_quality(t, quality):
    import biocore

    return biocore.Template(x=t.x, y=t.y, angle=t.angle, kind=t.kind, quality=quality, width=t.width,
                            height=t.height, dpi=t.dpi)


def test_vector_cylinder_scan_gives_the_scalar_scores():
    """The AVX-512 code (cylinder scan, compatibility filter, edge agreement) scores every pair
    exactly as the scalar code."""
    from biocore._native import _core

    rng = np.random.default_rng(7)
    templates = [random_template(rng, n=int(n)) for n in rng.integers(5, 70, 12)]
    templates += [transformed(t, rng, rotation_rad=float(rng.uniform(-2.5, 2.5)), jitter_px=2.0, keep=0.8, spurious=4)
                  for t in templates[:6]]
    b = pack(templates)

    def all_parts(arranged=False):
        # arranged: the cylinders as pack arranged them (else arranged again in every comparison)
        kw = {"mcc_keys": b.mcc_keys, "mcc_words": b.mcc_words} if arranged else {}
        return np.stack([Matcher(t)._prepared.match_packed(b.offsets, b.x, b.y, b.angle, b.kind, b.quality,
                                                            b.edges, b.edge_count, b.cylinders, 1, True, **kw) for t in templates])

    try:
        if not _core.mcc_vector_scan(True):
            pytest.skip("no AVX-512 VPOPCNTDQ on this processor: only the scalar scan runs")
        vector = all_parts()
        arranged = all_parts(arranged=True)
        assert not _core.mcc_vector_scan(False)
        scalar = all_parts()
    finally:
        _core.mcc_vector_scan(True)
    assert np.count_nonzero(scalar[:, :, 1] > 0.3) >= 10  # genuine-like pairs among them
    np.testing.assert_array_equal(vector, scalar)
    np.testing.assert_array_equal(arranged, scalar)


def test_arranged_cylinders_follow_direction_order():
    """pack's mcc_keys order each template's minutiae by direction and mcc_words hold their
    cylinder words in that order, transposed (validity word last), zeros past the template."""
    rng = np.random.default_rng(3)
    templates = [random_template(rng, n=int(n)) for n in (0, 5, 17, 40)]
    b = pack(templates)
    words = b.cylinders.shape[1] // 2
    assert DEFAULT_PARAMETERS.mcc_cells ** 2 == 64  # one word per section: the vector layout exists
    at = 0
    for t in range(len(templates)):
        lo, hi = int(b.offsets[t]), int(b.offsets[t + 1])
        n = hi - lo
        keys = b.mcc_keys[lo:hi]
        want = np.sort((b.angle[lo:hi].astype(np.uint32) << 16) | np.arange(n, dtype=np.uint32))
        np.testing.assert_array_equal(keys, want)
        stride = (n + 15) & ~7
        block = b.mcc_words[at:at + (words + 1) * stride].reshape(words + 1, stride)
        at += (words + 1) * stride
        cyl = b.cylinders[lo:hi][keys & 0xFFFF]
        np.testing.assert_array_equal(block[:, :n].T, cyl[:, :words + 1])
        assert not block[:, n:].any()
    assert at == b.mcc_words.shape[0]
