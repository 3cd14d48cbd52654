"""The native module loads and its kernels agree with NumPy / zlib references."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from biocore._native import _core


def test_module_loads_and_reports_threads():
    assert _core.hardware_threads() >= 1
    assert isinstance(_core.__version__, str)


@pytest.mark.parametrize("n", [0, 1, 3, 4, 5, 17, 1000, 4099])
def test_crc32_matches_zlib(n):
    data = np.random.default_rng(n).integers(0, 256, n, dtype=np.uint8)
    assert _core.crc32(data) == zlib.crc32(data.tobytes())


def test_crc32_continues_from_start_value():
    data = np.frombuffer(b"fingerprint minutiae", dtype=np.uint8)
    head, tail = data[:7], data[7:]
    assert _core.crc32(tail, _core.crc32(head)) == zlib.crc32(data.tobytes())


@pytest.mark.parametrize("threads", [1, 2, 0])
def test_crc32_many_matches_per_record_reference(threads):
    rng = np.random.default_rng(7)
    data = rng.integers(0, 256, 50_000, dtype=np.uint8)
    offsets = rng.integers(0, 49_000, 9_000).astype(np.int64)
    lengths = rng.integers(0, 1_000, 9_000).astype(np.int64)
    got = _core.crc32_many(data, offsets, lengths, threads)
    want = np.array([zlib.crc32(data[o : o + n].tobytes()) for o, n in zip(offsets, lengths)], dtype=np.uint32)
    np.testing.assert_array_equal(got, want)


def test_crc32_many_rejects_ranges_outside_the_buffer():
    data = np.zeros(10, dtype=np.uint8)
    with pytest.raises(IndexError, match="record 1"):
        _core.crc32_many(data, np.array([0, 5], np.int64), np.array([10, 6], np.int64), 1)
    with pytest.raises(ValueError):
        _core.crc32_many(data, np.array([0], np.int64), np.array([1, 2], np.int64), 1)
