"""The first search stage: an inner-product scan over person vectors, chosen by gallery size.

Person vectors (:func:`biocore.search.codes.person_vectors`) are 10 finger codes back to back, so
the inner product is the sum of the per-finger code similarities over shared finger positions.

* Up to ``SearchParameters.exact_scan_max_persons`` persons: ``"SQfp16"`` — exact brute-force scan
  with faiss (``IndexScalarQuantizer``, float16 values: the gallery keeps its vectors in float16,
  so nothing is lost; 2,880 bytes a ten-print person).
* Beyond: ``"Binary"`` — :class:`BinaryIndex`: the sign bits of every code value (18 bytes a
  finger, 240 with padding) scanned with Hamming distances summed over the finger positions the
  query and the candidate share (each finger's term estimates its cosine, as random-hyperplane
  hashing does [2]_), then the best ``SearchParameters.binary_candidates`` persons (ties of the last
  scan score included: :meth:`BinaryIndex.pools`) rescored exactly from the float16 vectors
  (:func:`exact_scores`, bit-identical per row whatever the batch), so the scores and order are those
  of the exact scan whenever the exact top persons are among the binary candidates.

An inverted file (faiss ``IVF…,SQ8``) was measured and is not used: person vectors have little
cluster structure. At 100k persons (300 mated probes; ``benchmarks/bench_search.py --recall-check``)
the mate was among the persons re-ranked in 100% of ten-print searches with the exact scan and with
the sign bits + rescoring, 88% probing 5% of 1,265 IVF cells (97% probing 20%); single finger:
69.7% exact, 70.0% sign bits + rescoring, 20% / 37% IVF. ``build_index`` still builds any faiss
factory.

The functions here are pure (arrays in, arrays out) so the same code runs on one gallery or on one
shard of a distributed gallery; :func:`merge_topk` merges per-shard shortlists.

References
----------
.. [1] Johnson, Douze, Jégou, "Billion-scale similarity search with GPUs", IEEE Trans. Big Data, 2019
   (faiss).
.. [2] Charikar, "Similarity estimation techniques from rounding algorithms", STOC 2002 (sign bits
   of random projections estimate the angle between vectors).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numba
import numpy as np

from .blocks import RowBlocks
from .codes import N_POSITIONS
from .parameters import SEARCH, SearchParameters

__all__ = ["factory_for", "build_index", "search_index", "merge_topk", "BinaryIndex", "rescore", "exact_scores", "BINARY"]

#: Factory name of :class:`BinaryIndex`.
BINARY = "Binary"
_WORD_BITS = 64


def factory_for(n_persons: int, params: SearchParameters = SEARCH) -> str:
    """The first-stage index used for a gallery of ``n_persons`` (live: removed persons not counted):
    ``"SQfp16"`` (exact) or ``"Binary"``."""
    return "SQfp16" if n_persons <= params.exact_scan_max_persons else BINARY


def build_index(vectors: np.ndarray, factory: str, *, train_max: int = 100_000, seed: int = 0,
                params: SearchParameters = SEARCH) -> Any:
    """An inner-product index over ``vectors`` (float, shape (n, d)); ids are row positions.

    ``factory`` is ``"Binary"`` (:class:`BinaryIndex`) or a faiss factory string. Indexes that need
    training (IVF) are trained on at most ``train_max`` rows picked with a fixed seed, so the same
    vectors always give the same index.
    """
    if factory == BINARY:
        index = BinaryIndex(vectors.shape[1] // N_POSITIONS, threads=params.scan_threads)
        add_vectors(index, vectors)
        return index
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
    """Apply ``params`` to a built index: scan threads of a :class:`BinaryIndex`, the probed
    fraction of an IVF index's lists (no-op for other indexes)."""
    if isinstance(index, BinaryIndex):
        index.threads = params.scan_threads
        return
    import faiss

    ivf = faiss.try_extract_index_ivf(index)
    if ivf is not None:
        ivf.nprobe = max(1, int(round(ivf.nlist * params.ivf_probe_fraction)))


def rescore(vectors: np.ndarray, queries: np.ndarray, positions: np.ndarray, k: int
            ) -> tuple[np.ndarray, np.ndarray]:
    """Exact inner products of each query with its candidate rows, the best ``k`` first.

    Parameters
    ----------
    vectors : ndarray or RowBlocks of float16 or float32, shape (n, d)
        The gallery's person vectors (may be memory-mapped).
    queries : ndarray of float32, shape (q, d)
    positions : ndarray of int64, shape (q, m)
        Candidate rows per query; -1 entries are ignored. Only the finger positions a query holds
        (non-zero codes) are read.
    k : int

    Returns
    -------
    scores : ndarray of float32, shape (q, k)
    positions : ndarray of int64, shape (q, k)
        As faiss returns them: best first (ties by ascending row), -1 / -inf where fewer exist.
    """
    k = max(1, int(k))
    out_s = np.full((queries.shape[0], k), -np.inf, np.float32)
    out_p = np.full((queries.shape[0], k), -1, np.int64)
    rows = vectors if isinstance(vectors, RowBlocks) else RowBlocks(vectors)
    for q in range(queries.shape[0]):
        cand = np.sort(positions[q][positions[q] >= 0])
        if cand.size == 0:
            continue
        sc = _sorted_scores(rows, np.asarray(queries[q], np.float32), cand)
        order = np.lexsort((cand, -sc))[:k]
        out_s[q, : order.size], out_p[q, : order.size] = sc[order], cand[order]
    return out_s, out_p


