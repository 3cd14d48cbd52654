"""The score model: features -> 0-100, fitted against utility (genuine match success).

A logistic model on standardized model inputs (:func:`model_inputs`). Its output is the predicted
probability that a genuine comparison involving the capture succeeds at FMR 1%, times 100: the
NFIQ 2 idea of quality as utility, on NFIQ 2's 0-100 scale (higher is better). No finger is 0.

Fitted by ``python benchmarks/bench_quality.py --fit`` (see that script: per image, the label is
the share of its genuine comparisons on the real FVC sets and on synthetic impressions with
dry/wet/partial/noise defects that score above the matcher's FMR 1% threshold; the model is an
L2-regularized logistic regression on those fractional labels). The constants below are its
printed output.
"""

from __future__ import annotations

import numpy as np

__all__ = ["MODEL_INPUTS", "model_inputs", "score_from_features"]

#: Model inputs (derived from the features) in coefficient order.
MODEL_INPUTS: tuple[str, ...] = (
    "area", "orientation_coherence", "ridge_valley_clarity", "unclear_fraction", "ridge_valley_uniformity",
    "frequency_variation", "log_contrast", "centre_offset", "duty_imbalance",
)

# --- fitted constants (python benchmarks/bench_quality.py --fit --synthetic 30) ------------------
# Fitted on 480 real FVC2000/2002 DB1-3 B images and 120 degraded synthetic impressions, labels
# from biocore.match (matcher as of commit 9643e17); L2 weight 1. The positive weight on
# duty_imbalance (ridge/valley width imbalance) reflects sensors rather than skin: the FVC sensor
# with the most unbalanced ridges (FVC2002 DB1) is also among the best matched.
_MEAN = np.array([0.9598, 0.6535, 0.721, 0.1527, 0.1836, 0.09605, 3.57, 0.07836, 0.07454])
_SCALE = np.array([0.137, 0.1263, 0.1201, 0.1157, 0.03851, 0.02628, 0.53, 0.08715, 0.05154])
_WEIGHTS = np.array([0.243, 0.2674, 0.1088, -0.338, -0.3035, 0.05768, 0.4804, -0.642, 0.2516])
_BIAS = 2.621
# ------------------------------------------------------------------------------------------------

#: Area (mm^2) at which a plain print counts as complete for the model.
_FULL_AREA_MM2 = 150.0


def model_inputs(features: dict[str, float]) -> np.ndarray:
    """The model's input vector (float64, shape (len(MODEL_INPUTS),)) from a feature dict."""
    return np.array([
        min(features["area_mm2"], _FULL_AREA_MM2) / _FULL_AREA_MM2,
        features["orientation_coherence"],
        features["ridge_valley_clarity"],
        features["unclear_fraction"],
        features["ridge_valley_uniformity"],
        features["frequency_variation"],
        float(np.log1p(features["contrast_gray"])),
        features["centre_offset"],
        abs(features["ridge_fraction"] - 0.5),
    ])


def score_from_features(features: dict[str, float]) -> int:
    """Quality score 0-100 of a capture with a finger (see the module text)."""
    z = (model_inputs(features) - _MEAN) / _SCALE
    logit = float(_BIAS + _WEIGHTS @ z)
    return int(round(100.0 / (1.0 + np.exp(-logit))))
