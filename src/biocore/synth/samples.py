"""The project's sample registry (``data/samples``): a small enrolment drive with planted duplicates.

Layout written by :func:`write_samples` (see ``data/samples/README.md``)::

    manifest.csv            one row per capture (columns below)
    images/<capture>.png    500 dpi fingerprint images (a subset: the persons in IMAGE_PERSONS)
    templates/<capture>.bct ground-truth minutiae of every capture, compact biocore format
    README.md

Manifest columns: ``capture`` (file stem), ``identity`` (the id the person was enrolled under),
``person`` (true person id), ``finger`` (ISO position 1-10), ``encounter``, ``finger_class``,
``image`` and ``template`` (paths relative to the folder; ``image`` empty when no image is kept),
``minutiae`` (ground-truth count).

The registry: persons 0-19 enrolled once each as identities ``ID000``-``ID019`` (encounter 0);
persons in ``RECAPTURED`` captured again under their own identity (encounter 1, for 1:1 checks);
persons in ``DUPLICATES`` enrolled again under a new identity (encounter 2) - the duplicates a
deduplication run must find.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import cv2

from ..errors import InvalidArgument
from ..templates import encode
from .population import capture, finger_master

__all__ = ["SAMPLES_SEED", "PERSONS", "RECAPTURED", "DUPLICATES", "IMAGE_PERSONS", "registry_plan", "write_samples"]

SAMPLES_SEED = 2026
PERSONS = 20
RECAPTURED = (0, 1, 2, 3, 4)
DUPLICATES = {3: "ID020", 9: "ID021", 16: "ID022"}  # true person -> second identity
IMAGE_PERSONS = (0, 1, 2, 3)

_FIELDS = ["capture", "identity", "person", "finger", "encounter", "finger_class", "image", "template", "minutiae"]


def registry_plan() -> list[tuple[str, int, int]]:
    """(identity, person, encounter) of every enrolment/capture set in the sample registry, in order."""
    plan = [(f"ID{p:03d}", p, 0) for p in range(PERSONS)]
    plan += [(f"ID{p:03d}", p, 1) for p in RECAPTURED]
    plan += [(identity, p, 2) for p, identity in DUPLICATES.items()]
    return plan


def write_samples(
    folder: str | os.PathLike[str], *, seed: int = SAMPLES_SEED, image_persons: tuple[int, ...] = IMAGE_PERSONS,
    progress=None,
) -> list[dict[str, str]]:
    """Generate the sample registry into ``folder`` (created; existing sample files overwritten).

    Deterministic: the same ``seed`` gives byte-identical files with the same library versions.
    ``progress`` is an optional callable taking (done, total). Returns the manifest rows.
    """
    root = Path(folder)
    if root.exists() and not root.is_dir():
        raise InvalidArgument(f"folder: expected a directory path, got an existing file {str(root)!r}")
    (root / "images").mkdir(parents=True, exist_ok=True)
    (root / "templates").mkdir(parents=True, exist_ok=True)
    plan = registry_plan()
    total = len(plan) * 10
    # Person by person and finger by finger, so that each master is made once and serves all its
    # encounters from the cache; the manifest is put back in plan order at the end.
    keyed: list[tuple[int, int, dict[str, str]]] = []
    for group in _groups(plan):
        for finger in range(1, 11):
            for i in group:
                keyed.append((i, finger, _write_capture(root, seed, *plan[i], finger, image_persons)))
                if progress is not None:
                    progress(len(keyed), total)
    rows = [row for _, _, row in sorted(keyed, key=lambda k: (k[0], k[1]))]
    with open(root / "manifest.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    (root / "README.md").write_text(_readme(seed, image_persons), encoding="utf-8")
    return rows


def _groups(plan: list[tuple[str, int, int]]) -> list[list[int]]:
    """Indices into ``plan`` grouped by person (persons in order of first appearance)."""
    groups: dict[int, list[int]] = {}
    for i, (_, person, _) in enumerate(plan):
        groups.setdefault(person, []).append(i)
    return list(groups.values())


def _write_capture(
    root: Path, seed: int, identity: str, person: int, encounter: int, finger: int, image_persons: tuple[int, ...]
) -> dict[str, str]:
    c = capture(seed, person, finger, encounter)
    stem = f"{identity}_f{finger:02d}_e{encounter}"
    template_path = f"templates/{stem}.bct"
    (root / template_path).write_bytes(encode(c.impression.template, "biocore"))
    image_path = ""
    if person in image_persons:
        image_path = f"images/{stem}.png"
        ok, data = cv2.imencode(".png", c.impression.image, [cv2.IMWRITE_PNG_COMPRESSION, 9])
        (root / image_path).write_bytes(data.tobytes())
    return {
        "capture": stem, "identity": identity, "person": f"P{person:03d}", "finger": str(finger),
        "encounter": str(encounter), "finger_class": finger_master(seed, person, finger).finger_class,
        "image": image_path, "template": template_path, "minutiae": str(len(c.impression.template)),
    }


def _readme(seed: int, image_persons: tuple[int, ...]) -> str:
    dups = ", ".join(f"P{p:03d} (ID{p:03d} and {i})" for p, i in DUPLICATES.items())
    return f"""# Sample registry (synthetic)

A small, fully synthetic enrolment drive for the README's deduplication walk-through and the tests.
Every file here is generated by `biocore.synth` (seed {seed}); none comes from a real finger.

Regenerate it, bit-identically (same biocore, NumPy, OpenCV and scikit-image versions):

    biocore synth samples data/samples

## Who is in it

- {PERSONS} persons, P000-P{PERSONS - 1:03d}, each enrolled once with ten fingers as identities ID000-ID{PERSONS - 1:03d}
  (encounter 0).
- Persons {", ".join(f"P{p:03d}" for p in RECAPTURED)} captured a second time under their own identity (encounter 1):
  genuine pairs for 1:1 checks.
- Planted duplicates - the same person enrolled again under a new identity (encounter 2):
  {dups}. A deduplication run over the {PERSONS + len(DUPLICATES)} identities must report exactly these
  {len(DUPLICATES)} pairs.

## Files

- `manifest.csv` - one row per capture: `capture` (file stem `<identity>_f<finger>_e<encounter>`),
  `identity` (as enrolled), `person` (true person), `finger` (ISO/IEC 19794-2 position 1-10),
  `encounter`, `finger_class`, `image`, `template` (paths relative to this folder; `image` empty when
  no image is kept), `minutiae` (ground-truth count).
- `images/*.png` - 300 x 400 px, 500 dpi, 8-bit grayscale impressions, for persons
  {", ".join(f"P{p:03d}" for p in image_persons)} (all their captures; the size budget of the repository
  does not allow images for everyone).
- `templates/*.bct` - the ground-truth minutiae of every capture (image or not) in the compact
  `biocore` template format: `biocore.templates.decode(path.read_bytes())`. Positions are in the
  impression's pixel grid; angles follow ISO/IEC 19794-2 (see `biocore.Template`).

These templates are ground truth (what a perfect extractor would find), not extractor output:
run `biocore extract` on the images to get the realistic case.
"""
