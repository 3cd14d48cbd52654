"""Stage 6: ground-truth minutiae, read off the master ridge pattern.

Binarize the master (ridges are its positive half), thin the ridges to one-pixel skeletons, and
find the skeleton pixels whose crossing number is 1 (ridge ending) or 3 (bifurcation). Each
minutia's direction comes from tracing the skeleton a short way from it:

* a ridge ending points along its ridge, from the end into the ridge;
* a bifurcation points between its two branches (opposite its stem);

both as ``atan2(-dy, dx)`` in image coordinates, the ISO/IEC 19794-2 / ANSI INCITS 378 convention
of :class:`biocore.Template`. When the master's orientation field is given (as it is for every
master), the direction's axis is the field's at the minutia, exact and smooth, and the short
skeleton trace only says which way along it: a few skeleton pixels near a junction bend too much
to give the axis themselves. Minutiae near the silhouette edge (where ridges are cut, not ended)
and short skeleton spurs are dropped.

This detector is deliberately small and independent of :mod:`biocore.minutiae`: it runs on a clean
synthetic pattern and defines the truth the extractor is measured against.

References
----------
D. Maltoni, D. Maio, A. K. Jain, S. Prabhakar, Handbook of Fingerprint Recognition, 2nd ed.,
Springer 2009, sec. 3.7 (crossing number) and 3.2 (minutia direction conventions).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from skimage.morphology import skeletonize

from . import _kernels

__all__ = ["GroundTruth", "skeleton_of", "crossing_number", "detect_minutiae"]


@dataclass(frozen=True)
class GroundTruth:
    """Minutiae as float arrays of shape (n,): x, y (px), angle (rad, [0, 2 pi)), kind (1 ending, 2 bifurcation)."""

    x: np.ndarray
    y: np.ndarray
    angle: np.ndarray
    kind: np.ndarray

    def __len__(self) -> int:
        return int(self.x.shape[0])

    def select(self, keep: np.ndarray) -> "GroundTruth":
        return GroundTruth(self.x[keep], self.y[keep], self.angle[keep], self.kind[keep])


def skeleton_of(master: np.ndarray) -> np.ndarray:
    """One-pixel-wide skeleton (bool, same shape) of the ridges (``master > 0``)."""
    return skeletonize(master > 0)


def crossing_number(skel: np.ndarray) -> np.ndarray:
    """Crossing number of every skeleton pixel (uint8; 0 off the skeleton).

    Half the number of 0/1 transitions around the 8-neighbourhood: 1 at a ridge ending, 2 along a
    ridge, 3 at a bifurcation.
    """
    p = np.pad(skel.astype(np.int16), 1)
    h, w = skel.shape
    # Neighbours in cyclic order around the pixel.
    ring = [(0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1), (-1, 0), (-1, 1)]
    n = [p[1 + dr : 1 + dr + h, 1 + dc : 1 + dc + w] for dr, dc in ring]
    total = sum(np.abs(n[k] - n[(k + 1) % 8]) for k in range(8))
    return np.where(skel, total // 2, 0).astype(np.uint8)


def detect_minutiae(
    master: np.ndarray, valid: np.ndarray, params, orientation: np.ndarray | None = None
) -> tuple[GroundTruth, np.ndarray]:
    """Minutiae of a master ridge field.

    Parameters
    ----------
    master : ndarray, shape (H, W), float32
        Ridge field, ridges positive.
    valid : ndarray, shape (H, W), bool
        Where ridges are real (the silhouette); minutiae within ``params.border_margin_px`` of its
        edge are dropped.
    params : MasterParameters
    orientation : ndarray, shape (H, W), float, optional
        Ridge orientation in [0, pi) (the master's field); gives the directions' axes.

    Returns
    -------
    (GroundTruth, skeleton)
        The minutiae and the bool skeleton they were read from.
    """
    skel = skeleton_of(master) & valid
    cn = crossing_number(skel)
    inner = cv2.distanceTransform(valid.astype(np.uint8), cv2.DIST_L2, 5) > params.border_margin_px
    ys, xs = np.nonzero(((cn == 1) | (cn == 3)) & inner)
    kind = np.where(cn[ys, xs] == 1, 1, 2).astype(np.uint8)

    ends = np.full((ys.shape[0], 3, 2), -1, dtype=np.int64)
    _kernels.branch_ends(skel, ys.astype(np.int64), xs.astype(np.int64), params.direction_trace_steps, ends)
    angle = np.array([_direction(k, y, x, e) for k, y, x, e in zip(kind, ys, xs, ends)], dtype=np.float64)
    if orientation is not None:
        angle = _along_field(angle, orientation[ys, xs].astype(np.float64), kind, ys, xs, ends)
    gt = GroundTruth(xs.astype(np.float64), ys.astype(np.float64), angle, kind)
    return _clean(gt, params), skel


def _direction(kind: int, y: int, x: int, ends: np.ndarray) -> float:
    vecs = [(float(ex - x), float(-(ey - y))) for ey, ex in ends if ey >= 0]  # (dx, up)
    if kind == 1 or len(vecs) < 3:
        dx, up = vecs[0] if vecs else (1.0, 0.0)
        return float(np.arctan2(up, dx) % (2 * np.pi))
    units = [np.array(v) / max(np.hypot(*v), 1e-9) for v in vecs]
    # The stem is the branch least aligned with the other two; the direction bisects the others.
    spread = [sum(float(units[i] @ units[j]) for j in range(3) if j != i) for i in range(3)]
    stem = int(np.argmin(spread))
    a, b = (units[j] for j in range(3) if j != stem)
    mid = a + b
    if np.hypot(*mid) < 1e-6:
        mid = -units[stem]
    return float(np.arctan2(mid[1], mid[0]) % (2 * np.pi))


def _along_field(
    traced: np.ndarray, axis: np.ndarray, kind: np.ndarray, ys: np.ndarray, xs: np.ndarray, ends: np.ndarray
) -> np.ndarray:
    """Directions on the field's axis, in the sense the skeleton gives.

    An ending takes the sense of its traced direction. A bifurcation's three branches split
    two against one along the axis (the fork and the stem): it points towards the fork. When
    the branches do not split clearly the traced direction decides.
    """
    ux, uy = np.cos(axis), np.sin(axis)  # (dx, up)
    sense = np.sign(ux * np.cos(traced) + uy * np.sin(traced))
    bif = np.flatnonzero(kind == 2)
    for i in bif:
        e = ends[i]
        valid = e[:, 0] >= 0
        if valid.sum() < 3:
            continue
        proj = (e[valid, 1] - xs[i]) * ux[i] - (e[valid, 0] - ys[i]) * uy[i]
        pos, neg = int(np.sum(proj > 0)), int(np.sum(proj < 0))
        if {pos, neg} == {1, 2}:
            sense[i] = 1.0 if pos == 2 else -1.0
    sense[sense == 0] = 1.0
    return np.mod(axis + np.where(sense > 0, 0.0, np.pi), 2 * np.pi)


def _clean(gt: GroundTruth, params) -> GroundTruth:
    """Drop spurs (an ending right next to a bifurcation) and clusters closer than the minimum distance."""
    if len(gt) < 2:
        return gt
    d = np.hypot(gt.x[:, None] - gt.x[None, :], gt.y[:, None] - gt.y[None, :])
    np.fill_diagonal(d, np.inf)
    mixed = gt.kind[:, None] != gt.kind[None, :]
    spur = np.any(mixed & (d <= params.spur_max_length_px), axis=1)
    keep = ~spur
    # Of minutiae closer than the minimum distance (e.g. two junction pixels of one crossing) keep the first.
    close = np.triu(d < params.min_minutia_distance_px, 1)
    for i, j in zip(*np.nonzero(close)):
        if keep[i] and keep[j]:
            keep[j] = False
    return gt.select(keep)
