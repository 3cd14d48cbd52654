"""Every tuned number of the 1:1 matcher, in one frozen dataclass.

Distances are in pixels at 500 ppi (``_px``; templates at other resolutions are scaled to it),
angles in radians (``_rad``). Pass a changed copy (``dataclasses.replace``) to
:func:`biocore.matching.match` / :class:`biocore.matching.Matcher` to experiment; scores and the
calibration table in :mod:`biocore.matching.calibration` hold for :data:`DEFAULT_PARAMETERS` only.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields

import numpy as np

__all__ = ["MatchingParameters", "DEFAULT_PARAMETERS", "WORKING_DPI"]

#: Templates are compared at this resolution.
WORKING_DPI = 500


@dataclass(frozen=True)
class MatchingParameters:
    """Tuned constants of the matcher (order matters: the native kernel reads them in this order)."""

    # --- edge table ---------------------------------------------------------------------------
    #: Edges per minutia: to its nearest neighbours (SourceAFIS uses 9).
    neighbors: int = 12
    #: Longest edge kept; longer edges distort too much between impressions.
    max_edge_px: float = 200.0

    # --- edge agreement -----------------------------------------------------------------------
    #: Two edges agree when their lengths differ by at most this plus ...
    length_tolerance_px: float = 6.0
    #: ... this fraction of the length (elastic distortion grows with distance) ...
    length_tolerance_rel: float = 0.05
    #: ... and the edge's direction relative to each end minutia differs by at most this plus
    #: ``direction_tolerance_px / length`` (position noise turns short edges most).
    angle_tolerance_rad: float = 0.25

    # --- root pairs ---------------------------------------------------------------------------
    #: Hash bins of edge length and of each relative angle (2**bits bins per turn).
    hash_length_bin_px: float = 16.0
    hash_angle_bits: int = 5
    #: Graph growth starts from this many best-voted minutia pairs; the best pairing wins.
    max_roots: int = 12
    #: A pair needs this many agreeing edges to be a root.
    min_root_votes: int = 2

    # --- score --------------------------------------------------------------------------------
    weight_pair: float = 1.0
    weight_supported: float = 1.0
    weight_edge: float = 0.5
    weight_kind: float = 0.2
    #: Evidence is scaled by (geometric-mean fraction of minutiae paired) ** this.
    overlap_exponent: float = 0.5
    #: A pair counts as supported with at least this many consistent edges.
    min_support_edges: int = 3

    # --- edge agreement (continued) -------------------------------------------------------------
    direction_tolerance_px: float = 0.0

    # --- root pairs (continued) -----------------------------------------------------------------
    #: Only each minutia's this many shortest edges vote for roots (growth uses all ``neighbors``).
    hash_neighbors: int = 8

    # --- global consistency ---------------------------------------------------------------------
    #: A grown pair must also agree with its root as a loose rigid transform: distance to the
    #: root within this plus ...
    global_distance_tolerance_px: float = 20.0
    #: ... this fraction of it, and rotation (and bearing from the root) within this.
    global_distance_tolerance_rel: float = 0.1
    global_angle_tolerance_rad: float = 0.5

    def native(self) -> np.ndarray:
        """The values as the float64 vector the native kernel reads."""
        return np.array(astuple(self), dtype=np.float64)


assert len(fields(MatchingParameters)) == 20, "keep in step with Params::from in _native/matching.cpp"

DEFAULT_PARAMETERS = MatchingParameters()
