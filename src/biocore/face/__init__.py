"""Portrait quality for ID photos: ICAO 9303 / ISO/IEC 19794-5 compliance, ISO/IEC 29794-5-style measures.

    r = biocore.face.assess("photo.jpg")                 # profile="icao" by default
    r.passed, r.feedback                                  # verdict, operator messages
    r.measures["yaw"]                                     # Measure(value, score, passed, message)
    token = r.token(width=240)                            # ISO/IEC 19794-5 token image (RGB)
    biocore.face.PROFILES["icao"].replace(glasses=None)   # a profile of your own

Pipeline: backend (detection + eyes) -> landmarks (nose, mouth, chin, crown) and pose ->
aligned chip -> measure families (geometry, features, photometry, background) -> profile verdict.
Inside ``with biocore.trace() as t:`` the stages record ``"face.detections"`` (list of
DetectedFace), ``"face.landmarks"`` (Landmarks, working-copy pixels) and ``"face.chip"``
((256, 192, 3) uint8 RGB aligned face).

What is measured, and how well (see each module):

- Measured from the model's points: face count, eye centres, inter-eye distance, roll (to ~1 deg),
  yaw and pitch from the nose base (person-to-person spread ~6 / ~11 deg on frontal portraits).
- Estimated from the eyes by anthropometry: mouth (then snapped to the lip line), chin, crown,
  head width; hence head size ratios and top/bottom margins are approximate.
- Image analysis on the aligned chip: eyes visible, mouth visible, mouth open, smile (teeth),
  glasses (a frame bridge), sharpness, motion blur, light, colour, background, compression.
  ``eyes_open`` only catches eye windows that are all eyelid skin; it misses half-closed eyes.
- Not measured: head covering and hair over the face (needs a segmentation model no numpy-2 wheel
  ships), gaze direction, tinted lenses as such (dark lenses lower ``eyes_visible``), shadows
  across the eyes, red eye.
"""

from __future__ import annotations

from .assessment import assess
from .backends import available_backends
from .parameters import FaceParameters
from .profiles import PROFILES, Limit, Profile, get_profile
from .report import MESSAGES, FaceReport, Measure

__all__ = [
    "assess",
    "FaceReport",
    "Measure",
    "Profile",
    "Limit",
    "PROFILES",
    "get_profile",
    "FaceParameters",
    "MESSAGES",
    "available_backends",
]
