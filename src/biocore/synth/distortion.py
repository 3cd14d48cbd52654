"""Stage 7: where a master lands on the sensor - placement and plastic (elastic) skin distortion.

The mapping from master coordinates ``p`` to impression coordinates ``q`` is

    p' = p + (T(p) - p) * brake(max(0, |p - c| - r))          plastic distortion
    q  = s * R(alpha) (p' - m) + o + t                          placement on the sensor

Plastic distortion follows Cappelli, Maio & Maltoni: in the close-contact region (a disc of
radius ``r`` around ``c``) the skin does not move; outside it the skin follows a rigid motion
``T`` (a small rotation about ``c`` and a shift) ever more fully with distance, through the brake
function ``1 - exp(-(d / tau) ** k)``. Placement rotates by ``alpha`` about the master point
``m`` (the contact centre), scales by ``s = dpi / 500`` and puts ``m`` at the image centre ``o``
plus a translation ``t``.

The forward map is exact and analytic (used for the ground truth); the inverse (used to render
the image) is solved by fixed-point iteration, accurate to well under 0.01 px for the distortion
magnitudes used here.

References
----------
R. Cappelli, D. Maio, D. Maltoni, "Modelling plastic distortion in fingerprint images",
ICAPR 2001, LNCS 2013, pp. 369-376.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Placement", "sample_placement"]

_INVERSE_ITERATIONS = 12


@dataclass(frozen=True)
class Placement:
    """Parameters of the master-to-impression mapping (see the module docstring)."""

    contact_x: float
    contact_y: float
    contact_radius_px: float
    transition_px: float
    brake_exponent: float
    distortion_rotation_rad: float
    distortion_shift_x_px: float
    distortion_shift_y_px: float
    rotation_rad: float
    scale: float
    anchor_x: float
    anchor_y: float
    image_x: float
    image_y: float

    def _displacement(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        dx, dy = x - self.contact_x, y - self.contact_y
        # Rigid motion about the contact centre, in image coordinates (rows down): a positive
        # angle turns counter-clockwise on screen.
        c, s = np.cos(self.distortion_rotation_rad), np.sin(self.distortion_rotation_rad)
        tx = self.contact_x + c * dx + s * dy + self.distortion_shift_x_px
        ty = self.contact_y - s * dx + c * dy + self.distortion_shift_y_px
        d = np.maximum(np.hypot(dx, dy) - self.contact_radius_px, 0.0)
        brake = 1.0 - np.exp(-((d / self.transition_px) ** self.brake_exponent))
        return (tx - x) * brake, (ty - y) * brake

    def forward(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Master px -> impression px (float64 arrays of any matching shape)."""
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        ux, uy = self._displacement(x, y)
        px, py = x + ux - self.anchor_x, y + uy - self.anchor_y
        c, s = np.cos(self.rotation_rad), np.sin(self.rotation_rad)
        qx = self.scale * (c * px + s * py) + self.image_x
        qy = self.scale * (-s * px + c * py) + self.image_y
        return qx, qy

    def inverse(self, qx: np.ndarray, qy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Impression px -> master px, by fixed-point iteration on the plastic distortion."""
        qx = (np.asarray(qx, dtype=np.float64) - self.image_x) / self.scale
        qy = (np.asarray(qy, dtype=np.float64) - self.image_y) / self.scale
        c, s = np.cos(self.rotation_rad), np.sin(self.rotation_rad)
        bx = c * qx - s * qy + self.anchor_x
        by = s * qx + c * qy + self.anchor_y
        x, y = bx, by
        for _ in range(_INVERSE_ITERATIONS):
            ux, uy = self._displacement(x, y)
            x, y = bx - ux, by - uy
        return x, y

    def forward_angle(self, x: np.ndarray, y: np.ndarray, angle: np.ndarray) -> np.ndarray:
        """Directions (rad, ``atan2(-dy, dx)`` convention) at master points, carried to the impression."""
        step = 2.0
        x0, y0 = self.forward(x, y)
        x1, y1 = self.forward(x + step * np.cos(angle), y - step * np.sin(angle))
        return np.mod(np.arctan2(-(y1 - y0), x1 - x0), 2.0 * np.pi)


def sample_placement(
    rng: np.random.Generator, contact_x: float, contact_y: float, width: int, height: int, dpi: int, params
) -> Placement:
    """Draw a placement whose contact centre lands near the middle of a ``width`` x ``height`` image."""
    angle = rng.uniform(0.0, 2.0 * np.pi)
    shift = rng.uniform(0.0, params.distortion_shift_px)
    return Placement(
        contact_x=contact_x,
        contact_y=contact_y,
        contact_radius_px=rng.uniform(*params.distortion_contact_radius_px),
        transition_px=params.distortion_transition_px,
        brake_exponent=params.distortion_brake_exponent,
        distortion_rotation_rad=rng.uniform(-1.0, 1.0) * params.distortion_rotation_rad,
        distortion_shift_x_px=shift * np.cos(angle),
        distortion_shift_y_px=shift * np.sin(angle),
        rotation_rad=_rotation(rng.uniform(-1.0, 1.0), params.rotation_min_rad, params.rotation_rad),
        scale=dpi / 500.0,
        anchor_x=contact_x,
        anchor_y=contact_y,
        image_x=width / 2.0 + rng.uniform(-1.0, 1.0) * params.translation_px * dpi / 500.0,
        image_y=height / 2.0 + rng.uniform(-1.0, 1.0) * params.translation_px * dpi / 500.0,
    )


def _rotation(u: float, low_rad: float, high_rad: float) -> float:
    """Rotation of magnitude uniform in [low, high] with the sign of ``u`` (uniform in [-1, 1])."""
    return float(np.sign(u) * (low_rad + abs(u) * (high_rad - low_rad))) if low_rad > 0 else float(u * high_rad)
