"""Compliance profiles: the accepted range of every measure, and how fast the score falls outside.

A :class:`Limit` accepts raw values in ``[lo, hi]`` (either end may be open); outside, the 0-100
score falls linearly to 0 at ``soft`` beyond the violated end. Profiles are frozen; derive your own
with :meth:`Profile.replace`::

    strict = PROFILES["icao"].replace(yaw=Limit(-3, 3, 10), glasses=None)   # None drops a measure

Sources: ISO/IEC 19794-5:2005 (full-frontal geometry, §7.2 pose, §8.3-8.4 geometry and size),
ICAO Doc 9303 Part 3 (8th ed., 2021, portrait requirements), ICAO "Portrait Quality (Reference
Facial Images for MRTD)" TR v1.0 (2018), and OFIQ's public measure definitions (ISO/IEC 29794-5).
Where a requirement is stated only in words ("sharp", "evenly lit"), the number is ours, set on the
MEDS-II development portraits (see tests/face/test_meds.py) and marked "biocore".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .._shared.validation import describe
from ..errors import InvalidArgument

__all__ = ["Limit", "Profile", "PROFILES", "get_profile"]

INF = math.inf


@dataclass(frozen=True)
class Limit:
    lo: float = -INF
    hi: float = INF
    soft: float = 1.0

    def score(self, value: float) -> float:
        """0-100: 100 inside [lo, hi], falling linearly to 0 at ``soft`` beyond the range."""
        if math.isnan(value):
            return 0.0
        excess = max(self.lo - value, value - self.hi, 0.0)
        return 100.0 * max(0.0, 1.0 - excess / self.soft) if excess > 0 else 100.0

    def accepts(self, value: float) -> bool:
        return not math.isnan(value) and self.lo <= value <= self.hi


@dataclass(frozen=True)
class Profile:
    name: str
    limits: Mapping[str, Limit] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "limits", MappingProxyType(dict(self.limits)))

    def replace(self, name: str | None = None, **limits: Limit | None) -> Profile:
        """A copy with some limits replaced (``None`` removes a measure from the verdict)."""
        unknown = set(limits) - set(_ICAO)
        if unknown:
            raise InvalidArgument(
                f"limits: unknown measure(s) {sorted(unknown)}; known: {sorted(_ICAO)}"
            )
        merged = dict(self.limits)
        for key, limit in limits.items():
            if limit is None:
                merged.pop(key, None)
            elif isinstance(limit, Limit):
                merged[key] = limit
            else:
                raise InvalidArgument(f"{key}: expected a Limit or None, got {describe(limit)}")
        return Profile(name or f"{self.name}*", merged)


_ICAO: dict[str, Limit] = {
    # Only the applicant in the picture: ICAO 9303-3 §3.9 ("no other people or objects").
    "face_count": Limit(1, 1, 1),
    # >= 90 px between eye centres: ICAO Portrait Quality TR 2018 §3.4 (120 recommended).
    "inter_eye_distance": Limit(90, INF, 45),
    # Crown to chin 70-80 % of the height (ICAO 9303-3 appendix); widened 10 points because
    # the crown and chin are estimated from the eyes (landmarks.py).
    "head_length_ratio": Limit(0.60, 0.90, 0.15),
    # Image width : head width 7:4 to 2:1 -> 50-57 % (ISO/IEC 19794-5 §8.3.4); widened to 75 %
    # (ICAO TR 2018) since the head width is estimated.
    "head_width_ratio": Limit(0.45, 0.75, 0.15),
    # Face centre line within +-5 % of the image centre: ISO/IEC 19794-5 §8.3.2.
    "horizontal_centre": Limit(0.45, 0.55, 0.1),
    # Eye line 50-70 % of the height from the bottom: ISO/IEC 19794-5 §8.3.3.
    "eye_line_height": Limit(0.50, 0.70, 0.1),
    # Head fully in frame with room around it; derived from the two rules above (biocore).
    "margin_left": Limit(0.5, INF, 0.5),
    "margin_right": Limit(0.5, INF, 0.5),
    "margin_top": Limit(0.2, INF, 0.4),
    "margin_bottom": Limit(0.5, INF, 0.5),
    # Full-frontal minimum width 420 px (ISO/IEC 19794-5 §8.4.1), height by the 3:4 aspect.
    "image_width": Limit(420, INF, 180),
    "image_height": Limit(525, INF, 225),
    # Width : height between 1:1.25 and 1:1.34 (ISO/IEC 19794-5 §8.3.1).
    "aspect_ratio": Limit(0.74, 0.80, 0.1),
    # Pose within +-5 deg yaw and pitch, +-8 deg roll: ISO/IEC 19794-5 §7.2.2. Yaw and pitch are
    # widened to +-8 and +-15 deg: they come from the nose's offset, whose spread between people
    # (nose length and depth) is ~6 deg for yaw and ~11 deg for pitch on frontal MEDS-II portraits.
    "yaw": Limit(-8, 8, 15),
    "pitch": Limit(-15, 15, 15),
    "roll": Limit(-8, 8, 12),
    # Eyes open and clearly visible: ICAO 9303-3 §3.9 (numbers: biocore, on MEDS-II).
    "eyes_open": Limit(0.06, INF, 0.06),
    "eyes_visible": Limit(0.30, INF, 0.25),
    # Mouth closed, visible, neutral expression: ICAO 9303-3 §3.9 (numbers: biocore).
    "mouth_open": Limit(-INF, 0.38, 0.2),
    "mouth_visible": Limit(0.25, INF, 0.2),
    "smile": Limit(-INF, 0.2, 0.15),
    # No frame across the eyes: ICAO TR 2018 recommends glasses off (number: biocore).
    "glasses": Limit(-INF, 2.5, 1.5),
    # In focus, no motion blur: ICAO 9303-3 (numbers: biocore on MEDS-II at IED 64).
    "sharpness": Limit(15.0, INF, 10.0),
    "motion_blur": Limit(-INF, 0.6, 0.3),
    # Neither too dark nor too bright, enough contrast: OFIQ luminance/exposure (numbers: biocore;
    # the lower bound leaves room for dark skin, which is not under-exposure).
    "luminance_mean": Limit(0.13, 0.80, 0.12),
    "luminance_spread": Limit(0.06, INF, 0.05),
    "under_exposure": Limit(-INF, 0.15, 0.3),
    "over_exposure": Limit(-INF, 0.03, 0.2),
    "dynamic_range": Limit(5.0, INF, 2.0),
    # Evenly lit, no shadow across the face: ICAO 9303-3 (number: biocore).
    "illumination_uniformity": Limit(0.40, INF, 0.3),
    # Natural skin tone, colour photo: ICAO TR 2018 (numbers: biocore).
    "natural_colour": Limit(10.0, 85.0, 30.0),
    "colour": Limit(3.0, INF, 3.0),
    # Plain, light background (ICAO 9303-3 §3.9; ISO/IEC 19794-5 suggests 18 % grey, L* ~50).
    "background_lightness": Limit(40.0, INF, 25.0),
    "background_uniformity": Limit(-INF, 6.0, 8.0),
    # No visible compression artefacts: ICAO TR 2018 (number: biocore; JPEG quality below ~25).
    "compression": Limit(-INF, 2.0, 1.5),
}

# Preview loop: keep only what the operator can fix between frames, with generous ranges.
_LIVE: dict[str, Limit] = {
    **_ICAO,
    "inter_eye_distance": Limit(60, INF, 30),
    "head_length_ratio": Limit(0.35, 0.95, 0.2),
    "head_width_ratio": Limit(0.25, 0.85, 0.2),
    "horizontal_centre": Limit(0.35, 0.65, 0.15),
    "eye_line_height": Limit(0.40, 0.80, 0.15),
    "margin_left": Limit(0.0, INF, 0.5),
    "margin_right": Limit(0.0, INF, 0.5),
    "margin_top": Limit(0.0, INF, 0.5),
    "margin_bottom": Limit(0.0, INF, 0.5),
    "yaw": Limit(-15, 15, 15),
    "pitch": Limit(-20, 20, 15),
    "roll": Limit(-12, 12, 15),
    "sharpness": Limit(8.0, INF, 6.0),
    "luminance_mean": Limit(0.10, 0.90, 0.1),
    "under_exposure": Limit(-INF, 0.25, 0.3),
    "over_exposure": Limit(-INF, 0.1, 0.2),
    "dynamic_range": Limit(4.0, INF, 2.0),
    "illumination_uniformity": Limit(0.3, INF, 0.3),
    "background_uniformity": Limit(-INF, 10.0, 8.0),
    "background_lightness": Limit(25.0, INF, 25.0),
}
for _k in (
    "image_width",
    "image_height",
    "aspect_ratio",
    "glasses",
    "natural_colour",
    "compression",
):
    del _LIVE[_k]

PROFILES: Mapping[str, Profile] = MappingProxyType(
    {"icao": Profile("icao", _ICAO), "live": Profile("live", _LIVE)}
)


def get_profile(profile: str | Profile) -> Profile:
    """A :class:`Profile` by name (``"icao"``, ``"live"``) or the one passed."""
    if isinstance(profile, Profile):
        return profile
    if isinstance(profile, str) and profile in PROFILES:
        return PROFILES[profile]
    raise InvalidArgument(
        f"profile: expected one of {', '.join(map(repr, PROFILES))} or a Profile, got {describe(profile)}"
    )
