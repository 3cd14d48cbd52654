"""Synthetic minutiae templates for matcher tests: a random finger and distorted copies of it."""

from __future__ import annotations

import numpy as np

import biocore


def random_template(rng: np.random.Generator, n: int = 45, size: int = 320, min_gap_px: float = 12.0) -> biocore.Template:
    """``n`` minutiae spread over a ``size`` x ``size`` image, no two closer than ``min_gap_px``."""
    pts: list[tuple[float, float]] = []
    while len(pts) < n:
        p = rng.uniform(20, size - 20, 2)
        if all((p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2 >= min_gap_px**2 for q in pts):
            pts.append((p[0], p[1]))
    xy = np.array(pts, dtype=np.float64).reshape(-1, 2)
    return biocore.Template(
        x=np.rint(xy[:, 0]).astype(int), y=np.rint(xy[:, 1]).astype(int), angle=rng.uniform(0, 2 * np.pi, n),
        kind=rng.integers(1, 3, n), quality=rng.integers(40, 100, n), width=size, height=size,
    )


def transformed(
    t: biocore.Template,
    rng: np.random.Generator,
    *,
    rotation_rad: float = 0.0,
    shift_px: tuple[float, float] = (0.0, 0.0),
    jitter_px: float = 0.0,
    jitter_rad: float = 0.0,
    keep: float = 1.0,
    spurious: int = 0,
    size: int = 800,
) -> biocore.Template:
    """``t`` rotated (counter-clockwise on screen) about its centre, shifted, jittered, thinned.

    Positions land in a ``size`` x ``size`` image; minutiae pushed outside are dropped.
    """
    x, y = t.x.astype(float), t.y.astype(float)
    cx, cy = x.mean(), y.mean()
    c, s = np.cos(rotation_rad), np.sin(rotation_rad)
    dx, dy = x - cx, y - cy
    # rows grow downward: a counter-clockwise turn on screen is (dx, dy) -> (c dx + s dy, -s dx + c dy)
    nx = size / 2 + c * dx + s * dy + shift_px[0] + rng.normal(0, jitter_px, x.size)
    ny = size / 2 - s * dx + c * dy + shift_px[1] + rng.normal(0, jitter_px, x.size)
    na = t.angle + rotation_rad + rng.normal(0, jitter_rad, x.size)
    sel = rng.random(x.size) < keep
    nx, ny, na, kind = nx[sel], ny[sel], na[sel], t.kind[sel]
    if spurious:
        nx = np.concatenate([nx, rng.uniform(size / 2 - 150, size / 2 + 150, spurious)])
        ny = np.concatenate([ny, rng.uniform(size / 2 - 150, size / 2 + 150, spurious)])
        na = np.concatenate([na, rng.uniform(0, 2 * np.pi, spurious)])
        kind = np.concatenate([kind, rng.integers(1, 3, spurious)])
    inside = (nx >= 0) & (nx < size) & (ny >= 0) & (ny < size)
    return biocore.Template(
        x=np.rint(nx[inside]).astype(int), y=np.rint(ny[inside]).astype(int), angle=np.mod(na[inside], 2 * np.pi),
        kind=kind[inside], width=size, height=size, dpi=t.dpi,
    )
