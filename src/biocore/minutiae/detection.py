"""Stage 8: minutia detection on the skeleton by crossing number, with skeleton walks.

A skeleton pixel whose 8-neighbour ring changes value twice is on a plain ridge; once, a ridge
ending; three or more times, a bifurcation (adjacent junction pixels are merged into one).
From each minutia a short walk along every branch gives its direction and tells which other
minutia, if any, the branch runs into and how far away: the evidence the filtering stage uses to
remove spurs, islands and bridges.

Directions follow ISO/IEC 19794-2: a ridge ending points along its ridge into the ridge body; a
bifurcation points between its two branches (the bisector of the two branches closest in angle).

References
----------
.. [1] D. Maltoni, D. Maio, A. K. Jain and S. Prabhakar, Handbook of Fingerprint Recognition,
   2nd ed., Springer 2009, sec. 3.7 (crossing number, minutia direction).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

__all__ = ["Candidates", "detect"]

MAX_BRANCHES = 4
NO_PARTNER = -1


@dataclass(frozen=True)
class Candidates:
    """Raw minutiae, struct of arrays (``n`` minutiae), in pixels of the analysed image.

    Attributes
    ----------
    row, col : ndarray, shape (n,), int32
    angle : ndarray, shape (n,), float64
        Direction in radians in [-pi, pi], counter-clockwise on screen, ISO convention.
    kind : ndarray, shape (n,), uint8
        1 ridge ending, 2 bifurcation.
    partner : ndarray, shape (n, 4), int32
        Per branch, the index of the minutia the branch's skeleton walk ran into, or -1.
    branch_length : ndarray, shape (n, 4), int32
        Per branch, steps walked until entering the partner's 8-neighbourhood (or stopping).
    """

    row: np.ndarray
    col: np.ndarray
    angle: np.ndarray
    kind: np.ndarray
    partner: np.ndarray
    branch_length: np.ndarray

    def __len__(self) -> int:
        return int(self.row.shape[0])

    def shifted(self, rows: int, cols: int) -> "Candidates":
        """The same candidates with positions offset by ``(rows, cols)`` (from a crop to its image)."""
        return Candidates(self.row + rows, self.col + cols, self.angle, self.kind, self.partner, self.branch_length)

    def select(self, keep: np.ndarray) -> "Candidates":
        """Subset (``partner`` indices are left as they are: they refer to the raw list)."""
        return Candidates(
            self.row[keep], self.col[keep], self.angle[keep], self.kind[keep],
            self.partner[keep], self.branch_length[keep],
        )


def detect(skeleton: np.ndarray, *, walk_px: int, direction_px: int) -> Candidates:
    """Find ridge endings and bifurcations on a skeleton.

    Parameters
    ----------
    skeleton : ndarray, shape (H, W), uint8
        1 on the skeleton (8-connected, one pixel wide), from :func:`~biocore.minutiae.thinning.thin`.
    walk_px : int
        Longest skeleton walk per branch (steps); branches longer than this have no partner.
    direction_px : int
        The direction is taken from the minutia to the branch point this many steps away.

    Returns
    -------
    Candidates
    """
    work = np.ascontiguousarray(skeleton, dtype=np.uint8).copy()
    work[0, :] = work[-1, :] = 0
    work[:, 0] = work[:, -1] = 0
    row, col, kind, angle, partner, length = _detect_kernel(work, int(walk_px), int(direction_px))
    return Candidates(row, col, angle, kind, partner, length)


@numba.njit(nogil=True, cache=True)
def _crossings(s, r, c, dr, dc):  # pragma: no cover - compiled
    t = 0
    for i in range(8):
        j = (i + 1) % 8
        if (s[r + dr[i], c + dc[i]] != 0) != (s[r + dr[j], c + dc[j]] != 0):
            t += 1
    return t // 2


@numba.njit(nogil=True, cache=True)
def _detect_kernel(s, walk_px, direction_px):  # pragma: no cover - compiled
    rows, cols = s.shape
    # Ring of 8 neighbours counter-clockwise from east on screen: E, NE, N, NW, W, SW, S, SE.
    dr = np.array([0, -1, -1, -1, 0, 1, 1, 1])
    dc = np.array([1, 1, 0, -1, -1, -1, 0, 1])
    label = np.full((rows, cols), -1, np.int32)
    capacity = 256
    mr = np.empty(capacity, np.int32)
    mc = np.empty(capacity, np.int32)
    mk = np.empty(capacity, np.uint8)
    n = 0
    for r in range(1, rows - 1):
        for c in range(1, cols - 1):
            if s[r, c] == 0:
                continue
            cn = _crossings(s, r, c, dr, dc)
            if cn == 2 or cn == 0:
                continue
            if cn >= 3:
                # One bifurcation per junction blob: skip pixels next to an accepted one.
                near = False
                for i in range(8):
                    lab = label[r + dr[i], c + dc[i]]
                    if lab >= 0 and mk[lab] == 2:
                        near = True
                if near:
                    continue
            if n == capacity:
                capacity *= 2
                mr2 = np.empty(capacity, np.int32)
                mc2 = np.empty(capacity, np.int32)
                mk2 = np.empty(capacity, np.uint8)
                mr2[:n] = mr[:n]
                mc2[:n] = mc[:n]
                mk2[:n] = mk[:n]
                mr, mc, mk = mr2, mc2, mk2
            mr[n] = r
            mc[n] = c
            mk[n] = 1 if cn == 1 else 2
            for i in range(-1, 2):
                for j in range(-1, 2):
                    if label[r + i, c + j] < 0:
                        label[r + i, c + j] = n
            n += 1

    angle = np.zeros(n, np.float64)
    partner = np.full((n, 4), -1, np.int32)
    length = np.zeros((n, 4), np.int32)
    visited = np.zeros((rows, cols), np.uint8)
    path_r = np.empty(4 * walk_px + 16, np.int64)
    path_c = np.empty(4 * walk_px + 16, np.int64)
    branch_angle = np.zeros(4, np.float64)
    for m in range(n):
        r0 = mr[m]
        c0 = mc[m]
        np_ = 0
        visited[r0, c0] = 1
        path_r[np_] = r0
        path_c[np_] = c0
        np_ += 1
        # Branch starts: one pixel per run of foreground in the ring, preferring 4-neighbours.
        starts = np.full(4, -1, np.int64)
        nb = 0
        for i in range(8):
            if s[r0 + dr[i], c0 + dc[i]] and not s[r0 + dr[(i + 7) % 8], c0 + dc[(i + 7) % 8]]:
                best = i
                j = i
                while s[r0 + dr[j], c0 + dc[j]]:
                    if j % 2 == 0:
                        best = j
                        break
                    j = (j + 1) % 8
                    if j == i:
                        break
                if nb < 4:
                    starts[nb] = best
                    nb += 1
        for i in range(8):
            rr = r0 + dr[i]
            cc = c0 + dc[i]
            if s[rr, cc] and not visited[rr, cc]:
                visited[rr, cc] = 1
                path_r[np_] = rr
                path_c[np_] = cc
                np_ += 1
        for b in range(nb):
            pr = r0
            pc = c0
            cr = r0 + dr[starts[b]]
            cc = c0 + dc[starts[b]]
            steps = 1
            tr = cr
            tc = cc
            while True:
                lab = label[cr, cc]
                if lab >= 0 and lab != m:
                    partner[m, b] = lab
                    break
                if steps == direction_px:
                    tr = cr
                    tc = cc
                if steps >= walk_px:
                    break
                best_r = -1
                best_c = -1
                best_score = -1
                for i in range(8):
                    rr = cr + dr[i]
                    cc2 = cc + dc[i]
                    if s[rr, cc2] == 0 or visited[rr, cc2]:
                        continue
                    score = 1
                    if abs(rr - pr) > 1 or abs(cc2 - pc) > 1:
                        score += 2
                    if i % 2 == 0:
                        score += 1
                    if score > best_score:
                        best_score = score
                        best_r = rr
                        best_c = cc2
                if best_score < 0:
                    break
                visited[best_r, best_c] = 1
                if np_ < path_r.shape[0]:
                    path_r[np_] = best_r
                    path_c[np_] = best_c
                    np_ += 1
                pr = cr
                pc = cc
                cr = best_r
                cc = best_c
                steps += 1
            length[m, b] = steps
            if steps < direction_px:
                tr = cr
                tc = cc
            branch_angle[b] = np.arctan2(-(tr - r0), tc - c0)
        for k in range(np_):
            visited[path_r[k], path_c[k]] = 0
        if mk[m] == 1 or nb < 3:
            if nb == 0:
                mk[m] = 0
            angle[m] = branch_angle[0]
            if mk[m] == 2:
                mk[m] = 0
        else:
            # The two branches closest in angle embrace the bifurcation's direction.
            best_gap = 10.0
            bi = 0
            bj = 1
            for i in range(nb):
                for j in range(i + 1, nb):
                    gap = abs((branch_angle[i] - branch_angle[j] + np.pi) % (2 * np.pi) - np.pi)
                    if gap < best_gap:
                        best_gap = gap
                        bi = i
                        bj = j
            angle[m] = np.arctan2(
                np.sin(branch_angle[bi]) + np.sin(branch_angle[bj]),
                np.cos(branch_angle[bi]) + np.cos(branch_angle[bj]),
            )
    return mr[:n].copy(), mc[:n].copy(), mk[:n].copy(), angle, partner, length
