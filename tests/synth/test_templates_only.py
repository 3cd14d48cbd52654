from __future__ import annotations

import numpy as np
import pytest

from biocore import Template
from biocore.errors import InvalidArgument
from biocore.synth import iter_batches, iter_templates
from biocore.synth.parameters import CLASS_FREQUENCIES_BY_FINGER, TemplateModelParameters
from biocore.synth.templates_only import master_batch


SMALL = TemplateModelParameters(block_persons=64)


@pytest.fixture(scope="module")
def batch():
    return next(iter_batches(4096, seed=7))


def test_population_structure():
    batches = list(iter_batches(12, seed=1, encounters=(0, 1), model=SMALL))
    assert [b.encounter for b in batches] == [0, 1]
    for b in batches:
        assert len(b) == 120
        assert np.array_equal(b.person, np.repeat(np.arange(12), 10))
        assert np.array_equal(b.finger, np.tile(np.arange(1, 11), 12))
        assert b.offsets[0] == 0 and b.offsets[-1] == len(b.x) and np.all(np.diff(b.offsets) >= 0)
    items = list(iter_templates(3, seed=1, encounters=(1,), model=SMALL))
    assert len(items) == 30 and all(isinstance(t, Template) for *_, t in items)
    person, finger, encounter, t = items[13]
    assert (person, finger, encounter) == (1, 4, 1) and t == batches[1].template(13)


def test_deterministic_and_independent_of_size_and_order():
    a = next(iter_batches(5, seed=3, encounters=(1,), model=SMALL))
    b = next(iter_batches(50, seed=3, encounters=(0, 1), model=SMALL))
    b1 = next(iter_batches(50, seed=3, encounters=(1, 0), model=SMALL))
    assert a.template(27) == b1.template(27)
    assert not a.template(27) == b.template(27)  # encounter 0 differs from 1
    c = next(iter_batches(5, seed=4, encounters=(1,), model=SMALL))
    assert not a.template(27) == c.template(27)


def test_statistics_are_plausible(batch):
    counts = np.diff(batch.offsets)
    assert 30 <= counts.mean() <= 65 and counts.std() > 5 and counts.min() >= 1
    assert np.all((batch.x >= 0) & (batch.x < batch.width) & (batch.y >= 0) & (batch.y < batch.height))
    bif = np.mean(batch.kind == 2)
    assert 0.3 < bif < 0.55
    # Minutiae cluster in the middle of the image, not uniformly to the edges.
    assert abs(np.mean(batch.x) - batch.width / 2) < 30 and np.std(batch.x) < batch.width / np.sqrt(12)
    # Directions are anisotropic (follow ridge flow): doubled-angle resultant far from zero per finger.
    t = batch.template(0)
    resultant = np.abs(np.mean(np.exp(2j * t.angle.astype(float))))
    assert resultant > 0.15
    assert np.all((batch.angle >= 0) & (batch.angle < 2 * np.pi))


def test_class_frequencies_follow_finger_positions():
    mb = master_batch(0, 0)
    cls = mb.finger_class.reshape(-1, 10)
    for pos in (1, 2, 7):
        freq = np.bincount(cls[:, pos - 1], minlength=5) / cls.shape[0]
        assert np.allclose(freq, CLASS_FREQUENCIES_BY_FINGER[pos], atol=0.035)


def test_same_finger_encounters_share_minutiae():
    g0, g1 = list(iter_batches(2, seed=9, encounters=(0, 1), model=SMALL))
    def near(a, b):
        d = np.hypot(a.x[:, None] - b.x[None, :].astype(float), a.y[:, None] - b.y[None, :].astype(float))
        return np.mean(d.min(axis=1) < 25)
    same = near(g0.template(0), g1.template(0))
    # Nearby positions also happen by chance; genuine pairs must beat impostor pairs clearly on average.
    genuine = np.mean([near(g0.template(i), g1.template(i)) for i in range(20)])
    assert genuine > 0.5 and same >= 0


def test_bad_arguments():
    with pytest.raises(InvalidArgument, match="persons"):
        next(iter_batches(-1))
    with pytest.raises(InvalidArgument, match="encounters"):
        next(iter_batches(2, encounters=()))
