"""Stage 4: local ridge frequency.

For a sinusoid ``cos(w . p)`` the mean squared gradient is ``|w|^2`` times the mean squared
signal, so the ratio of local gradient energy to local signal energy gives the angular frequency
directly, everywhere at once, with two smoothings and no per-block projections. The gradient is
taken with the 5-point derivative, whose gain ``sin(w) (4 - cos(w)) / 3`` stays within 2% of
``w`` in every direction up to ``w = 1`` (periods of 6 pixels and more); that gain is inverted
exactly for the axis-aligned case. A light pre-blur keeps sensor noise out of the gradient energy
(it scales both energies alike for the ridge signal).

References
----------
.. [1] L. Hong, Y. Wan and A. K. Jain, "Fingerprint image enhancement: algorithm and performance
   evaluation," IEEE TPAMI 20(8), 1998 (ridge frequency as a per-region property).
"""

from __future__ import annotations

import cv2
import numpy as np

from ._filters import resize_to
from .parameters import ExtractionParameters

__all__ = ["ridge_frequency", "dominant_period"]

_PREBLUR_SIGMA_PX = 1.0
_DERIVATIVE = (np.array([[1.0, -8.0, 0.0, 8.0, -1.0]]) / 12.0).astype(np.float32)
# Gain of the derivative at angular frequency w (monotonic up to w = 1.6 rad, periods >= 4 px).
_OMEGA_TABLE = np.linspace(0.0, 1.6, 321)
_GAIN_TABLE = np.sin(_OMEGA_TABLE) * (4.0 - np.cos(_OMEGA_TABLE)) / 3.0


def ridge_frequency(normalized: np.ndarray, params: ExtractionParameters) -> np.ndarray:
    """Local ridge frequency in cycles per pixel.

    Parameters
    ----------
    normalized : ndarray, shape (H, W), float32
    params : ExtractionParameters
        Uses ``frequency_sigma_px``, ``min_period_px``, ``max_period_px``.

    Returns
    -------
    frequency : ndarray, shape (H, W), float32
        In ``[1 / max_period_px, 1 / min_period_px]``.
    """
    signal = cv2.GaussianBlur(normalized, (0, 0), _PREBLUR_SIGMA_PX)
    gx = cv2.filter2D(signal, cv2.CV_32F, _DERIVATIVE, borderType=cv2.BORDER_REFLECT)
    gy = cv2.filter2D(signal, cv2.CV_32F, _DERIVATIVE.T, borderType=cv2.BORDER_REFLECT)
    # In place: fresh full-size temporaries cost page faults more than the arithmetic.
    gradient_energy = np.add(np.multiply(gx, gx, out=gx), np.multiply(gy, gy, out=gy), out=gx)
    signal_energy = np.multiply(signal, signal, out=signal)
    rows, cols = normalized.shape
    # Energies are averaged on 4-pixel cells: the smoothing scale is far larger than a cell.
    cells = (max(1, rows // 4), max(1, cols // 4))
    energies = cv2.merge([resize_to(e, cells, interpolation=cv2.INTER_AREA) for e in (gradient_energy, signal_energy)])
    energies = cv2.GaussianBlur(energies, (0, 0), params.frequency_sigma_px / 4, borderType=cv2.BORDER_REFLECT)
    gain = np.sqrt(energies[..., 0] / (energies[..., 1] + 1e-9))
    omega = np.interp(gain, _GAIN_TABLE, _OMEGA_TABLE)
    frequency = np.clip(omega / (2.0 * np.pi), 1.0 / params.max_period_px, 1.0 / params.min_period_px)
    return resize_to(frequency.astype(np.float32), (rows, cols))


def dominant_period(frequency: np.ndarray, mask: np.ndarray, params: ExtractionParameters) -> float:
    """Median ridge period in pixels over the foreground (``default_period_px`` if empty)."""
    # Every fourth row and column is plenty for a median of a smooth map.
    values = frequency[::4, ::4][mask[::4, ::4]]
    if values.size == 0:
        return params.default_period_px
    return float(np.clip(1.0 / np.median(values), params.min_period_px, params.max_period_px))
