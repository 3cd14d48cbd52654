"""Sharded search equals one gallery when every first stage is the sign-bit scan (small
``exact_scan_max_persons`` and ``binary_candidates`` so a few hundred persons take that path)."""

from __future__ import annotations

import numpy as np
import pytest

from biocore.distributed import ShardedGallery
from biocore.distributed import merge
from biocore.search import Gallery
from biocore.search.index import BINARY, BinaryIndex, exact_scores
from biocore.search.parameters import SearchParameters
from biocore.synth.templates_only import iter_batches

PERSONS, OUTSIDERS, REMOVED = 200, 40, 20
PARAMS = SearchParameters(exact_scan_max_persons=60, binary_candidates=30, shortlist_persons=12,
                          min_shortlist_persons=6)


def _persons():
    enrolled, probes = [], []
    for b in iter_batches(PERSONS + OUTSIDERS, seed=11, encounters=(0, 1)):
        for p0 in range(0, len(b), 10):
            pid = int(b.person[p0])
            person = {int(b.finger[p0 + f]): b.template(p0 + f) for f in range(10)}
            if b.encounter == 0 and pid < PERSONS:
                enrolled.append((f"P{pid:05d}", person))
            elif b.encounter == 1:
                probes.append(person)  # mated below PERSONS, non-mated above
    return enrolled, probes


@pytest.fixture(scope="module")
def binary_galleries(tmp_path_factory):
    enrolled, probes = _persons()
    root = tmp_path_factory.mktemp("binary")
    rng = np.random.default_rng(3)
    # persons enrolled in shuffled order (store rows are not in identity order); the shards copy the
    # stored persons (codes are computed per enrollment batch, so re-encoding could change them by a
    # float16 rounding); then some persons are removed from both (dead rows)
    order = rng.permutation(len(enrolled))
    removed = [enrolled[i][0] for i in rng.choice(len(enrolled), REMOVED, replace=False)]
    g = Gallery.open(root / "single", params=PARAMS)
    g.enroll_many([enrolled[i] for i in order], batch_persons=64)
    s = ShardedGallery.open(root / "sharded", shards=2, params=PARAMS)
    assert s.copy_from(g) == len(enrolled)
    for identity in removed:
        g.remove(identity)
        s.remove(identity)
    yield g, s, enrolled, probes, removed
    g.close()
    s.close()


def keys(lists):
    return [[(c.identity, c.score, c.code_score, c.fingers) for c in x] for x in lists]


def test_every_first_stage_is_the_sign_bit_scan(binary_galleries):
    g, s, *_ = binary_galleries
    assert g._ensure_index().factory == BINARY
    assert all(shard._ensure_index().factory == BINARY for shard in s.shards)


def test_sharded_search_equals_one_gallery_with_sign_bit_first_stages(binary_galleries):
    g, s, enrolled, probes, removed = binary_galleries
    merge.POOL_SHORTFALLS[0] = 0
    rng = np.random.default_rng(8)
    # ten-prints, then partial probes (fewer fingers: larger scan pools), mated and not
    partial = [{f: p[f] for f in rng.choice(sorted(p), int(rng.integers(1, 5)), replace=False)} for p in probes[::8]]
    for batch, k in ((probes[:24], 3), (probes[-24:], 10), (partial, 10)):
        assert keys(s.search_many(batch, k=k)) == keys(g.search_many(batch, k=k))
    # a query's answer does not depend on its batch (scan pools are sized per query)
    mixed = g.search_many(probes[:2] + partial[:3], k=5)
    assert keys(mixed[:2]) == keys(g.search_many(probes[:2], k=5))
    # N:N-style: enrolled persons excluding themselves, including removed identities as probes
    ids = [i for i, _ in enrolled[:40]]
    persons = [p for _, p in enrolled[:40]]
    assert keys(s.search_many(persons, k=6, exclude=ids)) == keys(g.search_many(persons, k=6, exclude=ids))
    live = [i for i in ids if i not in removed]
    found = g.search_rows(g.rows_of(live), k=6)  # stored (float16) query vectors, as an N:N sweep
    stored = [g.get(i).templates for i in live]
    want = merge.shortlist_size(PARAMS, 6, None, stored)
    assert keys(found) == keys(merge.search_shards(s.shards, stored, g.stored_vectors(g.rows_of(live)),
                                                   exclude=live, want=want, k=6, threshold=None,
                                                   binary_candidates=PARAMS.binary_candidates))
    assert not any(c.identity in removed for lst in found for c in lst)
    assert merge.POOL_SHORTFALLS[0] == 0


