"""Matcher speed on FVC2002 DB1-like templates: biocore.match / Matcher.match_many vs NBIS bozorth3.

Templates: NBIS mindtct minutiae of ``fvc2002_db1_b`` (about 50 minutiae each; nbis-python 0.1.8),
or biocore.extract's with ``--extract``. Prints comparisons per second (median of ``--repeats``
runs) for

* ``Matcher.match_many`` on a pre-packed gallery, 1 and 2 threads (the 1:N path),
* ``Matcher.match_many`` on a list of Templates (packing included),
* one-off ``biocore.match(a, b)`` calls from Python,
* NBIS bozorth3 (``Minutiae.compare``) on the same pairs, one thread,
* with ``--cascade E``, ``Matcher.match_many`` (packed, 1 thread) with ``mcc_min_edges`` E (cylinders
  only for pairs whose best pairing has at least E edge evidence) and the share of pairs it changes.

Usage::

    python benchmarks/bench_match.py [--data ../shared/data/fingerprints] [--set fvc2002_db1_b]
                                     [--gallery 20000] [--repeats 5] [--extract] [--cascade 2]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

import numpy as np

import biocore
from biocore.evaluation import list_fvc_folder

sys.path.insert(0, str(Path(__file__).resolve().parent))
from verify_fvc import DEFAULT_DATA, mindtct  # noqa: E402


def rate(fn, count: int, repeats: int) -> tuple[float, float]:
    """Median comparisons per second over ``repeats`` runs of ``fn`` (``count`` each): by wall clock,
    and by this process's CPU time (the per-core figure; on a busy machine wall clock understates it)."""
    wall, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(count / (time.perf_counter() - t0))
        cpu.append(count / (time.process_time() - c0))
    return statistics.median(wall), statistics.median(cpu)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--set", default="fvc2002_db1_b")
    parser.add_argument("--gallery", type=int, default=20000, help="candidates per match_many batch")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--extract", action="store_true", help="use biocore.extract minutiae instead of mindtct")
    parser.add_argument("--cascade", type=float, help="also time match_many with this mcc_min_edges")
    args = parser.parse_args(argv)
    import nbis

    images = list_fvc_folder(args.data / args.set)
    objects, templates = mindtct(images, 500, nbis)
    if args.extract:
        templates = [biocore.extract(str(im.path), dpi=500) for im in images]
    sizes = [len(t) for t in templates]
    print(f"{args.set}: {len(templates)} templates, minutiae median {statistics.median(sizes):.0f} "
          f"(min {min(sizes)}, max {max(sizes)}), source {'biocore.extract' if args.extract else 'mindtct'}")
    rng = np.random.default_rng(0)
    gallery = [templates[k] for k in rng.integers(0, len(templates), args.gallery)]
    packed = biocore.matching.pack(gallery)
    probes = templates[:: max(1, len(templates) // 4)][:4]

    def many(threads, source, parameters=None):
        def go():
            for p in probes:
                biocore.Matcher(p, parameters=parameters).match_many(source, threads=threads)
        return go

    n_many = len(probes) * len(gallery)
    pairs = [(templates[a], templates[b]) for a, b in rng.integers(0, len(templates), (4000, 2))]
    obj_pairs = [(objects[a], objects[b]) for a, b in rng.integers(0, len(objects), (1000, 2))]

    def one_off():
        for a, b in pairs:
            biocore.match(a, b)

    def bozorth3():
        for a, b in obj_pairs:
            a.compare(b)

    rows = [
        ("Matcher.match_many, packed gallery, 1 thread", rate(many(1, packed), n_many, args.repeats)),
        ("Matcher.match_many, packed gallery, 2 threads", rate(many(2, packed), n_many, args.repeats)),
        ("Matcher.match_many, list of Templates, 1 thread", rate(many(1, gallery[:5000]), len(probes) * 5000, args.repeats)),
        ("biocore.match one-off calls, 1 thread", rate(one_off, len(pairs), args.repeats)),
        ("NBIS bozorth3 (nbis-python), 1 thread", rate(bozorth3, len(obj_pairs), args.repeats)),
    ]
    changed = ""
    if args.cascade is not None:
        cascade = dataclasses.replace(biocore.matching.DEFAULT_PARAMETERS, mcc_min_edges=args.cascade)
        rows.append((f"  same, cascade mcc_min_edges {args.cascade:g}", rate(many(1, packed, cascade), n_many, args.repeats)))
        full = np.concatenate([biocore.Matcher(p).match_many(packed) for p in probes])
        cut = np.concatenate([biocore.Matcher(p, parameters=cascade).match_many(packed) for p in probes])
        changed = f"cascade: {np.mean(full != cut):.1%} of the pairs scored differently (cylinders left out)"
    t0 = time.perf_counter()
    biocore.matching.pack(gallery, threads=1)
    pack_rate = len(gallery) / (time.perf_counter() - t0)
    print(f"{'':50s} {'wall clock':>12s} {'per CPU-second':>15s}   (comparisons/s, median of {args.repeats})")
    for label, (wall, cpu) in rows:
        print(f"{label:50s} {wall:12,.0f} {cpu:15,.0f}")
    print(f"{'pack (edge tables + cylinders), 1 thread':50s} {pack_rate:12,.0f} templates/s")
    if changed:
        print(changed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
