"""Every tuned number of the synthetic fingerprint generator, with its unit in its name.

Three frozen dataclasses, one per fidelity level and stage group:

* :class:`MasterParameters`     - finger class, silhouette, orientation, ridge period, ridge growth,
  ground-truth minutiae (the "master fingerprint" of SFinGe).
* :class:`ImpressionParameters` - contact region, placement, plastic distortion, skin condition,
  noise and background of one capture of a master.
* :class:`TemplateModelParameters` - the templates-only population model (minutiae sets without images).

All lengths are pixels at 500 dpi unless the name says otherwise; angles are radians.

References
----------
R. Cappelli, D. Maio, D. Maltoni, "Synthetic fingerprint-database generation", ICPR 2002.
R. Cappelli, D. Maio, D. Maltoni, "Modelling plastic distortion in fingerprint images", ICAPR 2001.
C. L. Wilson, G. T. Candela, C. I. Watson, "Neural network fingerprint classification",
J. Artificial Neural Networks 1(2), 1994 (class frequencies of NIST SD-4/SD-14).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "FINGER_CLASSES",
    "CLASS_FREQUENCIES_BY_FINGER",
    "MasterParameters",
    "ImpressionParameters",
    "TemplateModelParameters",
    "ProtocolParameters",
    "DEFAULT_PROTOCOL",
    "DEFAULT_MASTER",
    "DEFAULT_IMPRESSION",
    "DEFAULT_TEMPLATE_MODEL",
]

#: Fingerprint classes (Henry system, five classes as in NIST SD-4), in the index order used everywhere.
FINGER_CLASSES: tuple[str, ...] = ("arch", "tented_arch", "left_loop", "right_loop", "whorl")

# Probabilities of (arch, tented arch, ulnar loop, radial loop, whorl) by finger digit (thumb..little).
# Shaped after published per-finger distributions; averaged over ten fingers they give about
# arch 3.7 %, tented arch 2.9 %, loops 63.5 %, whorl 29.9 %, close to the NIST SD-4 natural
# frequencies (3.7 / 2.9 / 33.8 + 31.7 / 27.9 %).
_BY_DIGIT: dict[int, tuple[float, float, float, float, float]] = {
    1: (0.030, 0.020, 0.480, 0.020, 0.450),  # thumb
    2: (0.080, 0.070, 0.390, 0.140, 0.320),  # index
    3: (0.040, 0.025, 0.690, 0.020, 0.225),  # middle
    4: (0.020, 0.015, 0.545, 0.010, 0.410),  # ring
    5: (0.015, 0.015, 0.820, 0.010, 0.140),  # little
}


def _by_finger() -> dict[int, tuple[float, ...]]:
    # On a print of a right-hand finger an ulnar loop opens to the right (a right loop); on the left hand, to the left.
    out: dict[int, tuple[float, ...]] = {}
    for position in range(1, 11):
        arch, tented, ulnar, radial, whorl = _BY_DIGIT[(position - 1) % 5 + 1]
        right_hand = position <= 5
        left_loop, right_loop = (radial, ulnar) if right_hand else (ulnar, radial)
        out[position] = (arch, tented, left_loop, right_loop, whorl)
    out[0] = tuple(sum(out[p][k] for p in range(1, 11)) / 10.0 for k in range(5))
    return out


#: P(class) for each ISO finger position 0..10 (0 = unknown: the average over the ten fingers).
CLASS_FREQUENCIES_BY_FINGER: dict[int, tuple[float, ...]] = _by_finger()


@dataclass(frozen=True)
class MasterParameters:
    """How master fingerprints (ridge pattern + ground truth) are made."""

    # Canvas and silhouette (SFinGe: four elliptical quarters, a rounder top and a longer bottom).
    canvas_width_px: int = 352
    canvas_height_px: int = 448
    half_width_px: tuple[float, float] = (128.0, 152.0)
    top_half_height_px: tuple[float, float] = (150.0, 180.0)
    bottom_half_height_px: tuple[float, float] = (190.0, 230.0)
    centre_jitter_px: float = 10.0
    centre_y_fraction: float = 0.45  # of the canvas height (the finger continues below the canvas)

    # Singular points, positions relative to the silhouette centre (x right, y down), in px.
    core_y_px: tuple[float, float] = (-50.0, 30.0)
    core_x_jitter_px: float = 25.0
    loop_delta_offset_px: tuple[tuple[float, float], tuple[float, float]] = ((70.0, 150.0), (90.0, 160.0))
    whorl_core_gap_px: tuple[float, float] = (18.0, 40.0)
    whorl_delta_offset_px: tuple[tuple[float, float], tuple[float, float]] = ((90.0, 140.0), (100.0, 160.0))
    tented_delta_below_px: tuple[float, float] = (45.0, 80.0)
    # Arch: ridges follow y = c - bump(x); bump height grows upward and decays away from the centre.
    arch_bump_height_px: tuple[float, float] = (25.0, 60.0)
    arch_bump_width_px: tuple[float, float] = (90.0, 140.0)
    # Above the cores and far from singularities the zero-pole field leaves ridges too straight and
    # tilted; it is blended into ellipses concentric with the fingertip (a simplified stand-in for
    # SFinGe's correction), from "near" (no blending) to "far" (fully the ellipses).
    fingertip_centre_below_core_px: float = 40.0
    background_near_px: float = 45.0
    background_far_px: float = 170.0

    # Ridge period map: mean period, person-to-person spread, smooth spatial variation.
    ridge_period_px: tuple[float, float] = (8.4, 10.2)
    ridge_period_variation_px: float = 0.9
    ridge_period_near_core_extra_px: float = 0.8
    ridge_period_smoothness_px: float = 60.0

    # Ridge growth by iterative oriented (Gabor) filtering from random seeds. Minutiae appear where
    # ridges from different seeds meet: 140 seeds give real-like counts (an arch ~30, loops and
    # whorls ~45 on the whole silhouette) and keep arches from being nearly minutia-free.
    seed_count: int = 140
    growth_iterations: int = 18
    gabor_radius_px: int = 8
    gabor_sigma_fraction_of_period: float = 0.42
    orientation_bins: int = 36
    period_bins: int = 9
    growth_gain: float = 3.0
    # A single seed pixel responds weakly: the first passes use a higher gain so the seeds take hold.
    seed_gain_factor: float = 8.0
    seed_gain_iterations: int = 3

    # Ground-truth minutiae from the master's skeleton.
    border_margin_px: float = 10.0
    min_minutia_distance_px: float = 4.0
    direction_trace_steps: int = 8
    spur_max_length_px: int = 6


@dataclass(frozen=True)
class ImpressionParameters:
    """How an impression (one capture) is made from a master."""

    image_width_px: int = 300
    image_height_px: int = 400
    # Contact region: an ellipse of this size inside the silhouette (fraction of the silhouette).
    contact_scale: tuple[float, float] = (0.72, 1.02)
    contact_offset_px: float = 45.0
    # The contact region sits above the silhouette centre (the fingertip touches, the joint not),
    # by this fraction of the silhouette's top half-height; its edge is ragged by this much.
    contact_raise_fraction: float = 0.15
    contact_edge_roughness: float = 0.05
    contact_edge_roughness_scale_px: float = 25.0
    # Finger placement on the sensor: rotation magnitude drawn in [rotation_min_rad, rotation_rad].
    translation_px: float = 40.0
    rotation_rad: float = 0.35
    rotation_min_rad: float = 0.0
    # Plastic distortion (Cappelli et al. 2001): a rigid displacement reached outside the close
    # contact region, braked to zero inside it. These values, with the FVC protocol (ProtocolParameters),
    # put NBIS's EER on every synthetic FVC-shaped set inside the real sets' range (benchmarks/bench_synth.py).
    distortion_shift_px: float = 22.0
    distortion_rotation_rad: float = 0.08
    distortion_contact_radius_px: tuple[float, float] = (50.0, 90.0)
    distortion_transition_px: float = 90.0
    distortion_brake_exponent: float = 1.4
    # Skin condition and pressure: threshold of the ridge field (negative: wet/heavy, positive: dry/light).
    ridge_level: tuple[float, float] = (-0.38, 0.38)
    ridge_level_patchiness: float = 0.22
    ridge_level_patch_size_px: float = 18.0
    ridge_softness: float = 0.18
    # Pressure falls towards the contact edge: the ridge level rises by this much at the edge.
    edge_level_rise: float = 0.6
    # Wet skin blurs the ridge field by sigma = base + per_level * |level| before thresholding.
    wet_blur_base_px: float = 0.6
    wet_blur_per_level_px: float = 1.2
    # Dark specks (sweat, dirt) relative to white ones, and their darkness.
    dark_speck_ratio: float = 0.35
    dark_speck_ink: float = 0.85
    edge_fade_px: float = 16.0
    speck_density_per_px2: float = 0.012
    speck_level: tuple[float, float] = (0.2, 1.8)
    grain_size_px: float = 1.2
    grain_strength: float = 0.35
    # Sensor: contrast, blur, noise.
    ridge_gray: tuple[float, float] = (25.0, 90.0)
    background_gray: tuple[float, float] = (215.0, 250.0)
    blur_sigma_px: tuple[float, float] = (0.5, 1.0)
    noise_sigma_gray: tuple[float, float] = (4.0, 12.0)
    background_drift_gray: float = 3.0
    background_drift_scale_px: float = 80.0
    # Per-pixel noise off the finger: real sensors have some, but it triples PNG sizes; SFinGe's is 0.
    background_noise_sigma_gray: float = 0.0


@dataclass(frozen=True)
class ProtocolParameters:
    """The FVC acquisition protocol's variations (:mod:`.protocol`), on top of a plain capture."""

    # Plain, displaced and rotated impressions: skin condition drawn in this range.
    plain_ridge_level: tuple[float, float] = (-0.25, 0.25)
    # Displaced: the contact region and the placement wander this far.
    displaced_contact_offset_px: float = 75.0
    displaced_translation_px: float = 70.0
    # Rotated: rotation magnitude in this range.
    rotated_min_rad: float = 0.3
    rotated_max_rad: float = 0.7
    # Dried and moistened skin.
    dry_ridge_level: float = 0.34
    wet_ridge_level: float = -0.34


