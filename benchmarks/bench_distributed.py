"""Sharded gallery on a local Dask cluster versus the single-process gallery. Prints figures (medians).

    python benchmarks/bench_distributed.py --persons 10000 --nn 1000
    python benchmarks/bench_distributed.py --persons 100000 --nn 2000 --workers 2 --shards 2
    nice python benchmarks/bench_distributed.py --single /work/scratch/g1m --sharded /work/scratch/g1m-2shards \
        --seed 7 --queries 128 --batch 32 --shortlist 100 --sweep 2000 --rounds 4 --costs 20 --nn 0
        # an existing gallery (bench_search.py --gallery) and its split (made when absent)

Populations come from ``biocore.synth`` (templates only): both galleries hold encounter 0 of persons
0..N-1 (the sharded one split by identity hash); probes are encounter 1 of persons 0..Q-1 (mated).
Search throughput: the same probe batches through ``Gallery.search_many`` (one process, its scan on
all cores) and through ``biocore.distributed.search_many`` on ``--workers`` local worker processes.

N:N sweep (``--sweep S``): an N:N sweep searches every enrolled person against all the others; a
sweep of the whole 1M takes days on 2 cores, so ``S`` persons drawn at random (``--seed``) from the
gallery are swept instead — the same sample by ``biocore.search.dedup.run_job`` (one process,
``--threads`` threads) and by ``biocore.distributed.run_dedup`` on the cluster, in ``--rounds``
alternating rounds (single first, then distributed first, ...) so load from other jobs on the
machine falls on both alike. Each sampled person costs what it costs in the full sweep (a search of
the whole gallery), so the full sweep's time is projected as N / (persons/s); CPU seconds count
this process and the workers (``getrusage``). Candidate lists are compared at threshold 0 (every
top-``k`` candidate with its fused score). ``--nn N`` sweeps a separate small gallery of N persons
in full on both.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

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


def stage_costs(path: Path, probes: list, want: int) -> dict[str, float]:
    """Median CPU ms per ten-print query, on one thread, on the gallery (or shard) at ``path``:
    ``first`` the first stage (scan + exact rescoring of the scan's best, ``want`` persons kept),
    ``scan`` the same with rescoring cut to ``want`` persons (rescoring = first - scan), ``rerank`` the
    re-rank of the ``want`` persons kept, ``rerank1`` of the best one only. Re-ranking m persons costs
    about fixed + m x per person: ``rerank_fixed`` and ``rerank_person`` are solved from the two.
    Timed on a second pass over the probes: the first maps the gallery pages they touch, as a
    long-running worker has them mapped."""
    import dataclasses

    from biocore.distributed.merge import query_vectors
    from biocore.search.rerank import default_matcher

    times: dict[str, list[float]] = {"first": [], "scan": [], "rerank": [], "rerank1": []}
    params = SearchParameters(scan_threads=1)
    matcher = default_matcher(threads=1)
    with Gallery.open(path, readonly=True, params=params, matcher=matcher) as g, \
            Gallery.open(path, readonly=True, params=dataclasses.replace(params, binary_candidates=want),
                         matcher=matcher) as lean:
        vectors = query_vectors(probes, stored=False)
        for i in range(len(probes)):  # warm: map what the queries touch
            g.rerank(vectors[i : i + 1], probes[i : i + 1], g.first_stage(vectors[i : i + 1], want=want))
            lean.first_stage(vectors[i : i + 1], want=want)
        for i in range(len(probes)):
            q = vectors[i : i + 1]
            c0 = time.thread_time()
            found = g.first_stage(q, want=want)
            c1 = time.thread_time()
            lean.first_stage(q, want=want)
            c2 = time.thread_time()
            g.rerank(q, probes[i : i + 1], found)
            c3 = time.thread_time()
            g.rerank(q, probes[i : i + 1], [(r[:1], sc[:1]) for r, sc in found])
            c4 = time.thread_time()
            for key, dt in zip(times, (c1 - c0, c2 - c1, c3 - c2, c4 - c3)):
                times[key].append(dt)
    out = {key: 1e3 * statistics.median(v) for key, v in times.items()}
    out["rerank_person"] = (out["rerank"] - out["rerank1"]) / (want - 1)
    out["rerank_fixed"] = out["rerank1"] - out["rerank_person"]
    return out


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


def cpu_seconds() -> float:
    """User + system CPU seconds of this process so far."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def worker_cpu_seconds(client) -> float:
    """User + system CPU seconds of every Dask worker process so far."""
    return sum(client.run(cpu_seconds).values())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=10_000)
    ap.add_argument("--queries", type=int, default=256)
    ap.add_argument("--batch", type=int, default=64, help="probes per search call / persons per dedup unit")
    ap.add_argument("--nn", type=int, default=1000, help="persons in a separate gallery swept N:N in full (0: skip)")
    ap.add_argument("--sweep", type=int, default=0, metavar="S",
                    help="persons drawn from the search gallery and swept against all of it (0: skip)")
    ap.add_argument("--rounds", type=int, default=2, help="--sweep in this many alternating rounds")
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
              f"shortlist {args.shortlist}, batch {args.batch}, medians of {args.repeats}; "
              f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}", flush=True)
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
            shard_paths = [shard.path for shard in s.shards]
        probes = [p for _, p in persons_from(args.queries, seed=args.seed, encounter=1, limit=args.queries)]
        if args.costs:
            want = params.shortlist_for(10)
            for label, path in [("single", single)] + [(f"shard {t}", q) for t, q in enumerate(shard_paths)]:
                c = stage_costs(path, probes[: args.costs], want)
                print(f"  {label}: one ten-print query, one thread, ms CPU (medians of {args.costs}): first stage "
                      f"{c['first']:.1f} (scan {c['scan']:.1f} + rescoring {c['first'] - c['scan']:.1f}); re-rank of "
                      f"{want} persons {c['rerank']:.1f}, of 1 {c['rerank1']:.1f} -> {c['rerank_fixed']:.1f} per query "
                      f"+ {c['rerank_person']:.2f} per person", flush=True)
        batches = [probes[i : i + args.batch] for i in range(0, len(probes), args.batch)]
        client = connect(cluster=f"local:{args.workers}")
        try:
            with Gallery.open(single, params=params, readonly=True) as g, \
                    ShardedGallery.open(sharded, params=params, readonly=True) as s:
                for b in batches[:1]:  # warm: build indexes, open shards on the workers
                    g.search_many(b, k=10)
                    search_many(s, b, client=client, k=10)
                c0 = cpu_seconds()
                t1, r1 = median_rate(lambda: [g.search_many(b, k=10) for b in batches], len(probes), args.repeats)
                cpu1 = (cpu_seconds() - c0) / (args.repeats * len(probes))
                c0, w0 = cpu_seconds(), worker_cpu_seconds(client)
                t2, r2 = median_rate(lambda: [search_many(s, b, client=client, k=10) for b in batches], len(probes),
                                     args.repeats)
                cpu2 = (cpu_seconds() - c0 + worker_cpu_seconds(client) - w0) / (args.repeats * len(probes))
                th = g.default_threshold
                one = [[(c.identity, c.score) for c in found if c.score >= th]
                       for b in batches for found in g.search_many(b, k=10)]
                two = [[(c.identity, c.score) for c in found if c.score >= th]
                       for b in batches for found in search_many(s, b, client=client, k=10)]
                print(f"1:N search ({len(probes)} mated probes, {n:,} persons): single {r1:8.1f} searches/s ({t1:.2f} s, "
                      f"{1e3 * cpu1:.0f} ms CPU/search) | distributed {r2:8.1f} searches/s ({t2:.2f} s, {1e3 * cpu2:.0f} "
                      f"ms CPU/search); ratio {r2 / r1:.2f}; same candidates at or above the threshold {th:g} (identities, fused "
                      f"scores): {one == two} ({sum(map(len, one))} candidates)", flush=True)
                if args.sweep:
                    sweep_sample(args, g, s, client, root, n)
            if args.nn:
                nn_sweep(args, root, params, client)
        finally:
            close(client)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


