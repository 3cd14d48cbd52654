"""Stage 10: per-minutia quality, 1-100.

A minutia is as trustworthy as the ridge flow around it (orientation coherence) and its distance
from the edge of the print: near the edge ridges fade or are cut, and the ones found there are
mostly false. Those within ``quality_edge_zero_px`` of the edge are kept (a matcher that counts
minutiae, such as NBIS bozorth3, finds support in them) but rated 1, so that a matcher selecting
by quality leaves them out first. The image's overall quality is :func:`biocore.finger_quality`'s
score, computed from the extraction's stages (see ``pipeline.extract``).
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
    """Quality 1-100 (uint8) from coherence and distance to the print's edge.

    Parameters
    ----------
    reliability : ndarray, shape (n,), float
        Orientation coherence at each minutia.
    border_distance : ndarray, shape (n,), float
        Distance to the foreground edge in pixels.
    params : ExtractionParameters
        Uses ``min_reliability``, ``quality_edge_zero_px`` and ``quality_edge_floor``.
    """
    flow = np.clip((reliability - params.min_reliability) / (_GOOD_COHERENCE - params.min_reliability), 0.0, 1.0)
    zero, floor = params.quality_edge_zero_px, params.quality_edge_floor
    edge = np.clip((border_distance - zero) / max(_FULL_EDGE_DISTANCE_PX - zero, 1e-6), 0.0, 1.0)
    quality = np.sqrt(flow) * np.where(border_distance < zero, 0.0, floor + (1.0 - floor) * edge)
    # 0 would read as "not rated": every kept minutia is rated at least 1.
    return np.clip(np.rint(100.0 * quality), 1, 100).astype(np.uint8)
