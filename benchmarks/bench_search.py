"""Gallery, 1:N search and N:N dedup at scale on synthetic ten-print populations. Prints figures (medians).

    python benchmarks/bench_search.py --persons 10000            # build, search, accuracy
    python benchmarks/bench_search.py --persons 100000 --nn 10000 # plus an N:N sweep of 10k persons
    python benchmarks/bench_search.py --fvc                        # first-stage code accuracy on FVC (NBIS minutiae)
    python benchmarks/bench_search.py --persons 10000 --compare-packing   # plus re-rank from held minutiae vs packing per search

Populations come from ``biocore.synth`` (templates only): the gallery holds encounter 0 of persons
0..N-1; mated probes are encounter 1 of enrolled persons, non-mated probes encounter 1 of persons
N.. (never enrolled). The N:N sweep runs on a gallery of ``--nn`` persons in which ``--planted``
persons are enrolled a second time (encounter 1) under a new identity.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from biocore.search import Gallery
from biocore.search.dedup import run_job
from biocore.search.parameters import JobParameters
from biocore.synth.templates_only import iter_batches


def persons_from(persons: int, *, seed: int, encounter: int, first: int = 0, prefix: str = "P"):
    """(identity, {finger: Template}) for persons first..persons-1 of the population."""
    for b in iter_batches(persons, seed=seed, encounters=(encounter,)):
        for p0 in range(0, len(b), 10):
            pid = int(b.person[p0])
            if pid < first:
                continue
            yield f"{prefix}{pid:07d}", {int(b.finger[p0 + f]): b.template(p0 + f) for f in range(10)}


def disk_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def bench_gallery(args: argparse.Namespace) -> None:
    root = Path(tempfile.mkdtemp(prefix="bench-search-"))
    n = args.persons
    g = Gallery.open(root / "g")
    t0 = time.perf_counter()
    g.enroll_many(persons_from(n, seed=args.seed, encounter=0), batch_persons=2000)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    g._ensure_index()
    index_s = time.perf_counter() - t0
    s = g._state
    factory = s.factory
    import faiss

    ram = faiss.serialize_index(s.index).nbytes if factory != "Flat" else s.index.ntotal * s.index.d * 4
    t0 = time.perf_counter()
    g.save_cache()
    cache_s = time.perf_counter() - t0
    print(f"gallery: {n} persons x 10 fingers, matcher={'yes' if g.has_matcher else 'no'}")
    print(f"  enroll (codes + SQLite, durable)   {build:8.1f} s   ({n / build:,.0f} persons/s)")
    print(f"  first-stage index build            {index_s:8.1f} s   faiss factory {factory!r}")
    print(f"  cache write (+ held minutiae)      {cache_s:8.1f} s   (memory-mapped arrays)")
    print(f"  disk                               {disk_bytes(root / 'g') / 1e6:8.1f} MB  ({disk_bytes(root / 'g') / n:,.0f} B/person)")
    print(f"  first-stage RAM (faiss index)      {ram / n:8.0f} B/person")
    g.close()
    t0 = time.perf_counter()
    g = Gallery.open(root / "g")
    g.search({1: next(persons_from(1, seed=args.seed, encounter=1))[1][1]}, k=1)
    print(f"  reopen + first search              {time.perf_counter() - t0:8.2f} s")

    m = args.probes
    mated = list(persons_from(m, seed=args.seed, encounter=1))
    nonmated = list(persons_from(n + m, seed=args.seed, encounter=1, first=n))
    for label, fingers in (("ten-print", list(range(1, 11))), ("single finger (right index)", [2])):
        times, ranks, top_mated, top_non = [], [], [], []
        for identity, person in mated:
            probe = {f: person[f] for f in fingers}
            t0 = time.perf_counter()
            found = g.search(probe, k=20)
            times.append(time.perf_counter() - t0)
            ids = [c.identity for c in found]
            ranks.append(ids.index(identity) + 1 if identity in ids else 10**9)
            top_mated.append(next((c.score for c in found if c.identity == identity), -np.inf))
        for _, person in nonmated:
            found = g.search({f: person[f] for f in fingers}, k=1)
            top_non.append(found[0].score if found else -np.inf)
        top_non = np.sort(np.asarray(top_non))
        print(f"  {label}: {m} mated + {len(nonmated)} non-mated searches")
        print(f"    median search time (2 threads for faiss)   {1e3 * statistics.median(times):8.1f} ms")
        print(f"    CMC rank 1 / rank 20                       {np.mean(np.array(ranks) == 1):.3f} / {np.mean(np.array(ranks) <= 20):.3f}")
        for fpir in (0.01, 0.001):
            if len(top_non) * fpir < 1:
                t = top_non[-1] + 1e-9
                note = f"(threshold above all {len(top_non)} non-mated: FPIR < {1 / len(top_non):.3g})"
            else:
                t = float(np.quantile(top_non, 1 - fpir))
                note = ""
            fnir = float(np.mean(np.asarray(top_mated) < t))
            print(f"    FNIR at FPIR {fpir:<6g} threshold {t:8.2f}  {fnir:.4f} {note}")
    if args.compare_packing and g.has_matcher:
        compare_packing(g, mated)
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
    root = Path(tempfile.mkdtemp(prefix="bench-nn-"))
    n, planted = args.nn, args.planted
    g = Gallery.open(root / "g")
    g.enroll_many(persons_from(n, seed=args.seed + 1, encounter=0), batch_persons=2000)
    dups = [(f"DUP{identity[1:]}", person) for identity, person in persons_from(planted, seed=args.seed + 1, encounter=1)]
    g.enroll_many(dups)
    truth = {tuple(sorted((d, "P" + d[3:]))) for d, _ in dups}
    t0 = time.perf_counter()
    result = run_job(g, root / "job", threshold=g.default_threshold, params=JobParameters(batch_persons=256, threads=2),
                     progress=False, report=True)
    wall = time.perf_counter() - t0
    found = {(p.a, p.b) for p in result.pairs}
    print(f"N:N sweep of {len(g)} persons ({planted} planted duplicates), threshold {g.default_threshold:g}, 2 threads:")
    print(f"  wall time {wall:.1f} s ({1e3 * wall / len(g):.1f} ms/person); planted found {len(found & truth)}/{planted}; "
          f"false candidate pairs {len(found - truth)}")
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
    ap.add_argument("--probes", type=int, default=200, help="mated and non-mated searches each")
    ap.add_argument("--nn", type=int, default=0, help="persons of the N:N sweep (0: skip)")
    ap.add_argument("--planted", type=int, default=50)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--fvc", action="store_true", help="only the FVC first-stage figures")
    ap.add_argument("--compare-packing", action="store_true",
                    help="also time re-ranking from held minutiae against packing templates per search")
    args = ap.parse_args()
    if args.fvc:
        bench_fvc(args)
        return
    if args.persons:
        bench_gallery(args)
    if args.nn:
        bench_nn(args)


if __name__ == "__main__":
    main()
