"""Foreground segmentation: the block mask and the trimming of its edge to the print."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np

from biocore.minutiae.normalization import normalize
from biocore.minutiae.orientation import orientation_field
from biocore.minutiae.parameters import DEFAULT_PARAMETERS
from biocore.minutiae.segmentation import segment, trim_edge

from .synthetic import sinusoid

P = dataclasses.replace(DEFAULT_PARAMETERS, mask_edge_relative_contrast=0.3)


def _print_on_background(seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Ridges inside a disc of radius 60 px on a flat, slightly noisy background; the disc."""
    ridges = sinusoid((200, 200), angle_rad=0.5, period_px=9.0).astype(np.float64)
    y, x = np.mgrid[0:200, 0:200]
    disc = np.hypot(x - 100, y - 100) <= 60
    noise = np.random.default_rng(seed).normal(0.0, 3.0, (200, 200))
    image = np.where(disc, ridges, 170.0) + noise
    return np.clip(np.rint(image), 0, 255).astype(np.uint8), disc


def _stages(image, params):
    normalized, contrast = normalize(image, params)
    return contrast, orientation_field(normalized, params)


def test_trimmed_mask_hugs_the_drawn_print():
    image, disc = _print_on_background()
    contrast, field = _stages(image, P)
    blocks = segment(contrast, field, P)
    trimmed = segment(contrast, field, P, image)
    assert not (trimmed & ~blocks).any()
    # The block mask overhangs the drawn print; the trimmed one less, and it keeps the print.
    overhang_blocks = (blocks & ~disc).sum()
    overhang = (trimmed & ~disc).sum()
    assert overhang_blocks > 1500 and overhang < 0.6 * overhang_blocks
    assert (trimmed & disc).sum() > 0.97 * (blocks & disc).sum()
    # What is left of the overhang is near the print (the deviation's window) or deeper than the band.
    padded = np.pad(blocks, 1).astype(np.uint8)
    depth = cv2.distanceTransform(padded, cv2.DIST_L2, 3)[1:-1, 1:-1]
    rows, cols = np.nonzero(trimmed & ~disc)
    near = np.hypot(cols - 100, rows - 100) < 60 + 2 * P.mask_edge_sigma_px
    assert (near | (depth[rows, cols] > P.mask_edge_band_px)).all()


def test_trimming_is_off_at_zero_and_without_the_image():
    image, _ = _print_on_background()
    off = dataclasses.replace(P, mask_edge_relative_contrast=0.0)
    contrast, field = _stages(image, off)
    np.testing.assert_array_equal(segment(contrast, field, off, image), segment(contrast, field, P))


def test_low_contrast_deep_inside_the_mask_is_kept():
    image, _ = _print_on_background()
    # A flat smudge in the middle of the print: deeper than the band, so it stays foreground.
    image[90:110, 90:110] = 120
    mask = np.zeros(image.shape, bool)
    mask[30:170, 30:170] = True
    trimmed = trim_edge(mask, image, P)
    assert trimmed[95:105, 95:105].all()
    # Outside the drawn disc, inside the band of the square mask's edge: background, dropped.
    assert not trimmed[32, 32] and not trimmed[167, 167]


def test_trim_edge_matches_a_naive_local_deviation():
    image, _ = _print_on_background(seed=5)
    mask = np.zeros(image.shape, bool)
    mask[20:180, 25:175] = True
    g = image.astype(np.float64)
    sigma = P.mask_edge_sigma_px
    mean = cv2.GaussianBlur(g, (0, 0), sigma)
    deviation = np.sqrt(np.maximum(cv2.GaussianBlur(g * g, (0, 0), sigma) - mean**2, 0.0))
    threshold = P.mask_edge_relative_contrast * np.percentile(deviation[mask], 95)
    rows, cols = np.mgrid[0:200, 0:200]
    depth = np.minimum.reduce([rows - 20 + 1, 180 - rows, cols - 25 + 1, 175 - cols])
    expected = mask & ((deviation > threshold) | (depth > P.mask_edge_band_px))
    got = trim_edge(mask, image, P)
    # Float32 vs float64 and the chamfer distance may differ on a few pixels at the thresholds.
    assert (got != expected).sum() <= 0.002 * mask.sum()
