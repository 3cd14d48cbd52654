"""Synthetic persons for the search tests: random minutiae and noisy copies of them."""

from __future__ import annotations

import numpy as np


import biocore


def random_template(rng: np.random.Generator, finger: int = 1, n: int = 40, size: int = 400) -> biocore.Template:
    return biocore.Template(
        x=rng.integers(0, size, n), y=rng.integers(0, size, n), angle=rng.uniform(0, 2 * np.pi, n),
        kind=rng.integers(1, 3, n), quality=rng.integers(40, 100, n), width=size, height=size, finger=finger,
    )


def noisy_copy(t: biocore.Template, rng: np.random.Generator, *, rotate_rad: float = 0.2, shift_px: float = 15.0,
               jitter_px: float = 2.0, keep: float = 0.85) -> biocore.Template:
    """A second 'impression': rotated, shifted, jittered, with some minutiae lost (partial print)."""
    c, s = np.cos(rotate_rad), np.sin(rotate_rad)
    cx, cy = t.width / 2, t.height / 2
    x0, y0 = t.x - cx, -(t.y - cy)  # math orientation (y up) to match Template angles
    xr, yr = c * x0 - s * y0, s * x0 + c * y0
    x = np.rint(xr + cx + shift_px + rng.normal(0, jitter_px, len(t)))
    y = np.rint(-yr + cy + shift_px + rng.normal(0, jitter_px, len(t)))
    mask = (rng.random(len(t)) < keep) & (x >= 0) & (y >= 0) & (x < t.width) & (y < t.height)
    return biocore.Template(
        x=x[mask], y=y[mask], angle=(t.angle[mask] + rotate_rad + rng.normal(0, 0.05, mask.sum())),
        kind=t.kind[mask], quality=t.quality[mask], width=t.width, height=t.height, finger=t.finger,
    )


def random_person(rng: np.random.Generator, fingers=range(1, 11)) -> dict[int, biocore.Template]:
    return {f: random_template(rng, f) for f in fingers}


def noisy_person(person: dict[int, biocore.Template], rng: np.random.Generator) -> dict[int, biocore.Template]:
    return {f: noisy_copy(t, rng, rotate_rad=rng.uniform(-0.3, 0.3), shift_px=rng.uniform(-20, 20))
            for f, t in person.items()}


def point_matcher(probe: biocore.Template, candidates: list[biocore.Template]) -> np.ndarray:
    """A tiny stand-in 1:1 matcher for tests: fraction of probe minutiae with a candidate minutia within
    a few px after aligning centroids (works for the small shifts/rotations of noisy_copy)."""
    out = []
    p = np.stack([probe.x, probe.y], 1).astype(float)
    for c in candidates:
        q = np.stack([c.x, c.y], 1).astype(float)
        if len(p) == 0 or len(q) == 0:
            out.append(0.0)
            continue
        best = 0.0
        for rot in np.linspace(-0.35, 0.35, 15):
            cs, sn = np.cos(rot), np.sin(rot)
            pc = p - p.mean(0)
            pr = np.stack([cs * pc[:, 0] + sn * pc[:, 1], -sn * pc[:, 0] + cs * pc[:, 1]], 1) + q.mean(0)
            d = np.sqrt(((pr[:, None, :] - q[None, :, :]) ** 2).sum(-1)).min(1)
            best = max(best, float(np.mean(d < 12)))
        out.append(best)
    return np.asarray(out)


