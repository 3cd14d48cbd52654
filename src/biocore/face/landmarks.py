"""From a detected face to the full landmark set, head pose, and the aligned face chip.

Backends give the two eye centres (and the base of the nose with dlib). The mouth, chin and crown
are placed along the perpendicular of the eye line at fixed multiples of the inter-eye distance
(IED), from adult anthropometry (eye-to-stomion ~1.1 IED, eye-to-menton ~1.9-2.0 IED,
vertex-to-eye ~2.0 IED; Farkas 1994); the mouth is then refined to the darkest lip line. These
derived points are *estimates* and are listed in :attr:`Landmarks.approximate`.

Coordinates are (x, y) = (column, row) in pixels of the original image.

References
----------
.. [1] L. G. Farkas, "Anthropometry of the Head and Face", 2nd ed., Raven Press, 1994.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from .backends import DetectedFace
from .parameters import FaceParameters

__all__ = ["Landmarks", "Pose", "estimate_landmarks", "estimate_pose", "eye_alignment", "warp"]

# Depth of the base of the nose in front of the eye centres, in IED (used to turn the nose's
# displacement into angles; an adult average), and its drop below the eye line in a level
# frontal view (median of dlib's 5-point model over the 48 MEDS-II portraits it finds).
_NOSE_DEPTH_IED = 0.40
_NOSE_DROP_IED = 0.69
# Where the eye midpoint sits in an LBP/HOG box of a frontal face, as fractions of the box.
_EYES_IN_BOX_Y = 0.40


@dataclass(frozen=True)
class Landmarks:
    eye_left: tuple[float, float]
    eye_right: tuple[float, float]
    nose: tuple[float, float]
    mouth: tuple[float, float]
    chin: tuple[float, float]
    crown: tuple[float, float]
    approximate: tuple[str, ...]

    @property
    def eye_mid(self) -> tuple[float, float]:
        return (
            (self.eye_left[0] + self.eye_right[0]) / 2,
            (self.eye_left[1] + self.eye_right[1]) / 2,
        )

    @property
    def ied_px(self) -> float:
        return math.hypot(
            self.eye_right[0] - self.eye_left[0], self.eye_right[1] - self.eye_left[1]
        )

    def scaled(self, f: float) -> Landmarks:
        """The same landmarks in an image resized by ``f``."""
        pts = [
            (p[0] * f, p[1] * f)
            for p in (self.eye_left, self.eye_right, self.nose, self.mouth, self.chin, self.crown)
        ]
        return Landmarks(*pts, self.approximate)

    def as_dict(self) -> dict[str, tuple[float, float]]:
        return {
            k: getattr(self, k) for k in ("eye_left", "eye_right", "nose", "mouth", "chin", "crown")
        }


@dataclass(frozen=True)
class Pose:
    yaw_deg: float  # + : nose towards the image's right
    pitch_deg: float  # + : head bowed (nose down)
    roll_deg: float  # + : the eye on the image's right is lower
    approximate: bool


def _axes(face: DetectedFace) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    left, right = np.asarray(face.eye_left), np.asarray(face.eye_right)
    d = float(np.hypot(*(right - left)))
    d = max(d, 1e-6)
    u = (right - left) / d
    v = np.array([-u[1], u[0]])  # perpendicular, pointing down the face
    return (left + right) / 2, u, v, d


def estimate_pose(face: DetectedFace) -> Pose:
    """Yaw, pitch and roll in degrees from the eyes and the nose (or the box when no nose).

    Roll is the eye line's angle. With a nose point, its offset from the eye midpoint along and
    across the eye line, divided by the nose depth, gives yaw and pitch (a weak-perspective model).
    Without one, the eye midpoint's offset from the box centre stands in for the nose offset.
    """
    mid, u, v, d = _axes(face)
    roll = math.degrees(math.atan2(u[1], u[0]))
    if face.nose is not None:
        off = np.asarray(face.nose) - mid
        along, across = float(off @ u) / d, float(off @ v) / d
        yaw = math.degrees(math.atan2(along, _NOSE_DEPTH_IED))
        pitch = math.degrees(math.atan2(across - _NOSE_DROP_IED, _NOSE_DEPTH_IED))
        return Pose(yaw, pitch, roll, False)
    x, y, w, h = face.box
    centre = np.array([x + w / 2, y + _EYES_IN_BOX_Y * h])
    off = mid - centre
    # The box stays on the head while the eyes (in front of the rotation axis) move: ~0.9 IED lever.
    yaw = -math.degrees(math.atan2(float(off @ u) / d, 0.9))
    pitch = math.degrees(math.atan2(float(off @ v) / d, 0.9))
    return Pose(yaw, pitch, roll, True)


def estimate_landmarks(gray: np.ndarray, face: DetectedFace, params: FaceParameters) -> Landmarks:
    """Nose, mouth, chin and crown from the eye centres (see the module notes)."""
    mid, u, v, d = _axes(face)
    approx = ["mouth", "chin", "crown"]
    if face.nose is None:
        nose = mid + params.nose_below_eyes_ied * d * v
        approx.insert(0, "nose")
    else:
        nose = np.asarray(face.nose)
    mouth = mid + params.mouth_below_eyes_ied * d * v
    mouth = _refine_mouth(gray, mouth, u, v, d)
    chin = mid + params.chin_below_eyes_ied * d * v
    crown = mid - params.crown_above_eyes_ied * d * v
    if face.approximate:
        approx = ["eye_left", "eye_right", *approx]
    pt = lambda p: (float(p[0]), float(p[1]))  # noqa: E731
    return Landmarks(
        pt(face.eye_left),
        pt(face.eye_right),
        pt(nose),
        pt(mouth),
        pt(chin),
        pt(crown),
        tuple(approx),
    )


def _refine_mouth(
    gray: np.ndarray, guess: np.ndarray, u: np.ndarray, v: np.ndarray, d: float
) -> np.ndarray:
    """Move the mouth guess along the face axis to the darkest line between the lips."""
    offsets = np.linspace(-0.25, 0.25, 21) * d
    along = np.linspace(-0.3, 0.3, 9) * d
    pts = guess[None, None, :] + offsets[:, None, None] * v + along[None, :, None] * u
    xs = np.clip(np.rint(pts[..., 0]).astype(int), 0, gray.shape[1] - 1)
    ys = np.clip(np.rint(pts[..., 1]).astype(int), 0, gray.shape[0] - 1)
    profile = gray[ys, xs].astype(np.float32).mean(axis=1)
    profile = np.convolve(profile, np.ones(3, np.float32) / 3, mode="same")
    return guess + offsets[int(np.argmin(profile[1:-1])) + 1] * v


def eye_alignment(lm: Landmarks, *, ied_px: float, eye_mid_xy: tuple[float, float]) -> np.ndarray:
    """(2, 3) float64 similarity transform that puts the eyes level, ``ied_px`` apart, centred at ``eye_mid_xy``."""
    (lx, ly), (rx, ry) = lm.eye_left, lm.eye_right
    angle = math.atan2(ry - ly, rx - lx)
    scale = ied_px / max(lm.ied_px, 1e-6)
    c, s = scale * math.cos(-angle), scale * math.sin(-angle)
    mx, my = lm.eye_mid
    m = np.array([[c, -s, 0.0], [s, c, 0.0]])
    m[:, 2] = np.asarray(eye_mid_xy) - m[:, :2] @ np.array([mx, my])
    return m


def warp(
    image: np.ndarray,
    m: np.ndarray,
    size_wh: tuple[int, int],
    *,
    border: int = cv2.BORDER_REPLICATE,
) -> np.ndarray:
    """Warp with ``m``; large reductions go through an area pre-reduction so they do not alias."""
    scale = math.hypot(m[0, 0], m[1, 0])
    if scale < 0.5:
        f = 2.0 * scale
        image = cv2.resize(image, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
        m = m.copy()
        m[:, :2] /= f
    return cv2.warpAffine(image, m, size_wh, flags=cv2.INTER_LINEAR, borderMode=border)
