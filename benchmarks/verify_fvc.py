"""Verification accuracy on the real FVC sets: NBIS bozorth3 vs biocore.match, same minutiae.

For every real FVC ``B`` set under the data folder (not ``*_SYNTHETIC``), the all-pairs protocol
(:mod:`biocore.evaluation.protocols`: 280 genuine, 2,880 cross-finger impostor pairs) is scored by

* ``mindtct+bozorth3``  NBIS (nbis-python 0.1.8), the peer figure;
* ``mindtct+biocore``   biocore.match on the very same mindtct minutiae;
* ``biocore+biocore``   biocore.extract then biocore.match (skip with ``--no-extract``).

Prints EER and FNMR at FMR 1% / 0.1% per set and system, then the means. ``--calibrate`` also
pools the biocore impostor scores, fits the upper tail and prints the table for
``biocore/matching/calibration.py``. Extractions are cached under ``--cache``.

Single-run EERs on 280 genuine pairs move by 0.5-2 points when the images are mirrored.
``--mirrors`` scores every set four times -- the images as they are, flipped left-right, up-down,
and both (one flip for every image of a run; mindtct and biocore.extract both see the flipped
image) -- prints the table for each run, then the per-set EERs of each run and their mean.

``--matching NAME=VALUE ...`` scores both biocore systems with those ``MatchingParameters`` fields
changed (how the sweep figures in ``biocore/matching/parameters.py`` are measured).

Usage::

    python benchmarks/verify_fvc.py [--data ../shared/data/fingerprints] [--sets fvc2002_db1_b ...]
                                    [--no-extract] [--calibrate] [--mirrors]
                                    [--cache /tmp/biocore-verify-cache] [--matching NAME=VALUE ...]
"""

from __future__ import annotations

import argparse
import hashlib
import math
import pickle
import sys
import time
from pathlib import Path

import numpy as np

import biocore
from biocore.evaluation import list_fvc_folder, verification_pairs, verification_summary
from biocore.evaluation.protocols import KNOWN_DPI, real_fvc_sets

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "fingerprints"
NBIS_KIND = {"RIDGE_ENDING": 1, "BIFURCATION": 2}
#: The ``--mirrors`` runs: name -> flip of the decoded (H, W) image (None: the file as it is).
FLIPS = {
    "as-is": None,
    "fliplr": np.fliplr,
    "flipud": np.flipud,
    "both": lambda a: np.flipud(np.fliplr(a)),
}


def flipped(path: Path, flip: str) -> np.ndarray:
    """The image at ``path`` decoded to uint8 gray, (H, W), with the run's flip applied."""
    import cv2

    image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise OSError(f"cannot read {path}")
    return np.ascontiguousarray(image if FLIPS[flip] is None else FLIPS[flip](image))


def mindtct(images, dpi: int, nbis, flip: str = "as-is"):
    """NBIS minutiae per image: the nbis objects (for bozorth3) and biocore Templates.

    With a ``flip`` other than ``"as-is"`` mindtct reads the flipped image, passed as lossless PNG.
    """
    import cv2

    settings = nbis.NbisExtractorSettings(
        min_quality=0.0, get_center=False, check_fingerprint=False, compute_nfiq2=False, ppi=float(dpi)
    )
    nb = nbis.new_nbis_extractor(settings)
    objects, templates = [], []
    for im in images:
        if FLIPS[flip] is None:
            m = nb.extract_minutiae_from_image_file(str(im.path))
            h, w = cv2.imread(str(im.path), cv2.IMREAD_GRAYSCALE).shape
        else:
            image = flipped(im.path, flip)
            m = nb.extract_minutiae(cv2.imencode(".png", image)[1].tobytes())
            h, w = image.shape
        ms = m.get()
        templates.append(
            biocore.Template(
                x=[q.x() for q in ms], y=[q.y() for q in ms],
                # nbis angles: degrees, counter-clockwise on screen (checked by rotating an image)
                angle=[math.radians(q.angle()) for q in ms],
                kind=[NBIS_KIND.get(str(q.kind()).split(".")[-1], 0) for q in ms],
                quality=[int(round(100 * q.reliability())) for q in ms], width=w, height=h, dpi=dpi,
            )
        )
        objects.append(m)
    return objects, templates


