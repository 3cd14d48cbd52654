from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
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


def _guo_hall_reference(binary: np.ndarray) -> np.ndarray:
    """Guo-Hall thinning straight from the paper's conditions, one whole-image NumPy step per subiteration."""
    image = np.pad(binary != 0, 1).astype(np.int32)
    rows, cols = binary.shape

    def neighbour(dr: int, dc: int) -> np.ndarray:
        return image[1 + dr : 1 + dr + rows, 1 + dc : 1 + dc + cols]

    while True:
        before = image.copy()
        for second in (False, True):
            # x1..x8: E, NE, N, NW, W, SW, S, SE (rows grow downwards); x9 = x1.
            x = [neighbour(*o) for o in ((0, 1), (-1, 1), (-1, 0), (-1, -1), (0, -1), (1, -1), (1, 0), (1, 1))]
            x = [None, *x, x[0]]
            crossing = sum((1 - x[2 * i - 1]) & (x[2 * i] | x[2 * i + 1]) for i in range(1, 5))
            n1 = sum(x[2 * k - 1] | x[2 * k] for k in range(1, 5))
            n2 = sum(x[2 * k] | x[2 * k + 1] for k in range(1, 5))
            n = np.minimum(n1, n2)
            if second:
                g3 = ((x[6] | x[7] | (1 - x[4])) & x[5]) == 0
            else:
                g3 = ((x[2] | x[3] | (1 - x[8])) & x[1]) == 0
            delete = (neighbour(0, 0) == 1) & (crossing == 1) & (n >= 2) & (n <= 3) & g3
            image[1:-1, 1:-1][delete] = 0  # all verdicts above were taken on the image before this step
        if np.array_equal(image, before):
            return image[1:-1, 1:-1].astype(np.uint8)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.integers(1, 20),
    cols=st.sampled_from([1, 2, 7, 63, 64, 65, 100, 129]),  # around the 64-pixel word boundaries
    density=st.floats(0.05, 0.95),
    seed=st.integers(0, 2**32 - 1),
    closed=st.booleans(),
)
def test_thin_equals_naive_reference_on_random_images(rows, cols, density, seed, closed):
    image = (np.random.default_rng(seed).random((rows, cols)) < density).astype(np.uint8)
    if closed:
        image = cv2.morphologyEx(image, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    np.testing.assert_array_equal(thin(image), _guo_hall_reference(image))


@pytest.mark.parametrize("thickness", [3, 5, 8])
def test_thin_equals_naive_reference_on_drawn_ridges(thickness):
    ridges = np.zeros((90, 200), np.uint8)
    for start, end in (((5, 10), (195, 80)), ((60, 0), (70, 89)), ((128, 5), (120, 85)), ((0, 45), (199, 45))):
        cv2.line(ridges, start, end, 1, thickness)
    cv2.circle(ridges, (150, 40), 25, 1, thickness)
    cv2.ellipse(ridges, (40, 60), (30, 15), 20, 0, 300, 1, thickness)
    skeleton = thin(ridges)
    np.testing.assert_array_equal(skeleton, _guo_hall_reference(ridges))
    assert skeleton[ridges == 0].sum() == 0 and 0 < skeleton.sum() < ridges.sum() / 2


def test_thin_reads_any_nonzero_as_ridge_and_leaves_input_alone():
    y, x = np.mgrid[0:40, 0:130]
    ridges = np.cos(2 * np.pi * (x * 0.8 + y * 0.6) / 8.0) > 0.2
    copy = ridges.copy()
    expected = thin(ridges.astype(np.uint8))
    np.testing.assert_array_equal(thin(ridges), expected)
    np.testing.assert_array_equal(thin(ridges.astype(np.uint8) * 255), expected)
    np.testing.assert_array_equal(thin(np.asfortranarray(ridges)), expected)
    np.testing.assert_array_equal(ridges, copy)
    assert expected.flags.c_contiguous and expected.dtype == np.uint8
