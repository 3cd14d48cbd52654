from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage.morphology import thin as skimage_thin

from biocore.minutiae.thinning import thin


@pytest.mark.parametrize("seed", range(12))
def test_thin_equals_skimage_guo_hall_on_random_blobs(seed):
    rng = np.random.default_rng(seed)
    blobs = (rng.random((41, 37)) < 0.55).astype(np.uint8)
    if seed % 2:
        blobs = cv2.morphologyEx(blobs, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    np.testing.assert_array_equal(thin(blobs), skimage_thin(blobs).astype(np.uint8))


def test_thin_equals_skimage_on_thick_ridges_touching_the_border():
    y, x = np.mgrid[0:60, 0:70]
    ridges = (np.cos(2 * np.pi * (x * 0.6 + y * 0.8) / 9.0) > 0).astype(np.uint8)
    np.testing.assert_array_equal(thin(ridges), skimage_thin(ridges).astype(np.uint8))


def test_thin_bar_becomes_a_one_pixel_line():
    bar = np.zeros((9, 30), np.uint8)
    bar[3:6, 4:26] = 1
    skeleton = thin(bar)
    assert skeleton.dtype == np.uint8
    assert skeleton[3:6].sum(axis=0).max() == 1  # one pixel thick
    assert skeleton.sum() >= 15  # and still long
    assert skeleton[:3].sum() == 0 and skeleton[6:].sum() == 0


def test_thin_keeps_empty_and_single_pixel():
    assert thin(np.zeros((5, 5), np.uint8)).sum() == 0
    dot = np.zeros((5, 5), np.uint8)
    dot[2, 2] = 1
    np.testing.assert_array_equal(thin(dot), dot)
