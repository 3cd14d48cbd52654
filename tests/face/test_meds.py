"""Agreement with the notes of the MEDS-II development portraits (skips without ../shared/data)."""

from __future__ import annotations

import csv
import functools

import numpy as np
import pytest

from biocore import face

from tests.conftest import shared_path

pytest.importorskip("dlib", reason="the face backend needs the 'face' extra")


@functools.lru_cache(maxsize=1)
def _reports():
    root = shared_path("faces", "meds_dev")
    with open(root / "INDEX.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return {row["path"]: (row["visual_note"], face.assess(root / row["path"])) for row in rows}


@pytest.fixture(scope="module")
def meds():
    return _reports()


def test_profile_views_are_not_accepted(meds):
    profiles = [r for note, r in meds.values() if "PROFILE" in note]
    assert len(profiles) >= 2
    for r in profiles:
        assert not r.passed
        assert r.measures["face_count"].value == 0 or not r.measures["yaw"].passed


def test_frontal_portraits_are_found_and_mostly_level(meds):
    frontal = [r for note, r in meds.values() if "frontal" in note and "tilt" not in note]
    found = [r for r in frontal if r.measures["face_count"].value == 1]
    assert len(found) >= 0.95 * len(frontal)
    assert np.median([abs(r.measures["roll"].value) for r in found]) < 4
    assert np.median([abs(r.measures["yaw"].value) for r in found]) < 6
    assert np.mean([r.measures["yaw"].passed for r in found]) > 0.75


def test_named_defects_are_flagged(meds):
    assert not meds["S008-06-t10_01.jpg"][1].measures["mouth_open"].passed  # broad smile
    assert not meds["S015-01-t10_01.jpg"][1].measures["natural_colour"].passed  # green cast
    for name in ("S011-01-t10_01.jpg", "S022-01-t10_01.jpg"):  # 240 x 240 webcam shots
        assert not meds[name][1].measures["inter_eye_distance"].passed


def test_busy_backgrounds_fail_and_plain_walls_mostly_pass(meds):
    busy = [r for note, r in meds.values() if "busy" in note or "office" in note]
    plain = [
        r
        for note, r in meds.values()
        if "plain wall" in note and r.measures["face_count"].value == 1
    ]
    assert busy and all(
        not r.measures["background_uniformity"].passed
        for r in busy
        if "background_uniformity" in r.measures
    )
    assert np.mean([r.measures["background_uniformity"].passed for r in plain]) > 0.7
