from __future__ import annotations

import csv

import cv2
import numpy as np
import pytest

from biocore import templates
from biocore.cli import main
from biocore.synth import capture, iter_captures
from biocore.synth.samples import DUPLICATES, PERSONS, RECAPTURED, SAMPLES_SEED, registry_plan

from tests.conftest import SAMPLES


def test_captures_are_deterministic_and_share_the_finger():
    a = capture(5, 1, 2, 0)
    b = capture(5, 1, 2, 0)
    c = capture(5, 1, 2, 1)
    assert np.array_equal(a.impression.image, b.impression.image)
    assert not np.array_equal(a.impression.image, c.impression.image)
    # Encounters of one finger are impressions of the same master; other fingers are not.
    assert capture(5, 1, 3, 0).impression.template != a.impression.template
    items = list(iter_captures([1], seed=5, encounters=(0, 1), fingers=(2,)))
    assert [(c.person, c.finger, c.encounter) for c in items] == [(1, 2, 0), (1, 2, 1)]
    assert items[1].impression.template == c.impression.template


def test_registry_plan_plants_duplicates():
    plan = registry_plan()
    identities = {i for i, _, _ in plan}
    assert len(identities) == PERSONS + len(DUPLICATES)
    persons_per_identity = {}
    for identity, person, _ in plan:
        persons_per_identity.setdefault(identity, set()).add(person)
    assert all(len(p) == 1 for p in persons_per_identity.values())
    identities_per_person = {}
    for identity, person, _ in plan:
        identities_per_person.setdefault(person, set()).add(identity)
    assert {p for p, ids in identities_per_person.items() if len(ids) > 1} == set(DUPLICATES)


@pytest.fixture(scope="module")
def manifest():
    path = SAMPLES / "manifest.csv"
    if not path.exists():
        pytest.skip("data/samples not generated (run: biocore synth samples data/samples)")
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_samples_manifest_and_files(manifest):
    assert len(manifest) == 10 * (PERSONS + len(RECAPTURED) + len(DUPLICATES))
    dup = {}
    for row in manifest:
        dup.setdefault(row["person"], set()).add(row["identity"])
        t = templates.decode((SAMPLES / row["template"]).read_bytes())[0]
        assert len(t) == int(row["minutiae"]) and t.finger == int(row["finger"])
        if row["image"]:
            img = cv2.imread(str(SAMPLES / row["image"]), cv2.IMREAD_UNCHANGED)
            assert img.shape == (t.height, t.width) and img.dtype == np.uint8
    assert {p for p, ids in dup.items() if len(ids) == 2} == {f"P{p:03d}" for p in DUPLICATES}
    size = sum(f.stat().st_size for f in SAMPLES.rglob("*") if f.is_file())
    assert size <= 5_000_000


def test_samples_regenerate_from_their_seed(manifest):
    # Bit-identical with the same library versions and CPU; elsewhere float rounding in OpenCV or
    # NumPy may move a pixel's gray level by one, so compare with a small tolerance.
    for row in (manifest[0], manifest[-1]):
        c = capture(SAMPLES_SEED, int(row["person"][1:]), int(row["finger"]), int(row["encounter"]))
        stored = templates.decode((SAMPLES / row["template"]).read_bytes())[0]
        fresh = c.impression.template
        assert (fresh.width, fresh.height, fresh.finger) == (stored.width, stored.height, stored.finger)
        d = np.hypot(fresh.x[:, None] - stored.x[None, :].astype(float), fresh.y[:, None] - stored.y[None, :].astype(float))
        assert abs(len(fresh) - len(stored)) <= 2 and np.mean(d.min(axis=1) <= 1.0) >= 0.9
        if row["image"]:
            img = cv2.imread(str(SAMPLES / row["image"]), cv2.IMREAD_UNCHANGED)
            diff = np.abs(img.astype(int) - c.impression.image.astype(int))
            assert diff.mean() < 1.0 and np.mean(diff > 8) < 0.01


def test_cli_sheet_and_population(tmp_path, capsys):
    out = tmp_path / "sheet.png"
    assert main(["synth", "sheet", str(out), "--rows", "1", "--impressions", "1"]) == 0
    assert cv2.imread(str(out)).shape[0] > 300
    npz = tmp_path / "pop.npz"
    assert main(["synth", "population", "--persons", "3", "--encounters", "0", "1", "--out", str(npz)]) == 0
    data = np.load(npz)
    assert len(data["person"]) == 60 and data["offsets"][-1] == len(data["x"])
    assert set(data["encounter"].tolist()) == {0, 1}
    assert main(["synth", "population", "--persons", "3", "--out", str(tmp_path / "pop.txt")]) == 2
    assert "--out" in capsys.readouterr().err
