"""The second search stage: per-finger 1:1 matcher scores between a probe and shortlisted persons.

Pure: templates in, a (candidates, 10) score array out (NaN where a finger position is not shared),
so a shard worker can run it on its own shortlist. The matcher is any callable
``matcher(probe: Template, candidates: list[Template]) -> array of scores``; by default biocore's
prepared 1:N matcher (``biocore.Matcher(probe).match_many(candidates)``), a :class:`BiocoreMatchFn`,
which also scores candidates straight from the gallery's held minutiae
(:func:`finger_scores_prepared`: only the probe and the shortlisted slots' edge tables are built).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from ..templates import Template
from .codes import N_POSITIONS
from .fusion import evidence_from_scores
from .prepared import GalleryMinutiae, HeldMinutiae

__all__ = ["finger_scores", "finger_scores_prepared", "default_matcher", "BiocoreMatchFn", "MatchFn"]

MatchFn = Callable[[Template, list[Template]], np.ndarray]


class BiocoreMatchFn:
    """biocore's 1:1 matcher as a :data:`MatchFn` returning calibrated evidence ``-log10 FMR``
    (see :func:`biocore.search.fusion.evidence_from_scores`); :meth:`prepared` scores candidates
    already packed as :class:`biocore.matching.PreparedTemplates`.

    Parameters
    ----------
    threads : int
        Threads of each ``match_many`` call (0: all cores; 1 for single-thread latency figures).
    """

    def __init__(self, threads: int = 0) -> None:
        from ..matching import THRESHOLDS
        from ..matching.parameters import DEFAULT_PARAMETERS

        self.thresholds = THRESHOLDS
        self.parameters = DEFAULT_PARAMETERS  # the Matcher default (packs must agree with it)
        self.threads = int(threads)

    def __call__(self, probe: Template, candidates: list[Template]) -> np.ndarray:
        from ..matching import Matcher

        scores = np.asarray(Matcher(probe).match_many(candidates, threads=self.threads), dtype=np.float64)
        return evidence_from_scores(scores, self.thresholds)

    def prepared(self, probe: Template, candidates: Any) -> np.ndarray:
        """Evidence of ``probe`` against a PreparedTemplates built with ``self.parameters``."""
        from ..matching import Matcher

        scores = np.asarray(Matcher(probe).match_many(candidates, threads=self.threads), dtype=np.float64)
        return evidence_from_scores(scores, self.thresholds)


def default_matcher(threads: int = 0) -> MatchFn | None:
    """biocore's 1:1 matcher as a :data:`MatchFn` returning calibrated evidence ``-log10 FMR``
    (see :func:`biocore.search.fusion.evidence_from_scores`), or None when it is unavailable.
    ``threads`` as :class:`BiocoreMatchFn`."""
    try:
        match = BiocoreMatchFn(threads)
        probe = Template(x=[10, 50, 90, 30], y=[10, 40, 20, 80], angle=[0.0, 1.0, 2.0, 3.0])
        match(probe, [probe])  # the native kernel is built and callable
    except Exception:  # noqa: BLE001 - any failure means: search with codes only
        return None
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


def finger_scores_prepared(
    probe: Mapping[int, Template], minutiae: GalleryMinutiae | HeldMinutiae, positions: np.ndarray,
    matcher: BiocoreMatchFn
) -> np.ndarray:
    """:func:`finger_scores` against persons held in a :class:`~biocore.search.prepared.GalleryMinutiae`
    (or :class:`~biocore.search.prepared.HeldMinutiae`).

    Parameters
    ----------
    probe : mapping finger position (1-10) -> Template
    minutiae : GalleryMinutiae or HeldMinutiae
    positions : ndarray of int64, shape (n,)
        The candidates' person positions in ``minutiae``; -1 for a candidate that holds no finger.
    matcher : BiocoreMatchFn

    Returns
    -------
    ndarray of float64, shape (n, 10)
        As :func:`finger_scores` with the same persons' templates (identical values).
    """
    positions = np.asarray(positions, np.int64)
    out = np.full((positions.size, N_POSITIONS), np.nan)
    known = positions >= 0
    for finger, template in probe.items():
        slots = positions * N_POSITIONS + finger - 1
        which = np.flatnonzero(known & minutiae.held_at(np.where(known, slots, 0))) if positions.size else positions
        if which.size:
            packed = minutiae.prepare(slots[which], parameters=matcher.parameters)
            out[which, finger - 1] = matcher.prepared(template, packed)
    return out
