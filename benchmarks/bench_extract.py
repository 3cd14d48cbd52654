"""Extraction speed: biocore.extract vs NIST mindtct (nbis-python 0.1.8) on one core, same run.

Prints the median wall and CPU milliseconds per image over a folder of FVC images (default: FVC2002 DB1_B,
388 x 374 at 500 ppi), the ratio to mindtct, and the first-call time of biocore in a fresh
process (Numba loads its on-disk cache; ``--cold`` points Numba at an empty cache to show the
compile time once).

Usage::

    python benchmarks/bench_extract.py [--folder ../shared/data/fingerprints/fvc2002_db1_b] [--repeats 5] [--cold] [--stages]

The process is pinned to one CPU; OpenCV and BLAS run single-threaded. mindtct receives the encoded
file bytes (it decodes them itself); biocore is timed both on the decoded array and on the same
bytes decoded with OpenCV inside the timed region. ``--stages`` adds the time of each pipeline
stage (every function :mod:`biocore.minutiae.pipeline` calls, outermost calls only).
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import os

# One core means one BLAS thread as well: the process is pinned to one CPU below, and a BLAS pool
# started for every CPU spins against itself there (numpy reads this when it is first imported).
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

DEFAULT_FOLDER = Path(__file__).resolve().parents[2] / "shared" / "data" / "fingerprints" / "fvc2002_db1_b"

_FIRST_CALL = """
import sys, time
import cv2
cv2.setNumThreads(1)
image = cv2.imread(sys.argv[1], cv2.IMREAD_GRAYSCALE)
t0 = time.perf_counter()
import biocore
t1 = time.perf_counter()
biocore.extract(image)
t2 = time.perf_counter()
biocore.extract(image)
t3 = time.perf_counter()
print(f"{(t1 - t0) * 1e3:.0f} {(t2 - t1) * 1e3:.0f} {(t3 - t2) * 1e3:.1f}")
"""


def first_call(path: Path, cold: bool) -> tuple[float, float, float]:
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as cache:
        if cold:
            env["NUMBA_CACHE_DIR"] = cache
        out = subprocess.run(
            [sys.executable, "-c", _FIRST_CALL, str(path)], env=env, capture_output=True, text=True, check=True
        ).stdout.split()
    return float(out[0]), float(out[1]), float(out[2])


def median_ms(fn, items, repeats: int) -> tuple[float, float]:
    """Median over items of the per-item median wall time and CPU time (ms)."""
    wall, cpu = [], []
    for item in items:
        w, c = [], []
        for _ in range(repeats):
            t, u = time.perf_counter(), time.process_time()
            fn(item)
            w.append(time.perf_counter() - t)
            c.append(time.process_time() - u)
        wall.append(np.median(w))
        cpu.append(np.median(c))
    return float(np.median(wall) * 1e3), float(np.median(cpu) * 1e3)


@contextlib.contextmanager
def stage_clocks():
    """Clock every stage function the extraction recipe calls; yields {name: CPU seconds} accumulated.

    CPU time rather than wall time: on a shared machine a stage's wall time mostly measures when
    the scheduler happened to preempt the process.
    """
    import biocore.quality.assess as assess
    from biocore.minutiae import pipeline

    spent: dict[str, float] = {}
    depth = [0]

    def clocked(name, fn):
        def run(*args, **kwargs):
            depth[0] += 1
            start = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                depth[0] -= 1
                if depth[0] == 0:  # a stage calling another stage counts once, as itself
                    spent[name] = spent.get(name, 0.0) + time.process_time() - start

        return run

    targets = [
        (pipeline, name) for name, fn in vars(pipeline).items()
        if inspect.isfunction(fn) and name not in ("extract", "_run") and fn.__module__.startswith("biocore.minutiae")
    ]
    targets.append((assess, "assess_stages"))  # imported by the recipe at call time
    saved = [(module, name, getattr(module, name)) for module, name in targets]
    for module, name, fn in saved:
        setattr(module, name, clocked(name, fn))
    try:
        yield spent
    finally:
        for module, name, fn in saved:
            setattr(module, name, fn)


def stage_medians(images, repeats: int) -> dict[str, float]:
    """Median over images of each stage's per-image median CPU time (ms); "(rest)" is the recipe's own glue."""
    import biocore

    per_image: dict[str, list[float]] = {}
    with stage_clocks() as spent:
        for image in images:
            runs = []
            for _ in range(repeats):
                spent.clear()
                start = time.process_time()
                biocore.extract(image)
                total = time.process_time() - start
                runs.append({**spent, "(rest)": total - sum(spent.values()), "total": total})
            for name in runs[0]:
                per_image.setdefault(name, []).append(float(np.median([r.get(name, 0.0) for r in runs])))
    return {name: float(np.median(v) * 1e3) for name, v in per_image.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cold", action="store_true", help="also measure the first call with an empty Numba cache")
    parser.add_argument("--stages", action="store_true", help="also print the median time of each pipeline stage")
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[-1]})
    cv2.setNumThreads(1)

    import biocore
    import nbis

    files = sorted(p for p in args.folder.iterdir() if p.suffix.lower() in (".tif", ".png", ".bmp", ".pgm"))
    if not files:
        print(f"no images in {args.folder}", file=sys.stderr)
        return 1
    encoded = [p.read_bytes() for p in files]
    images = [cv2.imdecode(np.frombuffer(b, np.uint8), cv2.IMREAD_GRAYSCALE) for b in encoded]
    settings = nbis.NbisExtractorSettings(
        min_quality=0.0, get_center=False, check_fingerprint=False, compute_nfiq2=False, ppi=500.0
    )
    mindtct = nbis.new_nbis_extractor(settings)

    def ours_bytes(b: bytes) -> None:
        biocore.extract(cv2.imdecode(np.frombuffer(b, np.uint8), cv2.IMREAD_GRAYSCALE))

    biocore.extract(images[0])  # warm-up (JIT cache load)
    mindtct.extract_minutiae(encoded[0])
    rows, cols = images[0].shape
    # Interleave the systems so that load from other processes hits both alike.
    theirs_ms, ours_ms, ours_bytes_ms = [], [], []
    for _ in range(3):
        theirs_ms.append(median_ms(mindtct.extract_minutiae, encoded, max(1, args.repeats // 3 + 1)))
        ours_ms.append(median_ms(biocore.extract, images, args.repeats))
        ours_bytes_ms.append(median_ms(ours_bytes, encoded, args.repeats))
    theirs, ours, ours_b = (min(runs, key=lambda r: r[0]) for runs in (theirs_ms, ours_ms, ours_bytes_ms))
    theirs_cpu, ours_cpu, ours_b_cpu = (min(r[1] for r in runs) for runs in (theirs_ms, ours_ms, ours_bytes_ms))
    print(f"{args.folder.name}: {len(files)} images of {cols} x {rows} px, one core (load average {os.getloadavg()[0]:.1f})")
    print(f"{'system':34s} {'wall ms':>8s} {'ratio':>6s} {'CPU ms':>7s} {'ratio':>6s}")
    for label, (w, _), c in (
        ("NBIS mindtct (encoded bytes)", theirs, theirs_cpu),
        ("biocore.extract (decoded array)", ours, ours_cpu),
        ("biocore.extract (decode + extract)", ours_b, ours_b_cpu),
    ):
        print(f"{label:34s} {w:8.2f} {theirs[0] / w:5.1f}x {c:7.2f} {theirs_cpu / c:5.1f}x")
    if args.stages:
        stages = stage_medians(images, args.repeats)
        print(f"per stage, median CPU ms per image (load average {os.getloadavg()[0]:.1f}):")
        for name, ms in sorted(stages.items(), key=lambda item: -item[1]):
            print(f"  {name:32s} {ms:7.3f}")
    imp, first, second = first_call(files[0], cold=False)
    print(f"fresh process, Numba cache warm: import {imp:.0f} ms, first call {first:.0f} ms, second call {second:.1f} ms")
    if args.cold:
        imp, first, second = first_call(files[0], cold=True)
        print(f"fresh process, empty Numba cache: import {imp:.0f} ms, first call (compiles) {first:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
