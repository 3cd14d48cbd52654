"""Gallery-side minutiae held once for the second stage, so a search packs only its probe.

The 1:1 matcher scores candidates from flat arrays (:class:`biocore.matching.PreparedTemplates`).
Packing them from the store at every search (read template bytes, decode, scale, concatenate) cost
about 40% of a search; instead the gallery keeps the storable part of such a pack
(:meth:`~biocore.matching.PreparedTemplates.minutiae_arrays`) for every (person, finger position)
slot, refreshed with the other derived arrays and memory-mapped from the gallery cache. A search
gathers its shortlisted slots and only rebuilds their edge tables
(:meth:`~biocore.matching.PreparedTemplates.from_minutiae`); the edge tables themselves are never
stored (144 bytes a minutia, ~64 kB a ten-print person).

Slot ``i * 10 + (p - 1)`` holds person position ``i``'s finger position ``p``; an absent finger is an
empty slot with ``held`` false.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..matching import PreparedTemplates
from ..matching.packing import positions_at_working_dpi
from ..matching.parameters import DEFAULT_PARAMETERS, MatchingParameters
from ..templates import Template
from ..templates.template import angle_steps
from .blocks import NpyAppender, merge_schedule
from .codes import N_POSITIONS

__all__ = ["GalleryMinutiae", "HeldMinutiae", "FIELDS"]

#: The stored columns besides ``offsets`` and ``held``, with their dtypes (as in PreparedTemplates).
FIELDS = {"x": np.float32, "y": np.float32, "angle": np.uint16, "kind": np.uint8, "quality": np.uint8}


@dataclass(frozen=True, eq=False)
class GalleryMinutiae:
    """Minutiae of every (person, finger position) slot, concatenated; immutable (methods return new ones).

    Attributes
    ----------
    offsets : ndarray of int64, shape (10 * n + 1,)
        Slot ``s`` owns minutiae ``offsets[s]:offsets[s + 1]``.
    held : ndarray of bool, shape (10 * n,)
        Whether the person holds that finger position.
    x, y : ndarray of float32, shape (M,)
        Positions in pixels at the matcher's 500 ppi.
    angle : ndarray of uint16, shape (M,)
        Directions in 1/65536 of a turn.
    kind, quality : ndarray of uint8, shape (M,)
    """

    offsets: np.ndarray
    held: np.ndarray
    x: np.ndarray
    y: np.ndarray
    angle: np.ndarray
    kind: np.ndarray
    quality: np.ndarray

    @property
    def persons(self) -> int:
        return int(self.held.shape[0] // N_POSITIONS)

    @classmethod
    def empty(cls) -> "GalleryMinutiae":
        return cls(np.zeros(1, np.int64), np.zeros(0, bool), *(np.zeros(0, d) for d in FIELDS.values()))

    @classmethod
    def from_persons(cls, persons: Sequence[Mapping[int, Template]]) -> "GalleryMinutiae":
        """Slots of ``persons`` (each {finger position 1-10: Template}), scaled as
        :func:`biocore.matching.pack` scales them."""
        held = np.zeros(len(persons) * N_POSITIONS, bool)
        counts = np.zeros(held.size + 1, np.int64)
        cols: dict[str, list[np.ndarray]] = {k: [] for k in FIELDS}
        for i, person in enumerate(persons):
            for f in sorted(person):
                t = person[f]
                slot = i * N_POSITIONS + f - 1
                held[slot] = True
                counts[slot + 1] = len(t)
                x, y = positions_at_working_dpi(t)
                cols["x"].append(x)
                cols["y"].append(y)
                cols["angle"].append(t.angle)
                cols["kind"].append(t.kind)
                cols["quality"].append(t.quality)
        if not cols["x"]:
            arrays = [np.zeros(0, d) for d in FIELDS.values()]
        else:
            arrays = [np.concatenate(cols[k]).astype(d, copy=False) if k != "angle" else angle_steps(np.concatenate(cols[k]))
                      for k, d in FIELDS.items()]
        return cls(np.cumsum(counts), held, *arrays)

    @classmethod
    def concat_all(cls, blocks: Sequence["GalleryMinutiae"]) -> "GalleryMinutiae":
        """The persons of ``blocks`` one after the other (one copy of each array)."""
        if len(blocks) == 1:
            return blocks[0]
        ends = np.cumsum([int(b.offsets[-1]) for b in blocks])
        offsets = np.concatenate([blocks[0].offsets[:1]] + [b.offsets[1:] + (e - int(b.offsets[-1]))
                                                            for b, e in zip(blocks, ends)])
        return cls(offsets, np.concatenate([b.held for b in blocks]),
                   *(np.concatenate([getattr(b, k) for b in blocks]) for k in FIELDS))

    def _gather(self, slots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(offsets of the gathered slots (len(slots) + 1,), minutia indices to take)."""
        starts = self.offsets[slots]
        lengths = self.offsets[slots + 1] - starts
        offsets = np.zeros(slots.size + 1, np.int64)
        np.cumsum(lengths, out=offsets[1:])
        take = np.repeat(starts - offsets[:-1], lengths) + np.arange(offsets[-1], dtype=np.int64)
        return offsets, take

    def held_at(self, slots: np.ndarray) -> np.ndarray:
        """Whether each of ``slots`` (int array, ``person * 10 + position - 1``) holds a finger."""
        return np.asarray(self.held[np.asarray(slots, np.int64)])

    def take(self, positions: np.ndarray) -> "GalleryMinutiae":
        """The persons at ``positions`` (int array), in that order."""
        positions = np.asarray(positions, np.int64)
        slots = (positions[:, None] * N_POSITIONS + np.arange(N_POSITIONS)).ravel()
        offsets, take = self._gather(slots)
        return GalleryMinutiae(offsets, np.asarray(self.held[slots]), *(np.asarray(getattr(self, k)[take]) for k in FIELDS))

    def prepare(self, slots: np.ndarray, *, parameters: MatchingParameters = DEFAULT_PARAMETERS,
                threads: int = 0) -> PreparedTemplates:
        """The templates of ``slots`` (int array) packed for :meth:`biocore.Matcher.match_many`:
        equal to ``biocore.matching.pack`` of those templates."""
        offsets, take = self._gather(np.asarray(slots, np.int64))
        return PreparedTemplates.from_minutiae(offsets, *(getattr(self, k)[take] for k in FIELDS),
                                               parameters=parameters, threads=threads)

    # --- persistence (inside the gallery cache, written and tagged by the Gallery) -----------

    def arrays(self) -> dict[str, np.ndarray]:
        return {"offsets": self.offsets, "held": self.held, **{k: getattr(self, k) for k in FIELDS}}

    @staticmethod
    def write_blocks(folder: Path, prefix: str, blocks: Iterable["GalleryMinutiae"]) -> int:
        """Write the persons of ``blocks``, one after the other, as ``{prefix}{name}.npy`` files
        (what :meth:`load` maps), one block in memory at a time; returns the person count.

        This is :meth:`concat_all` followed by saving each array, without the concatenation: a
        million-person gallery holds ~6 GB of minutiae, more than should pass through memory twice.
        The files are flushed and fsynced; renaming them into place is the caller's.
        """
        files = {"offsets": np.int64, "held": bool, **FIELDS}
        writers = {name: NpyAppender(Path(folder) / f"{prefix}{name}.npy", dtype) for name, dtype in files.items()}
        try:
            total, persons = 0, 0
            writers["offsets"].append(np.zeros(1, np.int64))
            for b in blocks:
                writers["offsets"].append(np.asarray(b.offsets[1:]) - int(b.offsets[0]) + total)
                writers["held"].append(b.held)
                first, last = int(b.offsets[0]), int(b.offsets[-1])
                for k in FIELDS:
                    writers[k].append(getattr(b, k)[first:last])
                total += last - first
                persons += b.persons
        finally:
            for w in writers.values():
                w.close()
        return persons

    @classmethod
    def load(cls, folder: Path, prefix: str, persons: int) -> "GalleryMinutiae | None":
        """Memory-map the arrays written as ``{prefix}{name}.npy``; None when absent or inconsistent."""
        try:
            a = {name: np.load(folder / f"{prefix}{name}.npy", mmap_mode="r") for name in ("offsets", "held", *FIELDS)}
        except (OSError, ValueError):
            return None
        total = a["x"].shape[0]
        if (a["held"].shape != (persons * N_POSITIONS,) or a["offsets"].shape != (persons * N_POSITIONS + 1,)
                or a["held"].dtype != bool or a["offsets"].dtype != np.int64 or int(a["offsets"][-1]) != total
                or any(a[k].shape != (total,) or a[k].dtype != d for k, d in FIELDS.items())):
            return None
        # plain ndarray views of the maps: gathering from them skips np.memmap's per-index bookkeeping
        return cls(*(np.asarray(a[k]) for k in ("offsets", "held", *FIELDS)))


