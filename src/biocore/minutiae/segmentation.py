"""Stage 3: foreground segmentation (where the finger is).

A block is foreground when it has ridge contrast (absolute, and relative to the print's best
blocks) and a coherent orientation; the block mask is then cleaned morphologically, reduced to
its largest region with holes filled, and brought back to pixel resolution.

References
----------
.. [1] A. M. Bazen and S. H. Gerez, "Segmentation of fingerprint images," ProRISC 2001.
"""

from __future__ import annotations

import cv2
import numpy as np

from ._filters import resize_to
from .orientation import OrientationField
from .parameters import ExtractionParameters

__all__ = ["segment", "foreground_box"]


def segment(contrast: np.ndarray, field: OrientationField, params: ExtractionParameters) -> np.ndarray:
    """Foreground mask of the fingerprint.

    Parameters
    ----------
    contrast : ndarray, shape (H, W), float32
        Local grey-level standard deviation from :func:`~biocore.minutiae.normalization.normalize`.
    field : OrientationField
        Its coherence separates ridges from noise and smudges.
    params : ExtractionParameters
        Uses the ``mask_*`` parameters.

    Returns
    -------
    mask : ndarray, shape (H, W), bool
        True on the fingerprint. All False for a blank or non-fingerprint image.
    """
    rows, cols = contrast.shape
    b = params.mask_block_px
    grid = (max(1, rows // b), max(1, cols // b))
    block_contrast = resize_to(contrast, grid, interpolation=cv2.INTER_AREA)
    block_coherence = resize_to(field.coherence, grid, interpolation=cv2.INTER_LINEAR)
    reference = float(np.percentile(block_contrast, 95))
    threshold = max(params.mask_min_contrast_gray, params.mask_relative_contrast * reference)
    blocks = ((block_contrast > threshold) & (block_coherence > params.mask_min_coherence)).astype(np.uint8)

    r = params.mask_morphology_blocks
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    padded = cv2.copyMakeBorder(blocks, r, r, r, r, cv2.BORDER_CONSTANT, value=0)
    padded = cv2.morphologyEx(padded, cv2.MORPH_CLOSE, disc)
    padded = cv2.morphologyEx(padded, cv2.MORPH_OPEN, disc)
    blocks = _largest_region_filled(padded)[r:-r, r:-r]
    if blocks.sum() < params.mask_min_area_fraction * blocks.size:
        return np.zeros((rows, cols), dtype=bool)
    if params.mask_erosion_blocks:
        # Contrast is measured over a window wider than a block, so the raw mask overhangs the print;
        # there the print's edge itself looks like a ridge and would join the real ridges' ends.
        e = params.mask_erosion_blocks
        blocks = cv2.erode(blocks, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * e + 1, 2 * e + 1)))
    return resize_to(blocks.astype(np.float32), (rows, cols)) > 0.5


def _largest_region_filled(blocks: np.ndarray) -> np.ndarray:
    """The largest 8-connected region of a 0/1 uint8 image, with its holes filled."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(blocks, connectivity=8)
    if count <= 1:
        return np.zeros_like(blocks)
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    region = (labels == largest).astype(np.uint8)
    # Holes are background components that do not touch the border.
    count, labels, stats, _ = cv2.connectedComponentsWithStats(1 - region, connectivity=4)
    h, w = region.shape
    for k in range(1, count):
        x, y, bw, bh = stats[k, :4]
        if x > 0 and y > 0 and x + bw < w and y + bh < h:
            region[labels == k] = 1
    return region


def foreground_box(mask: np.ndarray, align: int) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) of the mask's bounding box, widened to multiples of ``align``
    pixels and clipped to the frame: the region extraction (and quality) crop to."""
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    top, left = (rows[0] // align) * align, (cols[0] // align) * align
    bottom = min(mask.shape[0], -(-(rows[-1] + 1) // align) * align)
    right = min(mask.shape[1], -(-(cols[-1] + 1) // align) * align)
    return int(top), int(bottom), int(left), int(right)
