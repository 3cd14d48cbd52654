"""The global first-stage selection against a naive sort over all shards."""

from __future__ import annotations

import numpy as np

from biocore.distributed.merge import merge_reranked, select_global, shard_params
from biocore.search.gallery import Candidate
from biocore.search.parameters import SearchParameters


def test_select_global_matches_naive_sort():
    rng = np.random.default_rng(5)
    shards, queries, want = 3, 4, 7
    per_shard = []
    for t in range(shards):
        lists = []
        for q in range(queries):
            m = int(rng.integers(0, 9))
            sc = np.sort(rng.random(m).astype(np.float32))[::-1].copy()
            lists.append((rng.choice(1000, m, replace=False).astype(np.int64), sc))
        per_shard.append(lists)
    got = select_global(per_shard, want)
    for q in range(queries):
        pool = sorted(((float(per_shard[t][q][1][j]), t, j) for t in range(shards)
                       for j in range(per_shard[t][q][0].size)), key=lambda x: (-x[0], x[1], x[2]))[:want]
        for t in range(shards):
            expect = sorted(j for _, tt, j in pool if tt == t)
            np.testing.assert_array_equal(got[t][q][0], per_shard[t][q][0][expect])
            np.testing.assert_array_equal(got[t][q][1], per_shard[t][q][1][expect])


def test_merge_reranked_ranks_cuts_and_thresholds():
    def c(identity, score):
        return Candidate(identity, score, (), 0.0, "matcher")

    parts = [[c("b", 9.0), c("d", 1.0)], [c("a", 9.0), c("c", 5.0)]]
    assert [x.identity for x in merge_reranked(parts, k=3, threshold=None)] == ["a", "b", "c"]
    assert [x.identity for x in merge_reranked(parts, k=10, threshold=5.0)] == ["a", "b", "c"]
    assert merge_reranked([[], []], k=3, threshold=None) == []


def test_shard_params_rescore_a_share_of_the_scan_candidates_with_a_safe_margin():
    from scipy.stats import binom

    params = SearchParameters(binary_candidates=2000, shortlist_persons=37)
    assert shard_params(params, 1) == params
    previous = 2000
    for shards in (2, 3, 4, 8, 25):
        got = shard_params(params, shards)
        assert got.shortlist_persons == 37 and got.scan_threads == params.scan_threads
        c = got.binary_candidates
        assert 2000 / shards < c < previous
        # a shard holds more of one gallery's 2,000 best scan candidates than it rescores: rare
        assert binom.sf(c, 2000, 1 / shards) < 2e-8
        previous = c
    assert shard_params(SearchParameters(binary_candidates=3), 2).binary_candidates == 3  # never above one gallery's


def _scan_entry(rows, scan, exact, pool, rescored):
    """A sign-bit shard's entry as Gallery.scan_first_stage + shard_codes build it (naively)."""
    order = np.lexsort((rows, -scan))
    rows, scan, exact = rows[order], scan[order], exact[order]
    in_pool = scan >= scan[min(pool, scan.size) - 1]
    values, counts = np.unique(scan[in_pool], return_counts=True)
    m = int(np.count_nonzero(scan >= scan[min(rescored, scan.size) - 1]))
    return rows[:m], scan[:m].astype(np.int32), exact[:m], values[::-1].astype(np.int32), counts[::-1], pool, \
        int(scan[m - 1])


def test_select_global_of_sign_bit_shards_is_the_one_gallery_pool_and_shortlist(caplog):
    from biocore.distributed import merge

    rng = np.random.default_rng(9)
    pool, want = 12, 5
    for trial in range(40):
        sizes = rng.integers(3, 30, 3)
        scan = [rng.integers(0, 8, n) * 2 for n in sizes]  # few distinct values: many ties
        exact = [(s + rng.integers(-3, 4, s.size) / 4).astype(np.float32) for s in scan]  # exact ties too
        rows = [rng.permutation(1000)[:n].astype(np.int64) for n in sizes]
        per_shard = [[_scan_entry(rows[t], scan[t], exact[t], pool, pool)] for t in range(3)]
        if trial % 2:  # as shard_codes sends them: only persons that can make a shortlist
            per_shard = [[merge._useful(*e[:5], pool, want)] for [e] in per_shard]
        merge.POOL_SHORTFALLS[0] = 0
        got = select_global(per_shard, want)
        everyone_scan = np.concatenate(scan)
        cut = np.sort(everyone_scan)[::-1][min(pool, everyone_scan.size) - 1]
        members = [(float(e), t, int(r)) for t in range(3) for r, s, e in zip(rows[t], scan[t], exact[t]) if s >= cut]
        best = sorted((m[0] for m in members), reverse=True)[min(want, len(members)) - 1]
        for t in range(3):
            expect = sorted((r, e) for e, tt, r in members if tt == t and e >= best)
            assert sorted(zip(got[t][0][0].tolist(), got[t][0][1].tolist())) == expect
        assert merge.POOL_SHORTFALLS[0] == 0
    # one shard rescoring fewer persons than the global pool holds there: counted and logged
    rows = [np.arange(20, dtype=np.int64), np.arange(20, dtype=np.int64)]
    scan = [np.arange(20)[::-1] * 2 + 100, np.arange(20)[::-1] * 2]
    per_shard = [[_scan_entry(rows[t], scan[t], scan[t].astype(np.float32), pool, 4)] for t in range(2)]
    merge.POOL_SHORTFALLS[0] = 0
    with caplog.at_level("WARNING", logger="biocore.distributed.merge"):
        got = select_global(per_shard, want)
    assert merge.POOL_SHORTFALLS[0] == 1 and "rescored 4 of its 12" in caplog.text
    assert got[0][0][0].size == 4 and got[1][0][0].size == 0