def biocore_scores(templates, pairs, parameters=None) -> np.ndarray:
    out = np.empty(len(pairs), np.float64)
    for a in np.unique(pairs[:, 0]):
        rows = np.flatnonzero(pairs[:, 0] == a)
        out[rows] = biocore.Matcher(templates[a], parameters=parameters).match_many(
            [templates[b] for b in pairs[rows, 1]], threads=1
        )
    return out


def matching_parameters(changes: list[str]):
    """DEFAULT_PARAMETERS with ``NAME=VALUE`` changes (values parsed as the field's type), or None."""
    import dataclasses

    from biocore.matching import DEFAULT_PARAMETERS

    if not changes:
        return None
    types = {f.name: type(getattr(DEFAULT_PARAMETERS, f.name)) for f in dataclasses.fields(DEFAULT_PARAMETERS)}
    values = {}
    for change in changes:
        name, _, value = change.partition("=")
        if name not in types or not value:
            raise SystemExit(f"--matching: expected NAME=VALUE with NAME a MatchingParameters field, got {change!r}")
        values[name] = types[name](value)
    return dataclasses.replace(DEFAULT_PARAMETERS, **values)


def extractor_fingerprint() -> str:
    """A short hash of the extractor's source, so cached extractions go stale when the extractor changes."""
    digest = hashlib.sha256()
    for source in sorted((Path(biocore.__file__).parent / "minutiae").glob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()[:12]


def run_set(
    folder: Path, nbis, extract: bool, cache: Path, flip: str = "as-is", parameters=None
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    images = list_fvc_folder(folder)
    dpi = KNOWN_DPI.get(folder.name, 500)
    genuine, impostor = verification_pairs([im.finger for im in images], [im.impression for im in images])
    objects, theirs = mindtct(images, dpi, nbis, flip)
    systems = {
        "mindtct+bozorth3": tuple(
            np.array([objects[a].compare(objects[b]) for a, b in pairs], np.float64) for pairs in (genuine, impostor)
        ),
        "mindtct+biocore": (biocore_scores(theirs, genuine, parameters), biocore_scores(theirs, impostor, parameters)),
    }
    if extract:
        run = "" if FLIPS[flip] is None else f".{flip}"
        cached = cache / f"{folder.name}{run}.{extractor_fingerprint()}.biocore-extract.pkl"
        if cached.exists():
            ours = [biocore.Template.from_bytes(b) for b in pickle.loads(cached.read_bytes())]
        else:
            t0 = time.perf_counter()
            if FLIPS[flip] is None:
                ours = [biocore.extract(str(im.path), dpi=dpi) for im in images]
            else:
                ours = [biocore.extract(flipped(im.path, flip), dpi=dpi) for im in images]
            print(f"  ({folder.name}{run}: biocore.extract {1e3 * (time.perf_counter() - t0) / len(images):.0f} ms/image)",
                  file=sys.stderr, flush=True)
            cache.mkdir(parents=True, exist_ok=True)
            cached.write_bytes(pickle.dumps([t.to_bytes() for t in ours]))
        systems["biocore+biocore"] = (biocore_scores(ours, genuine, parameters), biocore_scores(ours, impostor, parameters))
    return systems


def fit_thresholds(impostor: np.ndarray) -> tuple[dict[float, float], dict[str, float]]:
    """Empirical quantiles where supported, a generalized Pareto tail beyond (see calibration.py)."""
    from scipy.stats import genpareto

    s = np.sort(impostor)
    n = s.size
    p_u = 1e-2
    u = float(np.quantile(s, 1 - p_u))
    excess = s[s > u] - u
    xi, _, sigma = genpareto.fit(excess, floc=0.0)
    p_u = excess.size / n
    table = {}
    for fmr in (1e-2, 1e-3, 1e-4, 1e-5, 1e-6):
        tail = u + (sigma / xi * ((fmr / p_u) ** (-xi) - 1) if abs(xi) > 1e-9 else -sigma * math.log(fmr / p_u))
        empirical = float(biocore.evaluation.threshold_for_fmr(s, fmr)) if fmr * n >= 10 else -np.inf
        table[fmr] = round(float(max(tail, empirical)), 2)
    return table, {"u": round(u, 3), "p_u": round(p_u, 5), "sigma": round(float(sigma), 4), "xi": round(float(xi), 4),
                   "impostors": float(n)}


def print_mirror_means(eer: dict[tuple[str, str, str], float], runs: list[str], sets: list[str]) -> None:
    """EER % per set and system for each run, the mean over the runs, and the mean over sets."""
    systems = list(dict.fromkeys(label for _, _, label in eer))
    print(f"\nEER % over the {len(runs)} mirror runs")
    print(f"{'set':15s} {'system':18s} " + " ".join(f"{r:>7s}" for r in runs) + f" {'mean':>7s}")
    for label in systems:
        means = []
        for name in sets:
            row = [eer[r, name, label] for r in runs]
            means.append(np.mean(row))
            row_text = " ".join(f"{100 * v:7.2f}" for v in row)
            print(f"{name:15s} {label:18s} {row_text} {100 * means[-1]:7.2f}")
        per_run = [np.mean([eer[r, name, label] for name in sets]) for r in runs]
        runs_text = " ".join(f"{100 * v:7.2f}" for v in per_run)
        print(f"{'mean':15s} {label:18s} {runs_text} {100 * np.mean(means):7.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sets", nargs="*", help="set folder names (default: every real FVC set)")
    parser.add_argument("--no-extract", action="store_true", help="skip biocore.extract (mindtct minutiae only)")
    parser.add_argument(
        "--calibrate", action="store_true",
        help="fit and print the FMR threshold table (with --mirrors: on the unflipped run's scores only)",
    )
    parser.add_argument(
        "--mirrors", action="store_true",
        help="score each set 4 times (as-is, fliplr, flipud, both) and print per-set EER means over the runs",
    )
    parser.add_argument("--cache", type=Path, default=Path("/tmp/biocore-verify-cache"))
    parser.add_argument("--matching", nargs="*", default=[], metavar="NAME=VALUE",
                        help="score with these MatchingParameters fields changed (the calibration then does not apply)")
    args = parser.parse_args(argv)
    parameters = matching_parameters(args.matching)
    import nbis

    if not args.data.is_dir():
        print(f"no data folder at {args.data}", file=sys.stderr)
        return 1
    sets = args.sets or real_fvc_sets(args.data)
    runs = list(FLIPS) if args.mirrors else ["as-is"]
    eer: dict[tuple[str, str, str], float] = {}  # (run, set, system) -> EER
    pooled: list[np.ndarray] = []
    for run in runs:
        if args.mirrors:
            print(f"\n== run {run} ==")
        print(f"{'set':15s} {'system':18s} {'EER %':>7s} {'FNMR@1%':>8s} {'FNMR@.1%':>9s} {'genuine':>8s} {'impostor':>9s}")
        per_system: dict[str, list[float]] = {}
        for name in sets:
            for label, (g, i) in run_set(args.data / name, nbis, not args.no_extract, args.cache, run, parameters).items():
                s = verification_summary(g, i)
                per_system.setdefault(label, []).append(s["eer"])
                eer[run, name, label] = s["eer"]
                if label != "mindtct+bozorth3" and run == "as-is":
                    pooled.append(i)
                print(
                    f"{name:15s} {label:18s} {100 * s['eer']:7.2f} {100 * s['fnmr@fmr=1e-2']:8.2f} "
                    f"{100 * s['fnmr@fmr=1e-3']:9.2f} {len(g):8d} {len(i):9d}",
                    flush=True,
                )
        for label, eers in per_system.items():
            print(f"{'mean':15s} {label:18s} {100 * np.mean(eers):7.2f}")
    if args.mirrors:
        print_mirror_means(eer, runs, sets)
    if args.calibrate:
        table, fit = fit_thresholds(np.concatenate(pooled))
        print("\nTHRESHOLDS =", {f"{k:.0e}": v for k, v in table.items()})
        print("FIT =", fit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
