"""Portrait quality for ID photos: ICAO 9303 / ISO/IEC 19794-5 compliance, ISO/IEC 29794-5-style measures.

    r = biocore.face.assess("photo.jpg")                 # profile="icao" by default
    r.passed, r.feedback                                  # verdict, operator messages
    r.measures["yaw"]                                     # Measure(value, score, passed, message)
    token = r.token(width=240)                            # ISO/IEC 19794-5 token image (RGB)
    biocore.face.PROFILES["icao"].replace(glasses=None)   # a profile of your own

Pipeline: backend (detection + eyes) -> landmarks (nose, mouth, chin, crown) and pose ->
aligned chip -> measure families (geometry, features, photometry, background) -> profile verdict.
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
