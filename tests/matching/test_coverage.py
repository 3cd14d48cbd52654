"""Coverage: minutiae outside the common area and low-rated minutiae dilute the score less."""

from __future__ import annotations

import dataclasses

import numpy as np

import biocore
from biocore.matching import DEFAULT_PARAMETERS, match

from .synthetic import random_template, transformed

ALL_COUNT = dataclasses.replace(DEFAULT_PARAMETERS, overlap_cell_px=0.0)
UNWEIGHTED = dataclasses.replace(DEFAULT_PARAMETERS, coverage_quality_ref=0.0, min_minutia_quality=0)


def _with(t: biocore.Template, keep: np.ndarray, extra_xy: np.ndarray, rng, quality: int = 60) -> biocore.Template:
    """``t``'s minutiae in ``keep`` plus random minutiae at ``extra_xy``, all rated ``quality`` (extras) / t's."""
    n = len(extra_xy)
    return biocore.Template(
        x=np.concatenate([t.x[keep], extra_xy[:, 0]]).astype(int),
        y=np.concatenate([t.y[keep], extra_xy[:, 1]]).astype(int),
        angle=np.concatenate([t.angle[keep], rng.uniform(0, 2 * np.pi, n)]),
        kind=np.concatenate([t.kind[keep], rng.integers(1, 3, n)]),
        quality=np.concatenate([t.quality[keep], np.full(n, quality)]),
        width=800, height=800,
    )


def test_minutiae_outside_the_common_area_do_not_dilute_coverage():
    rng = np.random.default_rng(5)
    raised = []
    for _ in range(6):
        t = random_template(rng)  # 45 minutiae over 320 x 320 px
        # the candidate shows t's left half and a region t does not have (x 520-780)
        part = _with(t, t.x < 170, np.column_stack([rng.uniform(520, 780, 30), rng.uniform(20, 300, 30)]), rng)
        on, off = match(t, part), match(t, part, parameters=ALL_COUNT)
        raised.append(on / off)
    assert min(raised) > 1.05


def test_a_cell_larger_than_the_prints_counts_every_minutia():
    rng = np.random.default_rng(9)
    huge = dataclasses.replace(DEFAULT_PARAMETERS, overlap_cell_px=10_000.0)
    for _ in range(6):
        t = random_template(rng)
        for other in (transformed(t, rng, rotation_rad=0.4, jitter_px=2.0, keep=0.7, spurious=8), random_template(rng)):
            assert match(t, other, parameters=huge) == match(t, other, parameters=ALL_COUNT)


def test_low_rated_minutiae_dilute_coverage_less():
    rng = np.random.default_rng(13)
    for _ in range(6):
        t = random_template(rng)
        spurious = np.column_stack([rng.uniform(20, 300, 30), rng.uniform(20, 300, 30)])
        state = rng.bit_generator.state
        low = _with(t, np.ones(len(t), bool), spurious, rng, quality=5)
        rng.bit_generator.state = state
        high = _with(t, np.ones(len(t), bool), spurious, rng, quality=90)
        weighted = dataclasses.replace(DEFAULT_PARAMETERS, min_minutia_quality=0)
        assert match(t, low, parameters=weighted) > match(t, high, parameters=weighted)
        # with every minutia weighing 1, the ratings change nothing
        assert match(t, low, parameters=UNWEIGHTED) == match(t, high, parameters=UNWEIGHTED)
