"""Worker-side shard cache: each process opens a shard once (read-only, memory-mapped) and keeps it warm.

Keyed by (resolved shard folder, search parameters, matcher on/off), so every task a Dask worker runs
on a shard reuses the open store, the memory-mapped vectors and the built index. A shard written
after it was opened is refreshed incrementally by the gallery itself on the next search (the store
generation is checked on every search).

Inside a Dask worker the process is also set up once for the tasks (:class:`.parameters.WorkerParameters`):
shards are searched with ``task_threads`` threads (Dask runs one task per core), and glibc keeps the
large temporary buffers of scans for reuse instead of mapping and faulting them in at every call.
In any other process (the embedded path) shards open with the parameters given.
"""

from __future__ import annotations

import ctypes
import dataclasses
import sys
import threading
from pathlib import Path

from ..search.gallery import Gallery
from ..search.parameters import SearchParameters
from ..search.rerank import MatchFn, default_matcher
from .parameters import WORKER

__all__ = ["open_shard", "close_all", "open_shards", "in_dask_worker"]

_OPEN: dict[tuple[str, SearchParameters, bool], Gallery] = {}
_LOCK = threading.Lock()
_MATCHERS: dict[int, MatchFn | None] = {}
_MALLOC_SET = False
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc mallopt parameter numbers (malloc.h)


def in_dask_worker() -> bool:
    """True when called from a task of a Dask worker (never imports Dask)."""
    distributed = sys.modules.get("distributed")
    if distributed is None:
        return False
    try:
        distributed.get_worker()
    except ValueError:
        return False
    return True


def _tune_malloc() -> None:
    """Set the worker's glibc malloc thresholds once (a no-op where the C library has no ``mallopt``)."""
    global _MALLOC_SET
    if _MALLOC_SET:
        return
    _MALLOC_SET = True
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(_M_MMAP_THRESHOLD, ctypes.c_int(WORKER.malloc_mmap_threshold_bytes))
    mallopt(_M_TRIM_THRESHOLD, ctypes.c_int(WORKER.malloc_trim_threshold_bytes))


def _matcher(threads: int) -> MatchFn | None:
    if threads not in _MATCHERS:
        _MATCHERS[threads] = default_matcher(threads)
    return _MATCHERS[threads]


def open_shard(path: str | Path, params: SearchParameters, matcher: bool) -> Gallery:
    """The process's open read-only Gallery of shard folder ``path`` (opened on first use).

    In a Dask worker the shard scans and matches with ``WORKER.task_threads`` threads (results do not
    depend on thread counts) and the process's malloc is tuned on first use.
    """
    worker = in_dask_worker()
    if worker:
        params = dataclasses.replace(params, scan_threads=WORKER.task_threads)
    key = (str(Path(path).resolve()), params, bool(matcher))
    with _LOCK:
        g = _OPEN.get(key)
        if g is None:
            if worker:
                _tune_malloc()
            match = (_matcher(WORKER.task_threads) if worker else "default") if matcher else None
            g = Gallery.open(key[0], create=False, readonly=True, params=params, matcher=match)
            _OPEN[key] = g
        return g


def open_shards() -> list[str]:
    """Folders of the shards this process holds open."""
    with _LOCK:
        return sorted({k[0] for k in _OPEN})


def close_all() -> None:
    """Close every cached shard (worker teardown, tests)."""
    with _LOCK:
        for g in _OPEN.values():
            g.close()
        _OPEN.clear()
