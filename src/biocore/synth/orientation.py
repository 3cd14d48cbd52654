"""Stage 3: the ridge orientation field, from the singular points (Sherlock-Monro zero-pole model).

Writing a point as the complex number ``w = x - i y`` (so the imaginary axis points up on screen),
the zero-pole model gives the ridge orientation as

    theta(w) = 1/2 * (sum_k arg(w - core_k) - sum_k arg(w - delta_k)),

so that a loop around a core turns the orientation by +pi (Poincare index +1/2) and a loop around
a delta by -pi (index -1/2). Orientations are angles in ``[0, pi)``, counter-clockwise from the
image's +x axis as seen on screen (the Template's convention, modulo pi since a ridge has no sense).

Plain arches have no singular point; their ridges follow ``y = c - h(y) * exp(-(x - x0)^2 / 2 w^2)``,
a bump whose height grows towards the fingertip.

References
----------
B. G. Sherlock, D. M. Monro, "A model for interpreting fingerprint topology", Pattern Recognition
26(7), 1993.
R. Cappelli, D. Maio, D. Maltoni, "Synthetic fingerprint-database generation", ICPR 2002.
"""

from __future__ import annotations

import numpy as np

from .singularities import SingularPoints

__all__ = ["orientation_at", "zero_pole", "orientation_field", "poincare_index"]


def orientation_at(sp: SingularPoints, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Ridge orientation in ``[0, pi)`` at points ``(x, y)`` (any matching shapes, px), float64.

    The zero-pole field, blended (as doubled angles) towards ridges concentric with the
    fingertip above the northernmost core and far from every singular point, where the pure
    model leaves the ridges too straight and too tilted.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if len(sp.cores) == 0 and len(sp.deltas) == 0:
        return _arch(sp.arch, x, y)
    theta = zero_pole(sp, x, y)
    if sp.fingertip is None:
        return theta
    fx, fy, half_w, half_h, near_px, far_px = sp.fingertip
    u, v = x - fx, -(y - fy)
    tip = np.arctan2(v / (half_h * half_h), u / (half_w * half_w)) + np.pi / 2.0
    d = np.full(theta.shape, np.inf)
    for px, py in np.concatenate([sp.cores, sp.deltas]):
        d = np.minimum(d, np.hypot(x - px, y - py))
    top = float(sp.cores[:, 1].min()) if len(sp.cores) else float(sp.deltas[:, 1].min())
    w = np.clip((d - near_px) / (far_px - near_px), 0.0, 1.0) / (1.0 + np.exp((y - top + 10.0) / 25.0))
    vx = (1.0 - w) * np.cos(2.0 * theta) + w * np.cos(2.0 * tip)
    vy = (1.0 - w) * np.sin(2.0 * theta) + w * np.sin(2.0 * tip)
    return np.mod(0.5 * np.arctan2(vy, vx), np.pi)


def zero_pole(sp: SingularPoints, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The pure Sherlock-Monro zero-pole orientation in ``[0, pi)`` at points ``(x, y)``."""
    theta = np.zeros(np.broadcast(x, y).shape)
    for cx, cy in sp.cores:
        theta += 0.5 * np.arctan2(-(y - cy), x - cx)
    for dx, dy in sp.deltas:
        theta -= 0.5 * np.arctan2(-(y - dy), x - dx)
    return np.mod(theta, np.pi)


def orientation_field(sp: SingularPoints, width: int, height: int) -> np.ndarray:
    """Orientation in ``[0, pi)`` on a (height, width) grid, float32."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float64)
    return orientation_at(sp, xx, yy).astype(np.float32)


def _arch(arch: tuple[float, float, float, float], x: np.ndarray, y: np.ndarray) -> np.ndarray:
    x0, y0, height_px, width_px = arch
    # Bump height: full above y0 (towards the fingertip), fading out below it.
    h = height_px / (1.0 + np.exp((y - y0) / 40.0))
    u = (x - x0) / width_px
    slope = h * (u / width_px) * np.exp(-0.5 * u * u)  # d(row)/d(col) of the ridge through (x, y)
    return np.mod(np.arctan(-slope), np.pi)


def poincare_index(theta: np.ndarray, x: float, y: float, radius_px: float, samples: int = 64) -> float:
    """Poincare index of an orientation field around the circle of ``radius_px`` centred at (x, y).

    Walks the circle counter-clockwise as seen on screen and sums the orientation changes, each
    wrapped to ``(-pi/2, pi/2]``; returns the total over ``2 pi``: +0.5 core, -0.5 delta, 0 none,
    +1 whorl centre. ``theta`` is a (height, width) field from :func:`orientation_field`.
    """
    t = np.linspace(0.0, 2.0 * np.pi, samples, endpoint=False)
    cols = np.clip(np.rint(x + radius_px * np.cos(t)).astype(int), 0, theta.shape[1] - 1)
    rows = np.clip(np.rint(y - radius_px * np.sin(t)).astype(int), 0, theta.shape[0] - 1)
    values = theta[rows, cols].astype(np.float64)
    d = np.diff(np.append(values, values[0]))
    d = (d + np.pi / 2.0) % np.pi - np.pi / 2.0
    return float(d.sum() / (2.0 * np.pi))
