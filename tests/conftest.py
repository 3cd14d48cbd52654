"""Shared fixtures: paths to the project's samples and to the optional evaluation data in ../shared/data."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
SHARED_DATA = ROOT.parent / "shared" / "data"


def shared_path(*parts: str) -> Path:
    """A path under ../shared/data, or skip the test with a message when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"evaluation data not present: {path} (tests that read ../shared/data skip without it)")
    return path


@pytest.fixture
def shared_data() -> Path:
    return shared_path()