class HeldMinutiae:
    """The gallery's held minutiae as a few :class:`GalleryMinutiae` blocks, persons in block order.

    The first block is typically memory-mapped from the gallery cache; persons enrolled since are
    appended as in-memory blocks merged on :func:`biocore.search.blocks.merge_schedule`, so live
    enrollment never copies the map (see :mod:`biocore.search.blocks`). Reads answer as one
    :class:`GalleryMinutiae` of all the persons would.

    Parameters
    ----------
    first : GalleryMinutiae, optional
        The first block (default: empty).
    """

    def __init__(self, first: GalleryMinutiae | None = None) -> None:
        self.blocks: list[GalleryMinutiae] = [first if first is not None else GalleryMinutiae.empty()]
        self._update_starts()

    def _update_starts(self) -> None:
        self._starts = np.concatenate([[0], np.cumsum([b.persons for b in self.blocks])]).astype(np.int64)

    @property
    def persons(self) -> int:
        return int(self._starts[-1])

    def append(self, block: GalleryMinutiae) -> None:
        """Append the persons of ``block`` after the held ones."""
        if block.persons == 0:
            return
        if self.blocks[0].persons == 0:
            self.blocks = [block]
        else:
            self.blocks.append(block)
            count = merge_schedule([b.persons for b in self.blocks])
            if count > 1:
                self.blocks[-count:] = [GalleryMinutiae.concat_all(self.blocks[-count:])]
        self._update_starts()

    def _split(self, slots: np.ndarray):
        """(block, local slots, indices into ``slots``) for each block the slots fall in."""
        which = np.searchsorted(self._starts * N_POSITIONS, slots, side="right") - 1
        for b in np.unique(which):
            idx = np.flatnonzero(which == b)
            yield self.blocks[b], slots[idx] - self._starts[b] * N_POSITIONS, idx

    def held_at(self, slots: np.ndarray) -> np.ndarray:
        """Whether each of ``slots`` (int array, ``person * 10 + position - 1``) holds a finger."""
        slots = np.asarray(slots, np.int64)
        if len(self.blocks) == 1:
            return np.asarray(self.blocks[0].held[slots])
        out = np.zeros(slots.size, bool)
        for block, local, idx in self._split(slots):
            out[idx] = block.held[local]
        return out

    def prepare(self, slots: np.ndarray, *, parameters: MatchingParameters = DEFAULT_PARAMETERS,
                threads: int = 0) -> PreparedTemplates:
        """As :meth:`GalleryMinutiae.prepare` over all the held persons."""
        slots = np.asarray(slots, np.int64)
        if len(self.blocks) == 1:
            return self.blocks[0].prepare(slots, parameters=parameters, threads=threads)
        lengths = np.zeros(slots.size, np.int64)
        parts = []
        for block, local, idx in self._split(slots):
            local_offsets, take = block._gather(local)
            lengths[idx] = np.diff(local_offsets)
            parts.append((block, local_offsets, take, idx))
        offsets = np.zeros(slots.size + 1, np.int64)
        np.cumsum(lengths, out=offsets[1:])
        columns = {k: np.empty(int(offsets[-1]), d) for k, d in FIELDS.items()}
        for block, local_offsets, take, idx in parts:
            # minutia j of the block's gathered run for output slot idx[i] lands at offsets[idx[i]] + j
            dest = np.repeat(offsets[idx] - local_offsets[:-1], np.diff(local_offsets)) + np.arange(take.size)
            for k in FIELDS:
                columns[k][dest] = getattr(block, k)[take]
        return PreparedTemplates.from_minutiae(offsets, *columns.values(), parameters=parameters, threads=threads)

    def take(self, positions: np.ndarray) -> "HeldMinutiae":
        """The persons at ``positions`` (ascending int array), as one in-memory block."""
        positions = np.asarray(positions, np.int64)
        if positions.size > 1 and np.any(np.diff(positions) < 0):
            raise ValueError("positions: expected ascending person positions")
        parts = []
        for b, block in enumerate(self.blocks):
            lo, hi = self._starts[b], self._starts[b + 1]
            mine = positions[(positions >= lo) & (positions < hi)]
            if mine.size:
                parts.append(block.take(mine - lo))
        return HeldMinutiae(GalleryMinutiae.concat_all(parts) if parts else None)
