"""Tuned numbers of the portrait pipeline (detection, landmarks, measures), with units in the names.

Thresholds that decide *compliance* live in :mod:`biocore.face.profiles`; the numbers here only
shape how each raw value is *measured*. Lengths in ``_ied`` units are multiples of the
inter-eye distance (centre of one eye to the centre of the other), which makes them scale-free.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FaceParameters", "DEFAULT"]


@dataclass(frozen=True)
class FaceParameters:
    # --- working resolution ---------------------------------------------------------------------
    # Photos larger than this (short side) are measured on a reduced copy (speed on 24 MP images).
    work_short_side_px: int = 1024

    # --- detection ------------------------------------------------------------------------------
    # Faces smaller than this fraction of the short image side are not portraits of the applicant.
    min_face_fraction: float = 0.12
    # Detection runs on a copy whose short side is this long (speed); retried at full size if empty.
    detect_short_side_px: int = 320
    # dlib HOG detector score below which a detection is dropped (dlib's own default is 0).
    dlib_min_score: float = -0.3
    # Two detections overlapping more than this (intersection over the smaller box) are one face.
    same_face_overlap: float = 0.5
    # A second face counts only if it is at least this fraction of the largest one's width.
    second_face_min_width_ratio: float = 0.45

    # --- geometry of a face, in inter-eye distances (adult anthropometry; see landmarks.py) -----
    nose_below_eyes_ied: float = 0.62
    mouth_below_eyes_ied: float = 1.12
    chin_below_eyes_ied: float = 1.95
    crown_above_eyes_ied: float = 1.9
    head_half_width_ied: float = 1.05

    # --- aligned face chip on which appearance measures run -------------------------------------
    chip_ied_px: int = 64
    chip_width_px: int = 192
    chip_height_px: int = 256
    chip_eye_row_px: int = 100

    # --- photometry -----------------------------------------------------------------------------
    dark_level: int = 25  # OFIQ-style under-exposure: face pixels at or below this luma (0-255)
    bright_level: int = 247  # over-exposure: face pixels at or above this luma
    grey_chroma_max: float = (
        2.5  # mean |a*|,|b*| chroma (CIELAB) below which the image is greyscale
    )
    jpeg_block_px: int = 8

    # --- background -----------------------------------------------------------------------------
    background_margin_ied: float = (
        0.35  # gap between the estimated head outline and background samples
    )


DEFAULT = FaceParameters()
