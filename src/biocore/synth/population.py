"""Image-level populations: persons x finger positions x encounters, deterministic from a seed.

Person ``p``'s finger ``f`` is the master drawn from ``(seed, p, f)``; encounter ``e`` of that
finger is the impression drawn from ``(seed, p, f, e)``. Nothing depends on how many persons are
asked for or in which order they are generated, so any capture can be regenerated alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from .._shared.validation import check_int
from .impressions import Impression, make_impression
from .masters import Master, make_master
from .parameters import DEFAULT_IMPRESSION, DEFAULT_MASTER, ImpressionParameters, MasterParameters

__all__ = ["Capture", "finger_master", "capture", "iter_captures"]

_TAG_MASTER = 0x3A57
_TAG_IMPRESSION = 0x1397


@dataclass(frozen=True, eq=False)
class Capture:
    """One capture of a population: who (true person id), which finger (ISO 1-10), which encounter."""

    person: int
    finger: int
    encounter: int
    impression: Impression


def _derived_seed(*keys: int) -> int:
    return int(np.random.SeedSequence(list(keys)).generate_state(1, np.uint64)[0] >> np.uint64(1))


def finger_master(seed: int, person: int, finger: int, params: MasterParameters = DEFAULT_MASTER) -> Master:
    """The master of ``person``'s ``finger`` (ISO position 1-10) in the population ``seed`` (cached)."""
    check_int(person, "person", 0, 2**62)
    check_int(finger, "finger", 1, 10)
    return make_master(_derived_seed(_TAG_MASTER, seed, person, finger), finger=finger, params=params)


def capture(
    seed: int, person: int, finger: int, encounter: int, *, dpi: int = 500,
    master_params: MasterParameters = DEFAULT_MASTER, params: ImpressionParameters = DEFAULT_IMPRESSION,
) -> Capture:
    """Encounter ``encounter`` of ``person``'s ``finger`` in the population ``seed``."""
    check_int(encounter, "encounter", 0, 10**6)
    m = finger_master(seed, person, finger, master_params)
    imp = make_impression(m, _derived_seed(_TAG_IMPRESSION, seed, person, finger, encounter), dpi=dpi, params=params)
    return Capture(person, finger, encounter, imp)


def iter_captures(
    persons: int | Iterable[int],
    *,
    seed: int = 0,
    encounters: Iterable[int] = (0,),
    fingers: Iterable[int] = range(1, 11),
    dpi: int = 500,
) -> Iterator[Capture]:
    """Captures of persons x fingers x encounters, person-major.

    Parameters
    ----------
    persons : int or iterable of int
        A count (ids ``0 .. persons - 1``) or explicit person ids.
    seed : int
        Population seed.
    encounters : iterable of int
        Encounter numbers per finger (0 = first enrolment).
    fingers : iterable of int
        ISO finger positions 1-10.
    dpi : int
        Sensor resolution of the impressions.

    Examples
    --------
    >>> from biocore.synth import iter_captures                       # doctest: +SKIP
    >>> for c in iter_captures(2, seed=5, encounters=(0, 1)):          # doctest: +SKIP
    ...     print(c.person, c.finger, c.encounter, c.impression.template)
    """
    ids = range(check_int(persons, "persons", 0, 2**62)) if isinstance(persons, int) else list(persons)
    encounters = list(encounters)
    fingers = list(fingers)
    for p in ids:
        for f in fingers:
            for e in encounters:
                yield capture(seed, p, f, e, dpi=dpi)
