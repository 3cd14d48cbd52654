"""Gallery, 1:N search and N:N dedup at scale on synthetic ten-print populations. Prints figures (medians).

    python benchmarks/bench_search.py --persons 10000            # build, search, accuracy
    python benchmarks/bench_search.py --persons 100000 --nn 10000 # plus an N:N sweep of 10k persons
    python benchmarks/bench_search.py --fvc                        # first-stage code accuracy on FVC (NBIS minutiae)
    python benchmarks/bench_search.py --persons 10000 --compare-packing   # plus re-rank from held minutiae vs packing per search

The 1M acceptance run (the gallery is kept, a killed build resumes; then further figures on it):

    python benchmarks/bench_search.py --persons 1000000 --gallery /work/scratch/g1m --probes 500 --nonmated 1000 --latency 100
    python benchmarks/bench_search.py --persons 1000000 --gallery /work/scratch/g1m --stage none --fvc-mates --scan-cost 50
    python benchmarks/bench_search.py --persons 0 --nn 100000 --nn-from /work/scratch/g1m --planted 50 --nn-sample 1000
    python benchmarks/bench_search.py --persons 0 --recall-check 300 --recall-gallery DIR   # a gallery of >50k persons

Populations come from ``biocore.synth`` (templates only): the gallery holds encounter 0 of persons
0..N-1; mated probes are encounter 1 of enrolled persons, non-mated probes encounter 1 of persons
N.. (never enrolled). The N:N sweep runs on a gallery of ``--nn`` persons in which ``--planted``
persons are enrolled a second time (encounter 1) under a new identity.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from biocore.search import Gallery
from biocore.search.dedup import run_job
from biocore.search.parameters import JobParameters
from biocore.synth.templates_only import iter_batches


def persons_from(persons: int, *, seed: int, encounter: int, first: int = 0, prefix: str = "P", workers: int = 2):
    """(identity, {finger: Template}) for persons first..persons-1 of the population (generation starts
    at the synthesis block holding ``first``, so far ranges cost no more than near ones)."""
    from biocore.synth.templates_only import DEFAULT_TEMPLATE_MODEL, _head, impression_batch, master_batch

    bp = DEFAULT_TEMPLATE_MODEL.block_persons
    if first == 0:
        batches = iter_batches(persons, seed=seed, encounters=(encounter,), workers=workers)
    else:
        def gen():
            for block in range(first // bp, (persons + bp - 1) // bp):
                b = impression_batch(master_batch(seed, block), seed, block, encounter)
                yield _head(b, min(bp, persons - block * bp) * 10)
        batches = gen()
    for b in batches:
        for p0 in range(0, len(b), 10):
            pid = int(b.person[p0])
            if pid < first:
                continue
            yield f"{prefix}{pid:07d}", {int(b.finger[p0 + f]): b.template(p0 + f) for f in range(10)}


def disk_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def enroll_gallery(args: argparse.Namespace, path: Path) -> dict:
    """Enroll persons 0..N-1 (encounter 0) into the gallery at ``path``, resuming a killed build
    (batches are all-or-nothing and persons go in order, so the count says where to go on).
    Timings accumulate in ``<path>.bench.json`` so a resumed build reports its whole cost."""
    log_file = path.with_name(path.name + ".bench.json")
    log = json.loads(log_file.read_text()) if log_file.exists() else {"enroll_s": 0.0}
    n = args.persons
    g = Gallery.open(path)
    have = len(g)
    if have < n:
        print(f"enrolling persons {have:,} .. {n - 1:,} into {path}", flush=True)
        t0 = time.perf_counter()
        people = persons_from(n, seed=args.seed, encounter=0, first=have)
        done = have
        step = max(10_000, n // 20)
        for start in range(have, n, step):
            done += g.enroll_many(itertools.islice(people, step), batch_persons=2000)
            elapsed = log["enroll_s"] + time.perf_counter() - t0
            print(f"  {done:,} persons enrolled, {elapsed:,.0f} s", flush=True)
            log_file.write_text(json.dumps({**log, "enroll_s": elapsed, "persons": done}))
        log["enroll_s"] += time.perf_counter() - t0
        log["persons"] = done
        log_file.write_text(json.dumps(log))
    g.close(save_cache=False)  # the caller times the index and cache
    return log


def fnir_lines(top_mated: list[float], top_non: list[float]) -> list[str]:
    """FNIR at FPIR 1% and 0.1%: thresholds from the non-mated searches' best scores."""
    top_non = np.sort(np.asarray(top_non))
    out = []
    for fpir in (0.01, 0.001):
        if len(top_non) * fpir < 1:
            t = top_non[-1] + 1e-9
            note = f" (threshold above all {len(top_non)} non-mated: FPIR < {1 / len(top_non):.3g})"
        else:
            t = float(np.quantile(top_non, 1 - fpir))
            note = ""
        fnir = float(np.mean(np.asarray(top_mated) < t))
        out.append(f"FNIR at FPIR {fpir:<6g} {fnir:.4f}  (threshold {t:.2f}){note}")
    return out


