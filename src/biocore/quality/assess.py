"""The quality recipe: stage outputs -> features -> score and feedback (see :func:`finger_quality`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._shared.tracing import record, trace
from .._shared.validation import as_gray_image, check_int
from ..errors import InvalidArgument
from ..templates.template import Template
from ._blocks import block_mask
from .area import area_features
from .clarity import clarity_features
from .feedback import Feedback, feedback_for
from .fields import TRACE_NAMES, StageFields, compute_fields, fields_from_trace
from .flow import flow_features
from .frequency import frequency_features
from .intensity import intensity_features
from .minutiae import minutiae_features
from .model import score_from_features
from .parameters import DEFAULT_PARAMETERS, QualityParameters

__all__ = ["FingerQuality", "finger_quality", "extract_with_quality"]

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
        The extractor's stage outputs for this image, from
        ``with biocore.trace(*biocore.quality.TRACE_NAMES) as t: biocore.extract(image, dpi=dpi)``;
        quality then reuses them (a few ms) and adds the minutiae features. Without it the first
        four extraction stages run here. :func:`extract_with_quality` does both in one call.
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
        fields = compute_fields(gray, dpi)
    elif isinstance(stages, Mapping) or hasattr(stages, "__contains__") and hasattr(stages, "__getitem__"):
        fields = fields_from_trace(gray, dpi, stages)
    else:
        raise InvalidArgument(f"stages: expected a biocore.Trace or a mapping of stage outputs, got {type(stages).__name__}")
    result = assess(fields, parameters)
    record("quality", result)
    return result


def extract_with_quality(
    image: Any, *, dpi: int = 500, finger: int | None = None, parameters: QualityParameters = DEFAULT_PARAMETERS
) -> tuple[Template, FingerQuality]:
    """Extract minutiae and score the capture in one pass (quality reuses the extraction stages).

    Returns ``(template, quality)``; see :func:`biocore.extract` and :func:`finger_quality`.
    """
    from ..minutiae import extract

    gray = as_gray_image(image)
    with trace(*TRACE_NAMES) as stages:
        template = extract(gray, dpi=dpi, finger=finger)
    return template, finger_quality(gray, dpi=dpi, stages=stages, parameters=parameters)


def assess(fields: StageFields, params: QualityParameters) -> FingerQuality:
    """Features, score and feedback from the stage outputs (the recipe, one family per line)."""
    blocks = block_mask(fields.mask, params.block_px)
    features: dict[str, float] = {}
    features.update(area_features(fields.mask, params))
    features.update(flow_features(fields.coherence, blocks, params))
    features.update(clarity_features(fields.normalized, fields.mask, blocks, params))
    features.update(frequency_features(fields.frequency, blocks, params))
    features.update(intensity_features(fields.gray, fields.mask, params))
    if fields.template is not None:
        features.update(minutiae_features(fields.template, fields.mask, fields.scale, params))
    score = score_from_features(features) if blocks.any() else 0
    return FingerQuality(score, features, tuple(feedback_for(features, params)))
