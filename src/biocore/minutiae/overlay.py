"""Drawing minutiae over their image, for operators and for debugging."""

from __future__ import annotations

import math

import cv2
import numpy as np

from ..templates.template import MinutiaKind, Template

__all__ = ["draw_minutiae", "draw_pairing"]

# BGR colours: endings red, bifurcations blue, others green.
_COLOURS = {MinutiaKind.ENDING: (0, 0, 230), MinutiaKind.BIFURCATION: (230, 80, 0), MinutiaKind.OTHER: (0, 160, 0)}


def draw_minutiae(gray: np.ndarray, template: Template, *, scale: int = 2) -> np.ndarray:
    """A colour picture of ``gray`` with the template's minutiae drawn on it.

    Parameters
    ----------
    gray : ndarray, shape (H, W), uint8
        The image the template was extracted from.
    template : Template
    scale : int, optional
        Magnification of the picture (lines stay one pixel wide).

    Returns
    -------
    picture : ndarray, shape (scale * H, scale * W, 3), uint8, BGR
        Each minutia is a circle with a tick along its direction: red endings, blue bifurcations.
    """
    picture = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    if scale != 1:
        picture = cv2.resize(picture, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
    radius = 4 * scale
    for x, y, a, k in zip(template.x.tolist(), template.y.tolist(), template.angle.tolist(), template.kind.tolist()):
        cx, cy = int(round((x + 0.5) * scale)), int(round((y + 0.5) * scale))
        colour = _COLOURS.get(k, _COLOURS[MinutiaKind.OTHER])
        tip = (int(round(cx + 2.5 * radius * math.cos(a))), int(round(cy - 2.5 * radius * math.sin(a))))
        cv2.circle(picture, (cx, cy), radius, colour, 1, cv2.LINE_AA)
        cv2.line(picture, (cx, cy), tip, colour, 1, cv2.LINE_AA)
    return picture


# BGR: paired minutiae and the lines joining them green, the rest grey.
_PAIRED, _UNPAIRED = (0, 170, 0), (150, 150, 150)


def draw_pairing(
    gray_a: np.ndarray, template_a: Template, gray_b: np.ndarray, template_b: Template, pairs: np.ndarray
) -> np.ndarray:
    """Two prints side by side with their minutiae, the paired ones joined by lines.

    Parameters
    ----------
    gray_a, gray_b : ndarray, shape (H, W), uint8
        The images the templates were extracted from.
    template_a, template_b : Template
    pairs : ndarray of int, shape (k, 2)
        Minutia indices into ``template_a`` and ``template_b`` (e.g.
        :attr:`biocore.matching.MatchExplanation.pairs`).

    Returns
    -------
    picture : ndarray, shape (max(Ha, Hb), Wa + Wb, 3), uint8, BGR
        Paired minutiae green with a green line to their partner, the others grey.
    """
    ha, wa = gray_a.shape
    hb, wb = gray_b.shape
    picture = np.full((max(ha, hb), wa + wb, 3), 255, np.uint8)
    picture[:ha, :wa] = cv2.cvtColor(gray_a, cv2.COLOR_GRAY2BGR)
    picture[:hb, wa:] = cv2.cvtColor(gray_b, cv2.COLOR_GRAY2BGR)
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    for t, shift, paired in ((template_a, 0, set(pairs[:, 0].tolist())), (template_b, wa, set(pairs[:, 1].tolist()))):
        for i, (x, y, a) in enumerate(zip(t.x.tolist(), t.y.tolist(), t.angle.tolist())):
            colour = _PAIRED if i in paired else _UNPAIRED
            tip = (int(round(x + shift + 10 * math.cos(a))), int(round(y - 10 * math.sin(a))))
            cv2.circle(picture, (x + shift, y), 4, colour, 1, cv2.LINE_AA)
            cv2.line(picture, (x + shift, y), tip, colour, 1, cv2.LINE_AA)
    for i, j in pairs.tolist():
        start = (int(template_a.x[i]), int(template_a.y[i]))
        end = (int(template_b.x[j]) + wa, int(template_b.y[j]))
        cv2.line(picture, start, end, _PAIRED, 1, cv2.LINE_AA)
    return picture
