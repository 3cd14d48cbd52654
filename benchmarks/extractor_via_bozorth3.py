"""Extractor accuracy through a common matcher: NIST mindtct vs biocore.extract, both scored by bozorth3.

For every real FVC set (``<finger>_<impression>.tif``) under the data folder, all C(8, 2) x 10 = 280
genuine pairs and all 2,880 cross-finger pairs are scored with NBIS bozorth3 (nbis-python 0.1.8):
(a) on mindtct's minutiae, (b) on biocore.extract's minutiae passed as an ISO/IEC 19794-2:2005
record through ``NbisExtractor.load_iso_19794_2_2005``. The matcher being the same, the EER
difference is the extractors'. Prints EER and FNMR at FMR 1% / 0.1% per set and system.

Single-run EERs on 280 genuine pairs move by 0.5-2 points when the images are mirrored.
``--mirrors`` scores every set four times -- the images as they are, flipped left-right, up-down,
and both (one flip for every image of a run; mindtct and biocore.extract both see the flipped
image) -- prints the table for each run, then the per-set EERs of each run and their mean.

Usage::

    python benchmarks/extractor_via_bozorth3.py [--data ../shared/data/fingerprints] [--sets fvc2002_db1_b ...]
                                                [--mirrors]

NBIS is used here only, never by the library. nbis-python 0.1.8 reads ISO 2005 records with a
finger view header two bytes short of the standard's (no finger position / view byte pair); the
standard record biocore writes is adapted to that layout before loading (see ``_nbis_layout``).
"""

from __future__ import annotations

import argparse
import itertools
import re
import struct
import sys
import time
from pathlib import Path

import numpy as np

import biocore
from biocore.evaluation.protocols import KNOWN_DPI, real_fvc_sets

sys.path.insert(0, str(Path(__file__).resolve().parent))
from verify_fvc import DEFAULT_DATA, FLIPS, flipped, print_mirror_means  # noqa: E402


def iso_2005(t: biocore.Template) -> bytes:
    """A standard ISO/IEC 19794-2:2005 record (library codec when available)."""
    if len(t) > 255:  # the format's limit: keep the best, in the template's order
        t = t.select(np.sort(np.argsort(-t.quality.astype(np.int64), kind="stable")[:255]))
    if "iso19794-2:2005" in biocore.templates.formats():
        return biocore.templates.encode(t, "iso19794-2:2005")
    return _private_iso_2005(t)


def _private_iso_2005(t: biocore.Template) -> bytes:
    """Minimal writer used until biocore.templates has the ISO codec."""
    order = np.arange(min(len(t), 255))
    body = b"".join(
        struct.pack(
            ">HHBB",
            (int(t.kind[i]) << 14) | int(t.x[i]),
            int(t.y[i]),
            int(round(float(t.angle[i]) / (2 * np.pi) * 256)) % 256,
            int(t.quality[i]),
        )
        for i in order
    )
    view = struct.pack(">BBBB", t.finger, 0, t.image_quality, len(order)) + body + struct.pack(">H", 0)
    px_per_cm = int(round(t.dpi / 2.54))
    header = b"FMR\x00 20\x00" + struct.pack(">IHHHHHBB", 24 + len(view), 0, t.width, t.height, px_per_cm, px_per_cm, 1, 0)
    return header + view


def _nbis_layout(record: bytes) -> bytes:
    """Drop the finger-position/view bytes nbis-python 0.1.8's reader does not expect; fix the length."""
    assert record[:8] == b"FMR\x00 20\x00", "not an ISO 19794-2:2005 record"
    body = record[:24] + record[26:]
    return body[:8] + struct.pack(">I", len(body)) + body[12:]


def eer_table(genuine: np.ndarray, impostor: np.ndarray) -> dict[str, float]:
    """EER and FNMR at FMR 1% / 0.1% (scores: higher = more alike)."""
    try:
        from biocore import evaluation
    except ImportError:  # older checkouts: the numpy fallback below
        evaluation = None
    if evaluation is not None:
        return {
            "eer": float(evaluation.eer(genuine, impostor)),
            "fnmr@1%": float(evaluation.fnmr_at_fmr(genuine, impostor, 0.01)),
            "fnmr@0.1%": float(evaluation.fnmr_at_fmr(genuine, impostor, 0.001)),
        }
    g = np.sort(np.asarray(genuine, np.float64))
    i = np.sort(np.asarray(impostor, np.float64))
    thresholds = np.unique(np.concatenate([g, i, [np.inf]]))
    fmr = 1.0 - np.searchsorted(i, thresholds, side="left") / i.size  # impostor >= t accepted
    fnmr = np.searchsorted(g, thresholds, side="left") / g.size  # genuine < t rejected
    k = int(np.argmin(np.abs(fmr - fnmr)))
    # Interpolate between the two thresholds around the crossing.
    eer = (fmr[k] + fnmr[k]) / 2.0
    if k > 0 and (fmr[k - 1] - fnmr[k - 1]) * (fmr[k] - fnmr[k]) < 0:
        a0, a1 = fmr[k - 1] - fnmr[k - 1], fmr[k] - fnmr[k]
        w = a0 / (a0 - a1)
        eer = (1 - w) * (fmr[k - 1] + fnmr[k - 1]) / 2 + w * (fmr[k] + fnmr[k]) / 2

    def at(target: float) -> float:
        ok = fmr <= target
        return float(fnmr[ok].min()) if ok.any() else 1.0

    return {"eer": float(eer), "fnmr@1%": at(0.01), "fnmr@0.1%": at(0.001)}


