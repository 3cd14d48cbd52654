"""Stage 0: resampling to the working resolution.

Every tuned length of the extractor is in pixels at ``working_dpi`` (500 ppi), so resolutions
more than ``resample_tolerance_fraction`` (15%) away are resampled to it first, and minutiae are
mapped back to the caller's grid at the end. :mod:`biocore.quality` scores captures on the same
grid and should resample through :func:`to_working_grid` so that both agree.
"""

from __future__ import annotations

import cv2
import numpy as np

from .parameters import ExtractionParameters

__all__ = ["to_working_grid"]


def to_working_grid(gray: np.ndarray, dpi: int, params: ExtractionParameters) -> tuple[np.ndarray, float]:
    """The image resampled from ``dpi`` to ``params.working_dpi``, and the scale factor.

    Parameters
    ----------
    gray : ndarray, shape (H, W), uint8
    dpi : int
        Resolution of ``gray`` in pixels per inch.
    params : ExtractionParameters
        Uses ``working_dpi``, ``resample_tolerance_fraction`` and ``sharp_resample_min_scale``.

    Returns
    -------
    work : ndarray, shape (round(H * scale), round(W * scale)), uint8
        ``gray`` itself when the resolutions agree within ``resample_tolerance_fraction``; at
        least 8 pixels a side.
    scale : float
        Working-grid pixels per input pixel: ``working_dpi / dpi``, or 1.0 when ``gray`` is
        returned as it is.
    """
    scale = params.working_dpi / dpi
    if abs(dpi - params.working_dpi) <= params.resample_tolerance_fraction * params.working_dpi:
        return gray, 1.0
    rows, cols = gray.shape
    size = (max(8, int(round(cols * scale))), max(8, int(round(rows * scale))))
    sharp = scale >= params.sharp_resample_min_scale
    return cv2.resize(gray, size, interpolation=cv2.INTER_CUBIC if sharp else cv2.INTER_AREA), scale
