"""biocore.synth: speed, realism judged by NBIS, and agreement of biocore.extract with the ground truth.

Prints (medians where timed):

1. speed - masters/s (uncached), impressions/s at 300x400 and 400x400 px, templates-only
   persons (ten fingers) per second and per minute;
2. realism - NIST mindtct + bozorth3 (nbis-python 0.1.8) EER on synthetic sets shaped like FVC
   "B" sets (10 fingers x 8 impressions taken under the FVC protocol, biocore.synth.fvc_impression:
   plain, displaced, rotated, dry/wet; all 280 genuine and 2,880 cross-finger pairs), beside the
   same figure on SFinGe's own fvc2000_db4_b_SYNTHETIC and the real FVC sets in ../shared/data
   when present (real FVC: about 2.5 %-11 %);
3. ground truth - biocore.extract on impressions vs the transformed ground truth: precision and
   recall with a match within 8 px and 20 degrees (one-to-one, greedy by distance);
4. optionally (--sheet PNG) a contact sheet of our impressions beside SFinGe's.

Usage::

    python benchmarks/bench_synth.py [--sets 8] [--persons 100000] [--sheet synth_vs_sfinge.png] [--skip-nbis]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

import biocore
from biocore.synth import DEFAULT_IMPRESSION, fvc_impression, iter_batches, make_impression, make_master
from biocore.synth.masters import _make_master_cached
from biocore.synth.parameters import DEFAULT_MASTER

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "fingerprints"


def speed(persons: int) -> None:
    _make_master_cached.__wrapped__(0, 0, None, DEFAULT_MASTER)  # compile the kernels
    times, cpu = [], []
    for s in range(1, 9):
        t, c = time.perf_counter(), time.process_time()
        _make_master_cached.__wrapped__(s, 0, None, DEFAULT_MASTER)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    print(
        f"masters        {1 / statistics.median(times):8.2f} /s   (median {1e3 * statistics.median(times):.0f} ms wall, "
        f"{1e3 * statistics.median(cpu):.0f} ms CPU, 352x448 canvas)"
    )
    m = make_master(1)
    for w, h in ((300, 400), (400, 400)):
        params = replace(DEFAULT_IMPRESSION, image_width_px=w, image_height_px=h)
        make_impression(m, 0, params=params)
        times, cpu = [], []
        for s in range(30):
            t, c = time.perf_counter(), time.process_time()
            make_impression(m, s, params=params)
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        print(
            f"impressions    {1 / statistics.median(times):8.1f} /s   (median {1e3 * statistics.median(times):.1f} ms wall, "
            f"{1e3 * statistics.median(cpu):.1f} ms CPU, {w}x{h} px)"
        )
    next(iter_batches(10, seed=99))  # compile
    for workers in (1, 2):
        t, c = time.perf_counter(), time.process_time()
        n_templates = n_minutiae = 0
        for batch in iter_batches(persons, seed=1, workers=workers):
            n_templates += len(batch)
            n_minutiae += len(batch.x)
        dt, dc = time.perf_counter() - t, time.process_time() - c
        print(
            f"templates-only {persons / dt:8.0f} persons/s = {60 * persons / dt:,.0f} persons/min with {workers} thread(s) "
            f"({persons / dc:,.0f} persons per CPU-second; {persons:,} persons, {n_templates:,} templates, "
            f"{n_minutiae / n_templates:.1f} minutiae each, {dt:.1f} s)"
        )


def eer(genuine: np.ndarray, impostor: np.ndarray) -> float:
    thresholds = np.unique(np.concatenate([genuine, impostor]))
    fmr = np.array([(impostor >= t).mean() for t in thresholds])
    fnmr = np.array([(genuine < t).mean() for t in thresholds])
    k = int(np.argmin(np.abs(fmr - fnmr)))
    return float((fmr[k] + fnmr[k]) / 2)


def nbis_eer(files: list[Path], ppi: float = 500.0) -> tuple[float, float]:
    import nbis

    settings = nbis.NbisExtractorSettings(min_quality=0.0, get_center=False, check_fingerprint=False, compute_nfiq2=False, ppi=ppi)
    nb = nbis.new_nbis_extractor(settings)
    ms = [nb.extract_minutiae_from_image_file(str(p)) for p in files]
    finger = [p.stem.split("_")[0] for p in files]
    gen, imp = [], []
    for a, b in itertools.combinations(range(len(files)), 2):
        (gen if finger[a] == finger[b] else imp).append(ms[a].compare(ms[b]))
    return eer(np.array(gen, float), np.array(imp, float)), float(np.mean([len(m.get()) for m in ms]))


def synthetic_set(folder: Path, set_seed: int) -> list[Path]:
    files = []
    for f in range(10):
        m = make_master(10_000 * set_seed + f)
        for i in range(8):
            path = folder / f"{101 + f}_{i + 1}.png"
            cv2.imwrite(str(path), fvc_impression(m, i, seed=set_seed).image)
            files.append(path)
    return files


def realism(n_sets: int) -> None:
    print("\nNBIS mindtct+bozorth3 EER, FVC B protocol (280 genuine, 2,880 impostor pairs)")
    with tempfile.TemporaryDirectory() as tmp:
        values = []
        for s in range(n_sets):
            folder = Path(tmp) / f"set{s}"
            folder.mkdir()
            e, n = nbis_eer(synthetic_set(folder, s))
            values.append(e)
            print(f"  biocore.synth set {s}         EER {100 * e:5.2f} %   ({n:.0f} minutiae/img by mindtct)", flush=True)
        inside = sum(0.025 <= v <= 0.11 for v in values)
        print(f"  biocore.synth mean           EER {100 * np.mean(values):5.2f} %   (min {100 * min(values):.2f}, "
              f"max {100 * max(values):.2f}; {inside}/{len(values)} sets within 2.5-11 %)")
    for name in ("fvc2000_db4_b_SYNTHETIC", "fvc2000_db1_b", "fvc2002_db1_b", "fvc2002_db3_b"):
        folder = DATA / name
        if folder.is_dir():
            e, n = nbis_eer(sorted(folder.glob("*.tif")))
            print(f"  {name:28s} EER {100 * e:5.2f} %   ({n:.0f} minutiae/img by mindtct)", flush=True)


def ground_truth_agreement(n_fingers: int = 20, per_finger: int = 3) -> None:
    tp = n_found = n_true = 0
    times = []
    for f in range(n_fingers):
        m = make_master(500 + f)
        for i in range(per_finger):
            imp = make_impression(m, i)
            t = time.perf_counter()
            found = biocore.extract(np.ascontiguousarray(imp.image), dpi=500)
            times.append(time.perf_counter() - t)
            g = imp.minutiae
            d = np.hypot(found.x[:, None] - g.x[None, :], found.y[:, None] - g.y[None, :])
            da = np.abs((found.angle[:, None].astype(float) - g.angle[None, :] + np.pi) % (2 * np.pi) - np.pi)
            ok = (d <= 8.0) & (da <= np.radians(20.0))
            cost = np.where(ok, d, np.inf)
            used_f, used_g = set(), set()
            for k in np.argsort(cost, axis=None):
                a, b = np.unravel_index(k, cost.shape)
                if not np.isfinite(cost[a, b]):
                    break
                if a in used_f or b in used_g:
                    continue
                used_f.add(a)
                used_g.add(b)
            tp += len(used_f)
            n_found += len(found)
            n_true += len(g)
    print(
        f"\nbiocore.extract vs ground truth ({n_fingers * per_finger} impressions, 8 px / 20 deg): "
        f"precision {tp / max(n_found, 1):.3f}, recall {tp / max(n_true, 1):.3f} "
        f"({n_found / (n_fingers * per_finger):.1f} found, {n_true / (n_fingers * per_finger):.1f} true per image; "
        f"extract median {1e3 * statistics.median(times):.0f} ms)"
    )


def sheet(out: Path) -> None:
    ours = [make_impression(make_master(777 + f), i).image for f in range(4) for i in range(2)]
    sfinge_dir = DATA / "fvc2000_db4_b_SYNTHETIC"
    theirs = [cv2.imread(str(p), cv2.IMREAD_GRAYSCALE) for p in sorted(sfinge_dir.glob("*.tif"))[:64:8]] if sfinge_dir.is_dir() else []

    def tile(img: np.ndarray) -> np.ndarray:
        canvas = np.full((400, 300), 255, np.uint8)
        h, w = min(400, img.shape[0]), min(300, img.shape[1])
        canvas[(400 - h) // 2 : (400 - h) // 2 + h, (300 - w) // 2 : (300 - w) // 2 + w] = img[:h, :w]
        return canvas

    rows = [np.hstack([tile(i) for i in ours[:4]]), np.hstack([tile(i) for i in ours[4:]])]
    if len(theirs) == 8:
        rows += [np.hstack([tile(i) for i in theirs[:4]]), np.hstack([tile(i) for i in theirs[4:]])]
    cv2.imwrite(str(out), np.vstack(rows))
    print(f"\nsheet: biocore.synth (top two rows) vs SFinGe fvc2000_db4_b (bottom rows) written to {out}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", type=int, default=8, help="synthetic FVC-shaped sets for the NBIS EER")
    parser.add_argument("--persons", type=int, default=100_000, help="templates-only population size to time")
    parser.add_argument("--sheet", type=Path, help="write synth-vs-SFinGe sheet PNG here")
    parser.add_argument("--skip-nbis", action="store_true")
    parser.add_argument("--skip-extract", action="store_true")
    args = parser.parse_args(argv)
    speed(args.persons)
    if not args.skip_nbis:
        realism(args.sets)
    if not args.skip_extract:
        ground_truth_agreement()
    if args.sheet:
        sheet(args.sheet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
