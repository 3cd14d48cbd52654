"""The extractor's stage outputs that quality is measured on, on the print's bounding box.

Quality reuses the first stages of :mod:`biocore.minutiae` (normalization, orientation field with
coherence, segmentation, ridge frequency) instead of recomputing its own. Extraction works on the
foreground's bounding box once the mask is known, and so does quality: the box (aligned to the
orientation cells) is where every block feature is measured, whether the stages were run by
:func:`biocore.extract` (which hands them to :func:`biocore.quality.assess.assess_stages` as it
goes, so the template's ``image_quality`` is this score) or here by :func:`compute_fields` for a
standalone :func:`biocore.finger_quality`. Both paths give the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..minutiae.frequency import ridge_frequency
from ..minutiae.normalization import normalize
from ..minutiae.orientation import OrientationField, orientation_field
from ..minutiae.parameters import DEFAULT_PARAMETERS as EXTRACTION
from ..minutiae.resampling import to_working_grid as _extractor_working_grid
from ..minutiae.segmentation import foreground_box, segment
from ..templates.template import Template

__all__ = ["StageFields", "compute_fields", "foreground_box", "TRACE_NAMES", "to_working_grid"]

#: Stage names quality reads from a trace of :func:`biocore.extract`.
TRACE_NAMES: tuple[str, ...] = ("quality", "minutiae")

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class StageFields:
    """Stage outputs on the extractor's 500 ppi working grid.

    Attributes
    ----------
    gray : ndarray, shape (H, W), uint8
        The image on the working grid (whole frame).
    mask : ndarray, shape (H, W), bool
        Foreground (whole frame).
    box : tuple of int
        ``(top, bottom, left, right)`` of the foreground's bounding box; the arrays below cover it.
    normalized : ndarray, shape (bottom - top, right - left), float32
        Local mean removed and divided by local contrast; ridges positive.
    coherence : ndarray, float32
        Orientation coherence in [0, 1] on the orientation cells of the box
        (``cell_px``-pixel squares, the first one at the box's corner).
    cell_px : int
        Side of an orientation cell in pixels.
    frequency : ndarray, same shape as ``normalized``, float32
        Ridge frequency in cycles per pixel.
    template : Template or None
        The minutiae when extraction ran.
    scale : float
        Working-grid pixels per input pixel.
    """

    gray: np.ndarray
    mask: np.ndarray
    box: Box
    normalized: np.ndarray
    coherence: np.ndarray
    cell_px: int
    frequency: np.ndarray
    template: Template | None
    scale: float

    def crop(self, image: np.ndarray) -> np.ndarray:
        """``image`` (whole-frame, H x W) cut to the box."""
        top, bottom, left, right = self.box
        return image[top:bottom, left:right]


def to_working_grid(gray: np.ndarray, dpi: int) -> tuple[np.ndarray, float]:
    """``gray`` on the extractor's working grid and working-grid pixels per input pixel: the
    extractor's own resampling stage (:func:`biocore.minutiae.resampling.to_working_grid`) with
    its default parameters, so that both score the same pixels."""
    return _extractor_working_grid(gray, dpi, EXTRACTION)


def stage_fields(
    work: np.ndarray, mask: np.ndarray, box: Box, normalized: np.ndarray, field: OrientationField,
    frequency: np.ndarray, scale: float = 1.0, template: Template | None = None,
) -> StageFields:
    """Bundle the extractor's box-cropped stage outputs (``field`` already cropped to ``box``)."""
    return StageFields(work, mask, box, normalized, field.coherence, field.block_px, frequency, template, scale)


def compute_fields(gray: np.ndarray, dpi: int) -> StageFields:
    """Run the extractor's first four stages on ``gray`` (uint8, validated) at ``dpi``, as it runs them."""
    work, scale = to_working_grid(gray, dpi)
    normalized, contrast = normalize(work, EXTRACTION)
    field = orientation_field(normalized, EXTRACTION)
    mask = segment(contrast, field, EXTRACTION)
    if not mask.any():
        empty = np.zeros((0, 0), np.float32)
        return StageFields(work, mask, (0, 0, 0, 0), empty, empty, field.block_px, empty, None, scale)
    box = foreground_box(mask, EXTRACTION.orientation_block_px * EXTRACTION.orientation_downscale)
    top, bottom, left, right = box
    inside = normalized[top:bottom, left:right]
    return stage_fields(work, mask, box, inside, field.crop(*box), ridge_frequency(inside, EXTRACTION), scale)
