"""Tuned numbers of the search stage (fixed-length codes, shortlist, fusion, dedup jobs), with units in names."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CodeParameters", "SearchParameters", "JobParameters", "CODE", "SEARCH", "JOB"]


@dataclass(frozen=True)
class CodeParameters:
    """The fixed-length per-finger code: a soft histogram of minutia-pair features.

    Every ordered pair of minutiae (i, j) whose distance lies in
    [``min_pair_distance_px``, ``max_pair_distance_px``] (at ``reference_dpi``; rescaled for other
    resolutions) votes into a 3-D histogram over

    * the pair distance (``distance_bins`` linear bins),
    * the direction of j relative to the direction of i (``relative_angle_bins`` circular bins),
    * the direction of the segment i -> j relative to the direction of i (``radial_angle_bins``).

    All three are invariant to rotation and translation of the print.
    """

    min_pair_distance_px: float = 12.0
    max_pair_distance_px: float = 152.0
    distance_bins: int = 4
    relative_angle_bins: int = 6
    radial_angle_bins: int = 6
    reference_dpi: int = 500
    #: Templates with fewer minutiae get the all-zero code ("no information": similarity 0 to all).
    min_minutiae: int = 4

    @property
    def dim(self) -> int:
        """Length of one finger's code (float32 values)."""
        return self.distance_bins * self.relative_angle_bins * self.radial_angle_bins


@dataclass(frozen=True)
class SearchParameters:
    """The two-stage 1:N search: shortlist sizes, index choice, and fusion over fingers."""

    #: Persons kept by the first stage (code similarity) for re-ranking with the 1:1 matcher: enough
    #: for about ``shortlist_comparisons`` 1:1 comparisons (a ten-print probe gets 1/10 as many
    #: persons as a single finger: its first stage is that much sharper), at least
    #: ``min_shortlist_persons``, at most ``shortlist_persons``.
    shortlist_persons: int = 100
    shortlist_comparisons: int = 200
    min_shortlist_persons: int = 20
    #: Galleries with at most this many persons are scanned exactly (faiss brute-force inner product
    #: over float16 vectors, 2,880 bytes a person); larger ones with the sign-bit scan
    #: (:class:`biocore.search.index.BinaryIndex`, 240 bytes a person) whose best
    #: ``binary_candidates`` persons per query (times 10 / the probe's finger count) are rescored exactly.
    exact_scan_max_persons: int = 50_000
    binary_candidates: int = 2000
    #: Threads splitting one binary scan (0: all cores; 1 for single-thread latency figures).
    scan_threads: int = 0
    #: For IVF factories built explicitly (:func:`biocore.search.index.build_index`): the fraction of
    #: inverted lists probed per query.
    ivf_probe_fraction: float = 0.05
    #: Fusion over fingers: the fused person score is the sum of the ``fusion_top_fingers`` best
    #: per-finger matcher scores among shared finger positions (robust to a few poor prints).
    fusion_top_fingers: int = 10
    #: Default duplicate thresholds on the fused score. With the matcher, per-finger evidence is
    #: ``-log10 FMR`` (see fusion.evidence_from_scores), summed over up to 10 fingers: impostor
    #: ten-prints sum to ~5-25 (synthetic samples), planted duplicates to 100+; set from
    #: benchmarks/bench_search.py. Code-only scores are sums of per-finger cosine similarities.
    matcher_threshold: float = 40.0
    code_threshold: float = 7.0

    def shortlist_for(self, fingers: int, k: int = 1, shortlist: int | None = None) -> int:
        """Persons the first stage keeps for probes of up to ``fingers`` finger positions: ``shortlist``
        when given, else ``shortlist_comparisons // fingers`` within [``min_shortlist_persons``,
        ``shortlist_persons``]; at least ``k``."""
        if shortlist is None:
            per_finger = self.shortlist_comparisons // max(1, int(fingers))
            shortlist = min(self.shortlist_persons, max(self.min_shortlist_persons, per_finger))
        return max(int(k), int(shortlist))


@dataclass(frozen=True)
class JobParameters:
    """Deduplication jobs: batch sizes and threads."""

    #: Query persons per batch; one checkpoint file per finished batch.
    batch_persons: int = 64
    threads: int = 2


CODE = CodeParameters()
SEARCH = SearchParameters()
JOB = JobParameters()
