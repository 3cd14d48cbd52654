"""Stage 2: ridge orientation and its reliability (coherence) from the gradient structure tensor.

Gradients are squared into the doubled-angle tensor ``(gxx - gyy, 2 gxy, gxx + gyy)``, averaged
on small blocks, and smoothed with a Gaussian; the dominant gradient direction is half the angle
of the smoothed vector and the ridge runs perpendicular to it. Coherence
``|(gxx - gyy, 2 gxy)| / (gxx + gyy)`` is 1 for perfectly parallel ridges and 0 for isotropic noise.

Angles follow the Template convention: radians counter-clockwise from the image's +x axis as seen
on screen (rows grow downward, so a direction ``(dx, dy)`` in pixels has angle ``atan2(-dy, dx)``).
An orientation is defined modulo pi.

References
----------
.. [1] A. M. Bazen and S. H. Gerez, "Systematic methods for the computation of the directional
   fields and singular points of fingerprints," IEEE TPAMI 24(7), 2002.
.. [2] M. Kass and A. Witkin, "Analyzing oriented patterns," CVGIP 37(3), 1987.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ._filters import resize_to
from .parameters import ExtractionParameters

__all__ = ["OrientationField", "orientation_field"]


@dataclass(frozen=True)
class OrientationField:
    """Ridge orientation on a grid of ``block_px``-pixel cells.

    Attributes
    ----------
    cos2, sin2 : ndarray, shape (h, w), float32
        Unit doubled-angle vector of the ridge orientation: ``cos(2 theta), sin(2 theta)``.
    coherence : ndarray, shape (h, w), float32
        Reliability of the orientation in [0, 1].
    block_px : int
        Cell side in pixels of the image the field was computed on.
    shape : tuple of int
        (rows, cols) of that image.
    """

    cos2: np.ndarray
    sin2: np.ndarray
    coherence: np.ndarray
    block_px: int
    shape: tuple[int, int]

    def theta(self, shape: tuple[int, int] | None = None) -> np.ndarray:
        """Ridge orientation in [0, pi) (float32), on the cell grid or resampled to ``shape``."""
        c, s = self.cos2, self.sin2
        if shape is not None:
            c, s = resize_to(c, shape), resize_to(s, shape)
        return (np.arctan2(s, c) * 0.5 % np.pi).astype(np.float32)

    def reliability(self, shape: tuple[int, int] | None = None) -> np.ndarray:
        """Coherence in [0, 1] (float32), on the cell grid or resampled to ``shape``."""
        return self.coherence if shape is None else resize_to(self.coherence, shape)

    def crop(self, top: int, bottom: int, left: int, right: int) -> "OrientationField":
        """The field over the pixel box ``[top:bottom, left:right]`` (best aligned to ``block_px``)."""
        b = self.block_px
        i0, i1 = top // b, max(top // b + 1, -(-bottom // b))
        j0, j1 = left // b, max(left // b + 1, -(-right // b))
        cells = (slice(i0, i1), slice(j0, j1))
        return OrientationField(
            self.cos2[cells], self.sin2[cells], self.coherence[cells], b, (bottom - top, right - left)
        )

    def sample(self, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Orientation (radians in [0, pi)) and coherence at image pixels ``(rows, cols)``."""
        h, w = self.cos2.shape
        i = np.clip(np.asarray(rows) // self.block_px, 0, h - 1).astype(np.intp)
        j = np.clip(np.asarray(cols) // self.block_px, 0, w - 1).astype(np.intp)
        theta = np.arctan2(self.sin2[i, j], self.cos2[i, j]) * 0.5 % np.pi
        return theta, self.coherence[i, j]


def orientation_field(normalized: np.ndarray, params: ExtractionParameters) -> OrientationField:
    """Estimate the ridge orientation field and its coherence.

    Parameters
    ----------
    normalized : ndarray, shape (H, W), float32
        Output of :func:`~biocore.minutiae.normalization.normalize`.
    params : ExtractionParameters
        Uses ``orientation_block_px``, ``orientation_downscale``, ``orientation_sigma_px`` (coherence)
        and ``orientation_flow_sigma_px`` (orientation).

    Returns
    -------
    OrientationField
    """
    rows, cols = normalized.shape
    b = params.orientation_block_px
    d = params.orientation_downscale
    # Gradients on a 2x decimated grid: ridges (period >= 5 px) survive it and it costs a quarter.
    image = normalized if d == 1 else cv2.resize(normalized, (cols // d, rows // d), interpolation=cv2.INTER_AREA)
    gx = cv2.Sobel(image, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(image, cv2.CV_32F, 0, 1, ksize=3)
    # Image rows grow downward; flip gy so that angles come out counter-clockwise on screen.
    tensor = cv2.merge([gx * gx - gy * gy, -2.0 * gx * gy, gx * gx + gy * gy])
    cells = cv2.resize(tensor, (max(1, cols // b), max(1, rows // b)), interpolation=cv2.INTER_AREA)
    smoothed = cv2.GaussianBlur(cells, (0, 0), params.orientation_sigma_px / b, borderType=cv2.BORDER_REFLECT)
    a, c, energy = cv2.split(smoothed)
    magnitude = np.sqrt(a * a + c * c)
    coherence = (magnitude / (energy + 1e-6)).astype(np.float32)
    if params.orientation_flow_sigma_px != params.orientation_sigma_px:
        # The orientation itself on its own, wider scale; the coherence keeps the scale above.
        flow = cv2.GaussianBlur(cells[..., :2].copy(), (0, 0), params.orientation_flow_sigma_px / b,
                                borderType=cv2.BORDER_REFLECT)
        a, c = flow[..., 0], flow[..., 1]
        magnitude = np.sqrt(a * a + c * c)
    # The ridge is perpendicular to the gradient: doubling the angle turns +90 degrees into a sign flip.
    inv = 1.0 / (magnitude + 1e-12)
    cos2 = (-a * inv).astype(np.float32)
    sin2 = (-c * inv).astype(np.float32)
    return OrientationField(cos2, sin2, np.clip(coherence, 0.0, 1.0), b, (rows, cols))
