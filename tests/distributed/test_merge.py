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
