"""Validation and coercion at the public edge. Inner code trusts what comes out of here."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InvalidArgument, InvalidImage

__all__ = ["as_gray_image", "read_image", "to_uint8", "check_sides", "check_int", "check_choice", "describe"]

MIN_SIDE_PX = 64
MAX_SIDE_PX = 4096


def describe(value: Any) -> str:
    """A short description of a value for error messages (type, and shape/dtype for arrays)."""
    if isinstance(value, np.ndarray):
        return f"ndarray of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def read_image(path: str | os.PathLike[str], *, name: str = "image") -> np.ndarray:
    """Read an image file as 2-D grayscale (uint8 or uint16) with OpenCV; errors name the path."""
    import cv2

    p = Path(path)
    if not p.is_file():
        raise InvalidImage(f"{name}: expected an image file, but {str(p)!r} does not exist or is not a file")
    data = np.fromfile(p, dtype=np.uint8)
    image = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE | cv2.IMREAD_ANYDEPTH) if data.size else None
    if image is None:
        raise InvalidImage(f"{name}: {str(p)!r} is not an image OpenCV can read ({data.size} bytes)")
    return image


def as_gray_image(
    image: Any,
    *,
    name: str = "image",
    min_side_px: int = MIN_SIDE_PX,
    max_side_px: int = MAX_SIDE_PX,
) -> np.ndarray:
    """Coerce a grayscale image to a C-contiguous uint8 array, or raise :class:`InvalidImage`.

    Accepts a path (read with OpenCV), or a 2-D array of dtype uint8, uint16 (scaled by 1/257)
    or float in [0, 1] (scaled by 255). Shapes are (rows, cols), each side within
    [``min_side_px``, ``max_side_px``].
    """
    if isinstance(image, (str, os.PathLike)):
        image = read_image(image, name=name)
    if not isinstance(image, np.ndarray):
        raise InvalidImage(f"{name}: expected a 2-D numpy array or an image path, got {describe(image)}")
    if image.ndim != 2:
        raise InvalidImage(f"{name}: expected a 2-D grayscale array (rows, cols), got {describe(image)}")
    if image.size == 0:
        raise InvalidImage(f"{name}: expected a non-empty image, got {describe(image)}")
    check_sides(image, name=name, min_side_px=min_side_px, max_side_px=max_side_px)
    return np.ascontiguousarray(to_uint8(image, name=name))


def check_sides(image: np.ndarray, *, name: str, min_side_px: int, max_side_px: int) -> None:
    """Raise :class:`InvalidImage` unless both sides of ``image`` lie in [min_side_px, max_side_px]."""
    rows, cols = image.shape[:2]
    if min(rows, cols) < min_side_px or max(rows, cols) > max_side_px:
        raise InvalidImage(
            f"{name}: expected each side between {min_side_px} and {max_side_px} px, got {rows} x {cols}"
        )


def to_uint8(image: np.ndarray, *, name: str = "image") -> np.ndarray:
    """Pixel values as uint8 (any shape): uint8 as is, uint16 scaled by 1/257, float in [0, 1] by 255,
    bool to 0/255; anything else (or NaN, or floats outside [0, 1]) raises :class:`InvalidImage`."""
    if image.dtype == np.uint8:
        return image
    if image.dtype == np.uint16:
        return ((image.astype(np.uint32) + 128) // 257).astype(np.uint8)
    if image.dtype.kind == "f":
        if not np.all(np.isfinite(image)):
            raise InvalidImage(f"{name}: float image contains NaN or infinity")
        lo, hi = float(image.min()), float(image.max())
        if lo < 0.0 or hi > 1.0:
            raise InvalidImage(f"{name}: expected float values in [0, 1], got values in [{lo:g}, {hi:g}]")
        return np.rint(image * 255.0).astype(np.uint8)
    if image.dtype == np.bool_:
        return image.astype(np.uint8) * 255
    raise InvalidImage(f"{name}: expected dtype uint8, uint16 or float in [0, 1], got {image.dtype}")


def check_int(value: Any, name: str, lo: int, hi: int) -> int:
    """Return ``value`` as an int in [lo, hi] or raise :class:`InvalidArgument`."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise InvalidArgument(f"{name}: expected an integer in [{lo}, {hi}], got {describe(value)}")
    if not lo <= int(value) <= hi:
        raise InvalidArgument(f"{name}: expected an integer in [{lo}, {hi}], got {int(value)}")
    return int(value)


def check_choice(value: Any, name: str, choices: tuple[str, ...] | list[str]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise :class:`InvalidArgument`."""
    if not isinstance(value, str) or value not in choices:
        raise InvalidArgument(f"{name}: expected one of {', '.join(map(repr, choices))}, got {describe(value)}")
    return value
