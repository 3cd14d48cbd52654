"""The matcher's behaviour: genuine vs impostor, invariances, symmetry, batch = one-off, bad input."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import biocore
from biocore.errors import InvalidArgument, InvalidTemplate
from biocore.matching import Matcher, match, pack, threshold_for_fmr

from .synthetic import random_template, transformed


def _genuine(t, rng):
    return transformed(
        t, rng, rotation_rad=rng.uniform(-np.pi, np.pi), shift_px=tuple(rng.uniform(-60, 60, 2)), jitter_px=2.0,
        jitter_rad=0.08, keep=0.8, spurious=5,
    )


def test_genuine_above_and_impostor_below_the_fmr_1e3_threshold():
    rng = np.random.default_rng(7)
    t3 = threshold_for_fmr(1e-3)
    for _ in range(12):
        t = random_template(rng)
        assert match(t, _genuine(t, rng)) > t3
        assert match(t, random_template(rng)) < t3


def test_invariant_to_rotation_and_translation():
    rng = np.random.default_rng(3)
    t = random_template(rng)
    self_score = match(t, t)
    for angle in (0.3, 1.7, np.pi, -2.5):
        moved = transformed(t, rng, rotation_rad=angle, shift_px=(35.0, -20.0))
        assert len(moved) == len(t)
        # only the rounding of positions to whole pixels differs
        assert match(t, moved) == pytest.approx(self_score, rel=0.1)


def test_scores_are_symmetric_up_to_growth_ties():
    rng = np.random.default_rng(11)
    diffs = []
    for _ in range(10):
        t = random_template(rng)
        for other in (_genuine(t, rng), random_template(rng)):
            a, b = match(t, other), match(other, t)
            diffs.append(abs(a - b) / max(a, b, 1.0))
    # documented in biocore.matching.matcher: equal up to ties in the growth order
    assert max(diffs) <= 0.15 and np.median(diffs) <= 0.02


def test_empty_templates_score_zero():
    rng = np.random.default_rng(0)
    t = random_template(rng)
    empty = biocore.Template()
    assert match(t, empty) == 0.0 and match(empty, t) == 0.0 and match(empty, empty) == 0.0
    np.testing.assert_array_equal(Matcher(empty).match_many([t, empty]), [0.0, 0.0])
    assert Matcher(t).match_many([empty])[0] == 0.0


def test_resolution_is_normalised():
    rng = np.random.default_rng(5)
    t = random_template(rng)
    other = _genuine(t, rng)
    at_1000 = other.replace(x=other.x * 2, y=other.y * 2, width=other.width * 2, height=other.height * 2, dpi=1000)
    assert match(t, at_1000) == pytest.approx(match(t, other), rel=0.02)


def test_match_many_equals_one_off_and_is_thread_independent():
    rng = np.random.default_rng(9)
    t = random_template(rng)
    candidates = [_genuine(t, rng) for _ in range(6)] + [random_template(rng) for _ in range(6)] + [biocore.Template()]
    m = Matcher(t)
    one_off = np.array([match(t, c) for c in candidates], np.float32)
    packed = pack(candidates)
    for threads in (1, 2, 0):
        out = m.match_many(packed, threads=threads)
        assert out.dtype == np.float32 and out.shape == (len(candidates),)
        np.testing.assert_array_equal(out, one_off)
    np.testing.assert_array_equal(m.match_many(candidates), one_off)
    assert m.match(candidates[0]) == pytest.approx(float(one_off[0]))
    assert m.match_many([]).shape == (0,)


@pytest.mark.parametrize("dpi", [569, 333])
def test_match_many_equals_one_off_at_other_resolutions(dpi):
    # packing scales candidates to 500 ppi in Python, the one-off path in C++: both must round the
    # same way, or positions on a tolerance's edge pair differently
    rng = np.random.default_rng(dpi)
    t = random_template(rng).replace(dpi=dpi)
    candidates = [_genuine(t, rng).replace(dpi=dpi) for _ in range(20)] + [
        random_template(rng).replace(dpi=dpi) for _ in range(20)
    ]
    one_off = np.array([match(t, c) for c in candidates], np.float32)
    np.testing.assert_array_equal(Matcher(t).match_many(candidates, threads=1), one_off)


def test_cached_and_uncached_one_off_paths_agree_with_match_many():
    # three native vote paths (probe hash, per-pair grid with or without cached prepared
    # templates) must find the same votes, hence the same scores
    rng = np.random.default_rng(21)
    t = random_template(rng)
    candidates = [_genuine(t, rng) for _ in range(4)] + [random_template(rng) for _ in range(4)]
    explicit = dataclasses.replace(biocore.matching.DEFAULT_PARAMETERS)  # same values, uncached path
    cached = np.array([match(t, c) for c in candidates], np.float32)
    uncached = np.array([match(t, c, parameters=explicit) for c in candidates], np.float32)
    np.testing.assert_array_equal(cached, uncached)
    np.testing.assert_array_equal(Matcher(t).match_many(candidates), cached)
    assert cached[:4].min() > cached[4:].max()


def test_packed_minutiae_round_trip():
    rng = np.random.default_rng(2)
    ts = [random_template(rng, n=n) for n in (3, 30, 0, 50)]
    packed = pack(ts)
    again = biocore.matching.PreparedTemplates.from_minutiae(**packed.minutiae_arrays())
    np.testing.assert_array_equal(again.edges, packed.edges)
    np.testing.assert_array_equal(Matcher(ts[1]).match_many(again), Matcher(ts[1]).match_many(packed))
    with pytest.raises(InvalidArgument, match="offsets"):
        biocore.matching.PreparedTemplates.from_minutiae(**{**packed.minutiae_arrays(), "offsets": [0, 5]})


@pytest.mark.parametrize("bad", [None, "template", np.zeros((3, 4)), 1.5])
def test_non_templates_raise_invalid_template(bad):
    t = random_template(np.random.default_rng(1), n=10)
    with pytest.raises(InvalidTemplate, match="probe"):
        match(bad, t)
    with pytest.raises(InvalidTemplate, match="candidate"):
        match(t, bad)
    with pytest.raises(InvalidTemplate, match="probe"):
        Matcher(bad)
    with pytest.raises(InvalidTemplate, match=r"candidates\[1\]"):
        Matcher(t).match_many([t, bad])


def test_mismatched_fields_raise_invalid_template():
    t = random_template(np.random.default_rng(1), n=10)
    broken = biocore.Template._trusted(
        t.x, t.y[:5].copy(), t.angle, t.kind, t.quality, width=t.width, height=t.height, dpi=500, finger=0,
        image_quality=0,
    )
    with pytest.raises(InvalidTemplate):
        match(t, broken)
    with pytest.raises(InvalidTemplate):
        Matcher(t).match_many([broken])


def test_packs_must_share_the_matchers_edge_parameters():
    t = random_template(np.random.default_rng(1), n=10)
    other = dataclasses.replace(biocore.matching.DEFAULT_PARAMETERS, neighbors=5)
    with pytest.raises(InvalidArgument, match="re-pack"):
        Matcher(t).match_many(pack([t], parameters=other))


def test_thresholds_increase_as_fmr_falls():
    values = [threshold_for_fmr(f) for f in (1e-2, 3e-3, 1e-3, 1e-4, 1e-5, 1e-6)]
    assert all(b > a for a, b in zip(values, values[1:]))
    with pytest.raises(InvalidArgument, match="fmr"):
        threshold_for_fmr(0.5)


def test_cascade_leaves_out_cylinders_only_below_its_edge_evidence():
    rng = np.random.default_rng(23)
    t = random_template(rng)
    candidates = [_genuine(t, rng) for _ in range(5)] + [random_template(rng) for _ in range(10)]
    packed = pack(candidates)

    def parts(parameters):
        p = Matcher(t, parameters=parameters)._prepared
        return p.match_packed(packed.offsets, packed.x, packed.y, packed.angle, packed.kind, packed.quality, packed.edges,
                              packed.edge_count, packed.cylinders, 1, True)

    full = parts(None)
    cut = float(np.median(full[:, 0]))
    cascade = parts(dataclasses.replace(biocore.matching.DEFAULT_PARAMETERS, mcc_min_edges=cut))
    below = full[:, 0] < cut
    assert 0 < below.sum() < len(candidates) and (full[below, 1] > 0).all()
    np.testing.assert_array_equal(cascade[:, 0], full[:, 0])
    np.testing.assert_array_equal(cascade[below, 1], 0.0)
    np.testing.assert_array_equal(cascade[~below], full[~below])
