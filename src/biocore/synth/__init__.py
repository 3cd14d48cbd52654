"""Synthetic fingerprints with ground truth: masters, impressions, populations, sample registry.

Two fidelity levels:

* **images** - SFinGe-style master fingerprints (class at realistic frequencies, zero-pole
  orientation field, ridge period map, ridges grown by iterative oriented Gabor filtering) with
  ground-truth minutiae read off the master; impressions with partial contact, placement,
  plastic distortion, skin condition, noise; the ground truth carried through exactly::

      m = biocore.synth.make_master(7, finger=2)           # Master: .ridges, .minutiae, .template()
      imp = biocore.synth.make_impression(m, seed=1)       # Impression: .image (uint8), .template
      for c in biocore.synth.iter_captures(5, seed=0, encounters=(0, 1)): ...

* **templates only** - minutiae sets with realistic counts, layout, directions and capture noise,
  several thousand persons (ten fingers) a second on one core, for million-person galleries::

      for batch in biocore.synth.iter_batches(1_000_000, seed=0, encounters=(0,)):
          batch.person, batch.finger, batch.offsets, batch.x, batch.y, batch.angle, batch.kind
      for person, finger, encounter, template in biocore.synth.iter_templates(100): ...

``biocore synth --help`` on the command line: sample registry, contact sheet, populations.
"""

from __future__ import annotations

import importlib
from typing import Any

# name -> submodule; resolved on first access so that ``biocore synth --help`` stays fast.
_LAZY: dict[str, str] = {
    "make_master": "masters", "Master": "masters",
    "make_impression": "impressions", "Impression": "impressions", "SKIN_CONDITIONS": "impressions",
    "GroundTruth": "groundtruth",
    "fvc_impression": "protocol", "FVC_IMPRESSIONS": "protocol",
    "Capture": "population", "capture": "population", "finger_master": "population", "iter_captures": "population",
    "TemplateBatch": "templates_only", "iter_batches": "templates_only", "iter_templates": "templates_only",
    "write_samples": "samples", "contact_sheet": "sheet",
    "FINGER_CLASSES": "parameters", "CLASS_FREQUENCIES_BY_FINGER": "parameters",
    "MasterParameters": "parameters", "ImpressionParameters": "parameters", "TemplateModelParameters": "parameters",
    "ProtocolParameters": "parameters", "DEFAULT_PROTOCOL": "parameters",
    "DEFAULT_MASTER": "parameters", "DEFAULT_IMPRESSION": "parameters", "DEFAULT_TEMPLATE_MODEL": "parameters",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    try:
        module = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'biocore.synth' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
