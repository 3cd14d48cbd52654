"""Background measures: is it plain, and is it light?

Samples are taken beside and above the estimated head outline (kept ``background_margin_ied``
away from it, so hair and ears stay out), down to the eye line (below it are the shoulders).
"""

from __future__ import annotations

import cv2
import numpy as np

from .landmarks import Landmarks
from .parameters import FaceParameters

__all__ = ["background_measures", "background_mask"]


def background_mask(shape: tuple[int, ...], lm: Landmarks, params: FaceParameters) -> np.ndarray:
    """(H, W) bool: the background sample region."""
    h, w = shape[:2]
    d = lm.ied_px
    mx, my = lm.eye_mid
    half = (params.head_half_width_ied + params.background_margin_ied) * d
    top = lm.crown[1] - params.background_margin_ied * d
    mask = np.zeros((h, w), bool)
    y_eye = int(np.clip(my, 0, h))
    mask[:y_eye, : int(np.clip(mx - half, 0, w))] = True
    mask[:y_eye, int(np.clip(mx + half, 0, w)) :] = True
    mask[: int(np.clip(top, 0, h)), :] = True
    return mask


def background_measures(rgb: np.ndarray, lm: Landmarks, params: FaceParameters) -> dict[str, float]:
    """``background_lightness``: median CIELAB L* (0-100) of the samples;
    ``background_uniformity``: robust spread (1.4826 x MAD) of L* after removing a best-fit plane (a
    smooth light fall-off on a plain wall is allowed; texture, objects and edges are not). NaN when fewer
    than 1 % of the pixels are background (the head fills the frame). Computed on a copy whose
    short side is 128 px."""
    h, w = rgb.shape[:2]
    f = min(1.0, 128.0 / min(h, w))
    small = (
        cv2.resize(rgb, (max(1, int(w * f)), max(1, int(h * f))), interpolation=cv2.INTER_AREA)
        if f < 1
        else rgb
    )
    mask = background_mask(small.shape, lm.scaled(f), params)
    if mask.mean() < 0.01 or mask.sum() < 20:
        nan = float("nan")
        return {"background_lightness": nan, "background_uniformity": nan}
    lightness = cv2.cvtColor(small.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)[..., 0]
    ys, xs = np.nonzero(mask)
    values = lightness[ys, xs].astype(np.float64)
    design = np.column_stack([np.ones_like(values), xs / small.shape[1], ys / small.shape[0]])
    coef, *_ = np.linalg.lstsq(design, values, rcond=None)
    residual = values - design @ coef
    # A robust spread (1.4826 x median absolute deviation): stray hair at the sample edge should
    # not count as a busy background, a pattern over most of it should.
    spread = 1.4826 * float(np.median(np.abs(residual - np.median(residual))))
    return {"background_lightness": float(np.median(values)), "background_uniformity": spread}
