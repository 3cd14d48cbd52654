"""finger_quality end to end: monotonic behaviour, feedback triggers, the traced fast path, bad input."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

import biocore
from biocore.errors import InvalidArgument, InvalidImage
from biocore.quality import MESSAGES, TRACE_NAMES, extract_with_quality, finger_quality
from biocore.synth import make_impression, make_master
from tests.conftest import shared_path


@pytest.fixture(scope="module")
def good() -> np.ndarray:
    """A clean synthetic impression, placed near the centre."""
    return np.array(make_impression(make_master(2, finger=2), seed=21, skin=0.0).image)


@pytest.fixture(scope="module")
def real() -> np.ndarray:
    return cv2.imread(str(shared_path("fingerprints", "fvc2002_db2_b", "101_1.tif")), cv2.IMREAD_GRAYSCALE)


def test_result_shape_and_ranges(good):
    q = finger_quality(good)
    assert 0 <= q.score <= 100 and isinstance(q.score, int)
    for name in ("foreground_fraction", "orientation_coherence", "ridge_valley_clarity", "frequency_variation",
                 "contrast_gray", "centre_offset", "ridge_valley_uniformity", "unclear_fraction"):
        assert np.isfinite(q.features[name])
    assert all(f.code in MESSAGES and f.message == MESSAGES[f.code] for f in q.feedback)
    d = q.to_dict()
    assert d["score"] == q.score and len(d["feedback"]) == len(q.feedback)


def test_blank_is_no_finger_with_score_zero():
    for value in (0, 128, 255):
        q = finger_quality(np.full((300, 300), value, np.uint8))
        assert q.score == 0
        assert q.codes == ["no_finger"]


def test_blurring_lowers_the_score(good):
    base = finger_quality(good).score
    blurred = finger_quality(cv2.GaussianBlur(good, (0, 0), 2.5)).score
    assert blurred < base


def test_contrast_reduction_lowers_the_score_and_says_low_contrast(good):
    mean = float(good.mean())
    faint = np.clip(mean + (good.astype(np.float64) - mean) * 0.12, 0, 255).astype(np.uint8)
    q = finger_quality(faint)
    assert q.score < finger_quality(good).score
    assert "low_contrast" in q.codes


def test_crop_to_a_corner_is_partial_or_off_centre(real):
    rows, cols = real.shape
    corner = np.full_like(real, int(np.percentile(real, 99)))
    h, w = rows // 3, cols // 3
    corner[:h, :w] = real[rows // 3 : rows // 3 + h, cols // 3 : cols // 3 + w]
    q = finger_quality(corner)
    assert q.codes and q.codes[0] in ("partial", "off_centre")
    assert q.score < finger_quality(real).score


def test_darkening_and_dilating_ridges_is_too_dark_or_wet(real):
    wet = (cv2.erode(real, np.ones((3, 3), np.uint8), iterations=2) * 0.7).astype(np.uint8)
    q = finger_quality(wet)
    assert "too_dark_or_wet" in q.codes
    assert "too_dark_or_wet" not in finger_quality(real).codes


def _severity(q, code: str) -> float:
    return next((f.severity for f in q.feedback if f.code == code), 0.0)


def test_thinning_ridges_is_too_light_or_dry(real):
    dry = finger_quality(cv2.dilate(real, np.ones((3, 3), np.uint8), iterations=1))
    assert dry.codes[0] == "too_light_or_dry"
    # This print's ridges are a little thin already (duty cycle 0.40): at most a slight verdict.
    original = _severity(finger_quality(real), "too_light_or_dry")
    assert original < 0.2 and _severity(dry, "too_light_or_dry") > original + 0.3


def test_extraction_stores_the_score_and_the_paths_agree(good, real):
    for image, dpi in ((good, 500), (real, 569)):
        alone = finger_quality(image, dpi=dpi)
        template, fast = extract_with_quality(image, dpi=dpi)
        # Extraction scores the capture on the same stage outputs: identical numbers, on the template too.
        assert template.image_quality == fast.score == alone.score > 0
        assert biocore.extract(image, dpi=dpi).image_quality == alone.score
        for name, value in alone.features.items():
            assert fast.features[name] == pytest.approx(value, rel=1e-9, abs=1e-12), name
        assert fast.feedback == alone.feedback
        assert fast.features["minutiae_count"] == len(template)
        with biocore.trace(*TRACE_NAMES) as t:
            biocore.extract(image, dpi=dpi)
        assert finger_quality(image, dpi=dpi, stages=t) == fast


def test_blank_capture_through_the_traced_path_is_no_finger():
    blank = np.full((200, 200), 230, np.uint8)
    template, q = extract_with_quality(blank)
    assert template.image_quality == q.score == 0 and q.codes == ["no_finger"]


def test_dpi_is_honoured(real):
    # The same print at a declared 1000 ppi is resampled to half size: a smaller finger area.
    assert finger_quality(real, dpi=1000).features["area_mm2"] < finger_quality(real).features["area_mm2"]


@pytest.mark.parametrize(
    "bad",
    [None, "not-a-file.png", np.zeros((10, 10), np.uint8), np.zeros((100, 100, 3), np.uint8),
     np.full((100, 100), np.nan), np.zeros((100, 100), np.int64), [[1, 2], [3, 4]]],
)
def test_bad_input_raises_invalid_image(bad):
    with pytest.raises(InvalidImage):
        finger_quality(bad)


def test_bad_arguments(good):
    with pytest.raises(InvalidArgument, match="dpi"):
        finger_quality(good, dpi=5)
    with pytest.raises(InvalidArgument, match="stages"):
        finger_quality(good, stages={"mask": np.zeros((3, 3), bool)})
    with pytest.raises(InvalidArgument, match="stages"):  # a trace of another image
        finger_quality(good, stages={"minutiae": biocore.extract(good[:200, :200]), "quality": None})
    with pytest.raises(InvalidArgument, match="stages"):
        finger_quality(good, stages={"minutiae": biocore.extract(good), "quality": 3})
    with pytest.raises(InvalidArgument, match="stages"):
        finger_quality(good, stages=42)
    with pytest.raises(InvalidArgument, match="parameters"):
        finger_quality(good, parameters={})


def test_public_name_is_wired():
    assert biocore.finger_quality is finger_quality


def test_feedback_order_and_faint_reordering():
    from biocore.quality import DEFAULT_PARAMETERS
    from biocore.quality.feedback import feedback_for

    base = {"area_mm2": 60.0, "foreground_fraction": 0.3, "frame_sides_cut": 2.0, "centre_offset": 0.3,
            "elongation": 1.0, "rotation_deg": 0.0, "contrast_gray": 30.0, "ridge_fraction": 0.6,
            "ridge_skewness": -1.0, "gray_mean": 120.0, "area_mm2_": 0.0, "unclear_fraction": 0.0,
            "incoherent_fraction": 0.0}
    codes = [f.code for f in feedback_for(base, DEFAULT_PARAMETERS)]
    assert codes == ["partial", "off_centre", "too_dark_or_wet"]
    # Faint: the skin condition explains the faintness and comes before placement.
    codes = [f.code for f in feedback_for({**base, "contrast_gray": 8.0}, DEFAULT_PARAMETERS)]
    assert codes[:2] == ["too_dark_or_wet", "low_contrast"]
    clean = {**base, "area_mm2": 200.0, "foreground_fraction": 0.8, "centre_offset": 0.0, "ridge_fraction": 0.5,
             "ridge_skewness": 0.0}
    assert feedback_for(clean, DEFAULT_PARAMETERS) == []
