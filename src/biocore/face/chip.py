"""The aligned face chip: eyes level, a fixed inter-eye distance, fixed regions of interest.

Appearance measures (eyes, mouth, sharpness, light, colour) run on this chip, so their regions are
constant rectangles and their values do not depend on the photo's resolution or the head's roll.
Layout (``FaceParameters`` defaults): 192 x 256 px, IED 64 px, eyes on row 100.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .landmarks import Landmarks, eye_alignment, warp
from .parameters import FaceParameters

__all__ = ["Chip", "make_chip"]


@dataclass(frozen=True)
class Chip:
    rgb: np.ndarray  # (H, W, 3) uint8
    luma: np.ndarray  # (H, W) float32, 0-255 (ITU-R BT.601 weights)
    lab: np.ndarray  # (H, W, 3) float32, CIELAB (L* 0-100)
    ied: int
    eye_row: int
    eye_cols: tuple[int, int]
    mouth_row: int

    def rect(self, x0: float, y0: float, x1: float, y1: float) -> tuple[slice, slice]:
        """Rows/cols slices of a rectangle given in IED units relative to the eye midpoint."""
        cx, d = (self.eye_cols[0] + self.eye_cols[1]) / 2, self.ied
        h, w = self.luma.shape
        r0, r1 = int(np.clip(self.eye_row + y0 * d, 0, h - 1)), int(
            np.clip(self.eye_row + y1 * d, 1, h)
        )
        c0, c1 = int(np.clip(cx + x0 * d, 0, w - 1)), int(np.clip(cx + x1 * d, 1, w))
        return slice(r0, max(r1, r0 + 1)), slice(c0, max(c1, c0 + 1))


def make_chip(rgb: np.ndarray, lm: Landmarks, params: FaceParameters) -> Chip:
    size = (params.chip_width_px, params.chip_height_px)
    m = eye_alignment(
        lm, ied_px=params.chip_ied_px, eye_mid_xy=(params.chip_width_px / 2, params.chip_eye_row_px)
    )
    chip = warp(rgb, m, size)
    luma = cv2.cvtColor(chip, cv2.COLOR_RGB2GRAY).astype(np.float32)
    lab = cv2.cvtColor(chip.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)
    mouth = m @ np.array([lm.mouth[0], lm.mouth[1], 1.0])
    half = params.chip_ied_px / 2
    cx = params.chip_width_px / 2
    return Chip(
        chip,
        luma,
        lab,
        params.chip_ied_px,
        params.chip_eye_row_px,
        (int(round(cx - half)), int(round(cx + half))),
        int(round(mouth[1])),
    )
