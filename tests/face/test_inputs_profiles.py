from __future__ import annotations

import math

import numpy as np
import pytest

from biocore import face
from biocore.errors import InvalidArgument, InvalidImage, MissingDependency
from biocore.face.profiles import Limit

from . import portraits as P

needs_backend = pytest.mark.skipif(not face.available_backends(), reason="needs the 'face' extra")


@pytest.mark.parametrize(
    "bad",
    [
        np.zeros((10, 10, 3), np.uint8),
        np.zeros(100, np.uint8),
        np.zeros((100, 100, 2), np.uint8),
        np.zeros((100, 100, 3), np.int64),
        np.full((100, 100), np.nan),
        "not-an-image.png",
        3.5,
        [1, 2],
    ],
)
def test_bad_images_raise_invalid_image(bad):
    with pytest.raises(InvalidImage):
        face.assess(bad)


def test_corrupt_file_raises(tmp_path):
    p = tmp_path / "broken.jpg"
    p.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    with pytest.raises(InvalidImage, match="broken.jpg"):
        face.assess(p)


@needs_backend
def test_path_input_matches_array(tmp_path):
    import cv2

    p = tmp_path / "portrait.png"
    cv2.imwrite(str(p), P.portrait()[:, :, ::-1])
    a, b = face.assess(p), face.assess(P.portrait())
    assert a.measures["roll"].value == pytest.approx(b.measures["roll"].value)


@needs_backend
def test_float_and_uint16_inputs_are_scaled():
    img = P.portrait()
    r8 = face.assess(img)
    rf = face.assess(img.astype(np.float64) / 255.0)
    r16 = face.assess(img.astype(np.uint16) * 257)
    assert rf.measures["luminance_mean"].value == pytest.approx(
        r8.measures["luminance_mean"].value, abs=1e-3
    )
    assert r16.measures["luminance_mean"].value == pytest.approx(
        r8.measures["luminance_mean"].value, abs=1e-3
    )


def test_bad_keywords_raise():
    with pytest.raises(InvalidArgument):
        face.assess(P.portrait(), profile="strict")
    with pytest.raises(InvalidArgument):
        face.assess(P.portrait(), channels="rgba")
    with pytest.raises(InvalidArgument):
        face.assess(P.portrait(), backend="yolo")


def test_missing_extra_names_it(monkeypatch):
    import builtins

    from biocore.face import backends

    real_import = builtins.__import__

    def no_dlib(name, *args, **kwargs):
        if name == "dlib":
            raise ImportError("No module named 'dlib'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dlib)
    with pytest.raises(MissingDependency, match=r"biocore\[face\]"):
        backends.DlibBackend()


def _naive_score(lo, hi, soft, v):
    if lo <= v <= hi:
        return 100.0
    d = lo - v if v < lo else v - hi
    return max(0.0, 100.0 * (1 - d / soft))


@pytest.mark.parametrize("v", [-3.0, 0.0, 0.5, 1.0, 1.2, 2.0, 5.0])
def test_limit_score_matches_reference(v):
    lim = Limit(0.0, 1.0, 0.5)
    assert lim.score(v) == pytest.approx(_naive_score(0.0, 1.0, 0.5, v))
    assert lim.accepts(v) == (0.0 <= v <= 1.0)
    assert lim.score(math.nan) == 0.0 and not lim.accepts(math.nan)


@needs_backend
def test_profile_replace_and_drop():
    icao = face.PROFILES["icao"]
    mine = icao.replace(roll=Limit(-20, 20, 5), glasses=None)
    assert mine.limits["roll"] == Limit(-20, 20, 5) and "glasses" not in mine.limits
    assert icao.limits["roll"] != mine.limits["roll"] and "glasses" in icao.limits
    r = face.assess(P.rotate(P.portrait(), 12.0), profile=mine)
    assert r.measures["roll"].passed and "glasses" not in r.measures
    with pytest.raises(InvalidArgument):
        icao.replace(wobble=Limit())
    with pytest.raises(InvalidArgument):
        icao.replace(roll=(1, 2))
    with pytest.raises(TypeError):
        icao.limits["roll"] = Limit()  # type: ignore[index]


def test_missing_model_package_names_the_extra(monkeypatch):
    import importlib.util

    from biocore.face import backends

    pytest.importorskip("dlib")
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "face_recognition_models" else real(name, *a),
    )
    with pytest.raises(MissingDependency, match=r"biocore\[face\].*5-point model"):
        backends.DlibBackend()
