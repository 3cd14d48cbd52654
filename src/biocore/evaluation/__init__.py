"""Evaluation: verification and identification metrics, protocols over datasets, plots.

>>> from biocore import evaluation
>>> evaluation.eer([0.9, 0.8, 0.3], [0.1, 0.2, 0.4])
0.3333333333333333

Metrics (:mod:`~biocore.evaluation.metrics`): EER (FVC definition), FNMR@FMR, FMR@FNMR, DET and ROC
points, and for 1:N FNIR@FPIR and CMC per NIST. Protocols (:mod:`~biocore.evaluation.protocols`):
FVC-style folders and their genuine/impostor pairs. Plots (:mod:`~biocore.evaluation.plots`): DET
and ROC PNGs with the optional ``plot`` extra (matplotlib).
"""

from __future__ import annotations

from .metrics import (
    ErrorCurve,
    SearchOutcomes,
    cmc,
    det_curve,
    eer,
    eer_interval,
    error_curve,
    fmr_at_fnmr,
    fnir,
    fnir_at_fpir,
    fnmr_at_fmr,
    fpir,
    roc_curve,
    search_outcomes,
    threshold_for_fmr,
    verification_summary,
)
from .plots import plot_det, plot_roc
from .protocols import PROTOCOLS, FvcImage, VerificationRun, evaluate_folder, list_fvc_folder, verification_pairs

__all__ = [
    "ErrorCurve", "SearchOutcomes", "cmc", "det_curve", "eer", "eer_interval", "error_curve", "fmr_at_fnmr",
    "fnir", "fnir_at_fpir", "fnmr_at_fmr", "fpir", "roc_curve", "search_outcomes", "threshold_for_fmr",
    "verification_summary", "plot_det", "plot_roc", "PROTOCOLS", "FvcImage", "VerificationRun",
    "evaluate_folder", "list_fvc_folder", "verification_pairs",
]
