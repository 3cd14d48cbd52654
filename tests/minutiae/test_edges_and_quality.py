"""Edge rules (per-minutia quality: test_quality.py)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from biocore.minutiae.detection import Candidates
from biocore.minutiae.filtering import remove_false_minutiae
from biocore.minutiae.parameters import DEFAULT_PARAMETERS


def _candidates(kinds, rows, cols):
    n = len(kinds)
    return Candidates(
        np.asarray(rows, np.int32), np.asarray(cols, np.int32), np.zeros(n), np.asarray(kinds, np.uint8),
        np.full((n, 4), -1, np.int32), np.zeros((n, 4), np.int32),
    )


@pytest.mark.parametrize("ending_margin", [0.0, 9.0])
def test_endings_keep_their_own_margin_from_the_edge(ending_margin):
    # Far apart and unpaired, so only the edge rule can remove them:
    # an ending and a bifurcation 5 px from the edge, and both kinds again 20 px in.
    raw = _candidates([1, 2, 1, 2], [10, 60, 110, 160], [10, 60, 110, 160])
    border = np.array([5.0, 5.0, 20.0, 20.0])
    params = dataclasses.replace(
        DEFAULT_PARAMETERS, border_margin_px=3.0, border_margin_ending_px=ending_margin
    )
    keep = remove_false_minutiae(raw, border, np.ones(4), params)
    assert keep.tolist() == [ending_margin < 5.0, True, True, True]
