"""Exact two-stage search over shards: per-shard first stage, global shortlist, per-shard re-rank, merge.

One gallery keeps the ``shortlist`` persons with the best code scores, re-ranks them with the 1:1
matcher, fuses over fingers and keeps ``k`` above the threshold. Over shards the same happens in
two rounds of pure per-shard steps:

1. :func:`shard_codes` — each shard's first-stage answer;
2. :func:`select_global` — the global shortlist, split back per shard;
3. :func:`shard_rerank` — each shard re-ranks only its part of the global shortlist;
4. :func:`merge_reranked` — all re-ranked candidates ranked by fused score, ``k``, threshold.

Which first stage runs follows the whole gallery's size, as in one gallery (:func:`whole_scans`):
a shard small enough for an exact scan of its own still scans by sign bits when the gallery it is
part of would.

Exact first stages (at most ``SearchParameters.exact_scan_max_persons`` persons in the whole
gallery): each shard answers its own top ``shortlist`` (store rows, code scores); their union holds
the global top ``shortlist`` (:func:`biocore.search.index.merge_topk`).

Sign-bit first stages (more persons; :class:`biocore.search.index.BinaryIndex`): one gallery's pool
is every live person (not the query) whose scan score is at least the C-th best, ties included (C =
``binary_candidates`` x 10 / the probe's fingers, at least ``shortlist``); it rescores
the whole pool exactly and keeps the persons whose exact score is at least the ``shortlist``-th best,
ties included (:meth:`biocore.Gallery.first_stage`). Both cuts are thresholds on scores, not ranks,
so neither depends on store rows. Each shard answers (:meth:`biocore.Gallery.scan_first_stage`) the
histogram of its own tie-inclusive top-C scan scores and the exact scores of its best
:func:`rescored_share` persons by scan (C / S plus ``SHARD.rescore_margin_sd`` standard deviations,
ties included; only those that can make a shortlist are sent). :func:`select_global` sums the histograms into the global C-th best scan score (the
shards' top-C lists hold the global top C), takes every rescored person at or above it — one
gallery's pool — and keeps those at or above the ``shortlist``-th best exact score. Exact scores are
computed per row (:func:`biocore.search.index.exact_scores`), bit-identical on a shard and on one
gallery, so the shortlist is one gallery's, and the candidate lists equal one gallery's (same stored
codes: split a gallery with ``copy_from``; codes re-encoded in other batches can differ by a float16
rounding). Only when a shard holds more of the pool than it rescored (binomial tail, ~1e-9 a query
and shard at 6 sd) are its unrescored pool members left out; that is counted in
``POOL_SHORTFALLS`` and logged. (Callers that leave ``scan`` unset in :func:`shard_codes` let each
shard choose by its own size; shards of both kinds are then merged by exact score like exact shards,
without that guarantee.)

Ties of reported (rounded) fused scores in the final lists go by identity, here and in one gallery.

The per-shard steps are :meth:`biocore.Gallery.scan_first_stage` / :meth:`biocore.Gallery.first_stage`
and :meth:`biocore.Gallery.rerank`, the two halves of :meth:`biocore.Gallery.search_many`.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Sequence

import numpy as np

from ..search.codes import N_POSITIONS, finger_codes, person_vectors
from ..search.gallery import Candidate, Gallery
from ..search.index import BINARY, factory_for, merge_topk
from ..search.parameters import CODE, SearchParameters
from ..templates import Template
from .parameters import SHARD

__all__ = ["shard_params", "whole_scans", "rescored_share", "query_vectors", "shard_codes", "select_global", "shard_rerank", "merge_reranked", "search_shards",
           "shortlist_size"]

_SHARD_BITS = 32
_log = logging.getLogger(__name__)


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


def whole_scans(params: SearchParameters, persons: int) -> bool:
    """Whether one gallery of ``persons`` persons searched with ``params`` scans by sign bits (its
    first stage, :func:`biocore.search.index.factory_for`): every shard of it then does.

    Examples
    --------
    >>> whole_scans(SearchParameters(exact_scan_max_persons=50_000), 60_000)
    True
    """
    return factory_for(int(persons), params) == BINARY


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


def rescored_share(pool: int, shards: int) -> int:
    """Persons of a scan pool of ``pool`` that each of ``shards`` shards rescores exactly: the expected
    share ``C / S`` plus ``SHARD.rescore_margin_sd`` standard deviations of it, at most ``C`` (as
    :func:`shard_params`)."""
    if shards <= 1:
        return pool
    p = 1.0 / shards
    return min(pool, math.ceil(pool * p + SHARD.rescore_margin_sd * math.sqrt(pool * p * (1.0 - p))))


def shard_codes(gallery: Gallery, vectors: np.ndarray, exclude: Sequence[str | None] | None,
                want: int, *, binary_candidates: int | None = None, shards: int = 1, scan: bool = False
                ) -> list[tuple]:
    """First stage on one shard, per query, leaving out ``exclude[q]`` (the query itself, when
    enrolled on this shard). ``scan`` (the whole gallery scans by sign bits: :func:`whole_scans`)
    makes the shard scan by sign bits whatever its own size.

    A shard scanned exactly answers (store rows int64 (m,), code scores float32 (m,)), m <= want, best
    first. A shard scanned by sign bits answers its part of the global pool
    (:meth:`biocore.Gallery.scan_first_stage`: rescored rows, scan scores, exact scores, and a
    histogram of its tie-inclusive top-C scan scores, C), C being one gallery's pool for the query
    and ``binary_candidates`` (default the shard's own), of which it rescores
    :func:`rescored_share` over ``shards`` shards.
    """
    exclude_rows = _self_rows(gallery, exclude, vectors.shape[0])
    pool = gallery.scan_pool_size(vectors, want, binary_candidates)
    scanned = gallery.scan_first_stage(vectors, pool=pool, rescored=[rescored_share(int(c), shards) for c in pool],
                                       exclude_rows=exclude_rows, force=scan)
    if scanned is not None:
        return [_useful(*entry, int(c), want) for entry, c in zip(scanned, pool)]
    return gallery.first_stage(vectors, want=want, exclude_rows=exclude_rows)


def _useful(rows: np.ndarray, scan: np.ndarray, exact: np.ndarray, values: np.ndarray, counts: np.ndarray,
            pool: int, want: int) -> tuple:
    """One query's sign-bit entry, with only the rescored persons that can make a shortlist: the global
    pool holds a shard's persons down to some scan score, so a person at scan score v is shortlisted
    only if it is among the ``want`` best exact scores (ties included) of the shard's persons at scan
    score v or above. (rows, scan, exact, histogram values, counts, pool size, lowest rescored scan
    score — every pool member at or above it was rescored)."""
    lowest = int(scan[-1]) if scan.size else np.iinfo(np.int32).max
    keep = np.ones(scan.size, bool)
    if scan.size > want:
        ends = np.flatnonzero(np.r_[scan[1:] != scan[:-1], True]) + 1  # prefix lengths at scan-score changes
        start = 0
        for end in ends:
            if end > want:
                keep[start:end] = exact[start:end] >= np.partition(exact[:end], end - want)[end - want]
            start = end
    return rows[keep], scan[keep], exact[keep], values, counts, pool, lowest


#: Queries whose global scan pool held a person its shard had not rescored (see :func:`select_global`).
POOL_SHORTFALLS = [0]


def _global_pool(entries: Sequence[tuple], want: int) -> list[tuple[np.ndarray, np.ndarray]]:
    # one query's sign-bit entries (:func:`_useful`) per shard
    pool = entries[0][5]
    values = np.concatenate([e[3] for e in entries]).astype(np.int64)
    counts = np.concatenate([e[4] for e in entries])
    out = [(np.zeros(0, np.int64), np.zeros(0, np.float32)) for _ in entries]
    if values.size == 0:
        return out
    distinct = np.unique(values)[::-1]  # descending
    at_least = np.cumsum(np.bincount(np.searchsorted(-distinct, -values), weights=counts, minlength=distinct.size))
    reached = np.flatnonzero(at_least >= pool)
    cut = distinct[reached[0]] if reached.size else distinct[-1]  # the global pool-th best scan score
    shards, exact = [], []
    for t, (rows, scan, sc, v, c, _, lowest) in enumerate(entries):
        mine = scan >= cut
        if cut < lowest and int(c[(v >= cut) & (v < lowest)].sum()):  # pool members this shard did not rescore
            POOL_SHORTFALLS[0] += 1
            _log.warning("sign-bit pool: shard %d rescored %d of its %d pool members; the others are left out",
                         t, int(c[v >= lowest].sum()), int(c[v >= cut].sum()))
        shards.append(np.full(int(mine.sum()), t))
        exact.append(sc[mine])
    shard_of = np.concatenate(shards)
    scores = np.concatenate(exact)
    if scores.size > want:  # the want best exact scores, ties at the boundary included
        keep = scores >= np.sort(scores)[::-1][want - 1]
    else:
        keep = np.ones(scores.size, bool)
    for t, (rows, scan, sc, *_) in enumerate(entries):
        mine = np.flatnonzero(scan >= cut)
        k = keep[shard_of == t]
        out[t] = (rows[mine[k]], sc[mine[k]])
    return out


def select_global(per_shard: Sequence[Sequence[tuple]], want: int) -> list[list[tuple[np.ndarray, np.ndarray]]]:
    """The global first-stage shortlist per query, split back per shard.

    Shards scanned exactly: the global top ``want`` by code score (:func:`merge_topk`; ties by shard,
    then shard rank). Shards scanned by sign bits: the global pool is every person whose scan score
    is at least the C-th best over all shards (counted from the shards' histograms, ties included),
    and the shortlist every pool member whose exact score is at least the ``want``-th best (ties
    included) — the persons one gallery keeps (:meth:`biocore.Gallery.first_stage`). A pool member its
    shard did not rescore (it held more of the pool than :func:`rescored_share`; about 1e-9 a query
    and shard) is left out, counted in ``POOL_SHORTFALLS`` and logged. With shards of both kinds (sizes
    on both sides of ``exact_scan_max_persons``, when :func:`shard_codes` let each choose) the sign-bit
    shards' rescored persons are merged by exact score as exact shards' are.

    Parameters
    ----------
    per_shard : [shard][query] -> an entry of :func:`shard_codes`
    want : int

    Returns
    -------
    [shard][query] -> (rows, code scores): that shard's members of the global shortlist.
    """
    n_shards, n_q = len(per_shard), len(per_shard[0]) if per_shard else 0
    out: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in range(n_shards)]
    scanned = [len(per_shard[t][0]) == 7 if n_q else False for t in range(n_shards)]
    if n_q and all(scanned):
        for q in range(n_q):
            for t, part in enumerate(_global_pool([per_shard[t][q] for t in range(n_shards)], want)):
                out[t].append(part)
        return out
    plain = []
    for t in range(n_shards):
        if scanned[t]:  # rescored persons by exact score
            lists = []
            for rows, _, sc, *_ in per_shard[t]:
                order = np.lexsort((rows, -sc))[:want]
                lists.append((rows[order], sc[order]))
            plain.append(lists)
        else:
            plain.append(per_shard[t])
    for q in range(n_q):
        scores = [plain[t][q][1][None, :].astype(np.float64) for t in range(n_shards)]
        ids = [(np.arange(plain[t][q][0].size, dtype=np.int64) + (t << _SHARD_BITS))[None, :]
               for t in range(n_shards)]
        _, picked = merge_topk(scores, ids, want)
        picked = picked[0][picked[0] >= 0]
        for t in range(n_shards):
            mine = np.sort(picked[(picked >> _SHARD_BITS) == t] & ((1 << _SHARD_BITS) - 1))
            rows, sc = plain[t][q]
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
                  threshold: float | None, binary_candidates: int | None = None) -> list[list[Candidate]]:
    """All four steps in this process over open shard galleries; ``binary_candidates`` is the whole
    gallery's (default: the largest of the shards')."""
    if binary_candidates is None:
        binary_candidates = max((g.params.binary_candidates for g in shards), default=1)
    scan = bool(shards) and whole_scans(shards[0].params, sum(g.live_persons() for g in shards))
    selected = select_global([shard_codes(g, vectors, exclude, want, binary_candidates=binary_candidates,
                                          shards=len(shards), scan=scan) for g in shards], want)
    reranked = [shard_rerank(g, vectors, probes, selected[t]) for t, g in enumerate(shards)]
    return [merge_reranked([reranked[t][q] for t in range(len(shards))], k=k, threshold=threshold)
            for q in range(len(probes))]
