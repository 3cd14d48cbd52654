"""Template validation, immutability, equality and the exact compact round trip."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import biocore
from biocore import Template
from biocore.errors import InvalidTemplate


def make(n=3, **kw):
    args = dict(
        x=np.arange(n) * 10, y=np.arange(n) * 7 + 1, angle=np.linspace(0, 6, n), kind=[1, 2, 0][:n] + [1] * max(0, n - 3),
        quality=np.full(n, 60), width=400, height=500, dpi=500, finger=2, image_quality=55,
    )
    args.update(kw)
    return Template(**args)


def test_fields_have_fixed_dtypes_and_are_read_only():
    t = make()
    assert (t.x.dtype, t.y.dtype, t.angle.dtype, t.kind.dtype, t.quality.dtype) == (
        np.int32, np.int32, np.float32, np.uint8, np.uint8,
    )
    with pytest.raises(ValueError):
        t.x[0] = 1
    with pytest.raises(AttributeError):
        t.width = 3


def test_angles_wrap_into_one_turn():
    t = make(angle=[-math.pi / 2, 2 * math.pi, 7.0])
    np.testing.assert_allclose(t.angle, [1.5 * math.pi, 0.0, 7.0 - 2 * math.pi], atol=1e-4)
    assert np.all((t.angle >= 0) & (t.angle < 2 * math.pi))


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(x=[1, 2]), "y: expected 2 values"),
        (dict(x=[-1, 2, 3]), "x: expected values in"),
        (dict(x=[1, 2, 400]), r"x: expected values in \[0, 399\]"),
        (dict(y=[1, 2, 500]), "y: expected values in"),
        (dict(x=[1.5, 2, 3]), "x: expected whole numbers"),
        (dict(angle=[0, np.nan, 1]), "angle: contains NaN"),
        (dict(kind=[0, 1, 3]), "kind: expected values in"),
        (dict(quality=[0, 101, 3]), "quality: expected values in"),
        (dict(finger=11), "finger: expected an integer in"),
        (dict(dpi=0), "dpi: expected an integer in"),
        (dict(image_quality=-1), "image_quality"),
        (dict(width="wide"), "width: expected an integer"),
        (dict(x=[[1, 2, 3]]), "x: expected a 1-D array"),
        (dict(x=["a", "b", "c"]), "x: expected numbers"),
    ],
)
def test_validation_names_the_field(change, message):
    with pytest.raises(InvalidTemplate, match=message):
        make(**change)


def test_equality_compares_every_field():
    t = make()
    assert t == make()
    assert t != make(finger=3)
    assert t != make(quality=[60, 60, 61])
    assert t != make(angle=[0, 3, 6.1])
    assert t != "not a template"


def test_replace_and_select():
    t = make()
    assert t.replace(finger=7).finger == 7 and t.replace(finger=7).x.tolist() == t.x.tolist()
    sub = t.select(t.kind == 1)
    assert len(sub) == 1 and sub.x[0] == t.x[0]
    with pytest.raises(InvalidTemplate, match="unknown field"):
        t.replace(colour=1)


def test_empty_template_round_trips():
    t = Template(width=300, height=300)
    assert len(t) == 0
    assert Template.from_bytes(t.to_bytes()) == t


def test_compact_record_size_is_header_plus_8_bytes_a_minutia():
    assert len(make(n=3).to_bytes()) == 20 + 8 * 3


minutiae = st.integers(0, 300).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 4095), min_size=n, max_size=n),
        st.lists(st.integers(0, 4095), min_size=n, max_size=n),
        st.lists(st.floats(-10, 10, allow_nan=False), min_size=n, max_size=n),
        st.lists(st.integers(0, 2), min_size=n, max_size=n),
        st.lists(st.integers(0, 100), min_size=n, max_size=n),
    )
)


@settings(max_examples=60, deadline=None)
@given(minutiae, st.integers(0, 10), st.integers(0, 100), st.integers(1, 2000))
def test_compact_round_trip_is_exact(m, finger, iq, dpi):
    x, y, a, k, q = m
    t = Template(x, y, a, k, q, width=4096, height=4096, dpi=dpi, finger=finger, image_quality=iq)
    back = Template.from_bytes(t.to_bytes())
    assert back == t
    [again] = biocore.templates.decode(biocore.templates.encode(t, "biocore"))
    assert again == t


def test_decoding_detects_corruption():
    data = bytearray(make().to_bytes())
    for i in range(len(data)):
        bad = bytearray(data)
        bad[i] ^= 0x10
        with pytest.raises(InvalidTemplate):
            Template.from_bytes(bytes(bad))
    for cut in range(len(data)):
        with pytest.raises(InvalidTemplate):
            Template.from_bytes(bytes(data[:cut]))
    with pytest.raises(InvalidTemplate, match="trailing"):
        Template.from_bytes(bytes(data) + b"\0")


def test_several_records_decode_in_order():
    a, b = make(finger=1), make(n=2, finger=6)
    assert biocore.templates.decode(biocore.templates.encode([a, b], "biocore")) == [a, b]


def test_unknown_format_is_a_clear_error():
    with pytest.raises(biocore.errors.UnsupportedFormat, match="fmt: expected one of"):
        biocore.templates.encode(make(), "jpeg")
    with pytest.raises(biocore.errors.UnsupportedFormat, match="could not detect"):
        biocore.templates.decode(b"\x00\x01\x02\x03 not a template")


def test_pickle_round_trip_keeps_fields_and_immutability():
    import pickle

    t = make()
    back = pickle.loads(pickle.dumps(t))
    assert back == t and back is not t
    with pytest.raises(ValueError):
        back.x[0] = 1
