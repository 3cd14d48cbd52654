"""Private Numba kernels of the synthetic fingerprint generator (loops only, no validation)."""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(nogil=True, cache=True)
def oriented_filter_step(field, rows, cols, orient_bin, period_bin, bank, gain, out):
    """One growth step: at each listed pixel, the dot product of the field with that pixel's Gabor
    kernel ``bank[period_bin, orient_bin]``, times ``gain``, clipped to [-1, 1]. ``out`` is written
    only at the listed pixels (the caller zeroes it)."""
    h, w = field.shape
    k = bank.shape[2]
    r = k // 2
    for n in range(rows.shape[0]):
        y = rows[n]
        x = cols[n]
        kern = bank[period_bin[n], orient_bin[n]]
        acc = 0.0
        if y >= r and y < h - r and x >= r and x < w - r:
            for i in range(k):
                fr = field[y + i - r]
                kr = kern[i]
                for j in range(k):
                    acc += kr[j] * fr[x + j - r]
        else:
            for i in range(k):
                yy = y + i - r
                if yy < 0 or yy >= h:
                    continue
                for j in range(k):
                    xx = x + j - r
                    if xx < 0 or xx >= w:
                        continue
                    acc += kern[i, j] * field[yy, xx]
        v = gain * acc
        if v > 1.0:
            v = 1.0
        elif v < -1.0:
            v = -1.0
        out[y, x] = v


# 8-neighbourhood in clockwise order starting east (row, col offsets), for the crossing number.
_NEIGH_DR = np.array([0, 1, 1, 1, 0, -1, -1, -1], dtype=np.int64)
_NEIGH_DC = np.array([1, 1, 0, -1, -1, -1, 0, 1], dtype=np.int64)


@numba.njit(nogil=True, cache=True)
def trace_branch(skel, y0, x0, y1, x1, steps):
    """Follow a one-pixel-wide skeleton from (y0, x0) through its neighbour (y1, x1) for up to
    ``steps`` pixels, never going back; stops at a junction or an end. Returns the last (y, x)."""
    h, w = skel.shape
    py, px = y0, x0
    cy, cx = y1, x1
    for _ in range(steps - 1):
        ny, nx, count = -1, -1, 0
        for k in range(8):
            yy = cy + _NEIGH_DR[k]
            xx = cx + _NEIGH_DC[k]
            if yy < 0 or yy >= h or xx < 0 or xx >= w:
                continue
            if not skel[yy, xx] or (yy == py and xx == px) or (yy == y0 and xx == x0):
                continue
            # Prefer 4-neighbours over diagonal ones that skip a corner.
            if count == 0 or (abs(yy - cy) + abs(xx - cx) == 1 and abs(ny - cy) + abs(nx - cx) == 2):
                ny, nx = yy, xx
            count += 1
        if count == 0 or count > 2:
            break
        py, px = cy, cx
        cy, cx = ny, nx
    return cy, cx


@numba.njit(nogil=True, cache=True)
def branch_ends(skel, ys, xs, steps, out):
    """For each skeleton pixel (ys[i], xs[i]) and each of its up to 3 skeleton neighbours, the
    (y, x) reached by tracing ``steps`` pixels along that branch; ``out`` has shape (n, 3, 2) and
    rows without a branch keep -1."""
    h, w = skel.shape
    for i in range(ys.shape[0]):
        y0 = ys[i]
        x0 = xs[i]
        b = 0
        for k in range(8):
            yy = y0 + _NEIGH_DR[k]
            xx = x0 + _NEIGH_DC[k]
            if yy < 0 or yy >= h or xx < 0 or xx >= w or not skel[yy, xx]:
                continue
            # Skip a diagonal neighbour when a 4-neighbour next to it is also set (same branch).
            if abs(_NEIGH_DR[k]) + abs(_NEIGH_DC[k]) == 2:
                if skel[y0 + _NEIGH_DR[k], x0] or skel[y0, x0 + _NEIGH_DC[k]]:
                    continue
            if b < 3:
                ey, ex = trace_branch(skel, y0, x0, yy, xx, steps)
                out[i, b, 0] = ey
                out[i, b, 1] = ex
            b += 1
