from __future__ import annotations

import numpy as np
import pytest

from biocore.search.fusion import fuse, shared_positions
from biocore.search.index import BINARY, BinaryIndex, build_index, factory_for, merge_topk, rescore, search_index
from biocore.search.parameters import SearchParameters


def test_flat_index_equals_brute_force(rng):
    x = rng.normal(size=(300, 32)).astype(np.float32)
    q = rng.normal(size=(5, 32)).astype(np.float32)
    scores, pos = search_index(build_index(x, "Flat"), q, 7)
    want = np.argsort(-(q @ x.T), axis=1)[:, :7]
    np.testing.assert_array_equal(pos, want)
    np.testing.assert_allclose(scores, np.take_along_axis(q @ x.T, want, 1), rtol=1e-5)


def test_empty_index_and_short_results():
    index = build_index(np.zeros((0, 8), np.float32), "Flat")
    scores, pos = search_index(index, np.ones((2, 8), np.float32), 3)
    assert (pos == -1).all() and np.isneginf(scores).all()
    index = build_index(np.eye(8, dtype=np.float32)[:2], "Flat")
    _, pos = search_index(index, np.ones((1, 8), np.float32), 4)
    assert pos[0, 2:].tolist() == [-1, -1]


def test_factory_follows_gallery_size():
    p = SearchParameters(exact_scan_max_persons=1000)
    assert factory_for(1000, p) == "SQfp16"
    assert factory_for(1001, p) == BINARY


def test_fp16_scan_of_fp16_vectors_is_exact(rng):
    x = rng.normal(size=(500, 40)).astype(np.float16)
    q = rng.normal(size=(4, 40)).astype(np.float32)
    scores, pos = search_index(build_index(x.astype(np.float32), "SQfp16"), q, 5)
    ref = q @ x.astype(np.float32).T
    np.testing.assert_array_equal(pos, np.argsort(-ref, axis=1)[:, :5])
    np.testing.assert_allclose(scores, np.take_along_axis(ref, pos, 1), rtol=1e-5)


def _naive_binary_scores(x, q, dim):
    """Reference: sum over finger positions held by both of (dim - 2 * Hamming distance of sign bits)."""
    xs, qs = x.reshape(len(x), 10, dim), q.reshape(len(q), 10, dim)
    ham = ((xs[None] > 0) != (qs[:, None] > 0)).sum(axis=3)
    both = (xs != 0).any(axis=2)[None] & (qs != 0).any(axis=2)[:, None]
    return ((dim - 2 * ham) * both).sum(axis=2)


@pytest.mark.parametrize("dim", [144, 64, 7])
@pytest.mark.parametrize("threads", [1, 2])
def test_binary_scan_equals_naive_hamming(rng, dim, threads):
    n = 5000
    x = rng.normal(size=(n, 10 * dim)).astype(np.float32)
    x.reshape(n, 10, dim)[rng.random((n, 10)) < 0.2] = 0  # absent fingers
    q = rng.normal(size=(3, 10 * dim)).astype(np.float32)
    q.reshape(3, 10, dim)[0, 1:] = 0  # a single-finger query
    index = BinaryIndex(dim, threads=threads)
    index.add(x[:3000])
    index.add(x[3000:])
    ref = _naive_binary_scores(x, q, dim)
    np.testing.assert_array_equal(index.scores(q), ref)
    scores, pos = index.search(q, 10)
    np.testing.assert_array_equal(scores, -np.sort(-ref, axis=1)[:, :10])
    np.testing.assert_array_equal(np.take_along_axis(ref, pos, 1), scores)


def test_binary_index_finds_noisy_duplicates_and_rescore_is_exact(rng):
    dim = 144
    x = rng.normal(size=(2000, 10 * dim)).astype(np.float32)
    q = x[:20] + 0.8 * rng.normal(size=(20, 10 * dim)).astype(np.float32)
    index = build_index(x, BINARY)
    _, cand = search_index(index, q, 50)
    assert (cand == np.arange(20)[:, None]).any(axis=1).all()
    scores, pos = rescore(x.astype(np.float16), q, cand, 5)
    exact = q @ x.astype(np.float16).astype(np.float32).T
    np.testing.assert_array_equal(pos[:, 0], np.arange(20))
    np.testing.assert_allclose(scores, np.take_along_axis(exact, pos, 1), rtol=1e-5)
    cand[:, 10:] = -1
    _, pos = rescore(x, q, cand, 50)
    assert (pos[:, 10:] == -1).all()


def test_ivf_index_finds_exact_duplicates(rng):
    x = rng.normal(size=(3000, 16)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    index = build_index(x, "IVF32,SQ8")
    index.nprobe = 4
    _, pos = search_index(index, x[:50], 1)
    assert np.mean(pos[:, 0] == np.arange(50)) > 0.9


def test_merge_of_shards_equals_global_topk(rng):
    x = rng.normal(size=(400, 16)).astype(np.float32)
    q = rng.normal(size=(6, 16)).astype(np.float32)
    ids = rng.permutation(10_000)[:400]  # globally unique ids, e.g. person rows
    shards = [np.arange(0, 150), np.arange(150, 320), np.arange(320, 400)]
    parts = [search_index(build_index(x[s], "Flat"), q, 10) for s in shards]
    s, i = merge_topk([p[0] for p in parts], [ids[s][p[1]] for s, p in zip(shards, parts)], 10)
    full_s, full_p = search_index(build_index(x, "Flat"), q, 10)
    np.testing.assert_array_equal(i, ids[full_p])
    np.testing.assert_allclose(s, full_s, rtol=1e-5)


def test_fuse_sums_best_shared_fingers():
    s = np.array([[0.5, np.nan, 2.0, 1.0] + [np.nan] * 6, [np.nan] * 10])
    np.testing.assert_allclose(fuse(s, top=10), [3.5, 0.0])
    np.testing.assert_allclose(fuse(s, top=2), [3.0, 0.0])
    assert shared_positions(s).tolist() == [3, 0]


def test_fuse_missing_fingers_are_neutral():
    full = np.array([[1.0, 2.0, 3.0] + [np.nan] * 7])
    assert fuse(full)[0] == pytest.approx(6.0)


def test_evidence_follows_the_calibration_table():
    from biocore.search.fusion import evidence_from_scores

    table = {1e-2: 9.0, 1e-3: 13.0, 1e-4: 17.0}
    got = evidence_from_scores(np.array([9.0, 11.0, 17.0, 21.0, 5.0, 0.0, np.nan]), table)
    np.testing.assert_allclose(got[:6], [2.0, 2.5, 4.0, 5.0, 1.0, 0.0])
    assert np.isnan(got[6])
