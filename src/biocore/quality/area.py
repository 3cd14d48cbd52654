"""Foreground features: how much finger, where, and in which direction.

``foreground_fraction`` (of the image), ``area_mm2``, the foreground centroid's offset from the
image centre (``centre_offset_x``, ``centre_offset_y``, fractions of the image side; ``centre_offset``
their length), ``frame_sides_cut`` (image sides the print runs into: a print cut by the frame is
partial), and the finger axis from the mask's second moments (``rotation_deg`` from vertical,
``elongation`` major/minor axis).

References
----------
.. [1] ISO/IEC 29794-4:2017, Annex (NFIQ 2 features FDA / foreground area and ROI).
"""

from __future__ import annotations

import cv2
import numpy as np

from .parameters import QualityParameters

__all__ = ["area_features"]

_MM_PER_PX_500PPI = 25.4 / 500.0
# A side is "cut" when the print covers more than this fraction of the frame line along it.
_CUT_SIDE_FRACTION = 0.12


def area_features(mask: np.ndarray, params: QualityParameters) -> dict[str, float]:
    """Foreground features of a (H, W) bool mask on the 500 ppi grid (see the module text)."""
    rows, cols = mask.shape
    area_px = int(np.count_nonzero(mask))
    out = {
        "foreground_fraction": area_px / mask.size, "area_mm2": area_px * _MM_PER_PX_500PPI**2,
        "centre_offset_x": 0.0, "centre_offset_y": 0.0, "centre_offset": 0.0, "frame_sides_cut": 0.0,
        "rotation_deg": 0.0, "elongation": 1.0,
    }
    if area_px == 0:
        return out
    m = cv2.moments(mask.view(np.uint8), binaryImage=True)
    cx, cy = m["m10"] / m["m00"], m["m01"] / m["m00"]
    out["centre_offset_x"] = (cx - (cols - 1) / 2.0) / cols
    out["centre_offset_y"] = (cy - (rows - 1) / 2.0) / rows
    out["centre_offset"] = float(np.hypot(out["centre_offset_x"], out["centre_offset_y"]))
    sides = (mask[0, :], mask[-1, :], mask[:, 0], mask[:, -1])
    out["frame_sides_cut"] = float(sum(side.mean() > _CUT_SIDE_FRACTION for side in sides))
    mu20, mu02, mu11 = m["mu20"], m["mu02"], m["mu11"]
    spread = np.hypot(mu20 - mu02, 2.0 * mu11)
    major, minor = (mu20 + mu02 + spread) / 2.0, max((mu20 + mu02 - spread) / 2.0, 1e-9)
    out["elongation"] = float(np.sqrt(major / minor))
    # Axis angle on screen (rows grow downward), then its deviation from vertical in (-90, 90].
    axis_deg = np.degrees(0.5 * np.arctan2(-2.0 * mu11, mu20 - mu02))
    out["rotation_deg"] = float((axis_deg - 90.0 + 90.0) % 180.0 - 90.0)
    return out
