from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from biocore import face
from biocore.errors import InvalidArgument

from . import portraits as P

pytest.importorskip(
    "dlib", reason="the face backend needs the 'face' extra (dlib-bin, face-recognition-models)"
)


@pytest.fixture(scope="module")
def backend():
    return "auto"


def run(image, backend, **kw):
    return face.assess(image, backend=backend, **kw)


def values(report):
    return {k: m.value for k, m in report.measures.items()}


@pytest.fixture(scope="module")
def base(backend):
    return run(P.portrait(), backend)


def test_finds_one_face_and_the_eyes(base):
    assert base.measures["face_count"].value == 1 and base.measures["face_count"].passed
    ied = math.dist(*P.eyes())
    for name, truth in zip(("eye_left", "eye_right"), P.eyes()):
        assert math.dist(base.landmarks[name], truth) < 0.15 * ied, name
    assert abs(base.measures["inter_eye_distance"].value - ied) < 0.2 * ied
    assert abs(base.measures["roll"].value) < 6


@pytest.mark.parametrize("angle", [-12.0, 12.0])
def test_rotation_changes_roll_by_that_angle(backend, base, angle):
    r = run(P.rotate(P.portrait(), angle), backend)
    # Counter-clockwise image rotation raises the image-right eye: roll goes negative.
    assert r.measures["roll"].value - base.measures["roll"].value == pytest.approx(-angle, abs=3.0)
    assert not r.measures["roll"].passed


def test_blur_lowers_sharpness(backend, base):
    r = run(cv2.GaussianBlur(P.portrait(), (0, 0), 4.0), backend)
    assert r.measures["sharpness"].value < 0.3 * base.measures["sharpness"].value
    assert r.measures["sharpness"].score < base.measures["sharpness"].score
    assert not r.measures["sharpness"].passed and base.measures["sharpness"].passed


def test_motion_blur_raises_coherence(backend, base):
    kernel = np.zeros((1, 31), np.float32)
    kernel[0, :] = 1 / 31
    r = run(cv2.filter2D(P.portrait(), -1, kernel), backend)
    assert r.measures["motion_blur"].value > base.measures["motion_blur"].value + 0.2


