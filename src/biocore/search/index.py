"""The first search stage: a faiss inner-product index over person vectors, chosen by gallery size.

Person vectors (:func:`biocore.search.codes.person_vectors`) are 10 finger codes back to back, so
the inner product is the sum of the per-finger code similarities over shared finger positions.

* Up to ``SearchParameters.exact_scan_max_persons`` persons: ``"Flat"`` — exact brute-force scan
  (faiss ``IndexFlatIP``), 4 bytes a value.
* Beyond: ``"IVF{lists},SQ8"`` — an inverted file over k-means cells with 8-bit scalar-quantised
  vectors (1 byte a value: 1,440 bytes a ten-print person), probing a fixed fraction of the cells.

The functions here are pure (arrays in, arrays out) so the same code runs on one gallery or on one
shard of a distributed gallery; :func:`merge_topk` merges per-shard shortlists.

References
----------
.. [1] Johnson, Douze, Jégou, "Billion-scale similarity search with GPUs", IEEE Trans. Big Data, 2019
   (faiss).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .parameters import SEARCH, SearchParameters

__all__ = ["factory_for", "build_index", "search_index", "merge_topk"]


def factory_for(n_persons: int, params: SearchParameters = SEARCH) -> str:
    """The faiss factory string used for a gallery of ``n_persons``."""
    if n_persons <= params.exact_scan_max_persons:
        return "Flat"
    # faiss wants ~39 training points per list; small galleries above the exact limit get fewer lists
    lists = max(1, min(int(params.ivf_lists_per_sqrt_persons * math.sqrt(n_persons)), n_persons // 39))
    return f"IVF{lists},SQ8"


def build_index(vectors: np.ndarray, factory: str, *, train_max: int = 100_000, seed: int = 0) -> Any:
    """An inner-product index over ``vectors`` (float32, shape (n, d)); ids are row positions.

    IVF indexes are trained on at most ``train_max`` rows picked with a fixed seed, so the same
    vectors always give the same index.
    """
    import faiss

    d = vectors.shape[1]
    index = faiss.index_factory(d, factory, faiss.METRIC_INNER_PRODUCT)
    if not index.is_trained:
        n = vectors.shape[0]
        pick = np.sort(np.random.default_rng(seed).choice(n, size=min(n, train_max), replace=False))
        index.train(np.ascontiguousarray(vectors[pick], np.float32))
    add_vectors(index, vectors)
    return index


def add_vectors(index: Any, vectors: np.ndarray, chunk: int = 65536) -> None:
    """Append rows (converted to float32 in chunks, so memory-mapped float16 inputs stay on disk)."""
    for start in range(0, vectors.shape[0], chunk):
        index.add(np.ascontiguousarray(vectors[start : start + chunk], np.float32))


def set_probes(index: Any, params: SearchParameters = SEARCH) -> None:
    """Probe a fixed fraction of an IVF index's lists (no-op for flat indexes)."""
    import faiss

    ivf = faiss.try_extract_index_ivf(index)
    if ivf is not None:
        ivf.nprobe = max(1, int(round(ivf.nlist * params.ivf_probe_fraction)))


def search_index(index: Any, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """faiss's contract: (scores float32 (q, k), positions int64 (q, k)), -1 where fewer than k exist."""
    q = np.ascontiguousarray(queries, np.float32)
    k = max(1, int(k))
    if index.ntotal == 0:
        return np.full((q.shape[0], k), -np.inf, np.float32), np.full((q.shape[0], k), -1, np.int64)
    scores, positions = index.search(q, k)
    scores[positions < 0] = -np.inf
    return scores, positions


def merge_topk(scores: list[np.ndarray], ids: list[np.ndarray], k: int) -> tuple[np.ndarray, np.ndarray]:
    """Merge per-shard (q, k_i) result lists into one global top-k by descending score.

    ``ids`` must be globally unique (e.g. person rows, not shard positions); -1 entries are dropped
    to the end. Ties are broken by ascending id, so the merge does not depend on shard order.
    """
    s = np.concatenate(scores, axis=1)
    i = np.concatenate(ids, axis=1)
    s = np.where(i < 0, -np.inf, s)
    order = np.lexsort((np.where(i < 0, np.iinfo(np.int64).max, i), -s), axis=-1)[:, :k]
    return np.take_along_axis(s, order, axis=1), np.take_along_axis(i, order, axis=1)
