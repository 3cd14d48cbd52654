"""biocore.matching.explain: the same score as match(), the true correspondences, the root's turn."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import biocore
from biocore.errors import InvalidTemplate
from biocore.matching import DEFAULT_PARAMETERS, explain, match

from .synthetic import random_template, transformed


def test_score_equals_match_for_genuine_and_impostor_pairs():
    rng = np.random.default_rng(21)
    other = dataclasses.replace(DEFAULT_PARAMETERS, overlap_cell_px=0.0, weight_mcc=500.0)
    for _ in range(5):
        t = random_template(rng)
        for c in (transformed(t, rng, rotation_rad=1.0, jitter_px=2.0, keep=0.8, spurious=6), random_template(rng)):
            assert explain(t, c).score == match(t, c)
            e = explain(t, c, parameters=other)
            assert e.score == match(t, c, parameters=other)
            assert e.score == pytest.approx(e.edge_evidence + 500.0 * e.mcc_score, rel=1e-6)


def test_pairs_are_the_true_correspondences_and_the_turn_is_the_applied_one():
    rng = np.random.default_rng(4)
    for angle in (0.3, -1.2, 2.9):
        t = random_template(rng)
        c = transformed(t, rng, rotation_rad=angle, jitter_px=1.5, jitter_rad=0.05)
        assert len(c) == len(t)  # nothing pushed out: minutia i of c is minutia i of t
        e = explain(t, c)
        assert len(e.pairs) >= 0.8 * len(t)
        assert np.mean(e.pairs[:, 0] == e.pairs[:, 1]) >= 0.95
        assert abs(np.angle(np.exp(1j * (e.rotation_rad - angle)))) < 0.15


def test_pairs_index_the_templates_as_given_when_minutiae_are_left_out():
    rng = np.random.default_rng(8)
    t = random_template(rng, n=60)
    # rate the first 20 minutiae 1: the matcher leaves them out (drop_quality_at_most)
    q = t.quality.copy()
    q[:20] = 1
    rated = biocore.Template(x=t.x, y=t.y, angle=t.angle, kind=t.kind, quality=q, width=t.width, height=t.height)
    e = explain(rated, rated)
    assert len(e.pairs) >= 35
    assert (e.pairs[:, 0] >= 20).all() and (e.pairs[:, 0] == e.pairs[:, 1]).all()


def test_empty_templates_explain_a_zero_score_without_pairs():
    t = random_template(np.random.default_rng(0))
    e = explain(t, biocore.Template())
    assert e.score == 0.0 and e.pairs.shape == (0, 2) and e.rotation_rad == 0.0


def test_non_templates_raise_invalid_template():
    t = random_template(np.random.default_rng(0))
    with pytest.raises(InvalidTemplate, match="candidate"):
        explain(t, [1, 2, 3])
