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
    template: Template, mask: np.ndarray, scale: float, params: QualityParameters
) -> dict[str, float]:
    """Minutiae features; ``mask`` is on the 500 ppi grid, ``scale`` its pixels per template pixel."""
    out = {"minutiae_count": float(len(template)), "centre_minutiae_count": 0.0, "centre_minutiae_quality": 0.0}
    if len(template) == 0 or not mask.any():
        return out
    rows, cols = np.nonzero(mask[::4, ::4])
    cy, cx = 4.0 * rows.mean(), 4.0 * cols.mean()
    distance = np.hypot(template.x * scale - cx, template.y * scale - cy)
    centre = distance <= params.centre_radius_px
    out["centre_minutiae_count"] = float(np.count_nonzero(centre))
    if centre.any():
        out["centre_minutiae_quality"] = float(template.quality[centre].mean())
    return out
