"""Property tests: Template -> bytes -> Template is exact up to each format's quantisation."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import biocore
from biocore import Template

from .vectors import ANGLE_UNIT_DEG, STANDARD_FORMATS


@st.composite
def templates(draw, max_minutiae=255):
    n = draw(st.integers(0, max_minutiae))
    width = draw(st.integers(1, 16384))
    height = draw(st.integers(1, 16384))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    return Template(
        x=rng.integers(0, width, n), y=rng.integers(0, height, n), angle=rng.uniform(0, 2 * np.pi, n),
        kind=rng.integers(0, 3, n), quality=rng.integers(0, 101, n), width=width, height=height,
        dpi=draw(st.sampled_from([250, 500, 569, 1000, draw(st.integers(1, 4000))])),
        finger=draw(st.integers(0, 10)), image_quality=draw(st.integers(0, 100)),
    )


def _angle_error_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d = np.degrees(a.astype(np.float64) - b.astype(np.float64))
    return np.abs((d + 180.0) % 360.0 - 180.0)


def _assert_same_up_to_quantisation(t: Template, u: Template, fmt: str) -> None:
    assert (u.x.tolist(), u.y.tolist(), u.kind.tolist(), u.quality.tolist()) == (
        t.x.tolist(), t.y.tolist(), t.kind.tolist(), t.quality.tolist())
    assert (u.width, u.height, u.finger, u.image_quality) == (t.width, t.height, t.finger, t.image_quality)
    assert round(u.dpi / 2.54) == max(1, round(t.dpi / 2.54))  # px/cm (at least 1) is what the standards hold
    if len(t):
        assert _angle_error_deg(t.angle, u.angle).max() <= ANGLE_UNIT_DEG[fmt] / 2 + 1e-3


@settings(max_examples=40, deadline=None)
@given(templates(), st.sampled_from(STANDARD_FORMATS))
def test_standard_round_trip_is_exact_up_to_quantisation(t, fmt):
    data = biocore.templates.encode(t, fmt)
    [u] = biocore.templates.decode(data)  # detection included
    _assert_same_up_to_quantisation(t, u, fmt)
    # Once quantised, a template round-trips bit for bit.
    assert biocore.templates.encode(u, fmt) == data
    assert biocore.templates.decode(biocore.templates.encode(u, fmt)) == [u]


@settings(max_examples=15, deadline=None)
@given(st.lists(templates(max_minutiae=40), min_size=1, max_size=6), st.sampled_from(["iso19794-2:2011", "ansi378:2009"]))
def test_multi_view_round_trip(ts, fmt):
    ts = [t.replace(finger=i % 11) for i, t in enumerate(ts)]
    us = biocore.templates.decode(biocore.templates.encode(ts, fmt))
    assert len(us) == len(ts)
    for t, u in zip(ts, us):
        _assert_same_up_to_quantisation(t, u, fmt)


@settings(max_examples=40, deadline=None)
@given(st.lists(templates(max_minutiae=60), min_size=1, max_size=5))
def test_biocore_round_trip_is_exact(ts):
    assert biocore.templates.decode(biocore.templates.encode(ts, "biocore")) == ts


def test_common_resolutions_survive_px_per_cm():
    for dpi in (250, 300, 500, 569, 600, 1000, 1016):
        t = Template(x=[1], y=[1], angle=[0.0], dpi=dpi)
        [u] = biocore.templates.decode(biocore.templates.encode(t, "iso19794-2:2005"))
        assert u.dpi == dpi, dpi


def test_angle_rounding_is_to_nearest_step():
    # 1.40625 deg steps: 0.70 deg rounds down to 0, 0.71 up to 1; ANSI 2 deg: 0.99 -> 0, 1.01 -> 1.
    deg = np.array([0.70, 0.71, 359.9])
    t = Template(x=[1, 2, 3], y=[1, 2, 3], angle=np.radians(deg))
    iso = biocore.templates.encode(t, "iso19794-2:2005")
    assert [iso[28 + 6 * i + 4] for i in range(3)] == [0, 1, 0]
    t = Template(x=[1, 2], y=[1, 2], angle=np.radians([0.99, 1.01]))
    ansi = biocore.templates.encode(t, "ansi378:2004")
    assert [ansi[30 + 6 * i + 4] for i in range(2)] == [0, 1]
    assert math.isclose(float(biocore.templates.decode(ansi)[0].angle[1]), math.radians(2.0), abs_tol=1e-4)
