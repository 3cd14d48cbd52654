from __future__ import annotations

import threading

import numpy as np

import biocore
from biocore._shared import tracing


def test_nothing_is_recorded_or_computed_outside_a_trace():
    calls = []
    tracing.record("x", lambda: calls.append(1))
    assert calls == []
    assert not tracing.active()


def test_trace_records_copies_in_order_and_filters_names():
    a = np.zeros(3)
    with biocore.trace() as t:
        assert tracing.active("anything")
        tracing.record("first", a)
        a[0] = 5  # a later in-place change must not leak into the trace
        tracing.record("first", a)
        tracing.record("second", lambda: 42)
    assert list(t) == ["first", "second"]
    assert t["first"][0] == 5 and t.all("first")[0][0] == 0
    assert t["second"] == 42
    with biocore.trace("wanted") as t2:
        tracing.record("unwanted", 1)
        tracing.record("wanted", 2)
    assert "unwanted" not in t2 and t2["wanted"] == 2
    assert not tracing.active()


def test_missing_name_error_lists_what_was_traced():
    with biocore.trace() as t:
        tracing.record("mask", 1)
    try:
        t["skeleton"]
    except KeyError as exc:
        assert "mask" in str(exc)
    else:
        raise AssertionError("expected KeyError")


def test_traces_do_not_leak_across_threads():
    seen = []
    with biocore.trace() as t:
        th = threading.Thread(target=lambda: seen.append(tracing.active()))
        th.start()
        th.join()
        tracing.record("here", 1)
    assert seen == [False] and list(t) == ["here"]
