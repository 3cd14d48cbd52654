"""Sharded gallery on a local Dask cluster versus the single-process gallery. Prints figures (medians).

    python benchmarks/bench_distributed.py --persons 10000 --nn 1000
    python benchmarks/bench_distributed.py --persons 100000 --nn 2000 --workers 2 --shards 2

Populations come from ``biocore.synth`` (templates only): both galleries hold encounter 0 of persons
0..N-1 (the sharded one split by identity hash); probes are encounter 1 of persons 0..Q-1 (mated).
Search throughput: the same probe batches through ``Gallery.search_many`` (one process, its faiss scan
on all cores) and through ``biocore.distributed.search_many`` on ``--workers`` local worker
processes. N:N sweep: a separate gallery of ``--nn`` persons swept by ``biocore.search.dedup.run_job``
(``--threads`` threads) and by ``biocore.distributed.run_dedup`` on the cluster.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from biocore.distributed import ShardedGallery, close, connect, run_dedup, search_many
from biocore.search import Gallery
from biocore.search.dedup import run_job
from biocore.search.parameters import JobParameters, SearchParameters
from biocore.synth.templates_only import iter_batches


def persons_from(persons: int, *, seed: int, encounter: int, limit: int | None = None):
    for b in iter_batches(persons, seed=seed, encounters=(encounter,), workers=2):
        for p0 in range(0, len(b), 10):
            pid = int(b.person[p0])
            if limit is not None and pid >= limit:
                return
            yield f"P{pid:07d}", {int(b.finger[p0 + f]): b.template(p0 + f) for f in range(10)}


def build(root: Path, n: int, seed: int, shards: int, params: SearchParameters) -> tuple[float, float]:
    t0 = time.perf_counter()
    with Gallery.open(root / "single", params=params) as g:
        g.enroll_many(persons_from(n, seed=seed, encounter=0), batch_persons=2000)
        g.save_cache()
    single_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    with ShardedGallery.open(root / "sharded", shards=shards, params=params) as s:
        s.enroll_many(persons_from(n, seed=seed, encounter=0), batch_persons=2000)
        s.save_cache()
    return single_s, time.perf_counter() - t0


def median_rate(fn, items: int, repeats: int) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    return med, items / med


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=10_000)
    ap.add_argument("--queries", type=int, default=256)
    ap.add_argument("--batch", type=int, default=64, help="probes per search call / persons per dedup unit")
    ap.add_argument("--nn", type=int, default=1000, help="persons in the N:N sweep gallery")
    ap.add_argument("--shards", type=int, default=2)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2, help="threads of the single-process dedup job")
    ap.add_argument("--shortlist", type=int, default=10, help="first-stage persons re-ranked by the matcher")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--keep", metavar="DIR", help="build galleries here and keep them (default: temp, removed)")
    args = ap.parse_args()
    params = SearchParameters(shortlist_persons=args.shortlist)
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-dist-"))
    try:
        print(f"# {args.persons} persons, {args.shards} shards on {args.workers} local workers (1 thread each) "
              f"vs one process; shortlist {args.shortlist}, batch {args.batch}, medians of {args.repeats}")
        b_single, b_sharded = build(root / "search", args.persons, args.seed, args.shards, params)
        print(f"enroll: single {args.persons / b_single:,.0f} persons/s, sharded {args.persons / b_sharded:,.0f} persons/s")
        probes = [p for _, p in persons_from(args.queries, seed=args.seed, encounter=1, limit=args.queries)]
        batches = [probes[i : i + args.batch] for i in range(0, len(probes), args.batch)]
        client = connect(cluster=f"local:{args.workers}")
        try:
            with Gallery.open(root / "search" / "single", params=params, readonly=True) as g, \
                    ShardedGallery.open(root / "search" / "sharded", params=params, readonly=True) as s:
                for b in batches[:1]:  # warm: build indexes, open shards on the workers
                    g.search_many(b, k=10)
                    search_many(s, b, client=client, k=10)
                t1, r1 = median_rate(lambda: [g.search_many(b, k=10) for b in batches], len(probes), args.repeats)
                t2, r2 = median_rate(lambda: [search_many(s, b, client=client, k=10) for b in batches], len(probes),
                                     args.repeats)
            print(f"1:N search ({len(probes)} mated probes): single {r1:8.1f} searches/s ({t1:.2f} s) | "
                  f"distributed {r2:8.1f} searches/s ({t2:.2f} s)")

            b_single, b_sharded = build(root / "nn", args.nn, args.seed + 1, args.shards, params)
            with Gallery.open(root / "nn" / "single", params=params) as g, \
                    ShardedGallery.open(root / "nn" / "sharded", params=params) as s:
                th = 0.0
                t1s, t2s = [], []
                for r in range(args.repeats):
                    t0 = time.perf_counter()
                    one = run_job(g, root / "nn" / f"job1-{r}", k=10, threshold=th, progress=False, report=False,
                                  params=JobParameters(batch_persons=args.batch, threads=args.threads))
                    t1s.append(time.perf_counter() - t0)
                    t0 = time.perf_counter()
                    dist = run_dedup(s, root / "nn" / f"job2-{r}", client=client, k=10, threshold=th,
                                     batch_persons=args.batch, progress=False, report=False)
                    t2s.append(time.perf_counter() - t0)
                same = [(p.a, p.b, p.score) for p in one.pairs] == [(p.a, p.b, p.score) for p in dist.pairs]
            t1, t2 = statistics.median(t1s), statistics.median(t2s)
            print(f"N:N sweep of {args.nn} persons: single {t1:.1f} s ({args.nn / t1:.0f} persons/s, {args.threads} threads)"
                  f" | distributed {t2:.1f} s ({args.nn / t2:.0f} persons/s); same pairs: {same} ({len(one.pairs)} pairs)")
        finally:
            close(client)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