@dataclass(frozen=True)
class TemplateModelParameters:
    """The templates-only population model: minutiae sets drawn without images.

    Counts are for a full master finger (the silhouette); an impression sees the part in its
    contact region and on the image.
    """

    master_minutiae_per_mm2: float = 0.30
    mm_per_px: float = 25.4 / 500.0
    core_density_boost: float = 0.8
    core_density_radius_px: float = 90.0
    master_angle_sigma_rad: float = 0.05
    bifurcation_fraction: float = 0.42
    # Impression noise.
    missing_fraction: tuple[float, float] = (0.05, 0.25)
    spurious_per_minutia: tuple[float, float] = (0.03, 0.20)
    position_sigma_px: float = 2.5
    angle_sigma_rad: float = 0.12
    kind_flip_fraction: float = 0.08
    # Quality values (inclusive ranges) of true and spurious minutiae and of the image.
    true_minutia_quality: tuple[int, int] = (45, 100)
    spurious_minutia_quality: tuple[int, int] = (10, 69)
    image_quality: tuple[int, int] = (40, 100)
    distortion_amplitude_px: float = 6.0
    distortion_wavelength_px: float = 260.0
    # Persons are generated in blocks: person i's data depend only on (seed, i // block) and i.
    block_persons: int = 4096
    impression_params: ImpressionParameters = field(default_factory=ImpressionParameters)


DEFAULT_MASTER = MasterParameters()
DEFAULT_IMPRESSION = ImpressionParameters()
DEFAULT_PROTOCOL = ProtocolParameters()
DEFAULT_TEMPLATE_MODEL = TemplateModelParameters()
