"""What :func:`biocore.face.assess` returns: one :class:`Measure` per check, and the verdict."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .landmarks import Landmarks, eye_alignment, warp

__all__ = ["Measure", "FaceReport", "MESSAGES"]

# name -> (unit / meaning, what to tell the operator when too low, when too high)
MESSAGES: dict[str, tuple[str, str, str]] = {
    "face_count": (
        "faces found",
        "No face found: face the camera, remove anything covering the face",
        "More than one face: only the applicant may be in the picture",
    ),
    "inter_eye_distance": (
        "px between eye centres, pose-corrected",
        "Face too small: move the camera closer or use a higher resolution",
        "",
    ),
    "head_length_ratio": (
        "crown-to-chin / image height",
        "Head too small in the frame: zoom in",
        "Head too large in the frame: zoom out",
    ),
    "head_width_ratio": (
        "head width / image width",
        "Head too narrow in the frame: zoom in",
        "Head too wide in the frame: zoom out",
    ),
    "horizontal_centre": (
        "face centre x / image width",
        "Face is left of centre: re-centre",
        "Face is right of centre: re-centre",
    ),
    "eye_line_height": (
        "eye line height from the bottom / image height",
        "Eyes too low in the frame: raise the camera framing",
        "Eyes too high in the frame: lower the framing",
    ),
    "margin_left": (
        "IED from head to left edge",
        "Head too close to (or cut by) the left edge",
        "",
    ),
    "margin_right": (
        "IED from head to right edge",
        "Head too close to (or cut by) the right edge",
        "",
    ),
    "margin_top": (
        "IED from crown to top edge",
        "Top of the head cut or too close to the top edge",
        "",
    ),
    "margin_bottom": (
        "IED from chin to bottom edge",
        "Chin too close to the bottom edge: show the shoulders",
        "",
    ),
    "image_width": ("px", "Image too narrow: capture at a higher resolution", ""),
    "image_height": ("px", "Image too short: capture at a higher resolution", ""),
    "aspect_ratio": (
        "width / height",
        "Image too tall for 35x45 format: crop",
        "Image too wide for 35x45 format: crop",
    ),
    "yaw": (
        "deg, + = nose to image right",
        "Head turned: look straight at the camera",
        "Head turned: look straight at the camera",
    ),
    "pitch": (
        "deg, + = head bowed",
        "Chin raised: lower the chin slightly",
        "Head bowed: raise the chin",
    ),
    "roll": (
        "deg, + = image-right eye lower",
        "Head tilted: keep the head straight",
        "Head tilted: keep the head straight",
    ),
    "eyes_open": (
        "IED of visible iris, smaller eye",
        "Eyes closed or nearly closed: open the eyes",
        "",
    ),
    "eyes_visible": (
        "eye-window contrast / face contrast",
        "Eyes not clearly visible: remove hair, hands or dark glasses",
        "",
    ),
    "mouth_open": ("IED of open mouth", "", "Mouth open: close the mouth"),
    "mouth_visible": (
        "mouth-window contrast / face contrast",
        "Mouth covered: remove whatever hides it",
        "",
    ),
    "smile": (
        "fraction of mouth window showing teeth",
        "",
        "Not a neutral expression: no smile, mouth closed",
    ),
    "glasses": (
        "bridge edge strength / cheek edge strength",
        "",
        "Glasses detected: remove glasses",
    ),
    "sharpness": ("variance of the Laplacian at IED 64", "Image blurred: refocus, hold still", ""),
    "motion_blur": ("gradient coherence 0-1", "", "Motion blur: ask the applicant to hold still"),
    "luminance_mean": (
        "mean face luma 0-1",
        "Face too dark: add light",
        "Face too bright: reduce light or exposure",
    ),
    "luminance_spread": (
        "std of face luma 0-1",
        "Face flat / low contrast: check exposure and lighting",
        "",
    ),
    "under_exposure": (
        "fraction of face pixels near black",
        "",
        "Parts of the face are black: add light",
    ),
    "over_exposure": (
        "fraction of face pixels near white",
        "",
        "Parts of the face are burnt out: reduce light, avoid flash glare",
    ),
    "dynamic_range": (
        "bits of face luma entropy",
        "Too few grey levels on the face: check exposure",
        "",
    ),
    "illumination_uniformity": (
        "left/right histogram intersection 0-1",
        "Uneven light across the face: light both sides evenly",
        "",
    ),
    "natural_colour": (
        "cheek hue angle in CIELAB, deg",
        "Colour cast (red/magenta): check white balance",
        "Colour cast (green/yellow): check white balance",
    ),
    "colour": ("mean CIELAB chroma", "Greyscale image: a colour photo is required", ""),
    "background_lightness": (
        "mean L* 0-100",
        "Background too dark: use a light plain background",
        "",
    ),
    "background_uniformity": (
        "std of L* about a plane",
        "",
        "Background not plain: use a plain, uniform background",
    ),
    "compression": (
        "8-px blockiness ratio",
        "",
        "Compression artefacts: save at higher JPEG quality",
    ),
}


@dataclass(frozen=True)
class Measure:
    """One check: its raw ``value`` (units in :data:`MESSAGES`), ``score`` 0-100, verdict, and what
    to tell the operator when it fails (empty when it passes)."""

    value: float
    score: float
    passed: bool
    message: str

    def as_dict(self) -> dict[str, Any]:
        v = None if math.isnan(self.value) else round(self.value, 4)
        return {
            "value": v,
            "score": round(self.score, 1),
            "passed": self.passed,
            "message": self.message,
        }


@dataclass(frozen=True)
class FaceReport:
    """The result of :func:`biocore.face.assess`.

    ``passed`` is True when every measure the profile judges passed. ``box`` is (x, y, width,
    height) of the detected face and ``landmarks`` maps names to (x, y) pixel points (column, row);
    both are None when no face was found. ``approximate`` lists landmarks that were estimated.
    """

    passed: bool
    profile: str
    backend: str
    measures: dict[str, Measure]
    box: tuple[float, float, float, float] | None
    landmarks: dict[str, tuple[float, float]] | None
    approximate: tuple[str, ...]
    image_size: tuple[int, int]  # (width, height)
    _image: np.ndarray | None = field(default=None, repr=False, compare=False)
    _landmarks: Landmarks | None = field(default=None, repr=False, compare=False)

    @property
    def failures(self) -> dict[str, Measure]:
        return {k: m for k, m in self.measures.items() if not m.passed}

    @property
    def feedback(self) -> list[str]:
        """Operator messages of the failed measures, most severe (lowest score) first."""
        return [
            m.message
            for _, m in sorted(self.failures.items(), key=lambda kv: kv[1].score)
            if m.message
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "profile": self.profile,
            "backend": self.backend,
            "image_size": list(self.image_size),
            "box": None if self.box is None else [round(v, 1) for v in self.box],
            "landmarks": (
                None
                if self.landmarks is None
                else {k: [round(v[0], 1), round(v[1], 1)] for k, v in self.landmarks.items()}
            ),
            "approximate": list(self.approximate),
            "feedback": self.feedback,
            "measures": {k: m.as_dict() for k, m in self.measures.items()},
        }

    def token(self, width: int = 240) -> np.ndarray:
        """The ISO/IEC 19794-5 token frontal image: (round(width / 0.75), width, 3) uint8 RGB.

        The head is rotated so the eyes are level and scaled so the inter-eye distance is
        ``width / 4``, with the eye midpoint at (``width / 2``, ``0.6 * width``) (ISO/IEC 19794-5:2005
        §8.4.2). Areas outside the original photo are filled by replicating its border.
        """
        from .._shared.validation import check_int
        from ..errors import InvalidArgument

        width = check_int(width, "width", 60, 2400)
        if self._landmarks is None or self._image is None:
            raise InvalidArgument(
                "token: no face was found in this image, so there is no token image to cut"
            )
        height = int(round(width / 0.75))
        m = eye_alignment(self._landmarks, ied_px=width / 4, eye_mid_xy=(width / 2, 0.6 * width))
        return warp(self._image, m, (width, height))
