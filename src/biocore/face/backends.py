"""Face detection and eye landmarks behind one small interface.

A backend turns an RGB portrait into a list of :class:`DetectedFace` (box, eye centres, and the
nose when the backend sees it). Everything else (mouth, chin, crown, pose, measures) is derived
from those points by the rest of the package, so a better backend only has to fill this record.

The backend that ships (``backend="auto"`` or ``"dlib"``):

``"dlib"``
    dlib's HOG + linear-SVM frontal face detector (built into the ``dlib-bin`` wheel, Boost
    licence, no compile) and dlib's 5-point shape predictor (eye corners and the base of the nose,
    from the ``face-recognition-models`` package, MIT; the model file itself is CC0). The 5-point
    model was trained by dlib's author on his own CC0 annotations, unlike the 68-point model, whose
    iBUG 300-W training data is restricted to non-commercial use: biocore never loads the 68-point
    model. Needs the ``face`` extra (``pip install biocore[face]``); without it,
    :func:`biocore.face.assess` raises :class:`~biocore.errors.MissingDependency` naming the extra.

Considered and not used: OpenCV 5 ships neither Haar cascades nor ``CascadeClassifier``, and its
``FaceDetectorYN`` / facemark need model files no PyPI wheel carries; MediaPipe 0.10.21 (the last
release that carries its face models) pins numpy<2; scikit-image's LBP frontal-face cascade finds
boxes, but eye centres found in them by image analysis were off by 20-30 degrees of roll on a third
of the MEDS-II portraits, too poor to judge pose.

References
----------
.. [1] N. Dalal, B. Triggs, "Histograms of oriented gradients for human detection", CVPR 2005.
.. [2] V. Kazemi, J. Sullivan, "One millisecond face alignment with an ensemble of regression
   trees", CVPR 2014.
"""

from __future__ import annotations

import functools
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from .._shared.validation import check_choice
from ..errors import MissingDependency
from .parameters import FaceParameters

__all__ = ["DetectedFace", "FaceBackend", "get_backend", "available_backends", "BACKENDS"]

BACKENDS = ("auto", "dlib")


@dataclass(frozen=True)
class DetectedFace:
    """One face as a backend sees it, in original-image pixel coordinates (x = column, y = row).

    ``eye_left`` is the eye on the image's left (the subject's right eye).
    """

    box: tuple[float, float, float, float]  # x, y, width, height
    score: float
    eye_left: tuple[float, float]
    eye_right: tuple[float, float]
    nose: tuple[float, float] | None
    approximate: bool

    def scaled(self, f: float) -> DetectedFace:
        """The same face in an image resized by ``f``."""
        x, y, w, h = self.box
        p = lambda q: (q[0] * f, q[1] * f)  # noqa: E731
        nose = None if self.nose is None else p(self.nose)
        return DetectedFace(
            (x * f, y * f, w * f, h * f),
            self.score,
            p(self.eye_left),
            p(self.eye_right),
            nose,
            self.approximate,
        )


class FaceBackend(Protocol):
    name: str

    def detect(
        self, rgb: np.ndarray, gray: np.ndarray, params: FaceParameters
    ) -> list[DetectedFace]:
        """All faces in the image, largest first."""
        ...


def _scale_for_detection(gray: np.ndarray, params: FaceParameters) -> float:
    return min(1.0, params.detect_short_side_px / min(gray.shape))


def _merge(boxes: list[tuple[tuple[float, float, float, float], float]], params: FaceParameters):
    """Drop boxes that overlap a larger kept box (intersection over the smaller box)."""
    boxes = sorted(boxes, key=lambda b: -b[0][2])
    kept: list[tuple[tuple[float, float, float, float], float]] = []
    for box, score in boxes:
        x, y, w, h = box
        dup = False
        for (kx, ky, kw, kh), _ in kept:
            ix = max(0.0, min(x + w, kx + kw) - max(x, kx))
            iy = max(0.0, min(y + h, ky + kh) - max(y, ky))
            if ix * iy > params.same_face_overlap * min(w * h, kw * kh):
                dup = True
                break
        if not dup:
            kept.append((box, score))
    return kept


def _five_point_model(missing: str) -> Path:
    """Path of dlib's 5-point model inside the face-recognition-models package.

    Found without importing the package: its ``__init__`` imports ``pkg_resources``, which recent
    setuptools deprecates and will remove.
    """
    spec = importlib.util.find_spec("face_recognition_models")
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in folders:
        path = Path(folder) / "models" / "shape_predictor_5_face_landmarks.dat"
        if path.is_file():
            return path
    raise MissingDependency(f"{missing}; the 5-point model file was not found")


class DlibBackend:
    name = "dlib"

    def __init__(self) -> None:
        missing = "backend='dlib' needs the 'face' extra: pip install 'biocore[face]' (dlib-bin and face-recognition-models)"
        try:
            import dlib
        except ImportError as exc:
            raise MissingDependency(f"{missing}; import failed: {exc}") from None
        self._detector = dlib.get_frontal_face_detector()
        self._predictor = dlib.shape_predictor(str(_five_point_model(missing)))
        self._dlib = dlib

    def detect(
        self, rgb: np.ndarray, gray: np.ndarray, params: FaceParameters
    ) -> list[DetectedFace]:
        scale = _scale_for_detection(gray, params)
        found = self._run(gray, scale, params)
        if not found and scale < 1.0:
            found = self._run(gray, 1.0, params)
        faces = []
        for (x, y, w, h), score in found:
            rect = self._dlib.rectangle(
                int(round(x)), int(round(y)), int(round(x + w)), int(round(y + h))
            )
            pts = self._predictor(gray, rect)
            p = [(float(pts.part(i).x), float(pts.part(i).y)) for i in range(5)]
            # Parts 0-1 are the corners of the eye on the image's right, 2-3 of the one on the left.
            eye_right = ((p[0][0] + p[1][0]) / 2, (p[0][1] + p[1][1]) / 2)
            eye_left = ((p[2][0] + p[3][0]) / 2, (p[2][1] + p[3][1]) / 2)
            faces.append(DetectedFace((x, y, w, h), score, eye_left, eye_right, p[4], False))
        return faces

    def _run(self, gray: np.ndarray, scale: float, params: FaceParameters):
        small = (
            gray
            if scale == 1.0
            else cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        )
        rects, scores, _ = self._detector.run(small, 0, params.dlib_min_score)
        min_w = params.min_face_fraction * min(gray.shape)
        boxes = []
        for r, s in zip(rects, scores):
            box = (r.left() / scale, r.top() / scale, r.width() / scale, r.height() / scale)
            if box[2] >= min_w:
                boxes.append((box, float(s)))
        return _merge(boxes, params)


_FACTORIES = {"dlib": lambda: DlibBackend()}


@functools.lru_cache(maxsize=None)
def _make(name: str) -> FaceBackend:
    return _FACTORIES[name]()


def available_backends() -> list[str]:
    """Names of the backends that load on this installation."""
    names = []
    for name in _FACTORIES:
        try:
            _make(name)
        except MissingDependency:
            continue
        names.append(name)
    return names


def get_backend(name: str = "auto") -> FaceBackend:
    """The backend called ``name`` (``"auto"``: the best installed one, today always dlib).

    Raises :class:`~biocore.errors.MissingDependency` when its packages are not installed."""
    check_choice(name, "backend", BACKENDS)
    return _make("dlib" if name == "auto" else name)
