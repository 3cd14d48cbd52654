"""The second search stage: per-finger 1:1 matcher scores between a probe and shortlisted persons.

Pure: templates in, a (candidates, 10) score array out (NaN where a finger position is not shared),
so a shard worker can run it on its own shortlist. The matcher is any callable
``matcher(probe: Template, candidates: list[Template]) -> array of scores``; by default biocore's
prepared 1:N matcher (``biocore.Matcher(probe).match_many(candidates)``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from ..templates import Template
from .fusion import evidence_from_scores

__all__ = ["finger_scores", "default_matcher", "MatchFn"]

MatchFn = Callable[[Template, list[Template]], np.ndarray]


def default_matcher() -> MatchFn | None:
    """biocore's 1:1 matcher as a :data:`MatchFn` returning calibrated evidence ``-log10 FMR``
    (see :func:`biocore.search.fusion.evidence_from_scores`), or None when it is unavailable."""
    try:
        from ..matching import THRESHOLDS, Matcher

        probe = Template(x=[10, 50, 90, 30], y=[10, 40, 20, 80], angle=[0.0, 1.0, 2.0, 3.0])
        Matcher(probe).match_many([probe])  # the native kernel is built and callable
    except Exception:  # noqa: BLE001 - any failure means: search with codes only
        return None

    def match(probe: Template, candidates: list[Template]) -> np.ndarray:
        scores = np.asarray(Matcher(probe).match_many(candidates), dtype=np.float64)
        return evidence_from_scores(scores, THRESHOLDS)

    return match


def finger_scores(
    probe: Mapping[int, Template], candidates: Sequence[Mapping[int, Template]], matcher: MatchFn
) -> np.ndarray:
    """Score every shared finger position of every candidate.

    Parameters
    ----------
    probe : mapping finger position (1-10) -> Template
    candidates : sequence of such mappings, length n
    matcher : MatchFn

    Returns
    -------
    ndarray of float64, shape (n, 10)
        ``[i, p - 1]`` is the matcher score of finger position ``p``; NaN where not shared.
    """
    out = np.full((len(candidates), 10), np.nan)
    for finger, template in probe.items():
        which = [i for i, c in enumerate(candidates) if finger in c]
        if which:
            out[which, finger - 1] = matcher(template, [candidates[i][finger] for i in which])
    return out
