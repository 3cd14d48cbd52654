"""Finger image quality (NFIQ 2 class) and live capture feedback.

>>> import biocore
>>> q = biocore.finger_quality(image)                         # doctest: +SKIP
>>> q.score, [f.code for f in q.feedback]                     # doctest: +SKIP
>>> t, q = biocore.quality.extract_with_quality(image)       # doctest: +SKIP
>>> s = biocore.quality.CaptureSession(); s.add(2, image); s.summary()   # doctest: +SKIP

Quality reuses the extractor's first stages (normalization, orientation coherence, segmentation,
ridge frequency; :mod:`.fields`), measures one family of features per module (:mod:`.area`,
:mod:`.flow`, :mod:`.clarity`, :mod:`.frequency`, :mod:`.intensity`, :mod:`.minutiae`), maps them to
a 0-100 score with a small logistic model fitted against match utility (:mod:`.model`) and turns
them into operator messages with stable codes (:mod:`.feedback`). Tuned numbers: :mod:`.parameters`.
"""

from __future__ import annotations

from .assess import FingerQuality, extract_with_quality, finger_quality
from .feedback import MESSAGES, Feedback
from .fields import TRACE_NAMES
from .parameters import DEFAULT_PARAMETERS, QualityParameters
from .session import CaptureSession, Verdict

__all__ = [
    "finger_quality", "extract_with_quality", "FingerQuality", "Feedback", "MESSAGES", "TRACE_NAMES",
    "QualityParameters", "DEFAULT_PARAMETERS", "CaptureSession", "Verdict",
]
