"""A contact sheet: masters and their impressions side by side in one image, for looking at."""

from __future__ import annotations

import cv2
import numpy as np

from .._shared.validation import check_int
from .impressions import make_impression
from .masters import make_master
from .parameters import FINGER_CLASSES

__all__ = ["contact_sheet"]


def contact_sheet(*, seed: int = 0, rows: int = 5, impressions: int = 4, minutiae: bool = True) -> np.ndarray:
    """A uint8 image: per row, a master (one class per row, cycling through the five classes)
    with its ground-truth minutiae drawn (red endings, green bifurcations, ticks give the
    direction) when ``minutiae``, followed by ``impressions`` impressions (wet to dry).

    Returns a (rows * 400, (impressions + 1) * 352) BGR image at 500 dpi scale.
    """
    rows = check_int(rows, "rows", 1, 50)
    impressions = check_int(impressions, "impressions", 0, 20)
    seed = check_int(seed, "seed", 0, 2**62)
    tiles = []
    for r in range(rows):
        cls = FINGER_CLASSES[r % len(FINGER_CLASSES)]
        m = make_master(seed * 1000 + r, finger=0, finger_class=cls)
        row = [_master_tile(m, minutiae)]
        levels = np.linspace(-0.3, 0.3, impressions) if impressions > 1 else [0.0]
        for i in range(impressions):
            imp = make_impression(m, seed * 1000 + r * 50 + i, skin=float(levels[i]))
            row.append(_fit(cv2.cvtColor(np.ascontiguousarray(imp.image), cv2.COLOR_GRAY2BGR), m.ridges.shape))
        tiles.append(np.hstack(row))
    return np.vstack(tiles)


def _fit(img: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    out = np.full((shape[0], shape[1], 3), 255, np.uint8)
    h, w = min(shape[0], img.shape[0]), min(shape[1], img.shape[1])
    y0, x0 = (shape[0] - h) // 2, (shape[1] - w) // 2
    out[y0 : y0 + h, x0 : x0 + w] = img[:h, :w]
    return out


def _master_tile(m, minutiae: bool) -> np.ndarray:
    img = cv2.cvtColor(m.image(), cv2.COLOR_GRAY2BGR)
    if minutiae:
        g = m.minutiae
        for x, y, a, k in zip(g.x, g.y, g.angle, g.kind):
            colour = (0, 0, 230) if k == 1 else (0, 160, 0)
            p = (int(round(x)), int(round(y)))
            cv2.circle(img, p, 4, colour, 1, cv2.LINE_AA)
            cv2.line(img, p, (int(round(x + 11 * np.cos(a))), int(round(y - 11 * np.sin(a)))), colour, 1, cv2.LINE_AA)
    cv2.putText(img, m.finger_class.replace("_", " "), (6, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (200, 0, 0), 1, cv2.LINE_AA)
    return img
