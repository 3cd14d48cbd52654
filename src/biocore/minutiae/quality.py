"""Stage 10: per-minutia quality and overall image quality, both 0-100.

A minutia is as trustworthy as the ridge flow around it (orientation coherence) and its distance
from the edge of the print; the image is as good as the coherence of its foreground and the
amount of it.
"""

from __future__ import annotations

import numpy as np

from .orientation import OrientationField
from .parameters import ExtractionParameters

__all__ = ["minutia_quality", "image_quality"]

# Coherence at and above which ridge flow is considered perfect for quality purposes.
_GOOD_COHERENCE = 0.75
# Minutiae this far inside the print are not penalised for closeness to its edge.
_FULL_EDGE_DISTANCE_PX = 24.0
# Foreground area (fraction of a 500 ppi plain-print sized image) that counts as complete.
_FULL_AREA_PX = 250 * 250


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


def image_quality(field: OrientationField, mask: np.ndarray) -> int:
    """Quality 0-100 of the whole image: mean foreground coherence, scaled down for small prints."""
    area = int(mask.sum())
    if area == 0:
        return 0
    cells = mask[:: field.block_px, :: field.block_px][: field.coherence.shape[0], : field.coherence.shape[1]]
    coherence = field.coherence[: cells.shape[0], : cells.shape[1]][cells]
    if coherence.size == 0:
        return 0
    flow = float(np.clip(np.mean(coherence) / _GOOD_COHERENCE, 0.0, 1.0))
    extent = min(1.0, area / _FULL_AREA_PX)
    return int(round(100.0 * flow * (0.3 + 0.7 * extent)))
