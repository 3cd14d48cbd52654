"""Geometric measures: face count, inter-eye distance, head size, centring, margins, image size, pose.

All lengths come from the landmarks (:mod:`biocore.face.landmarks`); ratios follow the
full-frontal geometry of ISO/IEC 19794-5:2005 §8.3 / ICAO Doc 9303 Part 3 §3.
"""

from __future__ import annotations

import math

import numpy as np

from .landmarks import Landmarks, Pose
from .parameters import FaceParameters

__all__ = ["image_measures", "geometry_measures"]


def image_measures(shape: tuple[int, ...]) -> dict[str, float]:
    """``image_width``, ``image_height`` (px) and ``aspect_ratio`` (width / height)."""
    h, w = shape[:2]
    return {"image_width": float(w), "image_height": float(h), "aspect_ratio": w / h}


def geometry_measures(
    shape: tuple[int, ...], lm: Landmarks, pose: Pose, params: FaceParameters
) -> dict[str, float]:
    """Size, position and pose of the head in the frame.

    - ``inter_eye_distance``: eye centre to eye centre in px, divided by cos(yaw) so a turned head
      is not mistaken for a small one (OFIQ's pose-corrected IED).
    - ``head_length_ratio``: crown-to-chin length / image height; ``head_width_ratio``: head width
      (``2 * head_half_width_ied`` IED, ears excluded) / image width.
    - ``horizontal_centre``: x of the face's vertical centre line (eye midpoint to mouth) / width;
      ``eye_line_height``: distance from the *bottom* edge to the eye line / height (ISO's convention).
    - ``margin_left/right/top/bottom``: distance from the head outline to each image edge, in IED
      (negative: the head is cut by the frame).
    - ``yaw``, ``pitch``, ``roll`` in degrees (see :func:`biocore.face.landmarks.estimate_pose`).
    """
    h, w = shape[:2]
    d = lm.ied_px
    mx, my = lm.eye_mid
    centre_x = (mx + lm.mouth[0]) / 2
    half_w = params.head_half_width_ied * d
    pts = np.array([lm.crown, lm.chin, lm.eye_left, lm.eye_right])
    top, bottom = float(pts[:, 1].min()), float(pts[:, 1].max())
    left, right = mx - half_w, mx + half_w
    head_len = math.hypot(lm.chin[0] - lm.crown[0], lm.chin[1] - lm.crown[1])
    cos_yaw = max(math.cos(math.radians(pose.yaw_deg)), 0.2)
    return {
        "inter_eye_distance": d / cos_yaw,
        "head_length_ratio": head_len / h,
        "head_width_ratio": 2 * half_w / w,
        "horizontal_centre": centre_x / w,
        "eye_line_height": (h - my) / h,
        "margin_left": left / d,
        "margin_right": (w - right) / d,
        "margin_top": top / d,
        "margin_bottom": (h - bottom) / d,
        "yaw": pose.yaw_deg,
        "pitch": pose.pitch_deg,
        "roll": pose.roll_deg,
    }
