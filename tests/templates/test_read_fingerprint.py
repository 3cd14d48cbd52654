"""templates.commands.read_fingerprint: template records by their header, anything else as an image."""

from __future__ import annotations

import numpy as np
import pytest

import biocore
from biocore.errors import InvalidArgument, InvalidImage
from biocore.templates.commands import read_fingerprint
from tests.conftest import SAMPLES

IMAGE = SAMPLES / "images" / "ID000_f01_e0.png"


def test_records_give_their_views_and_images_their_extraction(tmp_path):
    t = biocore.extract(IMAGE)
    record = tmp_path / "finger.png"  # a misleading suffix: the header decides
    record.write_bytes(biocore.templates.encode(t, "ansi378:2004"))
    views, image = read_fingerprint(str(record), "FILE")
    assert image is None and len(views) == 1 and len(views[0]) == len(t)
    [got], image = read_fingerprint(str(IMAGE), "FILE")
    assert image is not None and image.shape == (t.height, t.width)
    np.testing.assert_array_equal(got.x, t.x)
    np.testing.assert_array_equal(got.quality, t.quality)


def test_unreadable_and_unrecognised_files_raise_naming_the_argument(tmp_path):
    with pytest.raises(InvalidArgument, match="PROBE: cannot read"):
        read_fingerprint(str(tmp_path / "missing.bct"), "PROBE")
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"neither a template nor an image")
    with pytest.raises(InvalidImage, match="PROBE"):
        read_fingerprint(str(junk), "PROBE")
