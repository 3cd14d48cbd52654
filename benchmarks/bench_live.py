"""Live enrollment into a large cached gallery: search each new applicant, then enroll them.

This is an intake registry's loop (300,000 applicants a day against everyone enrolled before).
Each enrollment bumps the gallery's generation, so the next search first brings the derived search
structures (person vectors, first-stage index, held minutiae) up to date. The script copies a
built, cached gallery (it never writes to the source), opens the copy, warms it with one search,
then runs ``--cycles`` search+enroll cycles of fresh synthetic persons and prints the median cycle
time (wall and CPU) and how much the process's resident memory grew.

Usage::

    python benchmarks/bench_live.py --gallery /work/scratch/nn100k-gallery [--cycles 50] [--keep-copy DIR]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_search import persons_from  # noqa: E402

from biocore.search import Gallery  # noqa: E402


def rss_bytes() -> int:
    """Private (anonymous) resident memory of this process now, from Linux /proc: what copies cost;
    pages of memory-mapped cache files read by searches are file-backed and not counted."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gallery", type=Path, required=True, help="a built gallery folder with a search cache")
    parser.add_argument("--cycles", type=int, default=50)
    parser.add_argument("--seed", type=int, default=99, help="population seed of the new applicants")
    parser.add_argument("--threads", type=int, default=1, help="matcher and scan threads per search")
    parser.add_argument("--workdir", type=Path, default=None, help="where to put the copy (default: a temp folder)")
    args = parser.parse_args(argv)
    if not (args.gallery / "cache" / "state.json").is_file():
        print(f"{args.gallery}: not a cached gallery (no cache/state.json)")
        return 2
    work = Path(tempfile.mkdtemp(prefix="bench-live-", dir=args.workdir))
    copy = work / "gallery"
    t0 = time.perf_counter()
    shutil.copytree(args.gallery, copy)
    print(f"copied {args.gallery} in {time.perf_counter() - t0:.1f} s")
    try:
        applicants = list(persons_from(args.cycles + 1, seed=args.seed, encounter=0, prefix="LIVE", workers=1))
        from biocore.search.parameters import SearchParameters

        from biocore.search.rerank import BiocoreMatchFn

        params = SearchParameters(scan_threads=args.threads)
        with Gallery.open(copy, params=params, matcher=BiocoreMatchFn(args.threads)) as g:
            n0 = g.count()
            rss0 = rss_bytes()
            g.search(applicants[0][1], k=10)  # warm: maps the cache, holds the minutiae
            rss_warm = rss_bytes()
            wall, cpu = [], []
            for identity, fingers in applicants[1:]:
                w0, c0 = time.perf_counter(), time.process_time()
                g.search(fingers, k=10)
                g.enroll(identity, fingers)
                wall.append(time.perf_counter() - w0)
                cpu.append(time.process_time() - c0)
            rss_end = rss_bytes()
            n1 = g.count()
        print(f"gallery {n0:,} persons -> {n1:,}; {len(wall)} search+enroll cycles, {args.threads} thread(s)")
        print(f"cycle median {1000 * statistics.median(wall):.0f} ms wall, {1000 * statistics.median(cpu):.0f} ms CPU"
              f" (first {1000 * wall[0]:.0f} ms, max {1000 * max(wall):.0f} ms)")
        print(f"private resident memory: {rss0 / 2**20:,.0f} MiB open, {rss_warm / 2**20:,.0f} MiB after the first search,"
              f" {rss_end / 2**20:,.0f} MiB after the cycles (+{(rss_end - rss_warm) / 2**20:,.0f} MiB)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
