"""Row arrays that grow without copying what they already hold.

A large gallery memory-maps its derived arrays (person vectors, sign bits, held minutiae) from its
cache. Live enrollment appends a few persons at a time; concatenating onto a memory map copies the
whole map into memory (gigabytes at a million persons) on every refresh. :class:`RowBlocks` keeps
the first array as it came (typically the map) and appends into a short list of in-memory blocks,
merging the last two while the older is no more than twice the size of the newer (a binary-counter
schedule): a row is copied O(log n) times over its life, and there are O(log n) blocks to visit.

:func:`merge_schedule` is that rule on its own, for block lists of other kinds (the held minutiae),
and :class:`NpyAppender` writes such blocks to one ``.npy`` file without joining them in memory.
:class:`GrowingRows` is the small-row counterpart (a person's row number, finger presence, alive
flag): one array with spare capacity, appended in place.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

__all__ = ["RowBlocks", "GrowingRows", "merge_schedule", "NpyAppender", "write_npy"]


def merge_schedule(sizes: Sequence[int], frozen: int = 1) -> int:
    """How many trailing blocks to merge into one after an append: the tail of ``sizes`` (block row
    counts, the newest last) past the first ``frozen`` blocks, while the block before the newest
    merged run holds at most twice its rows. Returns 1 when nothing should merge."""
    count, merged = 1, int(sizes[-1]) if sizes else 0
    while len(sizes) - count > frozen and int(sizes[-count - 1]) <= 2 * merged:
        merged += int(sizes[-count - 1])
        count += 1
    return count


class RowBlocks:
    """An array of rows (axis 0) stored as a first block plus merged in-memory append blocks.

    Parameters
    ----------
    first : ndarray, shape (n, ...)
        Kept as given (a memory map stays a memory map: it is viewed as a plain ndarray, never
        copied); later rows are appended with :meth:`append`.
    """

    def __init__(self, first: np.ndarray) -> None:
        self.blocks: list[np.ndarray] = [np.asarray(first)]
        self._starts = np.zeros(2, np.int64)
        self._starts[1] = self.blocks[0].shape[0]

    @property
    def shape(self) -> tuple[int, ...]:
        return (int(self._starts[-1]), *self.blocks[0].shape[1:])

    @property
    def dtype(self) -> np.dtype:
        return self.blocks[0].dtype

    @property
    def nbytes(self) -> int:
        return sum(int(b.nbytes) for b in self.blocks)

    def __len__(self) -> int:
        return int(self._starts[-1])

    def append(self, rows: np.ndarray) -> None:
        """Append ``rows`` (shape (k, ...) matching the first block's row shape and dtype)."""
        rows = np.asarray(rows, self.dtype)
        if rows.shape[1:] != self.blocks[0].shape[1:]:
            raise ValueError(f"rows: expected shape (k, {', '.join(map(str, self.blocks[0].shape[1:]))}), got {rows.shape}")
        if rows.shape[0] == 0:
            return
        if self.blocks[0].shape[0] == 0:  # nothing held yet: the new rows become the first block
            self.blocks = [rows]
        else:
            self.blocks.append(rows)
            count = merge_schedule([b.shape[0] for b in self.blocks])
            if count > 1:
                self.blocks[-count:] = [np.concatenate(self.blocks[-count:])]
        self._starts = np.concatenate([[0], np.cumsum([b.shape[0] for b in self.blocks])]).astype(np.int64)

    def _split(self, positions: np.ndarray) -> Iterable[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """(block, local positions, indices into ``positions``) for each block ``positions`` touch."""
        which = np.searchsorted(self._starts, positions, side="right") - 1
        for b in np.unique(which):
            idx = np.flatnonzero(which == b)
            yield self.blocks[b], positions[idx] - self._starts[b], idx

    def gather(self, positions: np.ndarray, read: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None
               ) -> np.ndarray:
        """Rows at ``positions`` (int array, each in [0, len)), in that order.

        ``read(block, local_positions) -> rows`` picks them from one block (default
        ``block[local_positions]``), e.g. to read only some columns of a memory map.
        """
        positions = np.asarray(positions, np.int64)
        if positions.size and (positions.min() < 0 or positions.max() >= len(self)):
            raise IndexError(f"positions outside [0, {len(self)})")
        read = read or (lambda block, local: block[local])
        if len(self.blocks) == 1:
            return np.asarray(read(self.blocks[0], positions))
        out = None
        for block, local, idx in self._split(positions):
            part = np.asarray(read(block, local))
            if out is None:
                out = np.empty((positions.size, *part.shape[1:]), part.dtype)
            out[idx] = part
        if out is None:  # no positions: the shape and dtype ``read`` gives an empty selection
            return np.asarray(read(self.blocks[0], positions))
        return out

    def since(self, start: int) -> np.ndarray:
        """Rows ``start`` onward as one array (a view when they lie in one block)."""
        parts = []
        for b, block in enumerate(self.blocks):
            lo = max(0, int(start) - int(self._starts[b]))
            if lo < block.shape[0]:
                parts.append(block[lo:])
        if not parts:
            return self.blocks[0][:0]
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def whole(self) -> np.ndarray:
        """All rows as one array (the first block itself when nothing was appended)."""
        return self.since(0)


class GrowingRows:
    """A row array (axis 0) appended in place into spare capacity, like a C++ vector.

    For the few bytes a gallery keeps per person (row number, finger presence, alive flag):
    concatenating them on every refresh copies them all each time (19 bytes a person: about a
    gigabyte a refresh at 50M persons); here a row is copied O(1) times on average.

    Parameters
    ----------
    first : ndarray, shape (n, ...)
        The initial rows, kept as given (never written to: the first append copies it into a
        buffer of its own with room to grow).

    Notes
    -----
    :attr:`view` is ``rows[:n]`` of the current buffer. Views taken earlier stay valid and keep
    their contents across appends (appends write past them or into a new buffer); in-place writes
    through the current :attr:`view` (e.g. clearing alive flags) are what later views see.
    """

    #: Spare capacity after a reallocation, as a fraction of the rows held.
    GROWTH = 0.5

    def __init__(self, first: np.ndarray) -> None:
        self._buffer = np.asarray(first)
        self._count = int(self._buffer.shape[0])

    @property
    def view(self) -> np.ndarray:
        return self._buffer[: self._count]

    @property
    def capacity(self) -> int:
        return int(self._buffer.shape[0])

    def __len__(self) -> int:
        return self._count

    def append(self, rows: np.ndarray) -> None:
        """Append ``rows`` (shape (k, ...) matching the first array's row shape; cast to its dtype)."""
        rows = np.asarray(rows, self._buffer.dtype)
        if rows.shape[1:] != self._buffer.shape[1:]:
            raise ValueError(f"rows: expected shape (k, {', '.join(map(str, self._buffer.shape[1:]))}), got {rows.shape}")
        need = self._count + rows.shape[0]
        if need > self._buffer.shape[0]:
            grown = np.empty((max(need, int(need * (1 + self.GROWTH))), *self._buffer.shape[1:]), self._buffer.dtype)
            grown[: self._count] = self._buffer[: self._count]
            self._buffer = grown
        self._buffer[self._count : need] = rows
        self._count = need


class NpyAppender:
    """A ``.npy`` file of an array (rows of shape ``row_shape``) written in pieces of unknown count.

    The data starts after a fixed-size header (``_HEADER_BYTES``, 64-byte aligned as numpy writes
    it) filled in on :meth:`close`, once the row count is known; the result is an ordinary ``.npy``
    file (``np.load`` reads and memory-maps it). :meth:`close` flushes and fsyncs.
    """

    _HEADER_BYTES = 128

    def __init__(self, path: Path, dtype: type | np.dtype, row_shape: tuple[int, ...] = ()) -> None:
        self.dtype = np.dtype(dtype)
        self.row_shape = tuple(int(n) for n in row_shape)
        self.count = 0
        self.fh = open(path, "wb")
        self.fh.write(b"\0" * self._HEADER_BYTES)

    def append(self, values: np.ndarray) -> None:
        a = np.ascontiguousarray(values, dtype=self.dtype)
        if a.shape[1:] != self.row_shape:
            raise ValueError(f"values: expected rows of shape {self.row_shape}, got {a.shape}")
        self.fh.write(memoryview(a.reshape(-1)).cast("B"))
        self.count += a.shape[0]

    def close(self) -> None:
        if self.fh.closed:
            return
        header = io.BytesIO()
        np.lib.format.write_array_header_1_0(
            header, {"descr": np.lib.format.dtype_to_descr(self.dtype), "fortran_order": False,
                     "shape": (self.count, *self.row_shape)})
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


def write_npy(path: Path, blocks: Iterable[np.ndarray], dtype: np.dtype, row_shape: tuple[int, ...]) -> int:
    """Write ``blocks`` one after the other as one ``.npy`` file (fsynced); returns the row count."""
    out = NpyAppender(path, dtype, row_shape)
    try:
        for b in blocks:
            out.append(b)
    finally:
        out.close()
    return out.count
