"""Sharded gallery on a local Dask cluster versus the single-process gallery. Prints figures (medians).

    python benchmarks/bench_distributed.py --persons 10000 --nn 1000
    python benchmarks/bench_distributed.py --persons 100000 --nn 2000 --workers 2 --shards 2
    python benchmarks/bench_distributed.py --single /work/scratch/g1m --sharded /work/scratch/g1m-2shards \
        --seed 7 --queries 256 --dedup 256 --nn 0        # an existing gallery (bench_search.py --gallery), split

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


def gallery_figures(g: Gallery) -> tuple[int, int, int]:
    """(persons, bytes on disk, first-stage bytes scanned in RAM) of one gallery (or shard)."""
    stats = g.build_index()
    disk = sum(f.stat().st_size for f in g.path.rglob("*") if f.is_file())
    return stats["persons"], disk, stats["index_bytes"] + stats["row_bytes"]


def stage_costs(path: Path, probes: list, want: int) -> tuple[float, float]:
    """Median CPU ms per query, on one thread, of the first stage (scan + rescoring, ``want`` persons
    kept) and of re-ranking those persons with the matcher, on the gallery (or shard) at ``path``."""
    from biocore.distributed.merge import query_vectors
    from biocore.search.rerank import default_matcher

    first, second = [], []
    with Gallery.open(path, readonly=True, params=SearchParameters(scan_threads=1),
                      matcher=default_matcher(threads=1)) as g:
        vectors = query_vectors(probes, stored=False)
        g.first_stage(vectors[:1], want=want)  # warm
        for i in range(len(probes)):
            c0 = time.thread_time()
            found = g.first_stage(vectors[i : i + 1], want=want)
            c1 = time.thread_time()
            g.rerank(vectors[i : i + 1], probes[i : i + 1], found)
            first.append(c1 - c0)
            second.append(time.thread_time() - c1)
    return 1e3 * statistics.median(first), 1e3 * statistics.median(second)


def reuse_or_split(args: argparse.Namespace, root: Path, params: SearchParameters) -> tuple[Path, Path]:
    """The single gallery ``--single`` and its split into ``--shards`` shards (made by copying the
    stored persons, no re-encoding, unless the sharded folder exists already)."""
    single = Path(args.single)
    sharded = Path(args.sharded) if args.sharded else root / "sharded"
    if not (sharded / "manifest.json").exists():
        t0 = time.perf_counter()
        with Gallery.open(single, readonly=True, params=params) as g, \
                ShardedGallery.open(sharded, shards=args.shards, params=params) as s:
            copied = s.copy_from(g)
            t_copy = time.perf_counter() - t0
            t0 = time.perf_counter()
            s.save_cache()
            print(f"split: {copied:,} persons copied into {args.shards} shards in {t_copy:.0f} s "
                  f"({copied / t_copy:,.0f} persons/s); shard caches (index, held minutiae) {time.perf_counter() - t0:.0f} s",
                  flush=True)
    return single, sharded


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=10_000)
    ap.add_argument("--queries", type=int, default=256)
    ap.add_argument("--batch", type=int, default=64, help="probes per search call / persons per dedup unit")
    ap.add_argument("--nn", type=int, default=1000, help="persons in the N:N sweep gallery (0: skip)")
    ap.add_argument("--dedup", type=int, default=0,
                    help="enrolled persons checked against the whole search gallery as a dedup job (0: skip)")
    ap.add_argument("--shards", type=int, default=2)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2, help="threads of the single-process dedup job")
    ap.add_argument("--shortlist", type=int, default=10, help="first-stage persons re-ranked by the matcher")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--keep", metavar="DIR", help="build galleries here and keep them (default: temp, removed)")
    ap.add_argument("--single", metavar="DIR", help="search an existing single gallery (e.g. bench_search.py "
                    "--gallery) of persons P0000000.. of --seed instead of building one")
    ap.add_argument("--sharded", metavar="DIR", help="with --single: the sharded copy (made when absent, kept)")
    ap.add_argument("--split-only", action="store_true", help="with --single: make the sharded copy and stop")
    ap.add_argument("--costs", type=int, default=0, help="probes timed per stage on each gallery/shard (0: skip)")
    args = ap.parse_args()
    params = SearchParameters(shortlist_persons=args.shortlist)
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-dist-"))
    try:
        print(f"# {args.shards} shards on {args.workers} local workers (1 thread each) vs one process; "
              f"shortlist {args.shortlist}, batch {args.batch}, medians of {args.repeats}", flush=True)
        if args.single:
            single, sharded = reuse_or_split(args, root, params)
            if args.split_only:
                return
        else:
            b_single, b_sharded = build(root / "search", args.persons, args.seed, args.shards, params)
            print(f"enroll: single {args.persons / b_single:,.0f} persons/s, sharded {args.persons / b_sharded:,.0f} persons/s")
            single, sharded = root / "search" / "single", root / "search" / "sharded"
        with Gallery.open(single, params=params, readonly=True) as g, \
                ShardedGallery.open(sharded, params=params, readonly=True) as s:
            n, disk, ram = gallery_figures(g)
            print(f"single gallery: {n:,} persons, {disk / 1e9:.2f} GB on disk, first stage {ram / n:,.0f} B/person in RAM")
            for t, shard in enumerate(s.shards):
                n_t, disk_t, ram_t = gallery_figures(shard)
                print(f"  shard {t}: {n_t:,} persons, {disk_t / 1e9:.2f} GB on disk, first stage {ram_t / 1e6:,.0f} MB in RAM")
        probes = [p for _, p in persons_from(args.queries, seed=args.seed, encounter=1, limit=args.queries)]
        if args.costs:
            with ShardedGallery.open(sharded, params=params, readonly=True) as s:
                shard_paths = [g.path for g in s.shards]
            for label, path in [("single", single)] + [(f"shard {t}", q) for t, q in enumerate(shard_paths)]:
                f_ms, r_ms = stage_costs(path, probes[: args.costs], 20)
                print(f"  {label}: one ten-print query, one thread: first stage {f_ms:.1f} ms CPU, re-rank of 20 persons "
                      f"{r_ms:.1f} ms CPU (medians of {args.costs})", flush=True)
        batches = [probes[i : i + args.batch] for i in range(0, len(probes), args.batch)]
        client = connect(cluster=f"local:{args.workers}")
        try:
            with Gallery.open(single, params=params, readonly=True) as g, \
                    ShardedGallery.open(sharded, params=params, readonly=True) as s:
                for b in batches[:1]:  # warm: build indexes, open shards on the workers
                    g.search_many(b, k=10)
                    search_many(s, b, client=client, k=10)
                t1, r1 = median_rate(lambda: [g.search_many(b, k=10) for b in batches], len(probes), args.repeats)
                t2, r2 = median_rate(lambda: [search_many(s, b, client=client, k=10) for b in batches], len(probes),
                                     args.repeats)
                one = [c.identity for b in batches for found in g.search_many(b, k=1) for c in found]
                two = [c.identity for b in batches for found in search_many(s, b, client=client, k=1) for c in found]
                if args.dedup:
                    ids = [f"P{i:07d}" for i in range(args.dedup)]
                    t0 = time.perf_counter()
                    j1 = run_job(g, root / f"dedup1-{time.time_ns()}", queries=ids, k=10, threshold=g.default_threshold,
                                 progress=False, report=False,
                                 params=JobParameters(batch_persons=args.batch, threads=args.threads))
                    d1 = time.perf_counter() - t0
                    t0 = time.perf_counter()
                    j2 = run_dedup(s, root / f"dedup2-{time.time_ns()}", client=client, queries=ids, k=10,
                                   threshold=s.default_threshold, batch_persons=args.batch, progress=False, report=False)
                    d2 = time.perf_counter() - t0
            print(f"1:N search ({len(probes)} mated probes, {n:,} persons): "
                  f"single {r1:8.1f} searches/s ({t1:.2f} s) | distributed {r2:8.1f} searches/s ({t2:.2f} s); "
                  f"same rank-1 identities: {one == two}")
            if args.dedup:
                same = [(p.a, p.b) for p in j1.pairs] == [(p.a, p.b) for p in j2.pairs]
                print(f"dedup of {args.dedup:,} enrolled persons against all {n:,}: single {d1:.1f} s "
                      f"({args.dedup / d1:.1f} persons/s, {args.threads} threads) | distributed {d2:.1f} s "
                      f"({args.dedup / d2:.1f} persons/s); same pairs: {same} ({len(j1.pairs)} pairs)")
            if args.nn:
                nn_sweep(args, root, params, client)
        finally:
            close(client)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


def nn_sweep(args: argparse.Namespace, root: Path, params: SearchParameters, client) -> None:
    build(root / "nn", args.nn, args.seed + 1, args.shards, params)
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


if __name__ == "__main__":
    main()
