"""Read a sample registry folder (``manifest.csv`` + templates/images, as ``biocore synth samples``
writes) into persons to enroll, and score a dedup run against its planted duplicates."""

from __future__ import annotations

import csv
import itertools
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import InvalidArgument
from ..templates import Template, decode

__all__ = ["Registry", "load_registry", "score_pairs"]


@dataclass(frozen=True)
class Registry:
    """Persons to enroll ``(identity, {finger: Template}, metadata)`` and the planted duplicate pairs."""

    persons: list[tuple[str, dict[int, Template], dict]]
    planted: set[tuple[str, str]]
    extracted: int


def load_registry(folder: str | os.PathLike[str], *, extract: bool = False) -> Registry:
    """Load the first encounter of every identity of a sample registry.

    Parameters
    ----------
    folder : path-like
        Holds ``manifest.csv`` with columns ``identity, person, finger, encounter, image, template``.
    extract : bool
        Extract minutiae from the image with :func:`biocore.extract` where an image is given
        (templates files otherwise); the default uses the templates files.
    """
    root = Path(folder)
    manifest = root / "manifest.csv"
    if not manifest.is_file():
        raise InvalidArgument(f"source: expected a sample registry folder with manifest.csv, got {str(root)!r}")
    with open(manifest, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    needed = {"identity", "person", "finger", "encounter", "template"}
    if not rows or not needed <= set(rows[0]):
        raise InvalidArgument(f"{manifest}: expected columns {sorted(needed)}, got {sorted(rows[0]) if rows else 'none'}")
    first: dict[str, int] = {}
    for r in rows:
        first[r["identity"]] = min(first.get(r["identity"], 10**9), int(r["encounter"]))
    extractor = None
    if extract:
        import biocore

        extractor = biocore.extract
    persons: dict[str, tuple[dict[int, Template], dict]] = {}
    person_of: dict[str, str] = {}
    extracted = 0
    for r in rows:
        identity = r["identity"]
        if int(r["encounter"]) != first[identity]:
            continue
        finger = int(r["finger"])
        image = (root / r["image"]) if r.get("image") else None
        if extractor is not None and image is not None and image.is_file():
            t = extractor(str(image)).replace(finger=finger)
            extracted += 1
        else:
            t = decode((root / r["template"]).read_bytes())[0].replace(finger=finger)
        templates, metadata = persons.setdefault(identity, ({}, {"images": {}}))
        templates[finger] = t
        if image is not None and image.is_file():
            metadata["images"][str(finger)] = str(image.resolve())
        person_of[identity] = r["person"]
    by_person: dict[str, list[str]] = {}
    for identity, person in person_of.items():
        by_person.setdefault(person, []).append(identity)
    planted = {tuple(sorted(p)) for ids in by_person.values() for p in itertools.combinations(sorted(ids), 2)}
    return Registry([(i, t, m) for i, (t, m) in persons.items()], planted, extracted)  # type: ignore[arg-type]


def score_pairs(found: Iterable[tuple[str, str]], planted: set[tuple[str, str]]) -> dict[str, object]:
    """Recall of the planted pairs and the false candidates among ``found`` (unordered pairs)."""
    got = {tuple(sorted(p)) for p in found}
    hits = got & planted
    return {
        "planted": len(planted), "found": len(hits), "recall": (len(hits) / len(planted)) if planted else 1.0,
        "false_candidates": sorted(got - planted), "missed": sorted(planted - got),
    }
