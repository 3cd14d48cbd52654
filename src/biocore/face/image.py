"""Portrait input at the public edge: a path or an array becomes an RGB uint8 image.

Arrays are taken as **RGB** (what PIL, imageio and scikit-image hand over); pass
``channels="bgr"`` for arrays that come from OpenCV. Files are read with OpenCV and converted, so
paths need no keyword. Grayscale (H, W) arrays are accepted and replicated into three channels;
an alpha channel is dropped.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from .._shared.validation import check_choice, check_sides, describe, to_uint8
from ..errors import InvalidImage

__all__ = ["as_rgb_image", "MIN_SIDE_PX", "MAX_SIDE_PX"]

MIN_SIDE_PX = 48
MAX_SIDE_PX = 8192


def _read(path: str | os.PathLike[str], name: str) -> np.ndarray:
    import cv2

    p = Path(path)
    if not p.is_file():
        raise InvalidImage(
            f"{name}: expected an image file, but {str(p)!r} does not exist or is not a file"
        )
    data = np.fromfile(p, dtype=np.uint8)
    image = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if image is None:
        raise InvalidImage(
            f"{name}: {str(p)!r} is not an image OpenCV can read ({data.size} bytes)"
        )
    return image[:, :, ::-1]


def as_rgb_image(image: Any, *, channels: str = "rgb", name: str = "image") -> np.ndarray:
    """Coerce a portrait to a C-contiguous (H, W, 3) uint8 RGB array or raise :class:`InvalidImage`.

    Parameters
    ----------
    image : str, os.PathLike or ndarray
        A file path, an (H, W) grayscale array, or an (H, W, 3) / (H, W, 4) colour array of dtype
        uint8, uint16 (scaled by 1/257) or float in [0, 1].
    channels : {"rgb", "bgr"}
        Channel order of a colour *array* (ignored for paths and grayscale arrays).
    """
    check_choice(channels, "channels", ("rgb", "bgr"))
    if isinstance(image, (str, os.PathLike)):
        image, channels = _read(image, name), "rgb"
    if not isinstance(image, np.ndarray):
        raise InvalidImage(
            f"{name}: expected an image path or a numpy array, got {describe(image)}"
        )
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (3, 4)):
        raise InvalidImage(
            f"{name}: expected shape (H, W), (H, W, 3) or (H, W, 4), got {describe(image)}"
        )
    check_sides(image, name=name, min_side_px=MIN_SIDE_PX, max_side_px=MAX_SIDE_PX)
    out = to_uint8(image, name=name)
    if out.ndim == 2:
        out = np.repeat(out[:, :, None], 3, axis=2)
    else:
        out = out[:, :, :3]
        if channels == "bgr":
            out = out[:, :, ::-1]
    return np.ascontiguousarray(out)
