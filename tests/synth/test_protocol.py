"""The FVC acquisition protocol, ground-truth directions along the master's field, image quality on ground truth."""

from __future__ import annotations

import numpy as np
import pytest

from biocore.errors import InvalidArgument
from biocore.quality import finger_quality
from biocore.synth import DEFAULT_PROTOCOL, FVC_IMPRESSIONS, SKIN_CONDITIONS, fvc_impression, make_impression, make_master


@pytest.fixture(scope="module")
def master():
    return make_master(11, finger=3)


def test_eight_impressions_with_the_asked_variation(master):
    assert len(FVC_IMPRESSIONS) == 8
    imps = [fvc_impression(master, i, seed=2) for i in range(8)]
    again = fvc_impression(master, 4, seed=2)
    assert np.array_equal(again.image, imps[4].image) and again.template == imps[4].template
    assert not np.array_equal(fvc_impression(master, 4, seed=3).image, imps[4].image)
    for kind, imp in zip(FVC_IMPRESSIONS, imps):
        rotation = abs(imp.placement.rotation_rad)
        if kind == "rotated":
            assert DEFAULT_PROTOCOL.rotated_min_rad <= rotation <= DEFAULT_PROTOCOL.rotated_max_rad
        if kind == "dry":
            assert imp.skin_level == DEFAULT_PROTOCOL.dry_ridge_level > SKIN_CONDITIONS["normal"]
        elif kind == "wet":
            assert imp.skin_level == DEFAULT_PROTOCOL.wet_ridge_level < SKIN_CONDITIONS["normal"]
        else:
            low, high = DEFAULT_PROTOCOL.plain_ridge_level
            assert low <= imp.skin_level <= high
    with pytest.raises(InvalidArgument, match="index"):
        fvc_impression(master, 8)


def test_ground_truth_directions_lie_along_the_master_field(master):
    g = master.minutiae
    axis = master.orientation[g.y.astype(int), g.x.astype(int)].astype(np.float64)
    off = np.abs((g.angle - axis + np.pi / 2) % np.pi - np.pi / 2)
    assert np.all(off < 1e-4)
    # ... in the sense the skeleton gives: a bifurcation points away from its stem, towards its fork.
    traced = master.template()
    assert len(traced) == len(g) and np.all(np.isin(g.kind, (1, 2)))


def test_ground_truth_template_carries_the_image_quality(master):
    imp = make_impression(master, seed=5)
    assert imp.template.image_quality == finger_quality(imp.image).score > 0
