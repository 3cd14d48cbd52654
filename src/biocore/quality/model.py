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
    "frequency_variation", "log_contrast", "centre_offset", "duty_imbalance", "incoherent_fraction",
)

# --- fitted constants (python benchmarks/bench_quality.py --fit) ----------------------------------
# Fitted on the 480 real FVC2000/2002 DB1-3 B images and 240 degraded synthetic impressions (60
# fingers x 4; their labels at half weight), labels from biocore.match; L2 weight 1. The positive
# weight on duty_imbalance (ridge/valley width imbalance) reflects sensors rather than skin: the
# FVC sensor with the most unbalanced ridges (FVC2002 DB1) is also among the best matched; mean
# coherence gets almost no weight beside clarity and incoherent_fraction, which carry it.
_MEAN = np.array([0.9317, 0.6713, 0.7425, 0.1348, 0.1801, 0.09061, 3.605, 0.09413, 0.07096, 0.08449])
_SCALE = np.array([0.1762, 0.1222, 0.1289, 0.1201, 0.03958, 0.02673, 0.5456, 0.1012, 0.04717, 0.1169])
_WEIGHTS = np.array([0.1764, -0.01557, 0.2411, -0.2261, -0.3935, 0.1106, 0.5858, -0.7343, 0.2506, -0.3544])
_BIAS = 2.867
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
        features["incoherent_fraction"],
    ])


def score_from_features(features: dict[str, float]) -> int:
    """Quality score 0-100 of a capture with a finger (see the module text)."""
    z = (model_inputs(features) - _MEAN) / _SCALE
    logit = float(_BIAS + (_WEIGHTS * z).sum())
    return int(round(100.0 / (1.0 + np.exp(-logit))))
