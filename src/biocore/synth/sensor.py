"""Stage 9: the sensor - contrast, optical blur, background and noise, quantised to 8 bits."""

from __future__ import annotations

import cv2
import numpy as np

from ._noise import smooth_noise

__all__ = ["capture"]


def capture(rng: np.random.Generator, ink: np.ndarray, params) -> np.ndarray:
    """Render ink coverage (float32 in [0, 1]) as a uint8 image: dark ridges on a light background.

    Parameters
    ----------
    rng : numpy.random.Generator
    ink : ndarray, shape (H, W), float32
    params : ImpressionParameters
    """
    h, w = ink.shape
    ridge_gray = rng.uniform(*params.ridge_gray)
    background = rng.uniform(*params.background_gray)
    blurred = cv2.GaussianBlur(ink, (0, 0), rng.uniform(*params.blur_sigma_px))
    # Uneven illumination / platen: a slow background drift.
    drift = params.background_drift_gray * smooth_noise(rng, h, w, params.background_drift_scale_px)
    image = background + drift - (background - ridge_gray) * blurred
    noise_sigma = rng.uniform(*params.noise_sigma_gray)
    image += noise_sigma * blurred * rng.standard_normal((h, w)).astype(np.float32)
    if params.background_noise_sigma_gray > 0:
        image += params.background_noise_sigma_gray * rng.standard_normal((h, w)).astype(np.float32)
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)
