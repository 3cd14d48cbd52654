"""Shared helpers for the template codec tests: a hand-built template and the test-vector index."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from biocore import Template

from tests.conftest import shared_path

#: The standard angle unit of each format, in degrees.
ANGLE_UNIT_DEG = {
    "iso19794-2:2005": 360 / 256, "iso19794-2:2011": 360 / 256,
    "ansi378:2004": 2.0, "ansi378:2009": 2.0, "ansi378:2009am1": 2.0,
}

STANDARD_FORMATS = list(ANGLE_UNIT_DEG)


def hand_template() -> Template:
    """Three minutiae whose encodings the tests spell out byte by byte."""
    return Template(
        x=[100, 55, 0], y=[14, 18, 0], angle=np.deg2rad([112.5, 22.5, 0.0]), kind=[1, 2, 0], quality=[90, 90, 0],
        width=512, height=512, dpi=500, finger=7, image_quality=90,
    )


def raw_angles(t: Template, fmt: str) -> list[int]:
    unit = ANGLE_UNIT_DEG[fmt]
    steps = round(360 / unit)
    return [int(round(math.degrees(a) / unit)) % steps for a in t.angle.tolist()]


def fingerprintio(name: str) -> tuple[bytes, dict]:
    folder = shared_path("templates", "machinezoo_fingerprintio")
    return (folder / f"{name}.dat").read_bytes(), json.loads((folder / f"{name}.json").read_text())


def shared_file(*parts: str) -> Path:
    return shared_path("templates", *parts)
