"""The portrait pipeline: detect, place landmarks, measure, judge against a profile."""

from __future__ import annotations

import math
from typing import Any

import cv2
import numpy as np

from .._shared import tracing
from .backends import get_backend
from .background import background_measures
from .chip import make_chip
from .features import feature_measures
from .geometry import geometry_measures, image_measures
from .image import as_rgb_image
from .landmarks import estimate_landmarks, estimate_pose
from .parameters import DEFAULT, FaceParameters
from .photometry import colour_measure, compression_measure, photometry_measures
from .profiles import Profile, get_profile
from .report import MESSAGES, FaceReport, Measure

__all__ = ["assess", "measure"]


def assess(
    image: Any,
    *,
    profile: str | Profile = "icao",
    channels: str = "rgb",
    backend: str = "auto",
    params: FaceParameters = DEFAULT,
) -> FaceReport:
    """Check a portrait against a compliance profile (ICAO 9303 / ISO/IEC 19794-5 by default).

    Parameters
    ----------
    image : str, os.PathLike or ndarray
        A file path, or an (H, W, 3) uint8 array (RGB unless ``channels="bgr"``), or an (H, W)
        grayscale array. Sides from 48 to 8192 px.
    profile : {"icao", "live"} or Profile
        ``"icao"``: thresholds from ICAO 9303 / ISO/IEC 19794-5 (see :mod:`biocore.face.profiles`);
        ``"live"``: lenient ranges for a preview loop.
    channels : {"rgb", "bgr"}
        Channel order of a colour array (OpenCV's ``imread`` gives BGR).
    backend : {"auto", "dlib"}
        Face detector and eye landmarks (see :mod:`biocore.face.backends`); needs the ``face``
        extra, else :class:`~biocore.errors.MissingDependency` is raised.

    Returns
    -------
    FaceReport
        ``.passed``, ``.measures`` (name -> Measure(value, score, passed, message)), ``.box``,
        ``.landmarks``, ``.feedback`` and ``.token()``. With no face, only ``face_count`` and the
        image-level measures are present and ``passed`` is False.

    Examples
    --------
    >>> from skimage import data
    >>> r = biocore.face.assess(data.astronaut())              # doctest: +SKIP
    >>> r.measures["roll"].value, r.feedback                   # doctest: +SKIP
    """
    chosen = get_profile(profile)
    rgb = as_rgb_image(image, channels=channels)
    values, faces, lm, impl = measure(rgb, backend=backend, params=params)
    measures = {
        name: _judge(name, values[name], chosen) for name in values if name in chosen.limits
    }
    face = faces[0] if faces else None
    return FaceReport(
        passed=all(m.passed for m in measures.values()),
        profile=chosen.name,
        backend=impl,
        measures=measures,
        box=None if face is None else tuple(float(v) for v in face.box),
        landmarks=None if lm is None else lm.as_dict(),
        approximate=() if lm is None else lm.approximate,
        image_size=(rgb.shape[1], rgb.shape[0]),
        _image=rgb if lm is not None else None,
        _landmarks=lm,
    )


def measure(rgb: np.ndarray, *, backend: str = "auto", params: FaceParameters = DEFAULT):
    """Raw values of every measure for a validated RGB image.

    Returns (values, faces, landmarks, backend name); faces and landmarks in original pixels.
    Large photos are measured on a copy whose short side is ``work_short_side_px`` (every measure
    is scale-free or converted back), except compression, which needs the original 8-px grid.
    """
    scale = min(1.0, params.work_short_side_px / min(rgb.shape[:2]))
    work = rgb
    if scale < 1.0:
        size = (max(1, round(rgb.shape[1] * scale)), max(1, round(rgb.shape[0] * scale)))
        work = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    gray = cv2.cvtColor(work, cv2.COLOR_RGB2GRAY)
    impl = get_backend(backend)
    faces = _keep_real_faces(impl.detect(work, gray, params), params)
    tracing.record("face.detections", faces)
    values: dict[str, float] = {
        "face_count": float(len(faces)),
        **image_measures(rgb.shape),
        "colour": colour_measure(work),
    }
    if not faces:
        return values, faces, None, impl.name
    face = faces[0]
    lm = estimate_landmarks(gray, face, params)
    pose = estimate_pose(face)
    chip = make_chip(work, lm, params)
    tracing.record("face.landmarks", lm)
    tracing.record("face.chip", chip.rgb)
    values.update(geometry_measures(work.shape, lm, pose, params))
    values["inter_eye_distance"] /= scale
    values.update(feature_measures(chip))
    values.update(photometry_measures(chip, params))
    values.update(background_measures(work, lm, params))
    faces = [f.scaled(1.0 / scale) for f in faces] if scale < 1.0 else faces
    values["compression"] = compression_measure(rgb, faces[0].box, params)
    return values, faces, lm.scaled(1.0 / scale) if scale < 1.0 else lm, impl.name


def _keep_real_faces(faces, params: FaceParameters):
    """Largest first; drop small detections next to a clearly larger face (background clutter)."""
    faces = sorted(faces, key=lambda f: -f.box[2])
    if not faces:
        return faces
    biggest = faces[0].box[2]
    return [f for f in faces if f.box[2] >= params.second_face_min_width_ratio * biggest]


def _judge(name: str, value: float, profile: Profile) -> Measure:
    limit = profile.limits[name]
    ok = limit.accepts(value)
    _, low, high = MESSAGES[name]
    if ok:
        message = ""
    elif math.isnan(value):
        message = f"{name}: could not be measured on this image"
    else:
        message = low if value < limit.lo else high
    return Measure(float(value), limit.score(value), ok, message)
