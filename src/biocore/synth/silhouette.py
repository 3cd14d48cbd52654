"""Stage 1: the fingertip silhouette, the area a master fingerprint covers.

SFinGe draws the silhouette from four quarter ellipses around a centre: the top half is rounder
(the fingertip), the bottom half longer (towards the first joint). Four half-axes per finger.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Silhouette", "sample_silhouette", "silhouette_mask", "silhouette_distance"]


@dataclass(frozen=True)
class Silhouette:
    """Centre (x, y) in canvas px and half-axes left, right, top, bottom in px."""

    centre_x: float
    centre_y: float
    left: float
    right: float
    top: float
    bottom: float


def sample_silhouette(rng: np.random.Generator, params) -> Silhouette:
    """Draw a silhouette centred on the canvas (with jitter) from the ranges in ``params``."""
    half_w = rng.uniform(*params.half_width_px)
    asym = rng.uniform(-0.05, 0.05)
    jitter = params.centre_jitter_px
    return Silhouette(
        centre_x=params.canvas_width_px / 2.0 + rng.uniform(-jitter, jitter) * 0.5,
        centre_y=params.canvas_height_px * params.centre_y_fraction + rng.uniform(-jitter, jitter),
        left=half_w * (1.0 - asym),
        right=half_w * (1.0 + asym),
        top=rng.uniform(*params.top_half_height_px),
        bottom=rng.uniform(*params.bottom_half_height_px),
    )


def silhouette_distance(s: Silhouette, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Normalised elliptical radius of points (x, y): < 1 inside the silhouette, 1 on its edge."""
    dx = np.asarray(x, dtype=np.float64) - s.centre_x
    dy = np.asarray(y, dtype=np.float64) - s.centre_y
    ax = np.where(dx < 0, s.left, s.right)
    ay = np.where(dy < 0, s.top, s.bottom)
    return np.sqrt((dx / ax) ** 2 + (dy / ay) ** 2)


def silhouette_mask(s: Silhouette, width: int, height: int) -> np.ndarray:
    """Boolean (height, width) mask of the silhouette on a canvas."""
    yy, xx = np.mgrid[0:height, 0:width]
    return silhouette_distance(s, xx, yy) < 1.0
