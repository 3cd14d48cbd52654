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


@numba.njit(nogil=True, cache=True)
def master_minutiae(seed, cx0, cy0, half_w, top, bottom, ccx, ccy, cores, deltas, cls, count,
                    boost, core_radius_px, bifurcation_fraction, angle_sigma_rad, arch_height_px, arch_width_px,
                    x, y, angle, kind):
    """Draw ``count[f]`` minutiae for each finger f into the flat outputs (offsets = cumsum(count)).

    Positions uniform in the silhouette (rejection from the bounding box) and thinned towards the
    cores; direction = zero-pole orientation (one atan2 of a product of complex factors), either
    sense; kind 2 (bifurcation) with probability ``bifurcation_fraction``. Uses Numba's generator,
    seeded here, so the result depends only on ``seed`` and the inputs.
    """
    np.random.seed(seed)
    inv2r2 = 0.5 / (core_radius_px * core_radius_px)
    pos = 0
    for f in range(cx0.shape[0]):
        got = 0
        while got < count[f]:
            u = np.random.random() * 2.0 - 1.0
            v = np.random.random() * 2.0 - 1.0
            a = np.random.random()
            if u * u + v * v >= 0.9025:
                continue
            px = cx0[f] + u * half_w[f]
            py = cy0[f] - v * (top[f] if v > 0 else bottom[f])
            d2 = (px - ccx[f]) ** 2 + (py - ccy[f]) ** 2
            if a * (1.0 + boost) >= 1.0 + boost * np.exp(-d2 * inv2r2):
                continue
            if cls[f] == 0:
                h = arch_height_px / (1.0 + np.exp((py - ccy[f]) / 40.0))
                s = (px - ccx[f]) / arch_width_px
                theta = np.arctan(-h * (s / arch_width_px) * np.exp(-0.5 * s * s))
            else:
                # w = x - i y; prod(w - core) * prod(conj(w - delta)), normalised as it goes.
                re, im = 1.0, 0.0
                for k in range(2):
                    if not np.isnan(cores[f, k, 0]):
                        zr = px - cores[f, k, 0]
                        zi = -(py - cores[f, k, 1])
                        re, im = re * zr - im * zi, re * zi + im * zr
                    if not np.isnan(deltas[f, k, 0]):
                        zr = px - deltas[f, k, 0]
                        zi = (py - deltas[f, k, 1])  # conjugate of -(py - dy)
                        re, im = re * zr - im * zi, re * zi + im * zr
                    norm = np.sqrt(re * re + im * im) + 1e-300
                    re /= norm
                    im /= norm
                theta = 0.5 * np.arctan2(im, re)
            if np.random.random() < 0.5:
                theta += np.pi
            theta += np.random.normal(0.0, angle_sigma_rad)
            x[pos] = px
            y[pos] = py
            angle[pos] = theta % (2.0 * np.pi)
            kind[pos] = 2 if np.random.random() < bifurcation_fraction else 1
            pos += 1
            got += 1


@numba.njit(nogil=True, cache=True)
def impression_minutiae(seed, offsets, mx, my, mangle, mkind, tparams, width, height,
                        wavelength_px, position_sigma_px, angle_sigma_rad, kind_flip,
                        true_quality, spurious_quality, out_offsets, x, y, angle, kind, quality):
    """One capture of every finger: carry its master minutiae (elastic wave distortion growing
    from the contact centre, rotation, translation), drop unseen and missing ones, flip kinds,
    add spurious minutiae, jitter; writes templates contiguously and returns the minutiae count.

    ``tparams[t]`` = (contact x, contact y, contact half axes ax, ay, rotation, image x, image y,
    wave direction 1, 2, wave phase 1, 2, distortion amplitude, missing fraction, spurious rate);
    ``true_quality`` / ``spurious_quality`` = inclusive (low, high) minutia quality ranges.
    """
    np.random.seed(seed)
    two_pi = 2.0 * np.pi
    k = two_pi / wavelength_px
    cap = x.shape[0]
    pos = 0
    for t in range(offsets.shape[0] - 1):
        cx, cy, ax, ay, rot, ox, oy, d1, d2, p1, p2, amp, miss, spur = tparams[t]
        c = np.cos(rot)
        s = np.sin(rot)
        c1, s1, c2, s2 = np.cos(d1), np.sin(d1), np.cos(d2), np.sin(d2)
        out_offsets[t] = pos
        n_vis = 0
        for i in range(offsets[t], offsets[t + 1]):
            dx = mx[i] - cx
            dy = my[i] - cy
            radial = np.sqrt((dx / ax) ** 2 + (dy / ay) ** 2)
            r_miss = np.random.random()
            r_flip = np.random.random()
            if radial >= 1.0:
                continue
            ex = amp * radial * np.sin(k * (dx * c1 + dy * s1) + p1)
            ey = amp * radial * np.sin(k * (dx * c2 + dy * s2) + p2)
            dx += ex
            dy += ey
            qx = c * dx + s * dy + ox
            qy = -s * dx + c * dy + oy
            if qx < 0 or qx > width - 1 or qy < 0 or qy > height - 1 or r_miss < miss or pos >= cap:
                continue
            n_vis += 1
            x[pos] = qx + np.random.normal(0.0, position_sigma_px)
            y[pos] = qy + np.random.normal(0.0, position_sigma_px)
            angle[pos] = (mangle[i] + rot + np.random.normal(0.0, angle_sigma_rad)) % two_pi
            kind[pos] = 3 - mkind[i] if r_flip < kind_flip else mkind[i]
            quality[pos] = true_quality[0] + np.random.randint(0, true_quality[1] - true_quality[0] + 1)
            pos += 1
        n_spur = np.random.poisson(spur * n_vis)
        for _ in range(n_spur):
            u = np.random.random() * 2.0 - 1.0
            v = np.random.random() * 2.0 - 1.0
            if u * u + v * v >= 1.0:
                continue
            dx = u * ax
            dy = v * ay
            qx = c * dx + s * dy + ox
            qy = -s * dx + c * dy + oy
            if qx < 0 or qx > width - 1 or qy < 0 or qy > height - 1 or pos >= cap:
                continue
            x[pos] = qx
            y[pos] = qy
            angle[pos] = np.random.random() * two_pi
            kind[pos] = 1 + np.random.randint(0, 2)
            quality[pos] = spurious_quality[0] + np.random.randint(0, spurious_quality[1] - spurious_quality[0] + 1)
            pos += 1
    out_offsets[offsets.shape[0] - 1] = pos
    return pos