def bench_gallery(args: argparse.Namespace, path: Path) -> None:
    from biocore.search.parameters import SearchParameters
    from biocore.search.rerank import default_matcher

    n = args.persons
    log_file = path.with_name(path.name + ".bench.json")
    log = json.loads(log_file.read_text())
    g = Gallery.open(path)
    # the probes are regenerated now: the population must still be the one enrolled
    for identity, person in itertools.chain(persons_from(3, seed=args.seed, encounter=0),
                                            persons_from(n, seed=args.seed, encounter=0, first=n - 3)):
        stored = g.get(identity).templates
        if any(not np.array_equal(stored[f].x, person[f].x) or not np.array_equal(stored[f].angle, person[f].angle)
               for f in person):
            sys.exit(f"{identity}: the synthetic population differs from the enrolled one (biocore.synth changed)")
    fresh = g.generation != json.loads((path / "cache" / "state.json").read_text()).get("generation") \
        if (path / "cache" / "state.json").exists() else True
    if fresh:
        t0 = time.perf_counter()
        g.build_index()
        log["index_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        g.save_cache()
        log["cache_s"] = time.perf_counter() - t0
        log_file.write_text(json.dumps(log))
    g.close(save_cache=False)
    disk = disk_bytes(path)
    print(f"gallery: {n:,} persons x 10 fingers (biocore.synth templates, seed {args.seed}), matcher "
          f"{'yes' if g.has_matcher else 'no'}", flush=True)
    print(f"  enroll (synthesis + codes + SQLite, durable) {log['enroll_s']:8.0f} s  ({n / log['enroll_s']:,.0f} persons/s)")
    print(f"  first-stage index build (from the store)     {log['index_s']:8.0f} s")
    print(f"  cache write (vectors, bits, held minutiae)   {log['cache_s']:8.0f} s")
    print(f"  disk                                         {disk / 1e9:8.2f} GB ({disk / n:,.0f} B/person)")

    import faiss

    faiss.omp_set_num_threads(1)
    one = SearchParameters(scan_threads=1)
    t0 = time.perf_counter()
    g1 = Gallery.open(path, readonly=True, params=one, matcher=default_matcher(threads=1))
    stats = g1.build_index()
    g1.search({2: next(persons_from(1, seed=args.seed, encounter=1))[1][2]}, k=1)
    print(f"  reopen + first search                        {time.perf_counter() - t0:8.2f} s")
    ram = stats["index_bytes"] + stats["row_bytes"]
    print(f"  first stage: {stats['factory']}, scanned in RAM {ram / n:,.0f} B/person; plus float16 vectors "
          f"memory-mapped for rescoring {stats['vector_bytes'] / n:,.0f} B/person (total {(ram + stats['vector_bytes']) / n:,.0f})",
          flush=True)

    m, nm = args.probes, args.nonmated
    mated = list(persons_from(m, seed=args.seed, encounter=1))
    nonmated = list(persons_from(n + nm, seed=args.seed, encounter=1, first=n))
    modes = (("ten-print", list(range(1, 11))), ("single finger (right index)", [2]))
    for label, fingers in modes:
        times, cpu = [], []
        for identity, person in mated[: args.latency]:
            t0, c0 = time.perf_counter(), time.thread_time()
            g1.search({f: person[f] for f in fingers}, k=20)
            times.append(time.perf_counter() - t0)
            cpu.append(time.thread_time() - c0)
        print(f"  {label}: median search, one thread (scan + re-rank), {len(times)} probes: "
              f"{1e3 * statistics.median(times):8.1f} ms wall, {1e3 * statistics.median(cpu):8.1f} ms CPU "
              f"(load average {os.getloadavg()[0]:.1f})", flush=True)
    g1.close()
    faiss.omp_set_num_threads(2)
    g2 = Gallery.open(path, readonly=True)
    for label, fingers in modes:
        probes = [{f: p[f] for f in fingers} for _, p in mated + nonmated]
        t0, c0 = time.perf_counter(), time.process_time()
        found = []
        for start in range(0, len(probes), args.batch):
            found += g2.search_many(probes[start : start + args.batch], k=20)
        wall, cpu_s = time.perf_counter() - t0, time.process_time() - c0
        ranks, top_mated = [], []
        for (identity, _), cands in zip(mated, found[:m]):
            ids = [c.identity for c in cands]
            ranks.append(ids.index(identity) + 1 if identity in ids else 10**9)
            top_mated.append(next((c.score for c in cands if c.identity == identity), -np.inf))
        top_non = [c[0].score if c else -np.inf for c in found[m:]]
        ranks = np.array(ranks)
        print(f"  {label}: {m} mated + {nm} non-mated searches, both cores, batches of {args.batch}: "
              f"{len(probes) / wall:,.1f} searches/s ({cpu_s / len(probes) * 1e3:.0f} ms CPU a search: "
              f"{2 * len(probes) / cpu_s:,.1f}/s on two uncontended cores; load average {os.getloadavg()[0]:.1f})")
        print(f"    CMC rank 1 / rank 20   {np.mean(ranks == 1):.4f} / {np.mean(ranks <= 20):.4f}")
        for line in fnir_lines(top_mated, top_non):
            print(f"    {line}")
        sys.stdout.flush()
    if args.compare_packing and g2.has_matcher:
        compare_packing(g2, mated[:200])
    g2.close()


def bench_fvc_mates(args: argparse.Namespace, path: Path) -> None:
    """Real mates in the synthetic background: FVC 2000/2002 DB1-3 B fingers (biocore.extract), half of
    them enrolled (impression 1, as right index fingers) in a small gallery searched together with the
    synthetic one (the two galleries merged exactly as shards, biocore.distributed.merge); probes are
    impressions 2-8 of the enrolled fingers (mated) and all impressions of the others (non-mated)."""
    import biocore
    from biocore.distributed.merge import query_vectors, search_shards

    root = Path(os.environ.get("BIOCORE_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared/data")) / "fingerprints"
    enrolled, mated, nonmated = [], [], []
    for db in ["fvc2000_db1_b", "fvc2000_db2_b", "fvc2000_db3_b", "fvc2002_db1_b", "fvc2002_db2_b", "fvc2002_db3_b"]:
        dpi = 569 if db == "fvc2002_db2_b" else 500
        for f in sorted((root / db).glob("*.tif")):
            finger, impression = (int(x) for x in f.stem.split("_"))
            identity = f"FVC-{db}-{finger}"
            t = biocore.extract(str(f), dpi=dpi, finger=2)
            if finger % 2 == 1:
                nonmated.append((identity, t))
            elif impression == 1:
                enrolled.append((identity, {2: t}))
            else:
                mated.append((identity, t))
    real = Gallery.open(Path(tempfile.mkdtemp(prefix="bench-fvc-")) / "g")
    real.enroll_many(enrolled)
    g = Gallery.open(path, readonly=True)
    probes = [{2: t} for _, t in mated + nonmated]
    vectors = query_vectors(probes, stored=False)
    p = g.params
    want = max(20, min(p.shortlist_persons, max(p.min_shortlist_persons, p.shortlist_comparisons)))
    t0 = time.perf_counter()
    found = []
    for start in range(0, len(probes), args.batch):
        found += search_shards([g, real], probes[start : start + args.batch], vectors[start : start + args.batch],
                               exclude=None, want=want, k=20, threshold=None)
    wall = time.perf_counter() - t0
    ranks, top_mated = [], []
    for (identity, _), cands in zip(mated, found):
        ids = [c.identity for c in cands]
        ranks.append(ids.index(identity) + 1 if identity in ids else 10**9)
        top_mated.append(next((c.score for c in cands if c.identity == identity), -np.inf))
    top_non = [c[0].score if c else -np.inf for c in found[len(mated):]]
    ranks = np.array(ranks)
    print(f"real FVC mates in the {len(g):,}-person synthetic background: {len(enrolled)} real fingers enrolled, "
          f"{len(mated)} mated + {len(nonmated)} non-mated single-finger searches ({len(probes) / wall:.1f}/s)")
    print(f"    CMC rank 1 / rank 20   {np.mean(ranks == 1):.4f} / {np.mean(ranks <= 20):.4f}")
    for line in fnir_lines(top_mated, top_non):
        print(f"    {line}")
    g.close()
    real.close()


def bench_scan_cost(args: argparse.Namespace, path: Path) -> None:
    """CPU per query of the sign-bit scan alone (one thread, the cached bits of the gallery at ``path``),
    of its exact rescoring, and their scaling with the persons scanned (for sizing)."""
    from biocore.distributed.merge import query_vectors
    from biocore.search.index import BinaryIndex, rescore

    bits = np.load(path / "cache" / "binary.npy", mmap_mode="r")
    vectors = np.load(path / "cache" / "vectors.npy", mmap_mode="r")
    probes = [p for _, p in persons_from(args.scan_cost, seed=args.seed, encounter=1)]
    q = query_vectors(probes, stored=False)
    for n in (bits.shape[0] // 4, bits.shape[0] // 2, bits.shape[0]):
        index = BinaryIndex(vectors.shape[1] // 10, threads=1, bits=np.ascontiguousarray(bits[:n]))
        index.search(q[:1], 2000)
        scan, resc = [], []
        for i in range(len(probes)):
            c0 = time.thread_time()
            _, cand = index.search(q[i : i + 1], 2000)
            c1 = time.thread_time()
            rescore(vectors, q[i : i + 1], cand, 20)
            scan.append(c1 - c0)
            resc.append(time.thread_time() - c1)
        print(f"  sign-bit scan of {n:,} persons, one ten-print query, one thread: {1e3 * statistics.median(scan):.1f} ms CPU "
              f"({1e9 * statistics.median(scan) / n:.1f} ns/person); exact rescoring of 2,000: "
              f"{1e3 * statistics.median(resc):.1f} ms CPU (medians of {len(probes)})", flush=True)


def bench_first_stage_recall(args: argparse.Namespace, path: Path) -> None:
    """How often each first stage keeps the mate (encounter 1 of persons 0..Q-1) among the persons a
    search re-ranks (20 for a ten-print, 100 for one finger), on the cached vectors of the gallery at
    ``path``: exact scan, sign-bit scan + exact rescoring (as searched), and an IVF index (faiss
    ``IVF{4 sqrt(n)},SQ8`` probing 5% and 20% of its lists; not used by biocore)."""
    import faiss

    from biocore.distributed.merge import query_vectors
    from biocore.search.index import BinaryIndex, build_index, rescore

    g = Gallery.open(path, readonly=True)
    vectors = np.asarray(np.load(path / "cache" / "vectors.npy", mmap_mode="r"))
    rows = np.load(path / "cache" / "rows.npy")
    mated = list(persons_from(args.recall_check, seed=args.seed, encounter=1))
    truth = np.searchsorted(rows, g.rows_of([i for i, _ in mated]))
    n = vectors.shape[0]
    lists = int(4 * np.sqrt(n))
    t0 = time.perf_counter()
    ivf = build_index(vectors, f"IVF{lists},SQ8")
    print(f"first-stage recall of the mate, {n:,} persons, {len(mated)} mated probes "
          f"(IVF{lists},SQ8 trained and filled in {time.perf_counter() - t0:.0f} s):")
    bits = BinaryIndex(vectors.shape[1] // 10, threads=0, bits=np.asarray(np.load(path / "cache" / "binary.npy")))
    for label, fingers, want in (("ten-print", list(range(1, 11)), 20), ("single finger", [2], 100)):
        q = query_vectors([{f: p[f] for f in fingers} for _, p in mated], stored=False)
        found = {}
        exact = np.argsort(-(q @ vectors.T.astype(np.float32)), axis=1)[:, :want]
        found["exact scan"] = exact
        _, cand = bits.search(q, g.params.binary_candidates * 10 // len(fingers))
        found["sign bits + rescoring"] = rescore(vectors, q, cand, want)[1]
        for frac in (0.05, 0.2):
            faiss.extract_index_ivf(ivf).nprobe = max(1, int(lists * frac))
            found[f"IVF probing {frac:.0%}"] = ivf.search(q, want)[1]
        print(f"  {label} (mate among the {want} kept): " + ", ".join(
            f"{k} {np.mean((v == truth[:, None]).any(axis=1)):.3f}" for k, v in found.items()), flush=True)
    g.close()


def compare_packing(g: Gallery, mated: list) -> None:
    """Second stage from the gallery's held minutiae against reading + packing the shortlisted templates per
    search (the same matcher behind a plain callable), searches interleaved so both see the same load."""
    from biocore.search.rerank import default_matcher

    biocore_matcher = default_matcher()

    def packing_path(probe, candidates):
        return biocore_matcher(probe, candidates)

    old = Gallery.open(g.path, readonly=True, matcher=packing_path)
    print("  second stage: held minutiae vs packing templates per search (interleaved, same probes)")
    for label, fingers in (("ten-print", list(range(1, 11))), ("single finger (right index)", [2])):
        held, packing = [], []
        for _, person in mated:
            probe = {f: person[f] for f in fingers}
            t0 = time.perf_counter()
            a = g.search(probe, k=20)
            held.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            b = old.search(probe, k=20)
            packing.append(time.perf_counter() - t0)
            assert a == b, "held-minutiae and packing results differ"
        print(f"    {label}: median search {1e3 * statistics.median(packing):6.1f} ms packing -> "
              f"{1e3 * statistics.median(held):6.1f} ms held (identical results, {len(mated)} probes)")
    old.close()


def bench_nn(args: argparse.Namespace) -> None:
    """N:N sweep of ``--nn`` persons plus ``--planted`` second enrollments under new identities.

    With ``--nn-from DIR`` the persons are copied from a gallery built by ``--gallery`` (same
    ``--seed``, no re-encoding) instead of enrolled. With ``--nn-sample M`` only the planted
    duplicates and M - planted other persons (a seeded random sample) are searched against the whole
    gallery, and the full sweep's wall time is extrapolated from theirs (an estimate, labelled so).
    """
    root = Path(tempfile.mkdtemp(prefix="bench-nn-", dir=args.scratch))
    n, planted = args.nn, args.planted
    seed = args.seed if args.nn_from else args.seed + 1
    g = Gallery.open(root / "g")
    t0 = time.perf_counter()
    if args.nn_from:
        with Gallery.open(args.nn_from, readonly=True) as source:
            g.copy_from(source, where=lambda identity: identity.startswith("P") and int(identity[1:]) < n)
    else:
        g.enroll_many(persons_from(n, seed=seed, encounter=0), batch_persons=2000)
    dups = [(f"DUP{identity[1:]}", person) for identity, person in persons_from(planted, seed=seed, encounter=1)]
    g.enroll_many(dups)
    g.save_cache()
    print(f"N:N gallery: {len(g):,} persons ({planted} planted duplicates) ready in {time.perf_counter() - t0:.0f} s",
          flush=True)
    truth = {tuple(sorted((d, "P" + d[3:]))) for d, _ in dups}
    queries = None
    if args.nn_sample:
        others = [f"P{i:07d}" for i in np.sort(np.random.default_rng(args.seed).choice(n, args.nn_sample - planted,
                                                                                   replace=False))]
        queries = [d for d, _ in dups] + others
    t0 = time.perf_counter()
    result = run_job(g, root / "job", queries=queries, threshold=g.default_threshold,
                     params=JobParameters(batch_persons=64, threads=2), progress=False, report=True)
    wall = time.perf_counter() - t0
    found = {(p.a, p.b) for p in result.pairs}
    swept = len(g) if queries is None else len(queries)
    print(f"N:N {'sweep' if queries is None else 'sample'} of {swept:,} persons against all {len(g):,}, threshold "
          f"{g.default_threshold:g}, 2 threads (load average {os.getloadavg()[0]:.1f}):")
    print(f"  wall time {wall:.1f} s ({1e3 * wall / swept:.1f} ms/person); planted found {len(found & truth)}/{planted}; "
          f"false candidate pairs {len(found - truth)}")
    if queries is not None:
        print(f"  full sweep of {len(g):,} persons, ESTIMATED from this sample: {wall / swept * len(g) / 60:.0f} min")
    g.close()


def bench_fvc(args: argparse.Namespace) -> None:
    import nbis

    import biocore
    from biocore.search.codes import finger_codes

    root = Path(os.environ.get("BIOCORE_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared/data")) / "fingerprints"
    ex = nbis.new_nbis_extractor(nbis.NbisExtractorSettings(min_quality=0.0, get_center=False, check_fingerprint=False,
                                                            compute_nfiq2=False, ppi=None))
    print("first-stage codes on FVC B sets (NBIS minutiae): mate rank among the other fingers' impressions")
    for db in ["fvc2000_db1_b", "fvc2000_db2_b", "fvc2000_db3_b", "fvc2002_db1_b", "fvc2002_db2_b", "fvc2002_db3_b"]:
        files = sorted((root / db).glob("*.tif"))
        ts, fingers = [], []
        for f in files:
            ms = ex.extract_minutiae_from_image_file(str(f)).get()
            ts.append(biocore.Template(x=[m.x() for m in ms], y=[m.y() for m in ms],
                                       angle=np.deg2rad([m.angle() for m in ms]), dpi=569 if db == "fvc2002_db2_b" else 500))
            fingers.append(int(f.stem.split("_")[0]))
        fingers = np.array(fingers)
        for whiten in (False, True):
            c = finger_codes(ts, whiten=whiten)
            s = c @ c.T
            pens = [np.mean(s[i][fingers != fingers[i]] >= s[i, j]) for i in range(len(ts))
                    for j in np.flatnonzero((fingers == fingers[i]) & (np.arange(len(ts)) != i))]
            print(f"  {db} {'whitened' if whiten else 'raw     '}: mean penetration {np.mean(pens):.3f}, "
                  f"rank 1 {np.mean(np.array(pens) == 0):.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--persons", type=int, default=10_000)
    ap.add_argument("--probes", type=int, default=200, help="mated searches")
    ap.add_argument("--nonmated", type=int, default=1000, help="non-mated searches")
    ap.add_argument("--latency", type=int, default=100, help="mated probes timed one at a time on one thread")
    ap.add_argument("--batch", type=int, default=32, help="probes per search_many call in the throughput run")
    ap.add_argument("--nn", type=int, default=0, help="persons of the N:N sweep (0: skip)")
    ap.add_argument("--planted", type=int, default=50)
    ap.add_argument("--nn-from", metavar="DIR", help="copy the N:N persons from this --gallery (same --seed)")
    ap.add_argument("--nn-sample", type=int, default=0, help="search only the planted + a sample, extrapolate")
    ap.add_argument("--scratch", metavar="DIR", help="folder for temporary galleries (default: system temp)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--gallery", metavar="DIR", help="build the gallery here and keep it; an existing one is "
                    "reused (a partial build is resumed)")
    ap.add_argument("--stage", choices=("enroll", "search", "none"), default="search",
                    help="stop after enrollment, or go on with the search figures, or only enroll and --fvc-mates")
    ap.add_argument("--fvc-mates", action="store_true", help="also search real FVC mates in the synthetic background")
    ap.add_argument("--recall-check", type=int, default=0, metavar="Q",
                    help="first-stage recall of the mate (exact, sign bits, IVF) on Q probes of --recall-gallery")
    ap.add_argument("--recall-gallery", metavar="DIR", help="a gallery with a binary cache, persons P0000000.. of --seed")
    ap.add_argument("--scan-cost", type=int, default=0, metavar="Q", help="also time the first-stage scan alone on Q probes")
    ap.add_argument("--fvc", action="store_true", help="only the FVC first-stage figures")
    ap.add_argument("--compare-packing", action="store_true",
                    help="also time re-ranking from held minutiae against packing templates per search")
    args = ap.parse_args()
    if args.fvc:
        bench_fvc(args)
        return
    if args.persons:
        path = Path(args.gallery) if args.gallery else Path(tempfile.mkdtemp(prefix="bench-search-", dir=args.scratch)) / "g"
        enroll_gallery(args, path)
        if args.stage == "enroll":
            return
        if args.stage == "search":
            bench_gallery(args, path)
        if args.fvc_mates:
            bench_fvc_mates(args, path)
        if args.scan_cost:
            bench_scan_cost(args, path)
    if args.recall_check:
        bench_first_stage_recall(args, Path(args.recall_gallery))
    if args.nn:
        bench_nn(args)


if __name__ == "__main__":
    main()
