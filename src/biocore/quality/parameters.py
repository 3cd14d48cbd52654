"""Every tuned number of finger image quality and capture feedback, in one frozen dataclass.

Distances are pixels of the internal 500 ppi grid (``_px``), areas square millimetres
(``_mm2``), angles degrees (``_deg``); fractions are of the foreground unless named otherwise.
Pass a changed copy (``dataclasses.replace(DEFAULT_PARAMETERS, ...)``) to experiment.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["QualityParameters", "DEFAULT_PARAMETERS"]


@dataclass(frozen=True)
class QualityParameters:
    """Tuned constants of :func:`biocore.quality.finger_quality` (see each feature module)."""

    #: Side of the square blocks on which local features are measured.
    block_px: int = 8

    # --- clarity ------------------------------------------------------------------------------
    #: Band-pass (difference of Gaussians) that keeps ridges (periods 5-15 px) and drops pixel
    #: noise and smudges: inner and outer Gaussian scales.
    band_inner_sigma_px: float = 1.0
    band_outer_sigma_px: float = 4.0
    #: Band-pass energy ratio of a clean sinusoid of period 9 px through that filter (for 0-1 scaling).
    clean_band_ratio: float = 0.55
    #: A block is locally unclear below this clarity (0-1).
    unclear_block_clarity: float = 0.45
    #: Orientation coherence below which a block's ridge flow counts as unreliable.
    incoherent_block: float = 0.35

    # --- centre region (minutiae) --------------------------------------------------------------
    #: Radius of the centre region around the foreground centroid.
    centre_radius_px: float = 90.0

    # --- feedback thresholds --------------------------------------------------------------------
    #: Foreground smaller than this is a partial print.
    min_area_mm2: float = 70.0
    #: ... or smaller than this fraction of the image while cut by the frame on two sides.
    partial_area_fraction: float = 0.35
    #: Foreground centroid farther than this fraction of the image side from its centre.
    max_centre_offset: float = 0.12
    #: Finger axis more than this away from vertical (only judged on elongated prints).
    max_rotation_deg: float = 30.0
    #: Elongation (major / minor axis) needed before the finger axis is judged.
    min_elongation: float = 1.25
    #: Median ridge contrast (grey-level standard deviation) below this is low contrast.
    min_contrast_gray: float = 10.0
    #: Ridge duty cycle (fraction of the foreground darker than its local mean) above which ridges
    #: are merging (wet, pressure) and below which they are thin and broken (dry).
    wet_ridge_fraction: float = 0.52
    dry_ridge_fraction: float = 0.33
    #: Skewness of the normalized grey levels beyond which ridges merge (below) or thin (above);
    #: sensor-independent, so it catches what the duty cycle thresholds miss on unusual sensors.
    #: (0.7 catches 91% of ridges thinned by a 5 px dilation on real FVC prints; 0.8 missed the thin-ridged
    #: FVC2000 DB1 sensor's, at the cost of a skin message on 4.6% more of the untouched prints.)
    wet_skewness: float = -0.2
    dry_skewness: float = 0.7
    #: Mean foreground grey level (0-255) below which the print is dark, above which light.
    dark_gray: float = 45.0
    light_gray: float = 225.0
    #: More than this fraction of unclear or incoherent foreground blocks is a smudge.
    max_unclear_fraction: float = 0.45
    #: Feedback order: priority rank minus this times the severity (0: fixed priority only).
    severity_weight: float = 4.0
    #: On a faint image a skin verdict is given first when its severity is at least this multiple of
    #: the faintness' severity (low contrast shifts the ridge-shape measures a little by itself).
    condition_over_contrast: float = 0.8
    #: Very large contact area with merging ridges means the finger is pressed too hard.
    pressure_area_mm2: float = 260.0


DEFAULT_PARAMETERS = QualityParameters()
