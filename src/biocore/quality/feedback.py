"""Capture feedback: what the operator should do, most important first, with stable codes.

Each rule reads the features and, when it fires, gives a severity in (0, 1] (how far past its
threshold). Messages are ordered by a fixed priority (what blocks a usable capture most comes
first: no finger, then placement, then skin condition, then image defects) less
``severity_weight`` times the severity, so that a severe problem outranks a slight one (a
partial print stays first: nothing else can be judged on it); a code appears once.
When the image is faint (``low_contrast`` fires) the foreground itself is unreliable, so the skin
and contrast messages move ahead of the placement ones (a skin condition, the more severe first,
before the faintness it explains, when its severity is at least ``condition_over_contrast`` times
the faintness').

========================  ===========================================================
code                      fires when
========================  ===========================================================
``no_finger``             no foreground
``partial``               foreground under ``min_area_mm2``, or small and cut by the frame on 2+ sides
``off_centre``            foreground centroid farther than ``max_centre_offset`` from the centre
``rotated``               elongated print whose axis is more than ``max_rotation_deg`` from vertical
``too_dark_or_wet``       ridges merging (duty cycle over ``wet_ridge_fraction``, skewness under
                          ``wet_skewness``) or a dark print
``too_light_or_dry``      ridges thin/broken (duty cycle under ``dry_ridge_fraction``, skewness over
                          ``dry_skewness``) or a light print
``low_contrast``          median ridge contrast under ``min_contrast_gray``
``too_much_pressure``     very large contact area with merging ridges
``smudged``               many unclear or incoherent blocks (smudge, motion, residue)
========================  ===========================================================
"""

from __future__ import annotations

from dataclasses import dataclass

from .parameters import QualityParameters

__all__ = ["Feedback", "MESSAGES", "feedback_for"]

#: Stable codes and the operator message for each, in priority order.
MESSAGES: dict[str, str] = {
    "no_finger": "No finger detected: place the finger flat on the scanner.",
    "partial": "Too little of the finger was captured: place the whole fingertip flat on the scanner.",
    "off_centre": "Finger is off-centre: move it to the middle of the scanner.",
    "rotated": "Finger is rotated: place it straight, pointing up the scanner.",
    "too_dark_or_wet": "Print is too dark or wet: dry the finger and press lighter.",
    "too_light_or_dry": "Print is too light or dry: moisten the finger slightly and press a little harder.",
    "low_contrast": "Image is faint: clean the scanner surface and press evenly.",
    "too_much_pressure": "Too much pressure: press more lightly.",
    "smudged": "Print is smudged or blurred: clean the scanner and the finger, keep the finger still.",
}
_PRIORITY = {code: rank for rank, code in enumerate(MESSAGES)}


@dataclass(frozen=True)
class Feedback:
    """One actionable message.

    Attributes
    ----------
    code : str
        Stable identifier (a key of :data:`MESSAGES`).
    message : str
        What the operator should say or do.
    severity : float
        In (0, 1]: how far past its threshold the rule fired.
    """

    code: str
    message: str
    severity: float

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, "severity": round(self.severity, 3)}


def _beyond(value: float, limit: float, span: float) -> float:
    """Severity of ``value`` past ``limit`` (positive direction), reaching 1 at ``limit + span``."""
    return float(min(1.0, max(0.0, (value - limit) / span) + 0.05)) if value > limit else 0.0


def feedback_for(features: dict[str, float], params: QualityParameters) -> list[Feedback]:
    """Messages for a capture's features, most important first (empty when the capture is fine)."""
    f, p = features, params
    if f["area_mm2"] <= 0.0:
        return [Feedback("no_finger", MESSAGES["no_finger"], 1.0)]
    found: dict[str, float] = {}
    cut = f["frame_sides_cut"] >= 2 and f["foreground_fraction"] < p.partial_area_fraction
    found["partial"] = max(_beyond(-f["area_mm2"], -p.min_area_mm2, p.min_area_mm2 / 2), 0.5 if cut else 0.0)
    found["off_centre"] = _beyond(f["centre_offset"], p.max_centre_offset, 0.15)
    if f["elongation"] >= p.min_elongation and f["frame_sides_cut"] < 2:
        found["rotated"] = _beyond(abs(f["rotation_deg"]), p.max_rotation_deg, 30.0)
    found["low_contrast"] = _beyond(-f["contrast_gray"], -p.min_contrast_gray, p.min_contrast_gray / 2)
    wet = max(
        _beyond(f["ridge_fraction"], p.wet_ridge_fraction, 0.08), _beyond(-f["ridge_skewness"], -p.wet_skewness, 0.4),
        _beyond(-f["gray_mean"], -p.dark_gray, 40.0),
    )
    dry = max(
        _beyond(-f["ridge_fraction"], -p.dry_ridge_fraction, 0.05), _beyond(f["ridge_skewness"], p.dry_skewness, 0.4),
        _beyond(f["gray_mean"], p.light_gray, 40.0),
    )
    if wet and dry:  # contradictory evidence: keep the more severe
        wet, dry = (wet, 0.0) if wet >= dry else (0.0, dry)
    found["too_dark_or_wet"], found["too_light_or_dry"] = wet, dry
    if f["area_mm2"] > p.pressure_area_mm2 and f["ridge_fraction"] > p.wet_ridge_fraction:
        found["too_much_pressure"] = _beyond(f["area_mm2"], p.pressure_area_mm2, 100.0)
    smudge = max(f["unclear_fraction"], f["incoherent_fraction"])
    found["smudged"] = _beyond(smudge, p.max_unclear_fraction, 0.3)
    # Fixed priority, moved up by severity: a severe skin problem outranks a slight misplacement.
    priority = {code: rank - p.severity_weight * found.get(code, 0.0) for code, rank in _PRIORITY.items()}
    if not found["low_contrast"]:
        # Too little finger blocks everything else and stays first.
        priority["partial"] = -10.0
    else:
        # A faint image makes the foreground (and so every placement verdict) unreliable: what
        # spoils the ridges comes first, and a skin condition before the faintness it explains.
        # Low contrast itself shifts the ridge-shape measures a little: a skin verdict goes first
        # only when it is nearly as clear as the faintness.
        priority["low_contrast"] = -5.0
        for code in ("too_dark_or_wet", "too_light_or_dry"):
            if found[code] >= p.condition_over_contrast * found["low_contrast"]:
                priority[code] = -6.0 - found[code]
    fired = sorted((code for code, s in found.items() if s > 0), key=priority.__getitem__)
    return [Feedback(code, MESSAGES[code], found[code]) for code in fired]
