"""The 1:1 fingerprint minutiae matcher and its score calibration.

>>> import biocore
>>> s = biocore.match(probe, candidate)                      # doctest: +SKIP
>>> s >= biocore.matching.threshold_for_fmr(1e-4)            # doctest: +SKIP
>>> biocore.Matcher(probe).match_many(gallery_pack)          # doctest: +SKIP
>>> biocore.matching.explain(probe, candidate).pairs         # doctest: +SKIP

See :mod:`biocore.matching.matcher` for the algorithm, :mod:`~biocore.matching.calibration` for how
thresholds were fitted, :mod:`~biocore.matching.packing` for batch layouts.
"""

from __future__ import annotations

from .calibration import THRESHOLDS, threshold_for_fmr
from .explanation import MatchExplanation, explain
from .matcher import Matcher, match
from .packing import PreparedTemplates, pack
from .parameters import DEFAULT_PARAMETERS, MatchingParameters

__all__ = [
    "match", "Matcher", "explain", "MatchExplanation", "pack", "PreparedTemplates", "threshold_for_fmr", "THRESHOLDS",
    "MatchingParameters", "DEFAULT_PARAMETERS",
]
