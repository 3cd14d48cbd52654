"""The quality recipe: stage outputs -> features -> score and feedback (see :func:`finger_quality`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._shared.tracing import record, trace
from .._shared.validation import as_gray_image, check_int
from ..errors import InvalidArgument
from ..minutiae.orientation import OrientationField
from ..templates.template import Template
from ._blocks import block_mask
from .area import area_features
from .clarity import clarity_features
from .feedback import Feedback, feedback_for
from .fields import TRACE_NAMES, StageFields, compute_fields, stage_fields, to_working_grid
from .flow import flow_features
from .frequency import frequency_features
from .intensity import intensity_features
from .minutiae import minutiae_features
from .model import score_from_features
from .parameters import DEFAULT_PARAMETERS, QualityParameters

__all__ = ["FingerQuality", "finger_quality", "extract_with_quality", "assess_stages"]

MIN_DPI, MAX_DPI = 100, 4000


@dataclass(frozen=True)
class FingerQuality:
    """Quality of one finger capture.

    Attributes
    ----------
    score : int
        0-100 on the NFIQ 2 scale, higher is better: the model's estimate (x100) that genuine
        comparisons with this capture succeed at FMR 1%. 0 when there is no finger.
    features : dict of str to float
        The measured features (see :mod:`biocore.quality`); the minutiae features appear only
        when extraction ran (``stages`` given, or :func:`extract_with_quality`).
    feedback : tuple of Feedback
        Actionable messages, most important first; empty when nothing needs fixing.
    """

    score: int
    features: dict[str, float] = field(repr=False)
    feedback: tuple[Feedback, ...]

    @property
    def codes(self) -> list[str]:
        """The feedback codes, most important first."""
        return [f.code for f in self.feedback]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (score, features rounded to 4 decimals, feedback)."""
        return {
            "score": self.score,
            "features": {k: round(float(v), 4) for k, v in self.features.items()},
            "feedback": [f.to_dict() for f in self.feedback],
        }


def finger_quality(
    image: Any,
    *,
    dpi: int = 500,
    stages: Mapping[str, Any] | None = None,
    parameters: QualityParameters = DEFAULT_PARAMETERS,
) -> FingerQuality:
    """Score a fingerprint capture 0-100 and say what to fix.

    Parameters
    ----------
    image : ndarray of shape (H, W) or str or os.PathLike
        Grayscale fingerprint as for :func:`biocore.extract` (uint8, uint16, float in [0, 1],
        or an image path); each side 64-4096 px.
    dpi : int, optional
        Resolution of ``image`` (100-4000 ppi); features are measured on the 500 ppi grid.
    stages : Trace or mapping, optional
        A trace of this image's extraction, from
        ``with biocore.trace(*biocore.quality.TRACE_NAMES) as t: biocore.extract(image, dpi=dpi)``:
        extraction already scored the capture (its template's ``image_quality`` is ``score``), so
        nothing is recomputed and the minutiae features are added. Without it the first four
        extraction stages run here. :func:`extract_with_quality` does both in one call.
    parameters : QualityParameters, optional

    Returns
    -------
    FingerQuality
        ``.score`` (0-100), ``.features``, ``.feedback``.

    Raises
    ------
    InvalidImage
        Not an image (type, dimensions, dtype, size, NaN, unreadable file).
    InvalidArgument
        ``dpi`` out of range, or ``stages`` not a trace of this image's extraction.

    Notes
    -----
    Inside ``with biocore.trace()`` the result is recorded as ``"quality"``.

    References
    ----------
    .. [1] ISO/IEC 29794-4:2017, Biometric sample quality - Part 4: Finger image data.
    .. [2] E. Tabassi et al., "NFIQ 2 - NIST Fingerprint Image Quality," NISTIR 8382, 2021.

    Examples
    --------
    >>> import biocore
    >>> q = biocore.finger_quality("101_1.tif")        # doctest: +SKIP
    >>> q.score, q.codes                                # doctest: +SKIP
    (64, [])
    """
    gray = as_gray_image(image)
    dpi = check_int(dpi, "dpi", MIN_DPI, MAX_DPI)
    if not isinstance(parameters, QualityParameters):
        raise InvalidArgument(f"parameters: expected a QualityParameters, got {type(parameters).__name__}")
    if stages is None:
        result = assess(compute_fields(gray, dpi), parameters)
    elif isinstance(stages, Mapping) or hasattr(stages, "__contains__") and hasattr(stages, "__getitem__"):
        result = _from_trace(gray, dpi, stages, parameters)
    else:
        raise InvalidArgument(f"stages: expected a biocore.Trace or a mapping of stage outputs, got {type(stages).__name__}")
    record("quality", result)
    return result


