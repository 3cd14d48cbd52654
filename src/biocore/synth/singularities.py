"""Stage 2: the fingerprint class and its singular points (cores and deltas).

The class is drawn with realistic, finger-dependent frequencies
(:data:`~biocore.synth.parameters.CLASS_FREQUENCIES_BY_FINGER`); the cores and deltas are then
placed where they sit on real prints of that class: a loop has one core with its delta below and
to the side the loop does not open to, a whorl two cores side by side with two deltas below
left and right, a tented arch a core right above its delta, a plain arch none.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .parameters import CLASS_FREQUENCIES_BY_FINGER, FINGER_CLASSES
from .silhouette import Silhouette

__all__ = ["SingularPoints", "sample_class", "sample_singularities"]


@dataclass(frozen=True)
class SingularPoints:
    """Cores and deltas in canvas px: arrays of shape (k, 2) holding (x, y), y growing downward.

    ``arch`` holds the plain-arch parameters (centre x, reference y, bump height px, bump width px)
    and is only used when there is no singular point. ``fingertip`` (centre x, centre y, half
    width, half height, near px, far px) describes the ellipses the ridges above the cores follow,
    and the distances from the singular points over which the field blends into them.
    """

    finger_class: str
    cores: np.ndarray
    deltas: np.ndarray
    arch: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 1.0)
    fingertip: tuple[float, float, float, float, float, float] | None = None


def sample_class(rng: np.random.Generator, finger: int) -> str:
    """Draw a class name for ISO finger position ``finger`` (0 = unknown)."""
    p = np.asarray(CLASS_FREQUENCIES_BY_FINGER[finger], dtype=np.float64)
    return FINGER_CLASSES[int(rng.choice(len(FINGER_CLASSES), p=p / p.sum()))]


def sample_singularities(rng: np.random.Generator, finger_class: str, s: Silhouette, params) -> SingularPoints:
    """Place the cores and deltas of a ``finger_class`` print inside silhouette ``s``."""
    cx = s.centre_x + rng.uniform(-params.core_x_jitter_px, params.core_x_jitter_px)
    cy = s.centre_y + rng.uniform(*params.core_y_px)
    none = np.zeros((0, 2))
    tip = (s.centre_x, cy + params.fingertip_centre_below_core_px, 0.5 * (s.left + s.right), s.top,
           params.background_near_px, params.background_far_px)
    if finger_class == "arch":
        arch = (cx, cy, rng.uniform(*params.arch_bump_height_px), rng.uniform(*params.arch_bump_width_px))
        return SingularPoints(finger_class, none, none, arch)
    if finger_class == "tented_arch":
        below = rng.uniform(*params.tented_delta_below_px)
        lean = rng.uniform(-8.0, 8.0)
        return SingularPoints(finger_class, np.array([[cx, cy]]), np.array([[cx + lean, cy + below]]), fingertip=tip)
    if finger_class in ("left_loop", "right_loop"):
        (dx_lo, dx_hi), (dy_lo, dy_hi) = params.loop_delta_offset_px
        # A left loop opens to the left: its delta sits on the right, and vice versa.
        side = 1.0 if finger_class == "left_loop" else -1.0
        delta = [cx + side * rng.uniform(dx_lo, dx_hi), cy + rng.uniform(dy_lo, dy_hi)]
        return SingularPoints(finger_class, np.array([[cx, cy]]), np.array([delta]), fingertip=tip)
    if finger_class == "whorl":
        gap = rng.uniform(*params.whorl_core_gap_px)
        tilt = rng.uniform(-0.9, 0.9)
        ux, uy = np.cos(tilt) * gap / 2.0, np.sin(tilt) * gap / 2.0
        cores = np.array([[cx - ux, cy - uy], [cx + ux, cy + uy]])
        (dx_lo, dx_hi), (dy_lo, dy_hi) = params.whorl_delta_offset_px
        deltas = np.array(
            [
                [cx - rng.uniform(dx_lo, dx_hi), cy + rng.uniform(dy_lo, dy_hi)],
                [cx + rng.uniform(dx_lo, dx_hi), cy + rng.uniform(dy_lo, dy_hi)],
            ]
        )
        return SingularPoints(finger_class, cores, deltas, fingertip=tip)
    raise ValueError(f"unknown finger class {finger_class!r}")
