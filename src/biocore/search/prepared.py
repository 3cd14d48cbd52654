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

import io
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..matching import PreparedTemplates
from ..matching.parameters import DEFAULT_PARAMETERS, WORKING_DPI, MatchingParameters
from ..templates import Template
from ..templates.template import angle_steps
from .codes import N_POSITIONS

__all__ = ["GalleryMinutiae", "FIELDS"]

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
                scale = WORKING_DPI / t.dpi
                cols["x"].append(t.x * np.float32(scale) if scale != 1 else t.x)
                cols["y"].append(t.y * np.float32(scale) if scale != 1 else t.y)
                cols["angle"].append(t.angle)
                cols["kind"].append(t.kind)
                cols["quality"].append(t.quality)
        if not cols["x"]:
            arrays = [np.zeros(0, d) for d in FIELDS.values()]
        else:
            arrays = [np.concatenate(cols[k]).astype(d) if k != "angle" else angle_steps(np.concatenate(cols[k]))
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
        writers = {name: _NpyAppender(Path(folder) / f"{prefix}{name}.npy", dtype) for name, dtype in files.items()}
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


class _NpyAppender:
    """A ``.npy`` file of a 1-D array written in pieces of unknown total length.

    The data starts after a fixed-size header (``_HEADER_BYTES``, 64-byte aligned as numpy writes
    it) that is filled in on :meth:`close`, once the length is known; the result is an ordinary
    ``.npy`` file (``np.load`` reads and memory-maps it).
    """

    _HEADER_BYTES = 128

    def __init__(self, path: Path, dtype: type) -> None:
        self.dtype = np.dtype(dtype)
        self.count = 0
        self.fh = open(path, "wb")
        self.fh.write(b"\0" * self._HEADER_BYTES)

    def append(self, values: np.ndarray) -> None:
        a = np.ascontiguousarray(values, dtype=self.dtype)
        self.fh.write(memoryview(a).cast("B"))
        self.count += a.size

    def close(self) -> None:
        if self.fh.closed:
            return
        header = io.BytesIO()
        np.lib.format.write_array_header_1_0(
            header, {"descr": np.lib.format.dtype_to_descr(self.dtype), "fortran_order": False, "shape": (self.count,)})
        head = header.getvalue()
        if len(head) != self._HEADER_BYTES:  # pragma: no cover - only for shapes beyond 10**40
            raise ValueError(f"npy header of {len(head)} bytes, expected {self._HEADER_BYTES}")
        try:
            self.fh.seek(0)
            self.fh.write(head)
            self.fh.flush()
            os.fsync(self.fh.fileno())
        finally:
            self.fh.close()
