"""A ten-print capture session for the intake flow: per-finger verdicts and a summary.

>>> s = biocore.quality.CaptureSession()                  # doctest: +SKIP
>>> v = s.add(2, image)          # right index            # doctest: +SKIP
>>> v.accepted, v.quality.feedback[:1]                     # doctest: +SKIP
>>> s.summary()["missing"]                                 # doctest: +SKIP

Each position keeps its best capture (highest score); a capture is accepted when its score
reaches ``min_score`` and no blocking message (no finger, partial) is given. After
``max_attempts`` captures at one position the best one is kept and the position is marked
"best effort" (scars, worn ridges: an operator decision rather than another retry).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .._shared.validation import check_int
from ..errors import InvalidArgument
from ..templates.template import FINGER_POSITIONS
from .assess import FingerQuality, finger_quality

__all__ = ["CaptureSession", "Verdict", "BLOCKING_CODES"]

#: Feedback codes that make a capture unusable whatever its score.
BLOCKING_CODES = frozenset({"no_finger", "partial"})


@dataclass(frozen=True)
class Verdict:
    """The outcome of one capture at one finger position.

    Attributes
    ----------
    finger : int
        ISO/IEC 19794-2 finger position 1-10.
    quality : FingerQuality
    accepted : bool
        Good enough to keep without another attempt.
    attempt : int
        1 for the first capture at this position.
    retry : bool
        The operator should capture this finger again (not accepted, attempts left).
    """

    finger: int
    quality: FingerQuality
    accepted: bool
    attempt: int
    retry: bool

    @property
    def instruction(self) -> str:
        """What to tell the applicant: the first feedback message, or that the capture is good."""
        if self.accepted:
            return f"{FINGER_POSITIONS[self.finger]}: accepted."
        if not self.retry:
            return f"{FINGER_POSITIONS[self.finger]}: best effort kept after {self.attempt} attempts."
        message = self.quality.feedback[0].message if self.quality.feedback else "Capture again."
        return f"{FINGER_POSITIONS[self.finger]}: {message}"


@dataclass
class CaptureSession:
    """Ten positions (1-10), each with its attempts and best capture.

    Parameters
    ----------
    min_score : int
        Score (0-100) a capture needs to be accepted.
    max_attempts : int
        Captures allowed per position before the best one is kept as best effort.
    dpi : int
        Resolution of the scanner.
    """

    min_score: int = 40
    max_attempts: int = 3
    dpi: int = 500
    _best: dict[int, Verdict] = field(default_factory=dict, repr=False)
    _attempts: dict[int, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.min_score = check_int(self.min_score, "min_score", 0, 100)
        self.max_attempts = check_int(self.max_attempts, "max_attempts", 1, 100)
        self.dpi = check_int(self.dpi, "dpi", 100, 4000)

    def add(self, finger: int, image: Any, *, quality: FingerQuality | None = None) -> Verdict:
        """Score a capture at ``finger`` (1-10) and return its verdict (pass ``quality`` if already scored)."""
        finger = check_int(finger, "finger", 1, 10)
        if quality is None:
            quality = finger_quality(image, dpi=self.dpi)
        elif not isinstance(quality, FingerQuality):
            raise InvalidArgument(f"quality: expected a FingerQuality, got {type(quality).__name__}")
        attempt = self._attempts.get(finger, 0) + 1
        self._attempts[finger] = attempt
        usable = quality.score >= self.min_score and not BLOCKING_CODES.intersection(quality.codes)
        verdict = Verdict(finger, quality, usable, attempt, not usable and attempt < self.max_attempts)
        best = self._best.get(finger)
        if best is None or (verdict.accepted, quality.score) >= (best.accepted, best.quality.score):
            self._best[finger] = verdict
        return verdict

    def best(self, finger: int) -> Verdict | None:
        """The best verdict so far at ``finger`` (None before any capture)."""
        return self._best.get(check_int(finger, "finger", 1, 10))

    def summary(self) -> dict[str, Any]:
        """Per-position status and counts: accepted, best effort (attempts used up), to retry, missing."""
        status = {}
        for finger in range(1, 11):
            v = self._best.get(finger)
            if v is None:
                status[finger] = "missing"
            elif v.accepted:
                status[finger] = "accepted"
            elif self._attempts[finger] >= self.max_attempts:
                status[finger] = "best_effort"
            else:
                status[finger] = "retry"
        return {
            "fingers": {
                FINGER_POSITIONS[f]: {"status": s, "score": None if f not in self._best else self._best[f].quality.score,
                                      "attempts": self._attempts.get(f, 0)}
                for f, s in status.items()
            },
            "accepted": sum(s == "accepted" for s in status.values()),
            "best_effort": sum(s == "best_effort" for s in status.values()),
            "retry": [FINGER_POSITIONS[f] for f, s in status.items() if s == "retry"],
            "missing": [FINGER_POSITIONS[f] for f, s in status.items() if s == "missing"],
            "complete": all(s in ("accepted", "best_effort") for s in status.values()),
        }
