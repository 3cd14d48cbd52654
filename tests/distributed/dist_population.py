"""A small synthetic ten-print population (templates only) with planted duplicates."""

from __future__ import annotations

from biocore.search.parameters import SearchParameters
from biocore.synth.templates_only import iter_batches

PERSONS = 48
PLANTED = 6  # persons enrolled a second time (encounter 1) under a new identity
PARAMS = SearchParameters(shortlist_persons=8)
THRESHOLD = 40.0


def population(persons: int = PERSONS, planted: int = PLANTED, seed: int = 7):
    out = []
    for b in iter_batches(persons, seed=seed, encounters=(0, 1)):
        for p0 in range(0, len(b), 10):
            pid = int(b.person[p0])
            person = {int(b.finger[p0 + f]): b.template(p0 + f) for f in range(10)}
            if b.encounter == 0:
                out.append((f"P{pid:04d}", person))
            elif pid < planted:
                out.append((f"D{pid:04d}", person))
    return out