def _from_trace(gray, dpi: int, stages: Mapping[str, Any], parameters: QualityParameters) -> FingerQuality:
    """The quality extraction recorded, plus the minutiae features of its template."""
    if "minutiae" not in stages:
        raise InvalidArgument(f"stages: expected a trace of biocore.extract holding {list(TRACE_NAMES)}, missing ['minutiae']")
    template = stages["minutiae"]
    if not isinstance(template, Template):
        raise InvalidArgument(f"stages: 'minutiae' should be a Template, got {type(template).__name__}")
    if (template.height, template.width) != gray.shape:
        raise InvalidArgument(
            f"stages: the traced template is {template.height} x {template.width} px but the image is "
            f"{gray.shape[0]} x {gray.shape[1]} px (was the trace taken on this image?)"
        )
    if "quality" not in stages or parameters is not DEFAULT_PARAMETERS:
        # A blank image stops extraction before quality; other parameters need their own pass.
        result = assess(compute_fields(gray, dpi), parameters)
    else:
        result = stages["quality"]
        if not isinstance(result, FingerQuality):
            raise InvalidArgument(f"stages: 'quality' should be a FingerQuality, got {type(result).__name__}")
    return _with_minutiae(result, template, gray, dpi, parameters)


def _with_minutiae(
    result: FingerQuality, template: Template, gray, dpi: int, parameters: QualityParameters
) -> FingerQuality:
    """``result`` with the minutiae features of ``template`` added (score and feedback unchanged)."""
    features = dict(result.features)
    scale = to_working_grid(gray, dpi)[1] if dpi != 500 else 1.0
    frame = (template.height * scale, template.width * scale)
    features.update(minutiae_features(template, features, frame, scale, parameters))
    return FingerQuality(result.score, features, result.feedback)


def extract_with_quality(
    image: Any, *, dpi: int = 500, finger: int | None = None, parameters: QualityParameters = DEFAULT_PARAMETERS
) -> tuple[Template, FingerQuality]:
    """Extract minutiae and score the capture in one pass (quality comes from the extraction stages).

    Returns ``(template, quality)``; ``template.image_quality == quality.score`` with the default
    parameters. See :func:`biocore.extract` and :func:`finger_quality`.
    """
    from ..minutiae import extract

    gray = as_gray_image(image)
    with trace(*TRACE_NAMES) as stages:
        template = extract(gray, dpi=dpi, finger=finger)
    return template, finger_quality(gray, dpi=dpi, stages=stages, parameters=parameters)


def assess_stages(
    work: np.ndarray, mask: np.ndarray, box: tuple[int, int, int, int], normalized: np.ndarray,
    orientation: OrientationField, frequency: np.ndarray,
) -> FingerQuality:
    """Quality from :func:`biocore.extract`'s stage outputs as it runs (its ``image_quality``).

    Parameters
    ----------
    work : ndarray, shape (H, W), uint8
        The image on the 500 ppi working grid.
    mask : ndarray, shape (H, W), bool
        Foreground, not empty.
    box : tuple of int
        ``(top, bottom, left, right)``: the foreground's bounding box, aligned to the orientation cells.
    normalized, frequency : ndarray, float32, the box's shape
        Normalized image and ridge frequency (cycles/px) over the box.
    orientation : OrientationField
        Orientation field cropped to the box.

    Returns
    -------
    FingerQuality
        Without the minutiae features (they come after); recorded as ``"quality"`` when traced.
    """
    result = assess(stage_fields(work, mask, box, normalized, orientation, frequency), DEFAULT_PARAMETERS)
    record("quality", result)
    return result


def assess(fields: StageFields, params: QualityParameters) -> FingerQuality:
    """Features, score and feedback from the stage outputs (the recipe, one family per line)."""
    features: dict[str, float] = area_features(fields.mask, params)
    mask = fields.crop(fields.mask)
    blocks = block_mask(mask, params.block_px) if mask.size else np.zeros((0, 0), bool)
    features.update(flow_features(fields.coherence, fields.cell_px, blocks, params))
    features.update(clarity_features(fields.normalized, mask, blocks, params))
    features.update(frequency_features(fields.frequency, blocks, params))
    if mask.any():
        features.update(intensity_features(fields.crop(fields.gray), mask, params))
    else:
        features.update(intensity_features(fields.gray, fields.mask, params))
    if fields.template is not None:
        features.update(minutiae_features(fields.template, features, fields.mask.shape, fields.scale, params))
    score = score_from_features(features) if blocks.any() else 0
    return FingerQuality(score, features, tuple(feedback_for(features, params)))
