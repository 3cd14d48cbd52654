"""biocore: biometric capture and matching for national ID enrollment.

The public API (a contract; see README)::

    t = biocore.extract(image, dpi=500)              # fingerprint image -> Template
    s = biocore.match(probe, candidate)              # similarity score, higher = more alike
    m = biocore.Matcher(probe); m.match_many(ts)     # prepared 1:N
    q = biocore.finger_quality(image)                # .score 0-100, .feedback
    b = biocore.templates.encode(t, "iso19794-2:2005"); biocore.templates.decode(b)
    r = biocore.face.assess(image, profile="icao")   # portrait quality
    g = biocore.Gallery.open(path)                   # on-disk gallery, search, dedup
    biocore.synth, biocore.evaluation                # synthetic data, metrics

Heavy areas are imported on first use, so ``import biocore`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

from . import errors, templates
from ._shared.tracing import Trace, trace
from ._version import __version__
from .errors import BiocoreError
from .templates import FINGER_POSITIONS, MinutiaKind, Template

# name -> (module, attribute or None for the module itself); resolved on first access.
_LAZY: dict[str, tuple[str, str | None]] = {
    "extract": ("biocore.minutiae", "extract"),
    "match": ("biocore.matching", "match"),
    "Matcher": ("biocore.matching", "Matcher"),
    "finger_quality": ("biocore.quality", "finger_quality"),
    "Gallery": ("biocore.search", "Gallery"),
    "minutiae": ("biocore.minutiae", None),
    "matching": ("biocore.matching", None),
    "quality": ("biocore.quality", None),
    "search": ("biocore.search", None),
    "face": ("biocore.face", None),
    "synth": ("biocore.synth", None),
    "evaluation": ("biocore.evaluation", None),
}

__all__ = [
    "__version__",
    "BiocoreError",
    "FINGER_POSITIONS",
    "MinutiaKind",
    "Template",
    "Trace",
    "errors",
    "templates",
    "trace",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'biocore' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
