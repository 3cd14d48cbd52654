"""PackedTemplates and the native bulk decoder against the per-record decoder (the naive reference)."""

from __future__ import annotations

import numpy as np
import pytest

import biocore
from biocore.errors import InvalidArgument, InvalidTemplate
from biocore.templates import PackedTemplates, decode_packed
from biocore.templates.biocore_format import HEADER_SIZE, record_size


def _gallery(n: int = 300, seed: int = 1) -> list[biocore.Template]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        k = int(rng.integers(0, 70))
        w, h = int(rng.integers(1, 800)), int(rng.integers(1, 800))
        out.append(biocore.Template(
            x=rng.integers(0, w, k), y=rng.integers(0, h, k), angle=rng.uniform(0, 2 * np.pi, k),
            kind=rng.integers(0, 3, k), quality=rng.integers(0, 101, k), width=w if i % 7 else 0,
            height=h if i % 7 else 0, dpi=int(rng.integers(1, 2000)), finger=i % 11, image_quality=i % 101,
        ))
    return out


COLUMNS = "x y angle kind quality offsets width height dpi finger image_quality".split()


def test_bulk_decode_equals_per_record_decode_and_from_templates():
    ts = _gallery()
    data = biocore.templates.encode(ts, "biocore")
    for threads in (1, 2):
        packed = decode_packed(data, threads=threads)
        assert len(packed) == len(ts) and list(packed) == biocore.templates.decode(data) == ts
        ref = PackedTemplates.from_templates(ts)
        for name in COLUMNS:
            got, want = getattr(packed, name), getattr(ref, name)
            assert got.dtype == want.dtype and np.array_equal(got, want), name
    assert np.array_equal(packed.counts, [len(t) for t in ts])
    assert packed[-1] == ts[-1] and not packed.x.flags.writeable


def test_bulk_decode_accepts_uint8_arrays_and_rejects_other_inputs():
    data = biocore.templates.encode(_gallery(5), "biocore")
    assert list(decode_packed(np.frombuffer(data, np.uint8))) == _gallery(5)
    with pytest.raises(InvalidArgument, match="uint8"):
        decode_packed(np.zeros(4, np.int16))
    with pytest.raises(InvalidTemplate, match="0 bytes"):
        decode_packed(b"")
    with pytest.raises(IndexError):
        decode_packed(data)[5]


def _first_error(fn, data):
    with pytest.raises(InvalidTemplate) as info:
        fn(data)
    return str(info.value)


def test_corruption_anywhere_raises_the_per_record_message():
    ts = _gallery(40, seed=3)
    data = biocore.templates.encode(ts, "biocore")
    rng = np.random.default_rng(0)
    for pos in rng.choice(len(data), 60, replace=False):
        bad = bytearray(data)
        bad[pos] ^= 1 << int(rng.integers(0, 8))
        assert _first_error(decode_packed, bytes(bad)) == _first_error(biocore.templates.decode, bytes(bad))
    for cut in rng.choice(len(data), 20, replace=False):
        if cut:
            assert _first_error(decode_packed, data[:cut]) == _first_error(biocore.templates.decode, data[:cut])


def test_field_errors_behind_a_valid_crc_are_caught():
    import struct
    import zlib

    t = biocore.Template(x=[5, 6], y=[1, 2], angle=[0.0, 1.0], width=10, height=10)
    rec = bytearray(t.to_bytes())
    rec[HEADER_SIZE + 8 + 6] = 3  # second minutia's kind -> 3
    rec[-4:] = struct.pack("<I", zlib.crc32(bytes(rec[:-4])))
    data = t.to_bytes() + bytes(rec)
    assert len(data) == 2 * record_size(2)
    msg = _first_error(decode_packed, data)
    assert "record 1 at byte" in msg and "kind must be 0-2" in msg


def test_per_minutia_helpers():
    ts = _gallery(20, seed=9)
    packed = PackedTemplates.from_templates(ts)
    idx = packed.template_index()
    assert idx.tolist() == [i for i, t in enumerate(ts) for _ in range(len(t))]
    steps = packed.angle_steps()
    assert steps.dtype == np.uint16
    ref = np.concatenate([np.rint(t.angle.astype(np.float64) / (2 * np.pi / 65536)).astype(np.int64) % 65536 for t in ts])
    assert np.array_equal(steps, ref)


def test_large_buffers_decode_through_the_bulk_path_with_the_same_result():
    from biocore.templates.biocore_format import BULK_BYTES

    ts = _gallery(600, seed=4)
    data = biocore.templates.encode(ts, "biocore")
    assert len(data) >= BULK_BYTES
    assert biocore.templates.decode(data) == ts
    bad = bytearray(data)
    bad[len(data) // 2] ^= 0x10
    with pytest.raises(InvalidTemplate, match=r"biocore: record \d+ at byte \d+"):
        biocore.templates.decode(bytes(bad))
