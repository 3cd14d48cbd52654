from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from biocore.minutiae import DEFAULT_PARAMETERS
from biocore.minutiae.resampling import to_working_grid


def _naive_area(image: np.ndarray, factor: int) -> np.ndarray:
    """Block means: what area resampling gives for an integer downscale."""
    rows, cols = image.shape[0] // factor, image.shape[1] // factor
    blocks = image[: rows * factor, : cols * factor].reshape(rows, factor, cols, factor).astype(np.float64)
    return blocks.mean(axis=(1, 3))


def test_working_resolution_is_left_alone():
    image = np.arange(100 * 80, dtype=np.uint8).reshape(100, 80)
    work, scale = to_working_grid(image, 500, DEFAULT_PARAMETERS)
    assert work is image and scale == 1.0


@pytest.mark.parametrize("dpi, shape", [(600, (467, 247)), (1000, (280, 148)), (250, (1120, 592))])
def test_shape_and_scale(dpi, shape):
    image = np.full((560, 296), 128, np.uint8)
    work, scale = to_working_grid(image, dpi, DEFAULT_PARAMETERS)
    assert work.shape == shape and work.dtype == np.uint8
    assert scale == pytest.approx(500 / dpi)
    assert np.all(work == 128)


def test_strong_downscale_averages_areas():
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (120, 80), dtype=np.uint8)
    work, _ = to_working_grid(image, 1000, DEFAULT_PARAMETERS)
    assert np.abs(work - _naive_area(image, 2)).max() <= 1.0


def test_mild_downscale_is_sharp_above_the_threshold():
    # Pixel-scale detail: area averaging smooths it, bicubic interpolation keeps more of its contrast.
    image = np.random.default_rng(0).integers(0, 256, (120, 120), dtype=np.uint8)
    blurred, _ = to_working_grid(image, 600, dataclasses.replace(DEFAULT_PARAMETERS, sharp_resample_min_scale=1.0))
    sharp, _ = to_working_grid(image, 600, dataclasses.replace(DEFAULT_PARAMETERS, sharp_resample_min_scale=0.75))
    assert sharp.shape == blurred.shape
    assert float(sharp.std()) > 1.25 * float(blurred.std())


@pytest.mark.parametrize("dpi", [430, 490, 500, 508, 514, 569])
def test_resolutions_within_the_tolerance_are_left_alone(dpi):
    assert abs(dpi - 500) <= DEFAULT_PARAMETERS.resample_tolerance_fraction * 500
    image = np.random.default_rng(1).integers(0, 256, (90, 70), dtype=np.uint8)
    work, scale = to_working_grid(image, dpi, DEFAULT_PARAMETERS)
    assert work is image and scale == 1.0


def test_resolutions_beyond_the_tolerance_are_resampled():
    image = np.full((200, 100), 7, np.uint8)
    params = dataclasses.replace(DEFAULT_PARAMETERS, resample_tolerance_fraction=0.01)
    work, scale = to_working_grid(image, 508, params)
    assert work.shape == (197, 98) and scale == pytest.approx(500 / 508)


def test_extraction_within_the_tolerance_gives_the_working_resolution_minutiae():
    from biocore.minutiae import extract

    from .synthetic import dislocation

    image = dislocation((160, 160), at=(80.0, 80.0), period_px=10.0)
    at_500, at_508 = extract(image, dpi=500), extract(image, dpi=508)
    assert len(at_500) > 0 and at_508.dpi == 508
    for name in ("x", "y", "angle", "kind", "quality"):
        assert np.array_equal(getattr(at_500, name), getattr(at_508, name))


def test_quality_resamples_through_the_extractors_stage():
    from biocore.quality.fields import to_working_grid as quality_grid

    image = np.random.default_rng(2).integers(0, 256, (150, 110), dtype=np.uint8)
    for dpi in (500, 508, 569, 600, 1000, 250):
        ours, scale = to_working_grid(image, dpi, DEFAULT_PARAMETERS)
        theirs, their_scale = quality_grid(image, dpi)
        assert np.array_equal(ours, theirs) and scale == their_scale
