"""Row block lists (live enrollment without copying the mapped cache) against plain concatenation."""

from __future__ import annotations

import numpy as np
import pytest

from biocore.search.blocks import GrowingRows, RowBlocks, merge_schedule, write_npy


def test_merge_schedule_keeps_few_blocks_and_never_merges_the_first():
    assert merge_schedule([100]) == 1
    assert merge_schedule([100, 1]) == 1  # the first block is frozen
    assert merge_schedule([100, 1, 1]) == 2
    assert merge_schedule([100, 8, 3]) == 1
    assert merge_schedule([100, 8, 4, 4]) == 3
    sizes = [1000]
    copied = 0
    for _ in range(5000):  # one row at a time
        sizes.append(1)
        count = merge_schedule(sizes)
        if count > 1:
            copied += sum(sizes[-count:])
            sizes[-count:] = [sum(sizes[-count:])]
        assert len(sizes) <= 2 + 2 * int(np.log2(sum(sizes[1:])) + 1)
    assert sizes[0] == 1000 and sum(sizes) == 6000
    assert copied <= 5000 * (np.log2(5000) + 1)  # each row copied O(log n) times


def test_row_blocks_equal_the_concatenation(rng, tmp_path):
    first = rng.integers(0, 1000, (50, 3, 2)).astype(np.uint64)
    np.save(tmp_path / "first.npy", first)
    blocks = RowBlocks(np.load(tmp_path / "first.npy", mmap_mode="r"))
    parts = [first]
    for k in [1, 1, 2, 1, 0, 7, 1, 1, 3, 30, 1]:
        rows = rng.integers(0, 1000, (k, 3, 2)).astype(np.uint64)
        blocks.append(rows)
        parts.append(rows)
    ref = np.concatenate(parts)
    assert len(blocks) == ref.shape[0] and blocks.shape == ref.shape and blocks.nbytes == ref.nbytes
    assert isinstance(blocks.blocks[0].base, np.memmap) and 1 < len(blocks.blocks) < 8
    pos = rng.integers(0, len(ref), 40)
    np.testing.assert_array_equal(blocks.gather(pos), ref[pos])
    np.testing.assert_array_equal(blocks.gather(pos, lambda b, p: b[p, 1:, 0]), ref[pos, 1:, 0])
    assert blocks.gather(np.zeros(0, np.int64)).shape == (0, 3, 2)
    for start in (0, 49, 50, 51, 60, len(ref)):
        np.testing.assert_array_equal(blocks.since(start), ref[start:])
    np.testing.assert_array_equal(blocks.whole(), ref)
    with pytest.raises(IndexError):
        blocks.gather(np.array([len(ref)]))
    with pytest.raises(ValueError, match="shape"):
        blocks.append(np.zeros((1, 2, 2), np.uint64))
    assert write_npy(tmp_path / "all.npy", blocks.blocks, blocks.dtype, blocks.shape[1:]) == len(ref)
    loaded = np.load(tmp_path / "all.npy", mmap_mode="r")
    assert loaded.dtype == ref.dtype
    np.testing.assert_array_equal(loaded, ref)


def test_empty_first_block_takes_the_first_rows(rng):
    blocks = RowBlocks(np.zeros((0, 4), np.float16))
    rows = rng.normal(size=(5, 4)).astype(np.float16)
    blocks.append(rows)
    assert len(blocks.blocks) == 1 and blocks.blocks[0] is rows


def test_growing_rows_equal_the_concatenation_and_keep_earlier_views(rng, tmp_path):
    first = rng.integers(0, 2, (40, 10)).astype(bool)
    np.save(tmp_path / "first.npy", first)
    mapped = np.load(tmp_path / "first.npy", mmap_mode="r")  # read-only: must never be written to
    grow = GrowingRows(mapped)
    parts, views, reallocations, capacity = [first], [], 0, grow.capacity
    for k in [1, 0, 3, 1, 1, 25, 1, 1, 1, 60, 2] * 3:
        rows = rng.integers(0, 2, (k, 10)).astype(bool)
        views.append((grow.view, np.concatenate(parts)))
        grow.append(rows)
        parts.append(rows)
        reallocations += grow.capacity != capacity
        capacity = grow.capacity
        assert np.array_equal(grow.view, np.concatenate(parts)) and len(grow) == grow.view.shape[0]
    assert all(np.array_equal(v, ref) for v, ref in views)  # earlier views unchanged by later appends
    assert reallocations <= 12  # geometric growth, not one copy per append (33 appends)
    assert np.array_equal(np.asarray(mapped), first)
    with pytest.raises(ValueError, match="rows"):
        grow.append(np.zeros((1, 9), bool))


def test_growing_rows_in_place_writes_reach_the_current_view():
    grow = GrowingRows(np.ones(3, bool))
    grow.append(np.ones(2, bool))
    grow.view[[1, 4]] = False
    grow.append(np.ones(1, bool))
    assert grow.view.tolist() == [True, False, True, True, False, True]
