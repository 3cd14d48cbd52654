"""Synthetic ridge patterns with known orientation, period and minutiae (test helpers)."""

from __future__ import annotations

import math

import numpy as np


def sinusoid(shape=(160, 160), *, angle_rad: float, period_px: float, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    """Parallel ridges running at ``angle_rad`` (counter-clockwise on screen), uint8, dark ridges."""
    rows, cols = shape
    y, x = np.mgrid[0:rows, 0:cols].astype(np.float64)
    # Distance across the ridges: along the normal (sin a, cos a) in (col, row) steps.
    across = x * math.sin(angle_rad) + y * math.cos(angle_rad)
    image = 128.0 + 90.0 * np.cos(2.0 * math.pi * across / period_px)
    if noise:
        image += np.random.default_rng(seed).normal(0.0, noise, shape)
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def dislocation(shape=(160, 160), *, at=(80.0, 80.0), period_px: float = 10.0, ridge_at_left: bool = True,
                mirror: bool = False) -> np.ndarray:
    """Horizontal ridges with one phase dislocation: exactly one minutia at ``at = (x, y)``.

    Left of the point there is one ridge more than right of it. With ``ridge_at_left`` the extra
    line on the left is a ridge that ends at the point (a ridge ending pointing left, angle pi);
    otherwise it is a valley, so a ridge coming from the right splits there (a bifurcation pointing
    left). ``mirror`` flips the picture left-right (directions then point right, angle 0).
    """
    rows, cols = shape
    x0, y0 = at
    y, x = np.mgrid[0:rows, 0:cols].astype(np.float64)
    # On the right of the point, the line y = y0 is a valley (bright) for an ending, a ridge (dark) otherwise.
    offset = 0.0 if ridge_at_left else math.pi
    phase = 2.0 * math.pi * (y - y0) / period_px - np.arctan2(y - y0, x - x0) + offset
    image = np.clip(np.rint(128.0 + 90.0 * np.cos(phase)), 0, 255).astype(np.uint8)
    return np.ascontiguousarray(image[:, ::-1]) if mirror else image
