"""The extractor's stage outputs that quality is measured on, computed here or taken from a trace.

Quality reuses the first stages of :mod:`biocore.minutiae` (normalization, orientation field with
coherence, segmentation, ridge frequency) instead of recomputing its own. Either they are run here
(:func:`compute_fields`), or they come from a ``biocore.trace`` opened around ``biocore.extract``
(:func:`fields_from_trace`), which makes quality almost free on top of extraction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from ..errors import InvalidArgument
from ..minutiae.frequency import ridge_frequency
from ..minutiae.normalization import normalize
from ..minutiae.orientation import orientation_field
from ..minutiae.parameters import DEFAULT_PARAMETERS as EXTRACTION
from ..minutiae.segmentation import segment
from ..templates.template import Template

__all__ = ["StageFields", "compute_fields", "fields_from_trace", "TRACE_NAMES", "to_working_grid"]

#: Stage names quality reads from a trace of :func:`biocore.extract`.
TRACE_NAMES: tuple[str, ...] = ("normalized", "mask", "reliability", "frequency", "minutiae")


@dataclass(frozen=True)
class StageFields:
    """Stage outputs on the extractor's 500 ppi working grid, shape (H, W) each.

    Attributes
    ----------
    gray : uint8 image on the working grid.
    normalized : float32, local mean removed and divided by local contrast; ridges positive.
    mask : bool foreground.
    coherence : float32 orientation coherence in [0, 1].
    frequency : float32 ridge frequency in cycles per pixel.
    template : Template or None, the minutiae when extraction ran.
    scale : float, working-grid pixels per input pixel.
    """

    gray: np.ndarray
    normalized: np.ndarray
    mask: np.ndarray
    coherence: np.ndarray
    frequency: np.ndarray
    template: Template | None
    scale: float


def to_working_grid(gray: np.ndarray, dpi: int) -> tuple[np.ndarray, float]:
    """Resample ``gray`` to the extractor's working resolution as extraction does; (image, scale)."""
    scale = EXTRACTION.working_dpi / dpi
    if abs(scale - 1.0) < 1e-3:
        return gray, 1.0
    rows, cols = gray.shape
    size = (max(8, int(round(cols * scale))), max(8, int(round(rows * scale))))
    return cv2.resize(gray, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC), scale


def compute_fields(gray: np.ndarray, dpi: int) -> StageFields:
    """Run the extractor's first four stages on ``gray`` (uint8, validated) at ``dpi``."""
    work, scale = to_working_grid(gray, dpi)
    normalized, contrast = normalize(work, EXTRACTION)
    field = orientation_field(normalized, EXTRACTION)
    mask = segment(contrast, field, EXTRACTION)
    frequency = ridge_frequency(normalized, EXTRACTION) if mask.any() else np.zeros(work.shape, np.float32)
    return StageFields(work, normalized, mask, field.reliability(work.shape), frequency, None, scale)


def fields_from_trace(gray: np.ndarray, dpi: int, stages: Mapping[str, Any]) -> StageFields:
    """Stage outputs recorded by ``biocore.trace(*TRACE_NAMES)`` around ``biocore.extract(gray, dpi=dpi)``."""
    missing = [name for name in TRACE_NAMES if name not in stages and name != "frequency"]
    if missing:
        raise InvalidArgument(
            f"stages: expected a trace of biocore.extract holding {list(TRACE_NAMES)}, missing {missing}"
        )
    work, scale = to_working_grid(gray, dpi)
    mask = np.asarray(stages["mask"])
    if mask.shape != work.shape:
        raise InvalidArgument(
            f"stages: traced arrays are {mask.shape[0]} x {mask.shape[1]} px but the image on the 500 ppi grid is "
            f"{work.shape[0]} x {work.shape[1]} px (was the trace taken on this image at this dpi?)"
        )
    template = stages["minutiae"]
    if not isinstance(template, Template):
        raise InvalidArgument(f"stages: 'minutiae' should be a Template, got {type(template).__name__}")
    # Blank images stop extraction before the frequency stage.
    frequency = stages["frequency"] if "frequency" in stages else np.zeros(work.shape, np.float32)
    return StageFields(work, stages["normalized"], mask, stages["reliability"], frequency, template, scale)