def _row_dots(rows: np.ndarray, query: np.ndarray) -> np.ndarray:
    # one reduction per row (numpy's pairwise sum along the contiguous last axis): a row's score does not
    # depend on which other rows are scored with it, unlike a BLAS matrix-vector product, so one
    # gallery and its shards rescore a person bit-identically
    return (rows * query[None, :]).sum(axis=1, dtype=np.float32)


def exact_scores(vectors: np.ndarray, query: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Exact inner products of one query with given rows, in the order given.

    Parameters
    ----------
    vectors : ndarray or RowBlocks of float16 or float32, shape (n, d)
    query : ndarray of float32, shape (d,)
    positions : ndarray of int64, shape (m,)
        Rows to score (no -1).

    Returns
    -------
    ndarray of float32, shape (m,)
        Bit-identical for a row whatever other rows are scored with it (as in :func:`rescore`).
    """
    positions = np.asarray(positions, np.int64)
    rows = vectors if isinstance(vectors, RowBlocks) else RowBlocks(vectors)
    order = np.argsort(positions, kind="stable")
    out = np.empty(positions.size, np.float32)
    out[order] = _sorted_scores(rows, np.asarray(query, np.float32), positions[order])
    return out


def _sorted_scores(rows: RowBlocks, query: np.ndarray, cand: np.ndarray) -> np.ndarray:
    # exact scores of ascending rows ``cand``, reading only the finger positions the query holds
    if cand.size == 0:
        return np.zeros(0, np.float32)
    query = query.reshape(N_POSITIONS, -1)
    fingers = np.flatnonzero((query != 0).any(axis=1))

    def read(block: np.ndarray, local: np.ndarray) -> np.ndarray:
        # only the query's finger positions: a single-finger query reads a tenth of each row
        part = block.reshape(block.shape[0], N_POSITIONS, -1)[local[:, None], fingers[None, :]]
        return np.asarray(part, np.float32).reshape(local.size, -1)

    return _row_dots(rows.gather(cand, read), query[fingers].ravel())


class BinaryIndex:
    """Sign bits of person vectors, scanned with Hamming distances over shared finger positions.

    For a query holding finger positions F, candidate i scores
    ``sum over f in F held by i of (bits - 2 * hamming(query_f, candidate_f))``, where ``bits`` is
    the code length (144); each term is ``bits * (1 - 2 * theta_f / pi)`` in expectation, theta_f the
    angle between the two codes, so the sum ranks like the exact inner product of person vectors.
    A finger position is held when its code is not all zero (an all-zero code, "no information",
    counts as absent, as it adds 0 to the exact inner product); bit ``dim`` of its bits marks it.

    Parameters
    ----------
    dim : int
        Values per finger code.
    threads : int
        Threads splitting a scan (0: all cores).

    Attributes
    ----------
    bits : RowBlocks of uint64 rows, shape (n, 10, words)
        Finger ``p``'s sign bits in ``bits[:, p - 1]`` (value ``j`` in bit ``j``), then the held
        marker bit, zero-padded to ``words = dim // 64 + 1`` words.
    """

    def __init__(self, dim: int, threads: int = 0, bits: np.ndarray | None = None) -> None:
        self.dim = int(dim)
        self.words = self.dim // _WORD_BITS + 1
        self.threads = int(threads)
        bits = np.zeros((0, N_POSITIONS, self.words), np.uint64) if bits is None else bits
        if bits.ndim != 3 or bits.shape[1:] != (N_POSITIONS, self.words) or bits.dtype != np.uint64:
            raise ValueError(f"bits: expected uint64 (n, {N_POSITIONS}, {self.words}), got {bits.dtype} {bits.shape}")
        # a memory-mapped first block stays mapped; appended persons go to merged in-memory blocks
        self.bits = RowBlocks(bits)

    @property
    def ntotal(self) -> int:
        return len(self.bits)

    @property
    def nbytes(self) -> int:
        return self.bits.nbytes

    def sign_bits(self, vectors: np.ndarray) -> np.ndarray:
        """The packed sign bits of person vectors (n, 10 * dim) -> uint64 (n, 10, words)."""
        v = np.asarray(vectors).reshape(-1, N_POSITIONS, self.dim)
        padded = np.zeros((v.shape[0], N_POSITIONS, self.words * _WORD_BITS), bool)
        padded[:, :, : self.dim] = v > 0
        padded[:, :, self.dim] = (v != 0).any(axis=2)
        packed = np.packbits(padded, axis=2, bitorder="little")  # bit j of byte b = value 8b + j
        return np.ascontiguousarray(packed).view("<u8").astype(np.uint64, copy=False)

    def add(self, vectors: np.ndarray) -> None:
        self.bits.append(self.sign_bits(vectors))

    def scores(self, queries: np.ndarray) -> np.ndarray:
        """Scan scores (int32, (q, n)) of float person vectors ``queries`` (q, 10 * dim)."""
        qbits = self.sign_bits(queries)
        qheld = np.ascontiguousarray((qbits != 0).any(axis=2))
        out = np.empty((qbits.shape[0], self.ntotal), np.int32)
        threads = self.threads or os.cpu_count() or 1
        # (block, first row, stop row, offset of the block in ``out``): each block cut into ``threads`` parts
        parts = []
        offset = 0
        for block in self.bits.blocks:
            n = block.shape[0]
            cuts = np.linspace(0, n, threads + 1).astype(np.int64) if threads > 1 and n >= 4096 else np.array([0, n])
            parts += [(block, int(a), int(b), offset) for a, b in zip(cuts[:-1], cuts[1:]) if b > a]
            offset += n
        if len(parts) <= 1 or threads <= 1:
            for block, a, b, o in parts:
                _hamming_scores(block, qbits, qheld, self.dim, a, b, out, o)
        else:
            with ThreadPoolExecutor(threads) as pool:
                list(pool.map(lambda t: _hamming_scores(t[0], qbits, qheld, self.dim, t[1], t[2], out, t[3]), parts))
        return out

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """faiss's contract: (scan scores float32 (q, k), positions int64 (q, k)), best first."""
        q = np.ascontiguousarray(queries, np.float32)
        n = self.ntotal
        k = max(1, int(k))
        out_s = np.full((q.shape[0], k), -np.inf, np.float32)
        out_p = np.full((q.shape[0], k), -1, np.int64)
        for start in range(0, q.shape[0], 16):  # bounded (16, n) score block
            block = self.scores(q[start : start + 16])
            for j, row in enumerate(block):
                m = min(k, n)
                top = np.argpartition(-row, m - 1)[:m] if m < n else np.arange(n)
                order = np.lexsort((top, -row[top]))
                out_s[start + j, :m], out_p[start + j, :m] = row[top[order]], top[order]
        return out_s, out_p

    def pools(self, queries: np.ndarray, k: Any, *, valid: np.ndarray | None = None,
              exclude: np.ndarray | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per query, every row whose scan score is at least the ``k``-th best (ties at the boundary
        included), so the set does not depend on the order of rows.

        Parameters
        ----------
        queries : ndarray of float32, shape (q, 10 * dim)
        k : int or sequence of q ints
            Pool size (per query).
        valid : ndarray of bool, shape (n,), optional
            Rows that may be returned (others are not ranked at all).
        exclude : ndarray of int64, shape (q,), optional
            Per query one more row to leave out (-1: none).

        Returns
        -------
        list of (positions int64 (m,), scan scores int32 (m,))
            Best scan score first, ties by ascending row; m >= min(k, rows ranked).
        """
        q = np.ascontiguousarray(queries, np.float32)
        ks = np.broadcast_to(np.maximum(np.asarray(k, np.int64), 1), (q.shape[0],))
        floor = np.iinfo(np.int32).min  # below any scan score (|score| <= 10 * dim)
        out = []
        for start in range(0, q.shape[0], 16):  # bounded (16, n) score block
            block = self.scores(q[start : start + 16])
            if valid is not None:
                block[:, ~np.asarray(valid, bool)] = floor
            for j, row in enumerate(block):
                if exclude is not None and exclude[start + j] >= 0:
                    row[int(exclude[start + j])] = floor
                ranked = int(np.count_nonzero(row > floor))
                if ranked == 0:
                    out.append((np.zeros(0, np.int64), np.zeros(0, np.int32)))
                    continue
                m = min(int(ks[start + j]), ranked)
                kth = np.partition(row, row.size - m)[row.size - m]  # the m-th best
                top = np.flatnonzero(row >= kth)
                order = np.lexsort((top, -row[top].astype(np.int64)))
                out.append((top[order].astype(np.int64), row[top[order]]))
        return out


@numba.njit(nogil=True, cache=True, inline="always")
def _popcount64(x):
    # SWAR bit count of a uint64 (LLVM turns it into one popcnt where the CPU has it)
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return (x * np.uint64(0x0101010101010101)) >> np.uint64(56)


@numba.njit(nogil=True, cache=True)
def _hamming_scores(bits, qbits, qheld, dim, start, stop, out, offset):
    # bits uint64 (n, 10, W); qbits uint64 (q, 10, W); qheld bool (q, 10); rows [start, stop) of bits
    # score into out int32 (q, N) at columns offset + row
    n_q = qbits.shape[0]
    n_f = bits.shape[1]
    n_w = bits.shape[2]
    for i in range(start, stop):
        for q in range(n_q):
            total = 0
            for f in range(n_f):
                if not qheld[q, f]:
                    continue
                held = np.uint64(0)
                ham = np.uint64(0)
                for w in range(n_w):
                    x = bits[i, f, w]
                    held |= x
                    ham += _popcount64(x ^ qbits[q, f, w])
                if held != np.uint64(0):
                    total += dim - 2 * np.int64(ham)
            out[q, offset + i] = total


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
