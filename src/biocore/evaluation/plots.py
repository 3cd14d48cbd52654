"""DET and ROC plots as PNG files (needs the optional ``plot`` extra: matplotlib).

DET axes use the normal-deviate scale of Martin et al. (1997), on which Gaussian-like score
distributions give straight lines.

References
----------
.. [1] A. Martin, G. Doddington, T. Kamm, M. Ordowski, M. Przybocki, "The DET curve in assessment
   of detection task performance", Eurospeech 1997.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import InvalidArgument, MissingDependency
from .metrics import eer, error_curve

__all__ = ["plot_det", "plot_roc"]

_TICKS = [1e-5, 1e-4, 1e-3, 1e-2, 0.05, 0.2, 0.5]


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError:
        raise MissingDependency(
            "plots need matplotlib: install the optional extra with `pip install biocore[plot]`"
        ) from None
    return plt


def _systems(systems: Mapping[str, tuple[Any, Any]]) -> Mapping[str, tuple[Any, Any]]:
    if not isinstance(systems, Mapping) or not systems:
        raise InvalidArgument(
            f"systems: expected a non-empty mapping label -> (genuine, impostor), got {type(systems).__name__}"
        )
    return systems


def _save(fig: Any, path: str | os.PathLike[str], plt: Any) -> None:
    try:
        fig.savefig(os.fspath(path), dpi=120)
    except OSError as exc:
        raise InvalidArgument(f"path: cannot write a plot to {os.fspath(path)!r}: {exc.strerror or exc}") from None
    finally:
        plt.close(fig)


def plot_det(systems: Mapping[str, tuple[Any, Any]], path: str | os.PathLike[str], *, title: str = "DET") -> None:
    """Write a DET plot (FNMR against FMR, normal-deviate axes) with one curve per system.

    Parameters
    ----------
    systems : mapping of str to (genuine, impostor)
        Label -> score arrays; the legend shows each system's EER.
    path : path-like
        Output image file (PNG recommended).
    title : str
        Plot title.

    Raises
    ------
    MissingDependency
        When matplotlib is not installed.
    """
    from scipy.stats import norm

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 5.0))
    lo, hi = 1e-5, 0.5
    for label, (genuine, impostor) in _systems(systems).items():
        c = error_curve(genuine, impostor)
        x = norm.ppf(np.clip(c.fmr, lo, hi))
        y = norm.ppf(np.clip(c.fnmr, lo, hi))
        ax.plot(x, y, drawstyle="steps-post", label=f"{label} (EER {100 * eer(genuine, impostor):.2f}%)")
    ticks = norm.ppf(_TICKS)
    labels = [f"{100 * t:g}%" for t in _TICKS]
    ax.set_xticks(ticks, labels)
    ax.set_yticks(ticks, labels)
    ax.set_xlim(norm.ppf(lo), norm.ppf(hi))
    ax.set_ylim(norm.ppf(lo), norm.ppf(hi))
    ax.plot([norm.ppf(lo), norm.ppf(hi)], [norm.ppf(lo), norm.ppf(hi)], color="0.8", lw=0.8)
    ax.set_xlabel("false match rate")
    ax.set_ylabel("false non-match rate")
    ax.set_title(title)
    ax.grid(True, color="0.9")
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    _save(fig, path, plt)


def plot_roc(systems: Mapping[str, tuple[Any, Any]], path: str | os.PathLike[str], *, title: str = "ROC") -> None:
    """Write a ROC plot (true match rate against FMR on a log axis), one curve per system."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 5.0))
    for label, (genuine, impostor) in _systems(systems).items():
        c = error_curve(genuine, impostor)
        ax.plot(np.maximum(c.fmr, 1e-6), 1.0 - c.fnmr, drawstyle="steps-post", label=label)
    ax.set_xscale("log")
    ax.set_xlim(1e-5, 1.0)
    ax.set_ylim(0.0, 1.0)
    ax.set_xlabel("false match rate")
    ax.set_ylabel("true match rate")
    ax.set_title(title)
    ax.grid(True, color="0.9")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    _save(fig, path, plt)
