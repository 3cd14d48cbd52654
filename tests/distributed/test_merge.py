"""The global first-stage selection against a naive sort over all shards."""

from __future__ import annotations

import numpy as np

from biocore.distributed.merge import merge_reranked, select_global
from biocore.search.gallery import Candidate


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
