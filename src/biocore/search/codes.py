"""Fixed-length per-finger codes for the first search stage: soft minutia-pair histograms.

A finger's code is a rotation- and translation-invariant summary of its minutiae: every ordered
pair of minutiae (i, j) within a distance band votes, with linear soft binning, into a 3-D
histogram over (pair distance, direction of j relative to i, direction of the segment i -> j
relative to i) — see :class:`~biocore.search.parameters.CodeParameters`. The histogram is then

1. square-rooted (Hellinger map: a few dense regions should not dominate),
2. centred per distance ring (each ring's mean is removed, so two unrelated fingers score about 0
   and an absent finger — the all-zero code — is neutral), and
3. L2-normalised, then
4. whitened: the population mean code is removed and the code is projected on the principal axes
   of a reference population, each axis divided by its (regularised) standard deviation, and
   L2-normalised again. The transform (``code_whitening.npz``, 83 kB) was fitted once, with
   :func:`fit_whitening`, on 10,000 synthetic fingers (``benchmarks/fit_code_whitening.py``) and is
   frozen: galleries record its checksum and refuse codes made with another. Fitted on synthetic
   prints, it also helps on real ones (FVC 2000/2002 DB1-3 B, NBIS minutiae: mean penetration of the
   mate among other fingers 18.7 % -> 13.3 %, rank 1 34 % -> 48 %; see the benchmark).

so the inner product of two codes is a cosine similarity in [-1, 1], and the inner product of two
persons' concatenated codes (:func:`person_vectors`) is the sum of the per-finger similarities
over the finger positions both hold: the first stage's fusion is a single dot product, which is
what a faiss inner-product index computes. With the default parameters a code is 144 float32
values per finger (stored as float16: 288 bytes).

References
----------
.. [1] Germain, Califano, Colville, "Fingerprint matching using transformation parameter clustering",
   IEEE Computational Science and Engineering 4(4), 1997 (minutia-pair invariants for indexing).
.. [2] Bhanu, Tan, "Fingerprint indexing based on novel features of minutiae triplets", IEEE TPAMI
   25(5), 2003.
.. [3] Arandjelovic, Zisserman, "Three things everyone should know to improve object retrieval",
   CVPR 2012 (the square-root / Hellinger map of histograms).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numba
import numpy as np

from ..errors import InvalidTemplate
from ..templates import Template
from .parameters import CODE, CodeParameters

__all__ = ["finger_codes", "pack_templates", "person_vectors", "fit_whitening", "code_id", "N_POSITIONS"]

_WHITENING_FILE = Path(__file__).with_name("code_whitening.npz")

#: Finger positions 1..10 (ISO/IEC 19794-2); slot ``p - 1`` of a person vector holds position ``p``.
N_POSITIONS = 10


def pack_templates(templates: Sequence[Template]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Concatenate templates into contiguous arrays for the kernel.

    Returns
    -------
    x, y : ndarray of float32, shape (m,)
        Minutia positions in px, all templates back to back.
    angle : ndarray of float32, shape (m,)
        Directions in radians.
    offsets : ndarray of int64, shape (n + 1,)
        Template ``t`` holds minutiae ``offsets[t]:offsets[t + 1]``.
    scale : ndarray of float32, shape (n,)
        ``reference_dpi / dpi`` per template, to measure distances at the reference resolution.
    """
    for i, t in enumerate(templates):
        if not isinstance(t, Template):
            raise InvalidTemplate(f"templates[{i}]: expected a biocore.Template, got {type(t).__name__}")
    counts = np.fromiter((len(t) for t in templates), dtype=np.int64, count=len(templates))
    offsets = np.zeros(len(templates) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    if len(templates):
        x = np.concatenate([t.x for t in templates]).astype(np.float32)
        y = np.concatenate([t.y for t in templates]).astype(np.float32)
        angle = np.concatenate([t.angle for t in templates]).astype(np.float32)
    else:
        x = y = angle = np.zeros(0, np.float32)
    dpi = np.fromiter((t.dpi for t in templates), dtype=np.float32, count=len(templates))
    return x, y, angle, offsets, (np.float32(CODE.reference_dpi) / dpi).astype(np.float32)


def finger_codes(templates: Sequence[Template], params: CodeParameters = CODE, *, whiten: bool = True) -> np.ndarray:
    """The fixed-length code of each template.

    Parameters
    ----------
    templates : sequence of Template, length n
    params : CodeParameters

    Returns
    -------
    ndarray of float32, shape (n, params.dim)
        L2-normalised codes (all zeros for templates with fewer than ``params.min_minutiae``
        minutiae). ``codes @ codes.T`` holds cosine similarities.

    Examples
    --------
    >>> import numpy as np, biocore
    >>> from biocore.search.codes import finger_codes
    >>> rng = np.random.default_rng(0)
    >>> t = biocore.Template(x=rng.integers(0, 300, 40), y=rng.integers(0, 300, 40),
    ...                      angle=rng.uniform(0, 6.28, 40))
    >>> c = finger_codes([t]); c.shape, round(float(c[0] @ c[0]), 3)
    ((1, 144), 1.0)
    """
    x, y, angle, offsets, scale = pack_templates(templates)
    return codes_from_packed(x, y, angle, offsets, scale, params, whiten=whiten)


def codes_from_packed(
    x: np.ndarray, y: np.ndarray, angle: np.ndarray, offsets: np.ndarray, scale: np.ndarray,
    params: CodeParameters = CODE, *, whiten: bool = True,
) -> np.ndarray:
    """:func:`finger_codes` over already packed arrays (see :func:`pack_templates`).

    ``whiten=False`` gives the raw (Hellinger, ring-centred, normalised) histograms.
    """
    n = offsets.shape[0] - 1
    hist = np.zeros((n, params.distance_bins, params.relative_angle_bins, params.radial_angle_bins), np.float32)
    _pair_histograms(
        np.ascontiguousarray(x, np.float32), np.ascontiguousarray(y, np.float32),
        np.ascontiguousarray(angle, np.float32), np.ascontiguousarray(offsets, np.int64),
        np.ascontiguousarray(scale, np.float32), np.float32(params.min_pair_distance_px),
        np.float32(params.max_pair_distance_px), int(params.min_minutiae), hist,
    )
    raw = normalise_histograms(hist)
    if not whiten:
        return raw
    mean, projection = _whitening()
    out = (raw - mean) @ projection
    norm = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norm, out=out, where=norm > 0)
    out[~raw.any(axis=1)] = 0.0  # no information stays neutral
    return out.astype(np.float32, copy=False)


