"""A small fuzz sample in the test suite (the million-record run is benchmarks/fuzz_decoders.py).

Every decoder, strict and lenient, must either return templates or raise a BiocoreError on any
mutation of a valid record.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import biocore
from biocore.errors import BiocoreError
from biocore.templates import ExtendedData, SingularPoint, ViewInfo


def _seed_records() -> list[bytes]:
    rng = np.random.default_rng(7)
    ext = ExtendedData(ridge_count_method=2, ridge_counts=((0, 1, 2),), cores=(SingularPoint(3, 4, (0.5,)),),
                       deltas=(SingularPoint(5, 6, (0.1, 0.2, 0.3)),), other_blocks=((0x0201, b"xyz"),))
    out = []
    for fmt in biocore.templates.formats():
        ts = [biocore.Template(x=rng.integers(0, 200, 9), y=rng.integers(0, 200, 9), angle=rng.uniform(0, 6, 9),
                               kind=rng.integers(0, 3, 9), quality=rng.integers(0, 101, 9), width=200, height=200,
                               finger=f) for f in (1, 2)]
        views = None if fmt == "biocore" else [ViewInfo(extended=ext), ViewInfo()]
        out.append(biocore.templates.encode(ts, fmt, **({} if views is None else {"views": views})))
    return out


SEEDS = _seed_records()


@st.composite
def mutants(draw):
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.integers(0, 4))
        i = draw(st.integers(0, max(0, len(data) - 1)))
        if op == 0 and data:
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif op == 1 and data:
            data[i] = draw(st.sampled_from([0, 1, 4, 0x7F, 0x80, 0xFF]))
        elif op == 2:
            del data[i:]
        elif op == 3:
            data[i:i] = draw(st.binary(min_size=1, max_size=16))
        elif op == 4 and len(data) > i + 1:
            data[i:i + 2] = draw(st.sampled_from([b"\0\0", b"\xff\xff", b"\0\x04", b"\x80\0"]))
    return bytes(data)


DECODERS = [(fmt, strict) for fmt in biocore.templates.formats() for strict in (True, False)] + [(None, True), (None, False)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutants())
def test_mutated_records_decode_or_raise_biocore_errors(data):
    for fmt, strict in DECODERS:
        try:
            biocore.templates.decode_report(data, fmt, strict=strict)
        except BiocoreError:
            pass
    try:
        biocore.templates.decode_packed(data, threads=1)
    except BiocoreError:
        pass


@pytest.mark.parametrize("seed", SEEDS, ids=lambda b: b[:8].hex())
def test_absurd_counts_and_lengths_raise_fast_without_allocating(seed):
    import tracemalloc

    tracemalloc.start()
    for i in range(8, min(len(seed), 40)):
        for value in (b"\xff", b"\xff\xff", b"\xff\xff\xff\xff"):
            data = seed[:i] + value + seed[i + len(value):]
            for strict in (True, False):
                try:
                    biocore.templates.decode(data, strict=strict)
                except BiocoreError:
                    pass
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 4 * 1024 * 1024  # lengths and counts of 2**32 never size an allocation
