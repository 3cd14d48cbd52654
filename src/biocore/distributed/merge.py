"""Exact two-stage search over shards: per-shard first stage, global shortlist, per-shard re-rank, merge.

One gallery keeps the ``shortlist`` persons with the best code scores, re-ranks them with the 1:1
matcher, fuses over fingers and keeps ``k`` above the threshold. Over shards the same happens in
two rounds of pure per-shard steps:

1. :func:`shard_codes` — each shard's own top ``shortlist`` (store rows, code scores);
2. :func:`select_global` — the global top ``shortlist`` by code score
   (:func:`biocore.search.index.merge_topk`; ties by shard, then shard rank), split back per shard;
3. :func:`shard_rerank` — each shard re-ranks only its part of the global shortlist;
4. :func:`merge_reranked` — all re-ranked candidates ranked by fused score, ``k``, threshold.

The union of per-shard top-``shortlist`` lists holds the global top ``shortlist``, and re-ranking
and fusion are per person, so the candidate lists equal those of one gallery holding the same
persons whenever the first stage is exact (at most ``SearchParameters.exact_scan_max_persons``
persons per shard and in the single gallery), and the matcher does exactly the work one gallery
would do (no shard re-ranks more than its share). Larger shards pre-select by sign bits
(:class:`biocore.search.index.BinaryIndex`) before exact rescoring: one gallery rescores its best
``binary_candidates`` scan candidates, each shard its expected share of them plus a margin
(:func:`shard_params`), so the shards together rescore a superset of one gallery's candidates
(except with a vanishing probability) at about one gallery's rescoring cost. Lists then differ
from one gallery's only when a person rescored on a shard but beyond one gallery's scan cut makes
the shortlist (towards the exact answer). That happens to searches without a mate: their best
exact code scores lie close together and come from deep in the scan ranking, so their top-k
lists, far below any duplicate threshold, often differ in a member or two
(``benchmarks/bench_distributed.py --sweep`` counts them); candidates at or above the threshold
agree. Equal lists at every size would need the sign-bit cut made globally (the shards' scan
scores merged before rescoring), which :meth:`biocore.Gallery.first_stage` does not expose.

The per-shard steps are :meth:`biocore.Gallery.first_stage` and :meth:`biocore.Gallery.rerank`,
the two halves of :meth:`biocore.Gallery.search_many`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np

from ..search.codes import N_POSITIONS, finger_codes, person_vectors
from ..search.gallery import Candidate, Gallery
from ..search.index import merge_topk
from ..search.parameters import CODE, SearchParameters
from ..templates import Template
from .parameters import SHARD

__all__ = ["shard_params", "query_vectors", "shard_codes", "select_global", "shard_rerank", "merge_reranked", "search_shards",
           "shortlist_size"]

_SHARD_BITS = 32


def shard_params(params: SearchParameters, shards: int) -> SearchParameters:
    """The search parameters of each of ``shards`` shards of a gallery searched with ``params``.

    ``binary_candidates`` (sign-bit scan candidates rescored exactly) becomes one shard's share of
    them, ``B / S``, plus ``SHARD.rescore_margin_sd`` standard deviations ``sqrt(B (1/S) (1 - 1/S))``
    of that share (rounded up, at most B): persons are spread over shards by a hash of their identity,
    so the number of one gallery's B best scan candidates that one shard holds is Binomial(B, 1/S).
    Probes with fewer fingers get ``10 / fingers`` times as many candidates on a gallery and on each
    shard alike, which keeps the margin sufficient. Everything else is unchanged.

    Examples
    --------
    >>> shard_params(SearchParameters(binary_candidates=2000), 2).binary_candidates
    1135
    >>> shard_params(SearchParameters(binary_candidates=2000), 25).binary_candidates
    133
    """
    if shards <= 1:
        return params
    total, p = params.binary_candidates, 1.0 / shards
    share = total * p + SHARD.rescore_margin_sd * math.sqrt(total * p * (1.0 - p))
    return dataclasses.replace(params, binary_candidates=min(total, math.ceil(share)))


def shortlist_size(gallery_params, k: int, shortlist: int | None, probes: Sequence[dict] = ()) -> int:
    """Persons kept by the first stage for a batch of ``probes``, as :meth:`biocore.Gallery.search_many`
    keeps them (:meth:`~biocore.search.parameters.SearchParameters.shortlist_for` of the batch's
    largest finger count)."""
    return gallery_params.shortlist_for(max((len(p) for p in probes), default=1), k, shortlist)


def query_vectors(probes: Sequence[dict[int, Template]], *, stored: bool) -> np.ndarray:
    """First-stage person vectors of probes, float32 (n, 10 * dim).

    With ``stored`` the codes are rounded to float16 first, exactly as an enrolled person's vector is
    kept in the gallery, so an N:N sweep of enrolled persons scores as ``Gallery.search_rows`` does;
    without it, as ``Gallery.search_many`` scores external probes.
    """
    dim = CODE.dim
    codes = np.zeros((len(probes), N_POSITIONS, dim), np.float16 if stored else np.float32)
    present = np.zeros((len(probes), N_POSITIONS), bool)
    flat = [(i, f) for i, t in enumerate(probes) for f in sorted(t)]
    if flat:
        c = finger_codes([probes[i][f] for i, f in flat], CODE)
        for (i, f), code in zip(flat, c):
            codes[i, f - 1] = code
            present[i, f - 1] = True
    return person_vectors(codes, present)


def _self_rows(gallery: Gallery, exclude: Sequence[str | None] | None, n: int) -> list[int]:
    rows = [-1] * n
    if exclude is not None:
        for q, identity in enumerate(exclude):
            if identity is not None and identity in gallery:
                rows[q] = int(gallery.rows_of([identity])[0])
    return rows


def shard_codes(gallery: Gallery, vectors: np.ndarray, exclude: Sequence[str | None] | None,
                want: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """First stage on one shard: per query (store rows int64 (m,), code scores float32 (m,)), m <= want,
    best first, leaving out ``exclude[q]`` (the query itself, when enrolled on this shard)."""
    return gallery.first_stage(vectors, want=want, exclude_rows=_self_rows(gallery, exclude, vectors.shape[0]))


def select_global(per_shard: Sequence[Sequence[tuple[np.ndarray, np.ndarray]]], want: int
                  ) -> list[list[tuple[np.ndarray, np.ndarray]]]:
    """The global first-stage shortlist per query, split back per shard.

    Parameters
    ----------
    per_shard : [shard][query] -> (rows, code scores) from :func:`shard_codes`
    want : int

    Returns
    -------
    [shard][query] -> (rows, code scores): the entries of that shard among the global top ``want``.
    """
    n_shards, n_q = len(per_shard), len(per_shard[0]) if per_shard else 0
    out: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in range(n_shards)]
    for q in range(n_q):
        scores = [per_shard[t][q][1][None, :].astype(np.float64) for t in range(n_shards)]
        ids = [(np.arange(per_shard[t][q][0].size, dtype=np.int64) + (t << _SHARD_BITS))[None, :]
               for t in range(n_shards)]
        _, picked = merge_topk(scores, ids, want)
        picked = picked[0][picked[0] >= 0]
        for t in range(n_shards):
            mine = np.sort(picked[(picked >> _SHARD_BITS) == t] & ((1 << _SHARD_BITS) - 1))
            rows, sc = per_shard[t][q]
            out[t].append((rows[mine], sc[mine]))
    return out


def shard_rerank(gallery: Gallery, vectors: np.ndarray, probes: Sequence[dict[int, Template]],
                 selected: Sequence[tuple[np.ndarray, np.ndarray]]) -> list[list[Candidate]]:
    """Second stage on one shard: re-rank and fuse its part of each query's global shortlist.

    Returns every selected candidate (no k, no threshold), best fused score first.
    """
    return gallery.rerank(vectors, probes, selected)


def merge_reranked(per_shard: Sequence[Sequence[Candidate]], *, k: int, threshold: float | None) -> list[Candidate]:
    """One query's global candidate list from the shards' re-ranked parts: best fused score first
    (ties by identity), at most ``k``, all at least ``threshold``."""
    chosen = sorted((c for lst in per_shard for c in lst), key=lambda c: (-c.score, c.identity))
    out = []
    for c in chosen[:k]:
        if threshold is not None and c.score < threshold:
            break
        out.append(c)
    return out


def search_shards(shards: Sequence[Gallery], probes: Sequence[dict[int, Template]], vectors: np.ndarray, *,
                  exclude: Sequence[str | None] | None, want: int, k: int,
                  threshold: float | None) -> list[list[Candidate]]:
    """All four steps in this process over open shard galleries."""
    selected = select_global([shard_codes(g, vectors, exclude, want) for g in shards], want)
    reranked = [shard_rerank(g, vectors, probes, selected[t]) for t, g in enumerate(shards)]
    return [merge_reranked([reranked[t][q] for t in range(len(shards))], k=k, threshold=threshold)
            for q in range(len(probes))]
