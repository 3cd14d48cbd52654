"""The extraction recipe: one stage per line (see :func:`extract`)."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from .._shared.tracing import record
from .._shared.validation import as_gray_image, check_int
from ..errors import InvalidArgument
from ..templates.template import Template
from .binarization import binarize
from .detection import Candidates, detect
from .enhancement import enhance
from .filtering import remove_false_minutiae
from .frequency import dominant_period, ridge_frequency
from .normalization import normalize
from .orientation import OrientationField, orientation_field
from .parameters import DEFAULT_PARAMETERS, ExtractionParameters
from .quality import minutia_evidence, minutia_quality
from .resampling import to_working_grid
from .segmentation import foreground_box, segment
from .thinning import thin

__all__ = ["extract"]

MIN_DPI, MAX_DPI = 100, 4000


def extract(
    image: Any,
    *,
    dpi: int = 500,
    finger: int | None = None,
    parameters: ExtractionParameters = DEFAULT_PARAMETERS,
) -> Template:
    """Extract the minutiae of a fingerprint image.

    Parameters
    ----------
    image : ndarray of shape (H, W) or str or os.PathLike
        Grayscale fingerprint, dark ridges on a light background: uint8, uint16, or float in
        [0, 1]; or the path of an image file OpenCV can read. Each side 64-4096 pixels.
    dpi : int, optional
        Resolution of ``image`` in pixels per inch (100-4000). Images more than 15% away from
        500 ppi are resampled to 500 ppi internally (closer ones are read as they are, see
        ``resample_tolerance_fraction``); the template's coordinates are always in ``image``'s own
        pixels.
    finger : int or None, optional
        ISO/IEC 19794-2 finger position code 0-10 recorded in the template (None: 0, unknown).
    parameters : ExtractionParameters, optional
        Tuned constants; the defaults are what the benchmarks report.

    Returns
    -------
    Template
        Minutiae with ISO/IEC 19794-2 directions, per-minutia quality 0-100, ``width``,
        ``height``, ``dpi``, ``finger`` and ``image_quality`` (0-100, the
        :func:`biocore.finger_quality` score of the capture). A blank or non-fingerprint
        image gives a template with no minutiae and ``image_quality`` 0.

    Raises
    ------
    InvalidImage
        Wrong type, dimensions, dtype, size or values, NaN, or an unreadable file.
    InvalidArgument
        ``dpi`` or ``finger`` out of range.

    Notes
    -----
    Stages (each a module of :mod:`biocore.minutiae`): normalize, orientation field with
    coherence, segmentation, ridge frequency, Gabor-bank enhancement, binarization, thinning,
    crossing-number detection, false-minutiae removal, quality. Inside ``with biocore.trace()``
    the intermediates listed in :mod:`biocore.minutiae` are recorded.

    Examples
    --------
    >>> import biocore
    >>> t = biocore.extract("101_1.tif")          # doctest: +SKIP
    >>> len(t), t.image_quality                    # doctest: +SKIP
    (38, 71)
    """
    gray = as_gray_image(image)
    dpi = check_int(dpi, "dpi", MIN_DPI, MAX_DPI)
    finger = 0 if finger is None else check_int(finger, "finger", 0, 10)
    if not isinstance(parameters, ExtractionParameters):
        raise InvalidArgument(f"parameters: expected an ExtractionParameters, got {type(parameters).__name__}")
    return _run(gray, dpi, finger, parameters)


def _run(gray: np.ndarray, dpi: int, finger: int, p: ExtractionParameters) -> Template:
    work, scale = to_working_grid(gray, dpi, p)

    normalized, contrast = normalize(work, p)
    record("normalized", normalized)
    field = orientation_field(normalized, p)
    record("orientation", lambda: field.theta(work.shape))
    record("reliability", lambda: field.reliability(work.shape))
    mask = segment(contrast, field, p)
    record("mask", mask)
    empty = _template([], [], [], [], [], gray, dpi, finger, scale, 0)
    if not mask.any():
        record("minutiae_raw", empty)
        record("minutiae", empty)
        return empty
    # Everything from here on only needs the print's bounding box.
    box = foreground_box(mask, p.orientation_block_px * p.orientation_downscale)
    inside = field.crop(*box)
    normalized, mask_in = normalized[box[0] : box[1], box[2] : box[3]], mask[box[0] : box[1], box[2] : box[3]]
    frequency = ridge_frequency(normalized, p)
    record("frequency", lambda: _uncrop(frequency, box, work.shape, 1.0 / p.default_period_px))
    enhanced = enhance(normalized, inside, dominant_period(frequency, mask_in, p), p, frequency)
    record("enhanced", lambda: _uncrop(enhanced, box, work.shape, 0.0))
    binary = binarize(enhanced, mask_in)
    record("binary", lambda: _uncrop(binary, box, work.shape, 0))
    skeleton = thin(binary)
    record("skeleton", lambda: _uncrop(skeleton, box, work.shape, 0))
    raw = detect(skeleton, walk_px=_walk_px(p), direction_px=p.direction_trace_px).shifted(box[0], box[2])
    border, reliability, angle = _local_evidence(raw, mask, field, p)
    record("minutiae_raw", lambda: _from_candidates(raw, angle, np.zeros(len(raw)), gray, dpi, finger, scale, 0))
    keep = remove_false_minutiae(raw, border, reliability, p)
    kept = np.flatnonzero(keep)
    evidence = minutia_evidence(
        raw.row[kept] - box[0], raw.col[kept] - box[2], raw.row - box[0], raw.col - box[2],
        reliability[kept], border[kept], normalized, enhanced, mask_in, p,
    )
    quality = minutia_quality(evidence, p)
    # The capture's quality score (biocore.finger_quality) from these stages; imported here because
    # biocore.quality builds on this package.
    from ..quality.assess import assess_stages

    image_q = assess_stages(work, mask, box, normalized, inside, frequency).score
    template = _from_candidates(raw.select(keep), angle[keep], quality, gray, dpi, finger, scale, image_q)
    record("minutiae", template)
    return template


def _uncrop(array: np.ndarray, box: tuple[int, int, int, int], shape: tuple[int, int], fill) -> np.ndarray:
    full = np.full(shape, fill, dtype=array.dtype)
    full[box[0] : box[1], box[2] : box[3]] = array
    return full


def _walk_px(p: ExtractionParameters) -> int:
    return max(p.direction_trace_px, p.short_ridge_px, p.spur_px, p.bridge_px)


def _local_evidence(
    raw: Candidates, mask: np.ndarray, field: OrientationField, p: ExtractionParameters
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distance to the print's edge, coherence, and refined direction of every candidate."""
    # On every other pixel: a margin of a few pixels needs no finer distances, and it costs a quarter.
    half = mask[::2, ::2]
    padded = np.zeros((half.shape[0] + 2, half.shape[1] + 2), np.uint8)
    padded[1:-1, 1:-1] = half
    distance = cv2.distanceTransform(padded, cv2.DIST_L2, 3)[1:-1, 1:-1]
    border = 2.0 * distance[raw.row // 2, raw.col // 2].astype(np.float64)
    rows, cols = mask.shape
    frame = np.minimum(np.minimum(raw.row, rows - 1 - raw.row), np.minimum(raw.col, cols - 1 - raw.col))
    # Near the frame a minutia counts as on the print's edge, whatever the mask says.
    border[frame < p.frame_margin_px] = 0.0
    theta, reliability = field.sample(raw.row, raw.col)
    # The field gives a smoother axis than the short skeleton walk; the walk says which way along it.
    flip = np.abs(np.angle(np.exp(1j * (raw.angle - theta)))) > np.pi / 2
    axis = theta + np.pi * flip
    w = p.direction_field_weight
    angle = np.arctan2(w * np.sin(axis) + (1 - w) * np.sin(raw.angle), w * np.cos(axis) + (1 - w) * np.cos(raw.angle))
    return border, reliability.astype(np.float64), angle


def _from_candidates(raw, angle, quality, gray, dpi, finger, scale, image_q) -> Template:
    return _template(raw.col, raw.row, angle, raw.kind, quality, gray, dpi, finger, scale, image_q)


def _template(col, row, angle, kind, quality, gray, dpi, finger, scale, image_q) -> Template:
    rows, cols = gray.shape
    x = np.clip(np.rint((np.asarray(col, np.float64) + 0.5) / scale - 0.5), 0, cols - 1)
    y = np.clip(np.rint((np.asarray(row, np.float64) + 0.5) / scale - 0.5), 0, rows - 1)
    # Left to right, then top to bottom: the order NBIS bozorth3 expects (it scores lower otherwise).
    order = np.lexsort((y, x))
    return Template(
        x[order].astype(np.int32), y[order].astype(np.int32), np.mod(np.asarray(angle, np.float64)[order], 2 * np.pi),
        np.asarray(kind, np.uint8)[order], np.asarray(quality, np.uint8)[order],
        width=cols, height=rows, dpi=dpi, finger=finger, image_quality=int(image_q),
    )
