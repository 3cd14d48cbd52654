"""Stage 10: per-minutia quality, 0-100.

A minutia is as trustworthy as the ridge flow around it (orientation coherence) and its distance
from the edge of the print. The image's overall quality is :func:`biocore.finger_quality`'s score,
computed from the extraction's stages (see ``pipeline.extract``).
"""

from __future__ import annotations

import numpy as np

from .parameters import ExtractionParameters

__all__ = ["minutia_quality"]

# Coherence at and above which ridge flow is considered perfect for quality purposes.
_GOOD_COHERENCE = 0.75
# Minutiae this far inside the print are not penalised for closeness to its edge.
_FULL_EDGE_DISTANCE_PX = 24.0


def minutia_quality(
    reliability: np.ndarray, border_distance: np.ndarray, params: ExtractionParameters
) -> np.ndarray:
    """Quality 0-100 (uint8) from coherence and distance to the print's edge.

    Parameters
    ----------
    reliability : ndarray, shape (n,), float
        Orientation coherence at each minutia.
    border_distance : ndarray, shape (n,), float
        Distance to the foreground edge in pixels.
    params : ExtractionParameters
    """
    flow = np.clip((reliability - params.min_reliability) / (_GOOD_COHERENCE - params.min_reliability), 0.0, 1.0)
    edge = np.clip(border_distance / _FULL_EDGE_DISTANCE_PX, 0.0, 1.0)
    return np.rint(100.0 * np.sqrt(flow) * (0.5 + 0.5 * edge)).astype(np.uint8)