def pairs(names: list[str]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    fingers = [n.split("_")[0] for n in names]
    genuine, impostor = [], []
    for a, b in itertools.combinations(range(len(names)), 2):
        (genuine if fingers[a] == fingers[b] else impostor).append((a, b))
    return genuine, impostor


def run_set(
    folder: Path, nbis, extractor_cache: dict, params=None, flip: str = "as-is"
) -> dict[str, dict[str, float]]:
    """Both systems' figures on one set; with a ``flip`` other than ``"as-is"`` on the flipped images
    (mindtct reads them as lossless PNG; decoding happens before the timed calls)."""
    files = sorted(p for p in folder.iterdir() if re.fullmatch(r"\d+_\d+\.(tif|png|bmp)", p.name))
    names = [p.stem for p in files]
    dpi = KNOWN_DPI.get(folder.name, 500)
    settings = nbis.NbisExtractorSettings(
        min_quality=0.0, get_center=False, check_fingerprint=False, compute_nfiq2=False, ppi=float(dpi)
    )
    nb = nbis.new_nbis_extractor(settings)
    kwargs = {} if params is None else {"parameters": params}
    if FLIPS[flip] is None:
        t0 = time.perf_counter()
        theirs = [nb.extract_minutiae_from_image_file(str(p)) for p in files]
        t1 = time.perf_counter()
        templates = [biocore.extract(str(p), dpi=dpi, **kwargs) for p in files]
        t2 = time.perf_counter()
    else:
        import cv2

        images = [flipped(p, flip) for p in files]
        encoded = [cv2.imencode(".png", im)[1].tobytes() for im in images]
        t0 = time.perf_counter()
        theirs = [nb.extract_minutiae(b) for b in encoded]
        t1 = time.perf_counter()
        templates = [biocore.extract(im, dpi=dpi, **kwargs) for im in images]
        t2 = time.perf_counter()
    ours = [nb.load_iso_19794_2_2005(_nbis_layout(iso_2005(t))) for t in templates]
    genuine, impostor = pairs(names)
    out = {}
    for label, ms in (("mindtct+bozorth3", theirs), ("biocore+bozorth3", ours)):
        g = np.array([ms[a].compare(ms[b]) for a, b in genuine], np.float64)
        i = np.array([ms[a].compare(ms[b]) for a, b in impostor], np.float64)
        out[label] = eer_table(g, i)
    out["mindtct+bozorth3"]["ms"] = (t1 - t0) / len(files) * 1e3
    out["biocore+bozorth3"]["ms"] = (t2 - t1) / len(files) * 1e3
    out["biocore+bozorth3"]["minutiae"] = float(np.mean([len(t) for t in templates]))
    out["mindtct+bozorth3"]["minutiae"] = float(np.mean([len(m.get()) for m in theirs]))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sets", nargs="*", help="set folder names (default: every real FVC set)")
    parser.add_argument(
        "--mirrors", action="store_true",
        help="score each set 4 times (as-is, fliplr, flipud, both) and print per-set EER means over the runs",
    )
    args = parser.parse_args(argv)
    import nbis

    if not args.data.is_dir():
        print(f"no data folder at {args.data}", file=sys.stderr)
        return 1
    sets = args.sets or real_fvc_sets(args.data)
    runs = list(FLIPS) if args.mirrors else ["as-is"]
    eer: dict[tuple[str, str, str], float] = {}  # (run, set, system) -> EER
    cache: dict = {}
    for run in runs:
        if args.mirrors:
            print(f"\n== run {run} ==")
        print(f"{'set':15s} {'system':18s} {'EER %':>7s} {'FNMR@1%':>8s} {'FNMR@.1%':>9s} {'min/img':>8s} {'ms/img':>7s}")
        for name in sets:
            result = run_set(args.data / name, nbis, cache, flip=run)
            for label, r in result.items():
                eer[run, name, label] = r["eer"]
                print(
                    f"{name:15s} {label:18s} {100 * r['eer']:7.2f} {100 * r['fnmr@1%']:8.2f} {100 * r['fnmr@0.1%']:9.2f} "
                    f"{r['minutiae']:8.1f} {r['ms']:7.1f}",
                    flush=True,
                )
    if args.mirrors:
        print_mirror_means(eer, runs, sets)
    return 0


if __name__ == "__main__":
    sys.exit(main())
