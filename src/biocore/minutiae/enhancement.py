"""Stage 5: contextual enhancement with a bank of oriented Gabor filters.

The normalized image is filtered once with each filter of two even-symmetric Gabor banks, tuned to
the print's median ridge period times 0.85 and 1.15 (OpenCV, each kernel applied as its rank-2
separable approximation); every pixel then takes the responses of the filters whose orientation
brackets its own, linearly interpolated between the two, and between the two banks by its own
ridge period (from the frequency stage): the period varies by ~30% within a print. Filtering runs on a
2x decimated grid (a 9-pixel ridge period is still 4.5 samples there) and the response is
interpolated back, which costs a quarter of full-resolution filtering.

References
----------
.. [1] L. Hong, Y. Wan and A. K. Jain, "Fingerprint image enhancement: algorithm and performance
   evaluation," IEEE TPAMI 20(8), 1998.
"""

from __future__ import annotations

import functools
import math
import threading

import cv2
import numba
import numpy as np

from ._filters import resize_to
from .orientation import OrientationField
from .parameters import ExtractionParameters

__all__ = ["enhance", "gabor_bank", "separable_factors", "filter_bank"]


def gabor_bank(
    period_px: float,
    orientations: int,
    sigma_across_px: float,
    sigma_along_px: float,
    half_size_px: int,
) -> np.ndarray:
    """Even-symmetric, zero-mean Gabor kernels for ridges of the given period.

    Parameters
    ----------
    period_px : float
        Ridge period (pixels) the filters pass.
    orientations : int
        Kernel ``k`` is tuned to ridges running at ``theta_k = k * pi / orientations`` radians
        (counter-clockwise on screen).
    sigma_across_px, sigma_along_px : float
        Gaussian envelope across and along the ridges.
    half_size_px : int
        Kernels are ``2 * half_size_px + 1`` pixels square.

    Returns
    -------
    bank : ndarray, shape (orientations, 2 * half_size_px + 1, 2 * half_size_px + 1), float32
        Each kernel sums to 0 and its absolute values to 2 (a ridge gives a positive response).
    """
    return _cached_bank(round(period_px * 8) / 8, orientations, sigma_across_px, sigma_along_px, half_size_px).copy()


@functools.lru_cache(maxsize=64)
def _cached_bank(period_px, orientations, sigma_across_px, sigma_along_px, half_size_px) -> np.ndarray:
    y, x = np.mgrid[-half_size_px : half_size_px + 1, -half_size_px : half_size_px + 1].astype(np.float64)
    bank = np.empty((orientations, 2 * half_size_px + 1, 2 * half_size_px + 1), dtype=np.float32)
    for k in range(orientations):
        theta = k * math.pi / orientations
        # Ridge direction on screen is (cos t, -sin t) in (col, row) steps; the normal is (sin t, cos t).
        across = x * math.sin(theta) + y * math.cos(theta)
        along = x * math.cos(theta) - y * math.sin(theta)
        envelope = np.exp(-0.5 * (across / sigma_across_px) ** 2 - 0.5 * (along / sigma_along_px) ** 2)
        kernel = envelope * np.cos(2.0 * math.pi * across / period_px)
        kernel -= envelope * (kernel.sum() / envelope.sum())
        bank[k] = kernel * (2.0 / np.abs(kernel).sum())
    bank.flags.writeable = False
    return bank


@functools.lru_cache(maxsize=64)
def _cached_factors(period_px, orientations, sigma_across_px, sigma_along_px, half_size_px) -> np.ndarray:
    return separable_factors(_cached_bank(period_px, orientations, sigma_across_px, sigma_along_px, half_size_px))


def separable_factors(bank: np.ndarray, rank: int = 2) -> np.ndarray:
    """Best rank-``rank`` separable approximation of every kernel of a bank (SVD).

    A Gabor kernel is a product of Gaussians and a plane wave; ``cos(a x + b y)`` splits into two
    separable terms, so two (column, row) pairs carry ~98% of each kernel's energy and filtering
    with them costs four short 1-D passes instead of one 2-D pass.

    Returns
    -------
    factors : ndarray, shape (orientations, rank, 2, size), float32
        ``factors[k, r, 0]`` is a column (vertical) filter, ``factors[k, r, 1]`` a row filter;
        kernel ``k`` is approximately ``sum_r outer(factors[k, r, 0], factors[k, r, 1])``; terms whose
        singular value is below 1e-6 of the first are zero (:func:`filter_bank` skips them). A
        kernel that is the left-right mirror of an earlier one (orientations ``theta`` and
        ``pi - theta``) gets that kernel's column filters and its row filters times +-1 (each
        singular vector of a point-symmetric kernel is even or odd), which :func:`filter_bank`
        exploits to filter the pair with the passes of one.
    """
    n, size, _ = bank.shape
    factors = np.zeros((n, rank, 2, size), dtype=np.float32)
    for k in range(n):
        mirror = next((j for j in range(k) if np.allclose(bank[k], bank[j][:, ::-1], atol=1e-6)), None)
        if mirror is not None:
            for r in range(rank):
                row = factors[mirror, r, 1]
                parity = 1.0 if np.abs(row[::-1] - row).max() <= np.abs(row[::-1] + row).max() else -1.0
                factors[k, r, 0] = factors[mirror, r, 0]
                factors[k, r, 1] = parity * row
            continue
        u, sv, vt = np.linalg.svd(bank[k].astype(np.float64))
        for r in range(rank):
            # Terms that carry nothing (axis-aligned kernels are exactly rank 1) stay zero, and are skipped.
            if sv[r] > 1e-6 * sv[0]:
                factors[k, r, 0] = u[:, r] * np.sqrt(sv[r])
                factors[k, r, 1] = vt[r] * np.sqrt(sv[r])
    factors.flags.writeable = False
    return factors


