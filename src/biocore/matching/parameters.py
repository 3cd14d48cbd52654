"""Every tuned number of the 1:1 matcher, in one frozen dataclass.

Distances are in pixels at 500 ppi (``_px``; templates at other resolutions are scaled to it),
angles in radians (``_rad``). Pass a changed copy (``dataclasses.replace``) to
:func:`biocore.matching.match` / :class:`biocore.matching.Matcher` to experiment; scores and the
calibration table in :mod:`biocore.matching.calibration` hold for :data:`DEFAULT_PARAMETERS` only.
"""

from __future__ import annotations

import math
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
    #: (0.05 until 2026-11-23; 0.03 chosen with the score weights below, see ``weight_pair``)
    length_tolerance_rel: float = 0.03
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
    #: Edge evidence = weight_pair x pairs + weight_supported x supported pairs + weight_edge x
    #: consistent edges + weight_kind x pairs of one minutia kind. Pairs held by several
    #: consistent edges separate genuine from impostor pairings best: chosen on the six real FVC
    #: sets, biocore.extract minutiae, mean of the four mirrored runs on the same templates
    #: (was 1 / 1 / 0.5 / 0.2 with min_support_edges 3 and length_tolerance_rel 0.05: mean EER
    #: 3.10%, now 2.92%, lower on all six sets; mindtct minutiae 4.96% -> 4.78%). One at a time
    #: from the old values: weight_supported 2 -> 3.01%, min_support_edges 4 -> 3.04%,
    #: length_tolerance_rel 0.03 -> 3.00%, weight_kind 0.5 -> 3.06%; weight_pair 2 -> 3.23%.
    weight_pair: float = 0.5
    weight_supported: float = 3.0
    weight_edge: float = 0.5
    weight_kind: float = 0.5
    #: Evidence is scaled by (geometric-mean fraction of minutiae paired) ** this.
    overlap_exponent: float = 0.5
    #: A pair counts as supported with at least this many consistent edges.
    min_support_edges: int = 4

    # --- edge agreement (continued) -------------------------------------------------------------
    direction_tolerance_px: float = 0.0

    # --- root pairs (continued) -----------------------------------------------------------------
    #: Only each minutia's this many shortest edges vote for roots (growth uses all ``neighbors``).
    #: 7 since 2026-11-23 (was 8): fewer votes to cast, match_many 60,300 -> 62,500 comparisons/CPU-s
    #: (``OPENBLAS_NUM_THREADS=1 python benchmarks/bench_match.py --repeats 3``, one run each) at no
    #: loss: mean of 4 mirrored runs, six FVC B sets (``python benchmarks/verify_fvc.py --mirrors
    #: [--matching NAME=VALUE ...]``), biocore.extract 1.28/1.87/2.21/0.81/0.79/1.66 % vs
    #: 1.61/1.87/2.21/0.82/0.79/1.58 with 8 (mean 1.44 vs 1.48), mindtct minutiae mean 5.18 vs
    #: 5.21. 6: FVC2000 DB3 2.62 % (over its target). Measured with 8: neighbors 10 / 11 and
    #: max_roots 10 give means 1.67 / 1.57 / 1.52.
    hash_neighbors: int = 7

    # --- global consistency ---------------------------------------------------------------------
    #: A grown pair must also agree with its root as a loose rigid transform: distance to the
    #: root within this plus ...
    global_distance_tolerance_px: float = 20.0
    #: ... this fraction of it, and rotation (and bearing from the root) within this.
    global_distance_tolerance_rel: float = 0.1
    global_angle_tolerance_rad: float = 0.5

    # --- Minutia Cylinder-Code descriptors (Cappelli, Ferrara, Maltoni 2010; their values) -----
    #: Cylinder radius, cells per side and direction sections (the paper's 16 x 16 x 6 scored
    #: no better here than 8 x 8 x 5, which is 5 words a cylinder and 2-4x faster).
    mcc_radius_px: float = 70.0
    mcc_cells: int = 8
    mcc_sections: int = 5
    #: Spread of a neighbour's spatial and directional contribution.
    mcc_sigma_space_px: float = 28.0 / 3.0
    mcc_sigma_direction_rad: float = 2.0 * math.pi / 9.0
    #: A cell's bit is set when the summed contributions exceed this.
    mcc_bit_threshold: float = 0.01
    #: Cells further than this outside the convex hull of the minutiae are invalid.
    mcc_hull_margin_px: float = 50.0
    #: A cylinder is valid with at least this fraction of valid cells and this many neighbours.
    mcc_min_valid_cells: float = 0.75
    mcc_min_neighbors: int = 2
    #: Two cylinders compare when this fraction of cells is valid in both and their minutiae
    #: directions differ by at most ``mcc_max_rotation_rad``.
    mcc_min_matchable: float = 0.6
    mcc_max_rotation_rad: float = math.pi / 2
    #: The score averages n_P relaxed pairs, n_P from min to max by a sigmoid of the smaller
    #: template's minutia count (mu, tau).
    mcc_pairs_min: int = 4
    mcc_pairs_max: int = 12
    mcc_pairs_mu: float = 20.0
    mcc_pairs_tau: float = 0.4
    #: Relaxation: iterations, weight kept from the previous step, and the sigmoids (mu, tau) of
    #: the distance, direction-difference and radial-angle disagreements of two pairs.
    relax_iterations: int = 5
    relax_weight: float = 0.5
    relax_distance_mu_px: float = 5.0
    relax_distance_tau: float = -8.0 / 5.0
    relax_direction_mu_rad: float = math.pi / 12
    relax_direction_tau: float = -30.0
    relax_radial_mu_rad: float = math.pi / 12
    relax_radial_tau: float = -30.0
    #: At most this many best local pairs enter the relaxation (the paper takes min(n_A, n_B)).
    relax_max_pairs: int = 64

    # --- fusion ---------------------------------------------------------------------------------
    #: Score = edge evidence + this * MCC score (in [0, 1]); chosen on the six real FVC sets
    #: (mean EER over 600 ... 2500 flat within 0.1 point).
    weight_mcc: float = 1000.0
    #: Grow pairings from the best cylinder pairs (1) rather than from edge-table votes (0).
    roots_from_mcc: int = 0
    #: Cylinders compare minutiae turned by up to ``mcc_max_rotation_rad`` from upright and, when
    #: the best pairing has at least this edge evidence and says the print is turned further,
    #: also around its rotation (weaker pairings are left alone: the second pass costs time).
    mcc_rotated_min_edges: float = 10.0
    #: Cascade: cylinders compare only when the best pairing has at least this edge evidence;
    #: below it the score is the edge evidence alone (MCC score 0). 0 compares every pair.
    mcc_min_edges: float = 0.0

    # --- coverage -------------------------------------------------------------------------------
    #: Coverage (the share of both templates that is paired, see ``overlap_exponent``) counts
    #: only the minutiae where both prints overlap: after the best pairing's least-squares rigid
    #: transform, those landing within about this distance of a minutia of the other template
    #: (a grid of cells this size over each template, the 3 x 3 cells around every minutia marked:
    #: at least this close, at most ~2.8 times). 0 counts every minutia. Two impressions of
    #: different parts of a finger (tip and core) are then not penalised for the minutiae the
    #: other one cannot show; pairings are still ranked by coverage over all minutiae, so this is
    #: computed once per comparison (match_many ~4% slower).
    overlap_cell_px: float = 32.0
    #: ... but a template counts as holding at least this many minutiae (in quality weight).
    overlap_min_minutiae: float = 12.0
    #: Each minutia counts in coverage with weight quality / this (at most 1; unrated, quality 0,
    #: weighs 1), so low-rated minutiae (many of them false, in faint or smudged areas) dilute it
    #: less. 0 weighs all 1. With the two above, mean of 4 mirrored runs, six FVC B sets
    #: (FVC2000 DB1-3, FVC2002 DB1-3), biocore.extract, then with hash_neighbors 8
    #: (``python benchmarks/verify_fvc.py --mirrors --matching hash_neighbors=8 [NAME=VALUE ...]``,
    #: biocore+biocore means): 1.61/1.87/2.21/0.82/0.79/1.58 % vs 1.65/1.89/2.33/0.88/0.92/1.76
    #: with overlap_cell_px=0 coverage_quality_ref=0 (mean 1.48 vs 1.57); quality weight alone
    #: (overlap_cell_px=0): 1.52; overlap alone (coverage_quality_ref=0): 1.53; this weight 50 /
    #: 90: 1.49 / 1.50; overlap_min_minutiae 8 / 20: 1.46 / 1.49; cell 24 / 40 px: 1.52 / 1.47.
    #: NBIS mindtct's minutiae (mindtct+biocore row): mean 5.19 vs 5.13.
    coverage_quality_ref: float = 70.0

    # --- minutia selection (Python, before packing; not read by the native kernel) --------------
    #: Minutiae rated below this quality (1-100; 0 means not rated) are left out, ...
    min_minutia_quality: int = 15
    #: ... but a template keeps at least its this many best-rated minutiae. Templates with no
    #: rated minutia keep all. (On the six real FVC sets this lowered the mean EER from 3.66% to
    #: 3.53% with biocore.extract and from 5.54% to 4.96% with NBIS mindtct's minutiae; kept
    #: 30/35/45/55 and thresholds 10/15/20/25 tried, 15 and 45 best for both.) 50 since
    #: biocore.extract's rating became a logistic score of local evidence (minutiae/quality.py),
    #: which ranks spurious minutiae last far better: mean of 4 mirrored runs, six FVC B sets
    #: (FVC2000 DB1-3, FVC2002 DB1-3), biocore.extract: 2.12/1.69/2.58/1.29/1.20/2.71 % vs 45:
    #: 1.91/2.05/2.53/1.17/1.31/2.52 (mean 1.93 vs 1.92; 50 leaves no set worse than before the new
    #: rating by more than 0.1), threshold 25 with 45 / 50: 1.89 / 1.90; mindtct's minutiae:
    #: 5.93/7.95/7.53/1.98/0.99/6.29 vs 5.91/7.78/7.55/2.05/0.97/6.60 (mean 5.11 vs 5.14; 55: 5.16).
    min_minutiae_kept: int = 50
    #: Minutiae rated 1 up to this (0 = not rated, kept) are left out whatever the template's size.
    #: biocore.extract rates 1 the minutiae within 9 px of the print's edge, where ridges fade or
    #: are cut and most of the minutiae found are false (it keeps them in the template for
    #: matchers that count them, like NBIS bozorth3). Mean of 4 mirrored runs, six FVC B sets
    #: (FVC2000 DB1-3, FVC2002 DB1-3), biocore.extract: 1.65/1.89/2.33/0.88/0.92/1.76 % vs
    #: 2.01/1.87/2.43/1.29/1.19/2.38 with 0 (mean 1.57 vs 1.86); 3: 1.77, 6: 1.94, 10: 2.24.
    #: Also rating by a pixel-trimmed print edge on top (git branch h2-trim): 1.63-1.66.
    drop_quality_at_most: int = 1

    def native(self) -> np.ndarray:
        """The values as the float64 vector the native kernel reads (the leading NATIVE_FIELDS)."""
        return np.array(astuple(self)[:NATIVE_FIELDS], dtype=np.float64)


#: How many leading fields the native kernel reads (Params::kCount in _native/matching.cpp).
NATIVE_FIELDS = 51
assert len(fields(MatchingParameters)) == NATIVE_FIELDS + 3, "keep in step with Params::from in _native/matching.cpp"

DEFAULT_PARAMETERS = MatchingParameters()