def sweep_sample(args: argparse.Namespace, g: Gallery, s: ShardedGallery, client, root: Path, n: int) -> None:
    """--sweep: the same random sample of enrolled persons swept against the whole gallery by one
    process and by the cluster, in alternating rounds; rates, CPU and the projected full sweep."""
    warm = 8
    picked = np.sort(np.random.default_rng(args.seed).choice(n, args.sweep + warm, replace=False))
    ids = [f"P{int(i):07d}" for i in picked]
    missing = [i for i in ids if i not in g]
    if missing:
        raise SystemExit(f"--sweep: the gallery must hold persons P0000000..P{n - 1:07d}; {missing[0]} is absent")
    warm_ids, ids = ids[:warm], [ids[warm + i] for i in np.random.default_rng(args.seed + 1).permutation(args.sweep)]
    k, th = 10, 0.0  # threshold 0: every top-k candidate with its fused score is compared
    job = JobParameters(batch_persons=args.batch, threads=args.threads)

    def single_job(queries: list[str], tag: str):
        return run_job(g, root / f"sweep1-{tag}-{time.time_ns()}", queries=queries, k=k, threshold=th,
                       progress=False, report=False, params=job)

    def dist_job(queries: list[str], tag: str):
        return run_dedup(s, root / f"sweep2-{tag}-{time.time_ns()}", client=client, queries=queries, k=k, threshold=th,
                         batch_persons=args.batch, progress=False, report=False)

    single_job(warm_ids, "warm")
    dist_job(warm_ids, "warm")
    wall = {"single": 0.0, "distributed": 0.0}
    cpu = {"single": 0.0, "distributed": 0.0}
    pairs: dict[str, list] = {"single": [], "distributed": []}
    parts = [list(p) for p in np.array_split(np.array(ids, dtype=object), max(1, args.rounds))]
    for r, part in enumerate(parts):
        for side in (("single", "distributed") if r % 2 == 0 else ("distributed", "single")):
            c0, w0, t0 = cpu_seconds(), worker_cpu_seconds(client), time.perf_counter()
            result = (single_job if side == "single" else dist_job)(part, str(r))
            wall[side] += time.perf_counter() - t0
            cpu[side] += cpu_seconds() - c0 + (worker_cpu_seconds(client) - w0 if side == "distributed" else 0.0)
            pairs[side] += [(p.a, p.b, p.score) for p in result.pairs]
        print(f"  sweep round {r + 1}/{len(parts)}: {len(part)} persons done, load average {os.getloadavg()[0]:.1f}",
              flush=True)
    m = len(ids)
    above = {side: sorted(p for p in pairs[side] if p[2] >= g.default_threshold) for side in pairs}
    lists = {side: {} for side in pairs}
    for side in pairs:
        for a, b, score in pairs[side]:  # a is the query (1:N pairs are not reordered)
            lists[side].setdefault(a, set()).add((b, score))
    same_lists = sum(lists["single"].get(i) == lists["distributed"].get(i) for i in ids)
    print(f"N:N sweep sample: {m:,} persons drawn from {n:,} (seed {args.seed}), each searched against all {n:,}, "
          f"k={k}, batch {args.batch}, {len(parts)} alternating rounds")
    print(f"  pairs at or above the threshold {g.default_threshold:g}: single {len(above['single'])}, distributed "
          f"{len(above['distributed'])}, identical: {above['single'] == above['distributed']}; whole top-{k} lists "
          f"(below the threshold too) identical for {same_lists:,} of {m:,} persons")
    for side in ("single", "distributed"):
        rate = m / wall[side]
        how = f"one process, {args.threads} threads" if side == "single" else \
            f"{args.shards} shards on {args.workers} workers"
        print(f"  {side:11s} ({how}): {wall[side]:7.1f} s wall, {rate:6.2f} persons/s, "
              f"{1e3 * cpu[side] / m:6.1f} ms CPU/person")
    r1, r2 = m / wall["single"], m / wall["distributed"]
    print(f"  distributed / single: {r2 / r1:.2f}x persons/s, {cpu['distributed'] / cpu['single']:.2f}x CPU per person")
    for side in ("single", "distributed"):
        rate = m / wall[side]
        print(f"  projected full {n:,}-person N:N sweep, {side} (from the measured sample, not run): "
              f"{n:,} / {rate:.2f} persons/s = {n / rate:,.0f} s = {n / rate / 3600:.1f} h wall; "
              f"{n:,} x {1e3 * cpu[side] / m:.1f} ms = {n * cpu[side] / m / 3600:.1f} CPU-hours")


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