@functools.lru_cache(maxsize=64)
def _filter_plan(key: bytes, shape: tuple[int, ...]) -> tuple[tuple[int, int, tuple[float, ...]], ...]:
    """Per kernel ``k`` (in order): ``(k, m, signs)`` where kernel ``m > k`` has ``k``'s column
    filters and row filters times ``signs`` (``m = -1`` if none); mirrored kernels are not listed."""
    factors = np.frombuffer(key, np.float32).reshape(shape)
    n, rank = shape[:2]
    plan, paired = [], set()
    for k in range(n):
        if k in paired:
            continue
        partner, signs = -1, ()
        for m in range(k + 1, n):
            if m in paired or not np.array_equal(factors[m, :, 0], factors[k, :, 0]):
                continue
            same = [np.array_equal(factors[m, r, 1], factors[k, r, 1]) for r in range(rank)]
            flipped = [np.array_equal(factors[m, r, 1], -factors[k, r, 1]) for r in range(rank)]
            if all(a or b for a, b in zip(same, flipped)):
                partner, signs = m, tuple(1.0 if a else -1.0 for a in same)
                paired.add(m)
                break
        plan.append((k, partner, signs))
    return tuple(plan)


#: Scratch arrays of this many float32 values or fewer are kept per thread and reused (16 MiB:
#: a 500 ppi print's filter responses take ~2 MiB); fresh pages cost a fault each on every image.
_SCRATCH_MAX_VALUES = 4 * 1024 * 1024
_scratch = threading.local()


def _scratch_array(slot: str, shape: tuple[int, ...]) -> np.ndarray:
    """A float32 array of ``shape`` (uninitialized), reused by this thread across calls for ``slot``."""
    size = math.prod(shape)
    if size > _SCRATCH_MAX_VALUES:
        return np.empty(shape, np.float32)
    flat = getattr(_scratch, slot, None)
    if flat is None or flat.size < size:
        flat = np.empty(max(size, 1), np.float32)
        setattr(_scratch, slot, flat)
    return flat[:size].reshape(shape)


