"""Light, colour, sharpness and compression measures on the aligned face chip.

Definitions follow the open descriptions of OFIQ (the ISO/IEC 29794-5 reference implementation)
where one exists; values are raw (documented units) and profiles turn them into verdicts.

References
----------
.. [1] BSI, "OFIQ - Open Source Face Image Quality", measures: luminance, under/over-exposure
   prevention, dynamic range, illumination uniformity, natural colour, sharpness, compression.
.. [2] ISO/IEC 29794-5:2025, Face image quality assessment.
.. [3] Z. Wang, H. Sheikh, A. Bovik, "No-reference perceptual quality assessment of JPEG
   compressed images", ICIP 2002 (blockiness at the 8-px grid).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from .chip import Chip
from .parameters import FaceParameters

__all__ = ["photometry_measures", "colour_measure", "compression_measure"]

# Inner face, in IED from the eye midpoint: brows to below the mouth, cheek to cheek.
_FACE = (-0.85, -0.45, 0.85, 1.45)
_LEFT, _RIGHT = (-0.85, 0.2, -0.15, 1.0), (
    0.15,
    0.2,
    0.85,
    1.0,
)  # cheeks, for colour and uniformity


def photometry_measures(chip: Chip, params: FaceParameters) -> dict[str, float]:
    """Light and sharpness of the face.

    - ``luminance_mean`` / ``luminance_spread``: mean and standard deviation of face luma, 0-1.
    - ``under_exposure`` / ``over_exposure``: fraction of face pixels at or below
      ``dark_level`` / at or above ``bright_level`` (0-255 luma).
    - ``dynamic_range``: Shannon entropy of the face luma histogram in bits (0-8).
    - ``illumination_uniformity``: intersection of the left and right cheek luma histograms
      (32 bins, each normalised), 0-1; 1 = both sides lit alike.
    - ``sharpness``: variance of the Laplacian of face luma at the chip scale (IED 64 px).
    - ``motion_blur``: coherence of the face's gradient structure tensor,
      (l1 - l2) / (l1 + l2), 0-1; blur along one direction removes gradients along it.
    - ``natural_colour``: hue angle of the mean cheek colour in CIELAB, degrees
      (skin tones lie roughly between 25 and 80 degrees; NaN for greyscale).
    """
    rows, cols = chip.rect(*_FACE)
    face = chip.luma[rows, cols]
    n = face.size
    hist = np.bincount(face.astype(np.uint8).ravel(), minlength=256).astype(np.float64) / n
    nz = hist[hist > 0]
    lap = cv2.Laplacian(face, cv2.CV_32F, ksize=1)
    gx = cv2.Sobel(face, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(face, cv2.CV_32F, 0, 1, ksize=3)
    jxx, jyy, jxy = float((gx * gx).sum()), float((gy * gy).sum()), float((gx * gy).sum())
    root = math.sqrt((jxx - jyy) ** 2 + 4 * jxy * jxy)
    coherence = root / (jxx + jyy) if jxx + jyy > 0 else 0.0
    left = chip.luma[chip.rect(*_LEFT)]
    right = chip.luma[chip.rect(*_RIGHT)]
    hl = np.histogram(left, bins=32, range=(0, 256))[0] / left.size
    hr = np.histogram(right, bins=32, range=(0, 256))[0] / right.size
    return {
        "luminance_mean": float(face.mean()) / 255.0,
        "luminance_spread": float(face.std()) / 255.0,
        "under_exposure": float(np.count_nonzero(face <= params.dark_level)) / n,
        "over_exposure": float(np.count_nonzero(face >= params.bright_level)) / n,
        "dynamic_range": float(-(nz * np.log2(nz)).sum()),
        "illumination_uniformity": float(np.minimum(hl, hr).sum()),
        "sharpness": float(lap[2:-2, 2:-2].var()),
        "motion_blur": coherence,
        "natural_colour": _skin_hue(chip, params),
    }


def _skin_hue(chip: Chip, params: FaceParameters) -> float:
    ab = np.concatenate(
        [chip.lab[chip.rect(*_LEFT)].reshape(-1, 3), chip.lab[chip.rect(*_RIGHT)].reshape(-1, 3)]
    )
    a, b = float(np.median(ab[:, 1])), float(np.median(ab[:, 2]))
    if math.hypot(a, b) < params.grey_chroma_max:
        return float("nan")
    return math.degrees(math.atan2(b, a))


def colour_measure(rgb: np.ndarray) -> float:
    """``colour``: mean CIELAB chroma sqrt(a*^2 + b*^2) of the image (~0 for greyscale), on a
    64-px-wide thumbnail (colour is a whole-image property; the thumbnail keeps it cheap)."""
    h, w = rgb.shape[:2]
    f = 64.0 / w
    small = cv2.resize(rgb, (64, max(1, int(round(h * f)))), interpolation=cv2.INTER_AREA)
    lab = cv2.cvtColor(small.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)
    return float(np.hypot(lab[..., 1], lab[..., 2]).mean())


def compression_measure(
    rgb: np.ndarray, box: tuple[float, float, float, float], params: FaceParameters
) -> float:
    """``compression``: blockiness, the mean absolute luma step across 8-px block boundaries
    divided by the mean step inside blocks, over (at most the central 256 x 256 px of) the face
    box in original pixels; ~1 for uncompressed or mildly compressed images, well above 1 for heavy
    JPEG. NaN when the face box is under 32 px."""
    b = params.jpeg_block_px
    x, y, w, h = box
    half = min(128.0, w / 2, h / 2)
    cx, cy = x + w / 2, y + h / 2
    x0, y0 = int(max(0, cx - half)) // b * b, int(max(0, cy - half)) // b * b
    x1, y1 = int(min(rgb.shape[1], cx + half)), int(min(rgb.shape[0], cy + half))
    if min(x1 - x0, y1 - y0) < 4 * b:
        return float("nan")
    roi = cv2.cvtColor(np.ascontiguousarray(rgb[y0:y1, x0:x1]), cv2.COLOR_RGB2GRAY).astype(
        np.float32
    )
    ratios = []
    for diff in (np.abs(np.diff(roi, axis=1)), np.abs(np.diff(roi, axis=0).T)):
        pos = np.arange(diff.shape[1]) % b
        at_edge = diff[:, pos == b - 1].mean()
        inside = diff[:, pos != b - 1].mean()
        ratios.append(float(at_edge) / max(float(inside), 1e-3))
    return float(np.mean(ratios))
