"""Sharded gallery and distributed dedup: same answers as one gallery, resume, faults, clear errors."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from biocore.distributed import ClusterError, ShardedGallery, check_workers, connect, run_dedup, search_many, shard_of
from biocore.distributed.manifest import MANIFEST_NAME
from biocore.distributed.merge import shard_params
from biocore.errors import GalleryError
from biocore.search import Gallery
from biocore.search.dedup import clusters, run_job

from dist_population import PARAMS, PERSONS, PLANTED, THRESHOLD


def key(c):
    return (c.identity, c.score, c.method)


def same_lists(a, b):
    """Identities, fused scores and evidence identical; code scores equal up to float rounding of the
    faiss scan (different index sizes take different BLAS paths)."""
    assert [[key(c) for c in x] for x in a] == [[key(c) for c in x] for x in b]
    assert [[c.fingers for c in x] for x in a] == [[c.fingers for c in x] for x in b]
    for x, y in zip(a, b):
        np.testing.assert_allclose([c.code_score for c in x], [c.code_score for c in y], atol=1e-4)


def pair_keys(pairs):
    return [(p.a, p.b, p.score) for p in pairs]


def csv_rows(path):
    with open(path, newline="") as fh:
        return [(r["identity_a"], r["identity_b"], r["score"]) for r in csv.DictReader(fh)]


def test_shard_assignment_is_stable_and_spread():
    ids = [f"ID-{i:06d}" for i in range(2000)]
    owners = [shard_of(i, 4) for i in ids]
    assert owners == [shard_of(i, 4) for i in ids]
    assert all(0 <= o < 4 for o in owners)
    assert min(np.bincount(owners, minlength=4)) > 400
    # a fixed value: the rule must never change, or existing galleries route to the wrong shard
    digest = hashlib.blake2b(b"ID-0001", digest_size=8).digest()
    assert shard_of("ID-0001", 1000) == int.from_bytes(digest, "big") % 1000


def test_routing_and_manifest(galleries, people):
    _, sharded = galleries
    manifest = json.loads((sharded / MANIFEST_NAME).read_text())
    assert manifest["shards"] == 2 and manifest["assignment"] == "blake2b64-mod"
    with ShardedGallery.open(sharded, create=False, params=PARAMS) as s:
        assert s.count() == len(people) and min(s.counts()) > 0
        assert s.params == PARAMS and all(g.params == shard_params(PARAMS, 2) for g in s.shards)
        for identity, _ in people[:10]:
            assert identity in s.shards[s.shard_of(identity)]
            assert identity not in s.shards[1 - s.shard_of(identity)]
        assert set(s.identities()) == {i for i, _ in people}
    with pytest.raises(GalleryError, match="2 shards, not 3"):
        ShardedGallery.open(sharded, shards=3)
    with pytest.raises(GalleryError, match="does not exist"):
        ShardedGallery.open(sharded.parent / "absent", create=False)


def test_single_gallery_split_into_shards_by_copy(galleries, people, tmp_path):
    single, sharded = galleries
    with Gallery.open(single, params=PARAMS, readonly=True) as g, \
            ShardedGallery.open(tmp_path / "split", shards=2, params=PARAMS) as split, \
            ShardedGallery.open(sharded, params=PARAMS, readonly=True) as enrolled:
        assert split.copy_from(g) == len(people)
        assert split.counts() == enrolled.counts()
        for t in range(2):
            assert split.shards[t].identities() == enrolled.shards[t].identities()
        identity = people[5][0]
        assert split.get(identity) == enrolled.get(identity)
        probes = [p for _, p in people[:6]]
        same_lists(split.search_many(probes, k=4), enrolled.search_many(probes, k=4))
        with pytest.raises(GalleryError, match="already enrolled"):
            split.shards[0].copy_from(g)


def test_embedded_search_equals_single_gallery(galleries, people):
    single, sharded = galleries
    probes = [p for _, p in people[:12]]
    with Gallery.open(single, params=PARAMS) as g, ShardedGallery.open(sharded, params=PARAMS) as s:
        same_lists(g.search_many(probes, k=5), s.search_many(probes, k=5))
        same_lists(g.search_many(probes, k=3, threshold=THRESHOLD), s.search_many(probes, k=3, threshold=THRESHOLD))


def test_cluster_search_and_dedup_equal_single_gallery(galleries, people, reference, client, tmp_path):
    single, sharded = galleries
    probes = [p for _, p in people[:12]]
    with Gallery.open(single, params=PARAMS) as g, ShardedGallery.open(sharded, params=PARAMS) as s:
        same_lists(g.search_many(probes, k=5), search_many(s, probes, client=client, k=5))
        # threshold 0 keeps every top-k candidate, so the whole N:N candidate list is compared
        one = run_job(g, tmp_path / "one", k=4, threshold=0.0, progress=False, report=False)
        dist = run_dedup(s, tmp_path / "dist", client=client, k=4, threshold=0.0, batch_persons=16, progress=False)
    assert len(one.pairs) > PERSONS
    assert pair_keys(dist.pairs) == pair_keys(one.pairs)
    assert dist.clusters == one.clusters
    assert pair_keys(dist.pairs) == pair_keys(reference.pairs)
    assert csv_rows(tmp_path / "dist" / "candidates.csv") == csv_rows(tmp_path / "one" / "candidates.csv")
    assert (tmp_path / "dist" / "report.html").exists()


def _opened_shard_setup(path):
    from biocore.distributed import cache

    g = cache.open_shard(path, PARAMS, True)
    return g.params.scan_threads, getattr(g._matcher, "threads", None), cache._MALLOC_SET, cache.in_dask_worker()


def test_workers_search_shards_one_thread_per_task_with_tuned_malloc(galleries, client):
    from biocore.distributed.parameters import WORKER

    shard = str(galleries[1] / "shard-0000")
    on_worker = client.submit(_opened_shard_setup, shard, pure=False).result()
    assert on_worker == (WORKER.task_threads, WORKER.task_threads, True, True)
    # outside a worker (the embedded path) a shard opens with the parameters given, malloc untouched
    assert _opened_shard_setup(shard)[0] == PARAMS.scan_threads
    assert _opened_shard_setup(shard)[3] is False


def test_dedup_resumes_without_rerunning_finished_units(galleries, reference, tmp_path):
    _, sharded = galleries
    seen = []

    def stop_after_three(name):
        seen.append(name)
        if len(seen) == 3:
            raise KeyboardInterrupt

    with ShardedGallery.open(sharded, params=PARAMS) as s:
        with pytest.raises(KeyboardInterrupt):
            run_dedup(s, tmp_path / "job", k=4, threshold=0.0, batch_persons=16, progress=False,
                      report=False, on_unit=stop_after_three)
        done = sorted(p.name for p in (tmp_path / "job" / "units").glob("*.json"))
        assert done == sorted(seen)
        result = run_dedup(s, tmp_path / "job", k=4, threshold=0.0, batch_persons=16, progress=False, report=False)
        with pytest.raises(GalleryError, match="other settings"):
            run_dedup(s, tmp_path / "job", k=5, threshold=0.0, progress=False)
    assert result.units_resumed == 3 and result.units_run == reference.units_run - 3
    assert pair_keys(result.pairs) == pair_keys(reference.pairs)
    strong = [sorted(c) for c in clusters(result.pairs, THRESHOLD)]
    assert strong == [[f"D{i:04d}", f"P{i:04d}"] for i in range(PLANTED)]


def test_worker_killed_mid_job_loses_and_duplicates_nothing(galleries, reference, client, tmp_path):
    _, sharded = galleries
    pids = client.run(os.getpid)
    killed = []

    def kill_one(name):
        if not killed:
            pid = sorted(pids.values())[0]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    with ShardedGallery.open(sharded, params=PARAMS) as s:
        got = run_dedup(s, tmp_path / "job", client=client, k=4, threshold=0.0, batch_persons=8, progress=False,
                        report=False, on_unit=kill_one)
    assert killed
    rows = csv_rows(tmp_path / "job" / "candidates.csv")
    assert len(rows) == len(set(rows))
    assert rows == csv_rows(reference.job_dir / "candidates.csv")
    assert pair_keys(got.pairs) == pair_keys(reference.pairs)
    client.wait_for_workers(2, timeout=30)


def test_version_mismatch_is_a_clear_error(client):
    assert check_workers(client) == len(client.scheduler_info()["workers"])
    with pytest.raises(ClusterError, match="another biocore.*0.0.0-other"):
        check_workers(client, expected={"biocore": "0.0.0-other", "format": 1})


def test_unreachable_scheduler_fails_within_seconds():
    pytest.importorskip("distributed")
    import socket

    with socket.socket() as sock:  # a free local port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    t0 = time.monotonic()
    with pytest.raises(ClusterError, match="unreachable"):
        connect(scheduler=f"tcp://127.0.0.1:{port}", timeout_s=2.0)
    assert time.monotonic() - t0 < 30  # generous bound: the check is that it ends, not how fast


def test_embedded_path_imports_no_dask(galleries, tmp_path):
    code = (
        "import sys, builtins\n"
        "real = builtins.__import__\n"
        "def guard(name, *a, **k):\n"
        "    if name.split('.')[0] in ('dask', 'distributed'): raise ImportError('no dask here')\n"
        "    return real(name, *a, **k)\n"
        "builtins.__import__ = guard\n"
        "from biocore.distributed import ShardedGallery, run_dedup, connect\n"
        "from biocore.errors import MissingDependency\n"
        "from biocore.search.parameters import SearchParameters\n"
        f"s = ShardedGallery.open({str(galleries[1])!r}, params=SearchParameters(shortlist_persons=8))\n"
        f"r = run_dedup(s, {str(tmp_path / 'job')!r}, k=3, threshold=40.0, progress=False, report=False)\n"
        "assert len(r.clusters) == 6, r.clusters\n"
        "try:\n    connect(cluster='local:1')\nexcept MissingDependency as e:\n    assert 'biocore[distributed]' in str(e); print('ok')\n"
        "assert not any(m.split('.')[0] in ('dask', 'distributed') for m in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
