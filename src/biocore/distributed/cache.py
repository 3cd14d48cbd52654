"""Worker-side shard cache: each process opens a shard once (read-only, memory-mapped) and keeps it warm.

Keyed by (resolved shard folder, search parameters, matcher on/off), so every task a Dask worker runs
on a shard reuses the open store, the memory-mapped vectors and the built index. A shard written
after it was opened is refreshed incrementally by the gallery itself on the next search (the store
generation is checked on every search).
"""

from __future__ import annotations

import threading
from pathlib import Path

from ..search.gallery import Gallery
from ..search.parameters import SearchParameters

__all__ = ["open_shard", "close_all", "open_shards"]

_OPEN: dict[tuple[str, SearchParameters, bool], Gallery] = {}
_LOCK = threading.Lock()


def open_shard(path: str | Path, params: SearchParameters, matcher: bool) -> Gallery:
    """The process's open read-only Gallery of shard folder ``path`` (opened on first use)."""
    key = (str(Path(path).resolve()), params, bool(matcher))
    with _LOCK:
        g = _OPEN.get(key)
        if g is None:
            g = Gallery.open(key[0], create=False, readonly=True, params=params,
                             matcher="default" if matcher else None)
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
