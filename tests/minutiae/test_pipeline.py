from __future__ import annotations

import json
import math

import numpy as np
import pytest

import biocore
from biocore.cli import main
from biocore.errors import BiocoreError, InvalidArgument, InvalidImage
from biocore.templates import MinutiaKind

from .synthetic import dislocation, sinusoid

TRACED = [
    "normalized", "orientation", "reliability", "mask", "frequency", "enhanced", "binary", "skeleton",
    "minutiae_raw", "minutiae",
]


@pytest.mark.parametrize(
    "image, message",
    [
        (np.zeros((100, 100, 3), np.uint8), "2-D"),
        (np.zeros((0, 100), np.uint8), "non-empty"),
        (np.zeros((40, 100), np.uint8), "between 64 and 4096"),
        (np.zeros((64, 5000), np.uint8), "between 64 and 4096"),
        (np.full((100, 100), np.nan), "NaN"),
        (np.full((100, 100), 2.0), "[0, 1]"),
        (np.zeros((100, 100), np.int64), "dtype"),
        ([[1, 2], [3, 4]], "numpy array"),
        ("/no/such/file.png", "does not exist"),
    ],
)
def test_bad_images_raise_invalid_image(image, message):
    with pytest.raises(InvalidImage, match="image") as info:
        biocore.extract(image)
    assert message in str(info.value)


def test_unreadable_file_raises_invalid_image(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("not an image")
    with pytest.raises(InvalidImage, match="not an image"):
        biocore.extract(str(path))


@pytest.mark.parametrize("kwargs", [{"dpi": 50}, {"dpi": 500.0}, {"finger": 11}, {"finger": "left"}])
def test_bad_options_raise_invalid_argument(kwargs):
    with pytest.raises(InvalidArgument):
        biocore.extract(np.zeros((100, 100), np.uint8), **kwargs)


@pytest.mark.parametrize(
    "image",
    [
        np.full((200, 180), 200, np.uint8),
        np.random.default_rng(0).integers(0, 256, (200, 180)).astype(np.uint8),
        np.tile(np.linspace(0, 255, 180), (200, 1)).astype(np.uint8),
    ],
    ids=["flat", "noise", "gradient"],
)
def test_blank_and_non_fingerprint_images_give_an_empty_template(image):
    t = biocore.extract(image, finger=3)
    assert len(t) == 0 and t.image_quality == 0
    assert (t.width, t.height, t.finger) == (180, 200, 3)


def test_uint16_float_and_path_inputs_agree_with_uint8(tmp_path):
    import cv2

    image = dislocation(ridge_at_left=False)
    reference = biocore.extract(image)
    assert biocore.extract(image.astype(np.uint16) * 257) == reference
    assert biocore.extract(image / 255.0) == reference
    cv2.imwrite(str(tmp_path / "f.png"), image)
    assert biocore.extract(tmp_path / "f.png") == reference


def test_template_fields_and_quality_ranges():
    t = biocore.extract(sinusoid((200, 200), angle_rad=0.3, period_px=9.0), finger=2)
    assert (t.width, t.height, t.dpi, t.finger) == (200, 200, 500, 2)
    assert len(t) == 0  # parallel ridges have no minutiae
    assert 60 <= t.image_quality <= 100


def test_every_stage_is_traced_under_its_stable_name():
    image = dislocation(ridge_at_left=True)
    with biocore.trace() as tr:
        t = biocore.extract(image)
    assert all(name in tr for name in TRACED)
    for name in TRACED[:8]:
        assert tr[name].shape == image.shape, name
    assert tr["mask"].dtype == bool and tr["skeleton"].dtype == np.uint8
    assert set(np.unique(tr["binary"])) <= {0, 1}
    assert tr["minutiae"] == t and len(tr["minutiae_raw"]) >= len(t)
    theta = tr["orientation"][60:100, 20:60]  # left of the minutia: horizontal ridges
    assert np.median(np.minimum(theta, np.pi - theta)) < math.radians(5)


def test_cli_extract_writes_template_overlay_and_json(tmp_path, capsys):
    import cv2

    image_path = tmp_path / "finger.png"
    cv2.imwrite(str(image_path), dislocation(ridge_at_left=False))
    out, overlay = tmp_path / "t.bct", tmp_path / "o.png"
    code = main(["extract", str(image_path), "--finger", "2", "--out", str(out), "--overlay", str(overlay), "--json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    [t] = biocore.templates.decode(out.read_bytes())
    assert report["count"] == len(t) >= 1 and t.finger == 2
    assert any(m["kind"] == "bifurcation" for m in report["minutiae"])
    assert cv2.imread(str(overlay)).shape == (320, 320, 3)
    assert main(["extract", str(tmp_path / "missing.png")]) == 2
    assert "does not exist" in capsys.readouterr().err


def _fvc(shared_data, name):
    path = shared_data / "fingerprints" / "fvc2002_db1_b" / name
    if not path.exists():
        pytest.skip(f"evaluation image not present: {path}")
    return path


def test_real_fvc_image_smoke(shared_data):
    # shared_data (tests/conftest.py) skips cleanly where ../shared/data is absent.
    path = _fvc(shared_data, "101_1.tif")
    t = biocore.extract(path)
    assert 15 <= len(t) <= 90
    assert set(np.unique(t.kind)) <= {MinutiaKind.ENDING, MinutiaKind.BIFURCATION}
    assert t.quality.min() >= 0 and t.quality.max() <= 100 and t.image_quality >= 40
    assert np.all((t.x >= 0) & (t.x < 388) & (t.y >= 0) & (t.y < 374))
    # A second impression of the same finger yields a comparable number of minutiae.
    other = biocore.extract(_fvc(shared_data, "101_2.tif"))
    assert 0.5 < len(other) / len(t) < 2.0


def test_errors_are_biocore_errors():
    with pytest.raises(BiocoreError):
        biocore.extract(np.zeros((10, 10), np.uint8))