def test_cluster_search_equals_one_gallery_with_sign_bit_first_stages(binary_galleries, client):
    from biocore.distributed import search_many

    g, s, _, probes, _ = binary_galleries
    g.save_cache()
    s.save_cache()
    batch = probes[::12]
    assert keys(search_many(s, batch, client=client, k=5)) == keys(g.search_many(batch, k=5))


def test_scan_pool_includes_every_tie_and_exact_scores_do_not_depend_on_the_batch():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((300, 10 * 16)).astype(np.float32)
    x[:, 16:] = 0  # one finger: few distinct scan scores, many ties
    index = BinaryIndex(16)
    index.add(x)
    valid = rng.random(300) < 0.9
    (pos, scan), = index.pools(x[:1], 20, valid=valid, exclude=np.array([0]))
    full = index.scores(x[:1])[0]
    ok = valid.copy()
    ok[0] = False
    kth = np.sort(full[ok])[::-1][19]
    np.testing.assert_array_equal(np.sort(pos), np.flatnonzero(ok & (full >= kth)))
    assert pos.size > 20  # ties at the boundary are all in
    np.testing.assert_array_equal(scan, full[pos])
    assert list(zip(-scan, pos)) == sorted(zip(-scan, pos))
    rows = x.astype(np.float16)
    every = exact_scores(rows, x[1], np.arange(300))
    for m in (1, 7, 64, 255):
        pick = rng.choice(300, m, replace=False)
        np.testing.assert_array_equal(exact_scores(rows, x[1], pick), every[pick])


def _shard_rows(s):
    return [int(shard._ensure_index().rows.size) for shard in s.shards]


@pytest.mark.parametrize("threshold", ["whole", "straddle"])
def test_small_shards_scan_by_sign_bits_when_the_whole_gallery_does(binary_galleries, threshold):
    """Shards below ``exact_scan_max_persons`` while the whole gallery is above it (both shards
    exact on their own, or one each side) still answer as one gallery: the first stage follows the
    whole gallery's size."""
    g, s, enrolled, probes, removed = binary_galleries
    rows = _shard_rows(s)
    limit = max(rows) + 1 if threshold == "whole" else min(rows)  # straddle: the smaller shard is exact
    params = SearchParameters(exact_scan_max_persons=limit, binary_candidates=30, shortlist_persons=12,
                              min_shortlist_persons=6)
    with Gallery.open(g.path, readonly=True, params=params) as g2, \
            ShardedGallery.open(s.path, readonly=True, params=params) as s2:
        assert g2.live_persons() == s2.live_persons() == len(enrolled) - len(removed)
        assert g2._ensure_index().factory == BINARY
        own = [shard._ensure_index().factory for shard in s2.shards]
        assert own.count(BINARY) == (0 if threshold == "whole" else 1)
        assert keys(s2.search_many(probes[:30], k=10)) == keys(g2.search_many(probes[:30], k=10))
        ids = [i for i, _ in enrolled[:30]]
        persons = [p for _, p in enrolled[:30]]
        assert keys(s2.search_many(persons, k=6, exclude=ids)) == keys(g2.search_many(persons, k=6, exclude=ids))


def test_first_stage_is_chosen_by_live_persons_not_rows_held(binary_galleries, tmp_path):
    """Removed persons keep their rows until a compaction (over 10 % dead): the first stage is
    chosen by the live persons, which is what the shards of the same persons add up to."""
    _, _, enrolled, probes, _ = binary_galleries
    params = SearchParameters(exact_scan_max_persons=57, binary_candidates=30, shortlist_persons=12,
                              min_shortlist_persons=6)
    with Gallery.open(tmp_path / "one", params=params) as g, \
            ShardedGallery.open(tmp_path / "two", shards=2, params=params) as s:
        g.enroll_many(enrolled[:60])
        s.copy_from(g)
        assert g.live_persons() == s.live_persons() == 60  # the search states hold all 60 rows
        for identity, _ in enrolled[:5]:  # 55 live of 60 rows: under the 10 % that compacts
            g.remove(identity)
            s.remove(identity)
        state = g._ensure_index()
        assert state.rows.size == 60 and g.live_persons() == s.live_persons() == 55
        assert state.factory != BINARY
        assert keys(s.search_many(probes[:20], k=8)) == keys(g.search_many(probes[:20], k=8))
