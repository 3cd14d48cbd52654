"""Ten-print capture session: verdicts, retries, best effort, summary."""

from __future__ import annotations

import numpy as np
import pytest

from biocore.errors import InvalidArgument
from biocore.quality import CaptureSession, FingerQuality, finger_quality
from biocore.quality.feedback import Feedback


def _q(score: int, *codes: str) -> FingerQuality:
    return FingerQuality(score, {}, tuple(Feedback(c, c, 1.0) for c in codes))


def test_verdicts_retries_and_summary():
    s = CaptureSession(min_score=40, max_attempts=2)
    v = s.add(2, None, quality=_q(80))
    assert v.accepted and not v.retry and "accepted" in v.instruction
    v = s.add(3, None, quality=_q(90, "partial"))  # blocking whatever the score
    assert not v.accepted and v.retry
    v = s.add(3, None, quality=_q(30))
    assert not v.accepted and not v.retry and "best effort" in v.instruction
    assert s.best(3).quality.score == 90  # the higher score is kept among rejected captures
    summary = s.summary()
    assert summary["accepted"] == 1 and summary["best_effort"] == 1
    assert summary["fingers"]["right index"] == {"status": "accepted", "score": 80, "attempts": 1}
    assert len(summary["missing"]) == 8 and not summary["complete"]


def test_an_accepted_capture_replaces_a_better_scored_rejected_one():
    s = CaptureSession()
    s.add(1, None, quality=_q(95, "no_finger"))
    s.add(1, None, quality=_q(50))
    assert s.best(1).accepted and s.best(1).quality.score == 50


def test_session_scores_images_and_validates():
    s = CaptureSession()
    v = s.add(7, np.full((200, 200), 255, np.uint8))
    assert v.quality.codes == ["no_finger"] and v.retry
    assert v.instruction.startswith("left index: No finger")
    with pytest.raises(InvalidArgument, match="finger"):
        s.add(11, None, quality=_q(50))
    with pytest.raises(InvalidArgument, match="quality"):
        s.add(1, None, quality=42)
    with pytest.raises(InvalidArgument, match="min_score"):
        CaptureSession(min_score=101)
    assert isinstance(finger_quality(np.zeros((100, 100), np.uint8)), FingerQuality)
