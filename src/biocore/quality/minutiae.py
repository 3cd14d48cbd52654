"""Minutiae features from the extractor's template (when extraction ran).

``minutiae_count`` (all), ``centre_minutiae_count`` and ``centre_minutiae_quality`` (mean 0-100)
within ``params.centre_radius_px`` of the foreground centroid: NFIQ 2 finds the count and
quality of minutiae in the centre among its most predictive features.

References
----------
.. [1] ISO/IEC 29794-4:2017 (NFIQ 2 features MU/ImgQ and MinutiaeCount in the centre of mass).
"""

from __future__ import annotations

import numpy as np

from ..templates.template import Template
from .parameters import QualityParameters

__all__ = ["minutiae_features"]


def minutiae_features(
    template: Template, area: dict[str, float], frame: tuple[float, float], scale: float, params: QualityParameters
) -> dict[str, float]:
    """Minutiae features of ``template``.

    ``area`` holds the foreground features (:func:`~biocore.quality.area.area_features`: the
    centroid's offset from the frame centre), ``frame`` is (rows, cols) of the 500 ppi working
    grid and ``scale`` its pixels per template pixel.
    """
    out = {"minutiae_count": float(len(template)), "centre_minutiae_count": 0.0, "centre_minutiae_quality": 0.0}
    if len(template) == 0 or area["area_mm2"] <= 0:
        return out
    rows, cols = frame
    cx = area["centre_offset_x"] * cols + (cols - 1) / 2.0
    cy = area["centre_offset_y"] * rows + (rows - 1) / 2.0
    distance = np.hypot(template.x * scale - cx, template.y * scale - cy)
    centre = distance <= params.centre_radius_px
    out["centre_minutiae_count"] = float(np.count_nonzero(centre))
    if centre.any():
        out["centre_minutiae_quality"] = float(template.quality[centre].mean())
    return out