def test_darkening_fails_exposure(backend, base):
    r = run((P.portrait() // 8).astype(np.uint8), backend)  # an eighth of the light
    assert r.measures["luminance_mean"].value < base.measures["luminance_mean"].value
    assert not r.measures["luminance_mean"].passed
    assert r.measures["under_exposure"].value > base.measures["under_exposure"].value
    assert "Face too dark" in " ".join(r.feedback)


def test_brightening_fails_over_exposure(backend, base):
    bright = np.clip(P.portrait().astype(np.float64) * 1.6 + 50, 0, 255).astype(np.uint8)
    r = run(bright, backend)
    assert r.measures["over_exposure"].value > base.measures["over_exposure"].value + 0.1
    assert not r.measures["over_exposure"].passed


def test_shift_changes_centring_and_margins(backend, base):
    img = P.portrait()
    shifted = np.ascontiguousarray(img[:, 80:])  # crop 120 px from the left: the face moves left
    r = run(shifted, backend)
    assert r.measures["horizontal_centre"].value < base.measures["horizontal_centre"].value - 0.07
    assert r.measures["margin_left"].value == pytest.approx(
        base.measures["margin_left"].value - 80 / 106, abs=0.35
    )
    assert r.measures["margin_right"].value == pytest.approx(
        base.measures["margin_right"].value, abs=0.35
    )


def test_tight_crop_cuts_margins(backend):
    img = P.portrait()
    (lx, ly), (rx, ry) = P.eyes()
    tight = np.ascontiguousarray(img[int(ly) - 150 : int(ly) + 160, int(lx) - 75 : int(rx) + 75])
    r = run(tight, backend)
    for side in ("margin_left", "margin_right", "margin_top"):
        assert not r.measures[side].passed, side


def test_image_size_and_aspect(base):
    assert base.measures["image_width"].value == 450 and base.measures["image_height"].value == 600
    assert (
        base.measures["aspect_ratio"].value == pytest.approx(0.75)
        and base.measures["aspect_ratio"].passed
    )


def test_jpeg_quality_5_shows_compression(backend, base):
    r = run(P.jpeg(P.portrait(), 5), backend)
    assert r.measures["compression"].value > base.measures["compression"].value + 0.3
    assert not r.measures["compression"].passed and base.measures["compression"].passed


def test_greyscale_is_detected(backend, base):
    grey = cv2.cvtColor(P.portrait(), cv2.COLOR_RGB2GRAY)
    r = run(grey, backend)
    assert base.measures["colour"].passed
    assert not r.measures["colour"].passed and r.measures["colour"].value < 1.0
    assert (
        math.isnan(r.measures["natural_colour"].value) and not r.measures["natural_colour"].passed
    )


def test_colour_cast_moves_hue(backend, base):
    cast = P.portrait().astype(np.int32)
    cast[..., 0] = cast[..., 0] * 0.55
    cast[..., 2] = cast[..., 2] * 0.8
    r = run(np.clip(cast, 0, 255).astype(np.uint8), backend)
    assert r.measures["natural_colour"].value > base.measures["natural_colour"].value + 30
    assert not r.measures["natural_colour"].passed and base.measures["natural_colour"].passed


def test_occluded_eye_is_not_visible(backend, base):
    (lx, ly), _ = P.eyes()
    r = run(P.patch(P.portrait(), (lx, ly), 30, 20, colour=(150, 120, 110)), backend)
    assert r.measures["face_count"].value == 1
    assert r.measures["eyes_visible"].value < 0.6 * base.measures["eyes_visible"].value
    assert not r.measures["eyes_visible"].passed and base.measures["eyes_visible"].passed


def test_occluded_mouth_is_not_visible(backend, base):
    mouth = base.landmarks["mouth"]
    r = run(P.patch(P.portrait(), mouth, 45, 25, colour=(150, 120, 110)), backend)
    assert r.measures["face_count"].value == 1
    assert r.measures["mouth_visible"].value < 0.6 * base.measures["mouth_visible"].value
    assert not r.measures["mouth_visible"].passed and base.measures["mouth_visible"].passed


def test_open_mouth_is_seen(backend, base):
    mouth = base.landmarks["mouth"]
    r = run(P.patch(P.portrait(), mouth, 24, 24, colour=(20, 10, 10)), backend)
    assert r.measures["mouth_open"].value > base.measures["mouth_open"].value + 0.25
    assert not r.measures["mouth_open"].passed


def test_second_face_is_counted(backend):
    img = P.portrait()
    two = np.ascontiguousarray(np.concatenate([img, img], axis=1))
    r = run(two, backend)
    assert r.measures["face_count"].value == 2
    assert not r.passed and "More than one face" in " ".join(r.feedback)


@pytest.mark.parametrize(
    "name", ["coffee", "brick", "rocket", "coins", "horse", "chelsea", "camera", "logo"]
)
def test_non_faces_report_no_face(backend, name):
    from skimage import data

    img = getattr(data, name)()
    r = run(img, backend)
    assert r.measures["face_count"].value == 0 and not r.passed
    assert r.box is None and r.landmarks is None
    with pytest.raises(InvalidArgument):
        r.token()


def test_token_levels_and_places_the_eyes(backend):
    r = run(P.rotate(P.portrait(), 7.0), backend)
    tok = r.token(width=300)
    assert tok.shape == (400, 300, 3) and tok.dtype == np.uint8
    again = run(tok, backend, profile="live")
    assert abs(again.measures["roll"].value) < 3.0
    assert again.landmarks["eye_left"] == pytest.approx((112.5, 180.0), abs=6)
    assert again.landmarks["eye_right"] == pytest.approx((187.5, 180.0), abs=6)


def test_bgr_keyword_matches_rgb(backend, base):
    r = run(np.ascontiguousarray(P.portrait()[:, :, ::-1]), backend, channels="bgr")
    assert values(r) == pytest.approx(values(base), nan_ok=True)


def test_live_profile_is_more_lenient(backend):
    img = P.rotate(P.portrait(), 14.0)
    icao, live = run(img, backend, profile="icao"), run(img, backend, profile="live")
    assert not icao.measures["roll"].passed and live.measures["roll"].passed
    assert len(live.failures) < len(icao.failures)


def test_every_icao_measure_is_reported_for_a_face(base):
    assert set(base.measures) == set(face.PROFILES["icao"].limits)
    for m in base.measures.values():
        assert 0.0 <= m.score <= 100.0
        assert m.passed == (m.message == "")


def test_as_dict_is_json_ready(base):
    import json

    text = json.dumps(base.as_dict())
    assert '"face_count"' in text


def test_closed_eyes_are_not_open(backend, base):
    img = P.portrait()
    for ex, ey in P.eyes():  # paint eyelid skin with a lash line over both eyes
        img = P.patch(img, (ex, ey), 26, 14, colour=(196, 150, 130))
        img[int(ey) + 2 : int(ey) + 5, int(ex) - 22 : int(ex) + 22] = (60, 40, 35)
    r = run(img, backend)
    assert r.measures["eyes_open"].value < base.measures["eyes_open"].value - 0.1
    assert not r.measures["eyes_open"].passed and base.measures["eyes_open"].passed


def test_glasses_frame_raises_bridge_edges(backend, base):
    img = P.portrait()
    (lx, ly), (rx, ry) = P.eyes()
    for ex, ey in P.eyes():
        cv2.rectangle(
            img, (int(ex) - 34, int(ey) - 22), (int(ex) + 34, int(ey) + 24), (20, 20, 20), 5
        )
    cv2.line(img, (int(lx) + 34, int(ly) - 8), (int(rx) - 34, int(ry) - 8), (20, 20, 20), 5)
    r = run(img, backend)
    assert r.measures["glasses"].value > base.measures["glasses"].value + 1.0
    assert not r.measures["glasses"].passed and base.measures["glasses"].passed


def test_large_photo_is_measured_in_original_pixels(backend, base):
    big = cv2.resize(P.portrait(), None, fx=4, fy=4, interpolation=cv2.INTER_CUBIC)
    r = run(big, backend)
    assert r.measures["inter_eye_distance"].value == pytest.approx(
        4 * base.measures["inter_eye_distance"].value, rel=0.05
    )
    assert r.landmarks["eye_left"] == pytest.approx(
        tuple(4 * v for v in base.landmarks["eye_left"]), abs=8
    )
    assert r.measures["roll"].value == pytest.approx(base.measures["roll"].value, abs=1.5)
    assert r.token().shape == (320, 240, 3)


def test_messages_and_profiles_cover_the_same_measures(base):
    from biocore.face.report import MESSAGES

    assert set(MESSAGES) == set(face.PROFILES["icao"].limits)
    assert set(face.PROFILES["live"].limits) <= set(MESSAGES)
    for name, (meaning, low, high) in MESSAGES.items():
        lim = face.PROFILES["icao"].limits[name]
        assert meaning and (low or lim.lo == -math.inf) and (high or lim.hi == math.inf), name
