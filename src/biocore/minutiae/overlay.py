"""Drawing minutiae over their image, for operators and for debugging."""

from __future__ import annotations

import math

import cv2
import numpy as np

from ..templates.template import MinutiaKind, Template

__all__ = ["draw_minutiae"]

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
