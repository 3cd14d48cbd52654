"""Draw a report over the portrait: face box, landmarks (estimated ones hollow), verdict."""

from __future__ import annotations

import cv2
import numpy as np

from .report import FaceReport

__all__ = ["draw_report"]


def draw_report(rgb: np.ndarray, report: FaceReport) -> np.ndarray:
    """(H, W, 3) uint8 **BGR** copy of ``rgb`` (ready for ``cv2.imwrite``) with the face box in
    green (passed) or red (failed), landmarks as dots (filled: measured, hollow: estimated), and
    the number of failed measures."""
    out = np.ascontiguousarray(rgb[:, :, ::-1]).copy()
    colour = (0, 200, 0) if report.passed else (0, 0, 255)
    thick = max(1, round(min(out.shape[:2]) / 300))
    if report.box is not None:
        x, y, w, h = (int(round(v)) for v in report.box)
        cv2.rectangle(out, (x, y), (x + w, y + h), colour, thick)
    for name, (px, py) in (report.landmarks or {}).items():
        filled = -1 if name not in report.approximate else thick
        cv2.circle(out, (int(round(px)), int(round(py))), 2 + 2 * thick, (255, 255, 0), filled)
    text = "PASS" if report.passed else f"FAIL ({len(report.failures)})"
    cv2.putText(
        out, text, (5, 10 + 12 * thick), cv2.FONT_HERSHEY_SIMPLEX, 0.4 * thick, colour, thick
    )
    return out