def filter_bank(image: np.ndarray, factors: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Responses of ``image`` (float32) to each separable kernel, shape (orientations, H, W), float32.

    Correlation with reflected borders, as ``cv2.filter2D`` with the full kernels would compute.
    ``out`` (C-contiguous float32 of that shape), when given, receives the responses. Kernels
    that share their separable terms up to sign (see :func:`separable_factors`) share the passes.
    """
    n, rank = factors.shape[:2]
    responses = np.empty((n,) + image.shape, dtype=np.float32) if out is None else out
    term = _scratch_array("term", image.shape)
    for k, m, signs in _filter_plan(np.ascontiguousarray(factors).tobytes(), factors.shape):
        cv2.sepFilter2D(image, cv2.CV_32F, factors[k, 0, 1], factors[k, 0, 0], dst=responses[k],
                        borderType=cv2.BORDER_REFLECT)
        if m >= 0:
            np.multiply(responses[k], np.float32(signs[0]), out=responses[m])
        for r in range(1, rank):
            if not factors[k, r, 0].any():
                continue
            cv2.sepFilter2D(image, cv2.CV_32F, factors[k, r, 1], factors[k, r, 0], dst=term,
                            borderType=cv2.BORDER_REFLECT)
            responses[k] += term
            if m >= 0:
                if signs[r] > 0:
                    responses[m] += term
                else:
                    responses[m] -= term
    return responses


def enhance(
    normalized: np.ndarray,
    field: OrientationField,
    period_px: float,
    params: ExtractionParameters,
    frequency: np.ndarray | None = None,
) -> np.ndarray:
    """Gabor-enhanced image: ridges positive, valleys negative.

    Parameters
    ----------
    normalized : ndarray, shape (H, W), float32
    field : OrientationField
    period_px : float
        Ridge period of the print (pixels), from :func:`~biocore.minutiae.frequency.dominant_period`.
    params : ExtractionParameters
        Uses the ``gabor_*`` parameters.
    frequency : ndarray, shape (H, W), float32, optional
        Local ridge frequency (cycles per pixel). With it, banks are tuned to ``period_px`` times
        each of ``gabor_period_ratios`` and every pixel interpolates between the two banks
        bracketing its own period; without it, one bank at ``period_px`` serves every pixel.

    Returns
    -------
    enhanced : ndarray, shape (H, W), float32
    """
    rows, cols = normalized.shape
    d = max(1, params.gabor_downscale)
    small = normalized if d == 1 else resize_to(normalized, (rows // d, cols // d), interpolation=cv2.INTER_AREA)
    ratios = params.gabor_period_ratios if frequency is not None and len(params.gabor_period_ratios) > 1 else (1.0,)
    n = params.gabor_orientations
    periods = np.empty(len(ratios), np.float32)
    responses = _scratch_array("responses", (len(ratios) * n,) + small.shape)
    for b, ratio in enumerate(ratios):
        # Periods snap to 1/8 pixel so that banks are reused across images (they are cached).
        p = round(period_px * ratio / d * 8) / 8
        sigma_across = params.gabor_sigma_across_periods * p
        sigma_along = params.gabor_sigma_along_periods * p
        half = int(math.ceil(params.gabor_half_size_sigmas * max(sigma_across, sigma_along)))
        half = min(half, params.gabor_max_half_size_px)
        factors = _cached_factors(p, n, sigma_across, sigma_along, half)
        filter_bank(small, factors, out=responses[b * n : (b + 1) * n])
        periods[b] = p
    if len(ratios) > 1:
        local_period = np.reciprocal(resize_to(frequency, small.shape, interpolation=cv2.INTER_AREA)) / np.float32(d)
    else:
        local_period = np.empty((1, 1), np.float32)
    # Interpolated back into a fresh array below; without downscaling it is the result itself.
    selected = _scratch_array("selected", small.shape) if d > 1 else np.empty(small.shape, np.float32)
    # The doubled-angle vector, interpolated to the filtering grid; the kernel takes its angle.
    cos2, sin2 = resize_to(field.cos2, small.shape), resize_to(field.sin2, small.shape)
    _select_kernel(responses, cos2, sin2, periods, local_period, selected)
    return resize_to(selected, (rows, cols), interpolation=cv2.INTER_CUBIC)


@numba.njit(nogil=True, cache=True)
def _fast_atan2(y, x):  # pragma: no cover - compiled
    """atan2 within 1e-5 rad (octant reduction and a degree-9 odd polynomial), float32."""
    ax = abs(x)
    ay = abs(y)
    big = max(ax, ay)
    if big == 0:
        return np.float32(0.0)
    t = min(ax, ay) / big
    t2 = t * t
    a = t * (np.float32(0.9998660) + t2 * (np.float32(-0.3302995) + t2 * (np.float32(0.1801410)
             + t2 * (np.float32(-0.0851330) + t2 * np.float32(0.0208351)))))
    if ay > ax:
        a = np.float32(np.pi / 2) - a
    if x < 0:
        a = np.float32(np.pi) - a
    return -a if y < 0 else a


@numba.njit(nogil=True, cache=True)
def _select_kernel(responses, cos2, sin2, periods, local_period, out):  # pragma: no cover - compiled
    """Per pixel, the responses of the filters bracketing the ridge orientation (half the angle
    of ``(cos2, sin2)``) and, with several banks, the pixel's period, linearly interpolated.

    ``responses`` holds ``periods.shape[0]`` banks of ``n`` orientations, bank after bank; filter
    ``k`` of a bank is tuned to ``k * pi / n``.
    """
    m = periods.shape[0]
    n = responses.shape[0] // m
    rows, cols = out.shape
    one = np.float32(1.0)
    zero = np.float32(0.0)
    # Orientation theta = angle / 2 in [0, pi) sits at position theta * n / pi = angle * n / (2 pi).
    per_rad = np.float32(n / (2.0 * np.pi))
    full = np.float32(n)
    for r in range(rows):
        for c in range(cols):
            position = _fast_atan2(sin2[r, c], cos2[r, c]) * per_rad
            if position < zero:
                position += full
            k0 = int(position)
            weight = position - np.float32(k0)
            if k0 >= n:
                k0 -= n
            k1 = k0 + 1
            if k1 == n:
                k1 = 0
            if m == 1:
                out[r, c] = responses[k0, r, c] * (one - weight) + responses[k1, r, c] * weight
                continue
            period = local_period[r, c]
            b = 0
            while b < m - 2 and period > periods[b + 1]:
                b += 1
            u = (period - periods[b]) / (periods[b + 1] - periods[b])
            u = min(max(u, zero), one)
            lo = b * n
            hi = lo + n
            low = responses[lo + k0, r, c] * (one - weight) + responses[lo + k1, r, c] * weight
            high = responses[hi + k0, r, c] * (one - weight) + responses[hi + k1, r, c] * weight
            out[r, c] = low * (one - u) + high * u