@lru_cache(maxsize=1)
def _whitening() -> tuple[np.ndarray, np.ndarray]:
    with np.load(_WHITENING_FILE) as f:
        return f["mean"].astype(np.float32), np.ascontiguousarray(f["projection"], np.float32)


def code_id(params: CodeParameters = CODE) -> str:
    """Identifies the code a gallery holds: parameters and whitening checksum (stored in the gallery)."""
    crc = zlib.crc32(_WHITENING_FILE.read_bytes()) if _WHITENING_FILE.exists() else 0
    return f"pairhist-{params.distance_bins}x{params.relative_angle_bins}x{params.radial_angle_bins}-" \
           f"{params.min_pair_distance_px:g}-{params.max_pair_distance_px:g}-w{crc:08x}"


def fit_whitening(raw_codes: np.ndarray, *, regularisation: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Fit the whitening transform on raw codes of a reference population.

    Parameters
    ----------
    raw_codes : ndarray of float32, shape (n, dim)
        :func:`codes_from_packed` with ``whiten=False`` (all-zero rows are ignored).
    regularisation : float
        Added to every axis' standard deviation, as a fraction of the largest one, so that
        near-empty directions are not blown up.

    Returns
    -------
    mean : ndarray of float32, shape (dim,)
    projection : ndarray of float32, shape (dim, dim)
        Whitened code = normalise((raw - mean) @ projection).
    """
    x = np.asarray(raw_codes, np.float64)
    x = x[x.any(axis=1)]
    mean = x.mean(axis=0)
    _, s, vt = np.linalg.svd(x - mean, full_matrices=False)
    sd = s / np.sqrt(x.shape[0])
    projection = vt.T / (sd + regularisation * sd[0])
    return mean.astype(np.float32), projection.astype(np.float32)


def normalise_histograms(hist: np.ndarray) -> np.ndarray:
    """Hellinger map, per-ring centring and L2 normalisation of (n, rings, a, b) histograms -> (n, dim)."""
    n = hist.shape[0]
    h = np.sqrt(hist, dtype=np.float32)
    h -= h.mean(axis=(2, 3), keepdims=True)
    h = h.reshape(n, -1)
    norm = np.linalg.norm(h, axis=1, keepdims=True)
    np.divide(h, norm, out=h, where=norm > 0)
    h[(norm <= 0)[:, 0]] = 0.0
    return h


def person_vectors(codes: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Concatenate per-finger codes into person vectors with absent fingers zeroed.

    Parameters
    ----------
    codes : ndarray of float, shape (n, 10, dim)
        Code of finger position ``p`` in slot ``p - 1``.
    present : ndarray of bool, shape (n, 10)

    Returns
    -------
    ndarray of float32, shape (n, 10 * dim)
        The inner product of two rows is the sum of the cosine similarities of the finger positions
        both persons hold.
    """
    v = np.where(present[:, :, None], codes, 0).astype(np.float32, copy=False)
    return np.ascontiguousarray(v.reshape(v.shape[0], v.shape[1] * v.shape[2]))


@numba.njit(nogil=True, cache=True, inline="always")
def _circular_bin(value: float, n: int) -> tuple[int, int, float]:
    # ``value`` in [0, n) bins, bin centres at k + 0.5; returns (low bin, high bin, weight of high).
    v = value - 0.5
    if v < 0.0:
        v += n
    lo = int(v)
    if lo >= n:
        lo = n - 1
    hi = lo + 1
    if hi == n:
        hi = 0
    return lo, hi, v - lo


@numba.njit(nogil=True, cache=True, inline="always")
def _vote(h, d0, d1, wd, a, b, na, nb, a_unit, b_unit):
    a0, a1, wa = _circular_bin(a * a_unit, na)
    b0, b1, wb = _circular_bin(b * b_unit, nb)
    w00 = (1.0 - wd) * (1.0 - wa)
    w01 = (1.0 - wd) * wa
    w10 = wd * (1.0 - wa)
    w11 = wd * wa
    h[d0, a0, b0] += w00 * (1.0 - wb)
    h[d0, a0, b1] += w00 * wb
    h[d0, a1, b0] += w01 * (1.0 - wb)
    h[d0, a1, b1] += w01 * wb
    h[d1, a0, b0] += w10 * (1.0 - wb)
    h[d1, a0, b1] += w10 * wb
    h[d1, a1, b0] += w11 * (1.0 - wb)
    h[d1, a1, b1] += w11 * wb


@numba.njit(nogil=True, cache=True, inline="always")
def _wrap(a, two_pi):
    while a < 0.0:
        a += two_pi
    while a >= two_pi:
        a -= two_pi
    return a


@numba.njit(nogil=True, cache=True)
def _pair_histograms(x, y, angle, offsets, scale, d_min, d_max, min_minutiae, hist):
    # Each unordered pair {i, j} is visited once and votes for both ordered pairs (i, j) and (j, i):
    # the segment j -> i points the opposite way (+pi) and the relative direction changes sign.
    n_templates = offsets.shape[0] - 1
    nd, na, nb = hist.shape[1], hist.shape[2], hist.shape[3]
    two_pi = np.float32(2.0 * np.pi)
    pi = np.float32(np.pi)
    d_unit = nd / (d_max - d_min)
    a_unit = na / two_pi
    b_unit = nb / two_pi
    for t in range(n_templates):
        begin, end = offsets[t], offsets[t + 1]
        if end - begin < min_minutiae:
            continue
        s = scale[t]
        lo2 = (d_min / s) ** 2
        hi2 = (d_max / s) ** 2
        h = hist[t]
        for i in range(begin, end):
            xi, yi, ai = x[i], y[i], angle[i]
            for j in range(i + 1, end):
                dx = x[j] - xi
                dy = y[j] - yi
                d2 = dx * dx + dy * dy
                if d2 < lo2 or d2 >= hi2:
                    continue
                aj = angle[j]
                seg = np.arctan2(-dy, dx)  # direction of i -> j
                # distance: linear soft bins, clamped at both ends
                u = (np.sqrt(d2) * s - d_min) * d_unit - 0.5
                if u <= 0.0:
                    d0, d1, wd = 0, 0, 0.0
                elif u >= nd - 1:
                    d0, d1, wd = nd - 1, nd - 1, 0.0
                else:
                    d0 = int(u)
                    d1, wd = d0 + 1, u - d0
                _vote(h, d0, d1, wd, _wrap(aj - ai, two_pi), _wrap(seg - ai, two_pi), na, nb, a_unit, b_unit)
                _vote(h, d0, d1, wd, _wrap(ai - aj, two_pi), _wrap(seg + pi - aj, two_pi), na, nb, a_unit, b_unit)
