"""Smooth random fields shared by several stages (private)."""

from __future__ import annotations

import cv2
import numpy as np


def smooth_noise(rng: np.random.Generator, height: int, width: int, scale_px: float) -> np.ndarray:
    """A (height, width) float32 field of zero mean and unit spread, smooth over ``scale_px``.

    White noise on a coarse grid, Gaussian-blurred and upsampled: cost independent of the scale.
    """
    step = max(1, int(scale_px // 3))
    coarse = rng.standard_normal((height // step + 3, width // step + 3)).astype(np.float32)
    coarse = cv2.GaussianBlur(coarse, (0, 0), max(scale_px / step, 0.5), borderType=cv2.BORDER_REFLECT)
    coarse -= float(coarse.mean())
    coarse /= max(float(coarse.std()), 1e-6)
    full = cv2.resize(coarse, ((width // step + 3) * step, (height // step + 3) * step), interpolation=cv2.INTER_LINEAR)
    return np.ascontiguousarray(full[step : step + height, step : step + width])
