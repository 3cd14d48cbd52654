"""Test portraits built from scikit-image's public-domain astronaut photo, with known manipulations."""

from __future__ import annotations

import functools

import cv2
import numpy as np

# Eye centres of the astronaut in skimage.data.astronaut() (x, y), from dlib's 5-point model.
ASTRONAUT_EYES = ((203.5, 102.0), (246.0, 104.5))
# Crop (x0, y0, x1, y1) and upscale that make it a 450 x 600 ID-style portrait.
_CROP = (134, 14, 314, 254)
_SCALE = 2.5


@functools.lru_cache(maxsize=1)
def _portrait() -> np.ndarray:
    from skimage import data

    x0, y0, x1, y1 = _CROP
    crop = data.astronaut()[y0:y1, x0:x1]
    return cv2.resize(crop, None, fx=_SCALE, fy=_SCALE, interpolation=cv2.INTER_CUBIC)


def portrait() -> np.ndarray:
    """(600, 450, 3) uint8 RGB portrait; eyes roughly level, IED ~106 px."""
    return _portrait().copy()


def eyes() -> tuple[tuple[float, float], tuple[float, float]]:
    x0, y0 = _CROP[:2]
    return tuple(((x - x0) * _SCALE, (y - y0) * _SCALE) for x, y in ASTRONAUT_EYES)  # type: ignore[return-value]


def eye_mid() -> tuple[float, float]:
    (lx, ly), (rx, ry) = eyes()
    return (lx + rx) / 2, (ly + ry) / 2


def rotate(image: np.ndarray, angle_deg: float) -> np.ndarray:
    """Rotate counter-clockwise (OpenCV's convention) about the eye midpoint."""
    m = cv2.getRotationMatrix2D(eye_mid(), angle_deg, 1.0)
    return cv2.warpAffine(
        image, m, (image.shape[1], image.shape[0]), borderMode=cv2.BORDER_REPLICATE
    )


def gamma(image: np.ndarray, g: float) -> np.ndarray:
    lut = np.clip(255.0 * (np.arange(256) / 255.0) ** g, 0, 255).astype(np.uint8)
    return lut[image]


def jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", image[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)[:, :, ::-1].copy()


def patch(
    image: np.ndarray, centre: tuple[float, float], half_w: int, half_h: int, colour=(128, 128, 128)
) -> np.ndarray:
    out = image.copy()
    x, y = int(centre[0]), int(centre[1])
    out[y - half_h : y + half_h, x - half_w : x + half_w] = colour
    return out
