"""Verification protocols over FVC-style folders: which images, which pairs.

An FVC-style folder holds ``<finger>_<impression>.<ext>`` images (``101_1.tif`` ... ``110_8.tif``
for an FVC ``B`` set: 10 fingers x 8 impressions). Two protocols choose the comparisons, each
unordered pair compared once (``a < b`` in listing order):

``"all-pairs"`` (default; the one in DESIGN.md's table)
    Every pair of distinct images. Genuine: every two impressions of the same finger,
    ``F * C(I, 2)`` pairs (10 * 28 = **280**). Impostor: every two impressions of different fingers,
    ``C(F*I, 2) - F * C(I, 2) = I**2 * C(F, 2)`` pairs (3,160 - 280 = 64 * 45 = **2,880**): all 8 x 8
    impression pairs for each of the 45 pairs of fingers.

``"fvc"``
    The FVC2000/FVC2002 competition protocol (Maio et al. 2002): the same genuine pairs, and as
    impostors only the first impression of each finger against the first impression of every
    other finger, ``C(F, 2)`` pairs (**45** for a ``B`` set) - too few to estimate an FMR below a
    few per cent, which is why the all-pairs protocol is the default here.

References
----------
.. [1] D. Maio, D. Maltoni, R. Cappelli, J. L. Wayman, A. K. Jain, "FVC2002: Second Fingerprint
   Verification Competition", ICPR 2002.
"""

from __future__ import annotations

import itertools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .._shared.validation import check_choice
from ..errors import InvalidArgument
from .metrics import verification_summary

__all__ = ["PROTOCOLS", "FvcImage", "list_fvc_folder", "real_fvc_sets", "verification_pairs", "VerificationRun", "evaluate_folder"]

PROTOCOLS = ("all-pairs", "fvc")

_NAME = re.compile(r"(\d+)_(\d+)\.(tif|tiff|png|bmp|pgm|jpg|jpeg)", re.IGNORECASE)

#: Resolutions of the FVC sets that are not at 500 ppi (FVC2002 DB2: 569 dpi; FVC2004 DB1/DB2/DB3: 500).
KNOWN_DPI = {"fvc2002_db2": 569, "fvc2002_db2_a": 569, "fvc2002_db2_b": 569}


@dataclass(frozen=True)
class FvcImage:
    """One image of an FVC-style folder: finger id, impression number and path."""

    finger: int
    impression: int
    path: Path


def list_fvc_folder(folder: str | os.PathLike[str]) -> list[FvcImage]:
    """The ``<finger>_<impression>.<ext>`` images of ``folder``, sorted by finger then impression.

    Raises
    ------
    InvalidArgument
        If ``folder`` is not a directory or holds no such image.
    """
    root = Path(folder)
    if not root.is_dir():
        raise InvalidArgument(f"DATASET_DIR: expected a folder of <finger>_<impression>.tif|png images, got {str(root)!r}")
    images = []
    for p in root.iterdir():
        m = _NAME.fullmatch(p.name)
        if m and p.is_file():
            images.append(FvcImage(int(m.group(1)), int(m.group(2)), p))
    if not images:
        raise InvalidArgument(
            f"DATASET_DIR: {str(root)!r} holds no images named <finger>_<impression>.tif|png (e.g. 101_1.tif)"
        )
    return sorted(images, key=lambda im: (im.finger, im.impression, im.path.name))


def real_fvc_sets(data: str | os.PathLike[str]) -> list[str]:
    """Names of the real FVC set folders under ``data`` (``fvc*``, not ``*_SYNTHETIC``), sorted."""
    return sorted(
        p.name for p in Path(data).iterdir() if p.name.startswith("fvc") and not p.name.endswith("_SYNTHETIC")
    )


def verification_pairs(
    fingers: Any, impressions: Any, protocol: str = "all-pairs"
) -> tuple[np.ndarray, np.ndarray]:
    """Genuine and impostor comparisons of a protocol (see the module docstring).

    Parameters
    ----------
    fingers, impressions : array_like of int, shape (n,)
        Finger id and impression number of each image.
    protocol : {"all-pairs", "fvc"}

    Returns
    -------
    genuine, impostor : ndarray of int64, shape (g, 2), (m, 2)
        Index pairs ``(a, b)`` with ``a < b``.
    """
    check_choice(protocol, "protocol", PROTOCOLS)
    f = np.asarray(fingers, dtype=np.int64)
    imp = np.asarray(impressions, dtype=np.int64)
    if f.ndim != 1 or imp.shape != f.shape:
        raise InvalidArgument(f"fingers, impressions: expected two 1-D arrays of one length, got {f.shape} and {imp.shape}")
    firsts = {}
    for k in np.lexsort((imp, f)):
        firsts.setdefault(int(f[k]), int(k))
    genuine, impostor = [], []
    for a, b in itertools.combinations(range(f.size), 2):
        if f[a] == f[b]:
            genuine.append((a, b))
        elif protocol == "all-pairs" or (firsts[int(f[a])] == a and firsts[int(f[b])] == b):
            impostor.append((a, b))
    as_pairs = lambda rows: np.array(rows, dtype=np.int64).reshape(-1, 2)  # noqa: E731
    return as_pairs(genuine), as_pairs(impostor)


@dataclass
class VerificationRun:
    """Scores and figures of one protocol run over a folder."""

    folder: str
    protocol: str
    images: int
    genuine: np.ndarray
    impostor: np.ndarray
    summary: dict[str, float]
    timings_s: dict[str, float] = field(default_factory=dict)
    mean_minutiae: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "folder": self.folder, "protocol": self.protocol, "images": self.images,
            "mean_minutiae": self.mean_minutiae, **self.summary, "timings_s": self.timings_s,
        }


def _progress(iterable: Any, total: int, desc: str, enabled: bool) -> Any:
    if not enabled:
        return iterable
    try:
        from tqdm import tqdm
    except ImportError:
        return _plain_progress(iterable, total, desc)
    return tqdm(iterable, total=total, desc=desc, unit="img", leave=False)


def _plain_progress(iterable: Any, total: int, desc: str) -> Any:
    import sys

    step = max(1, total // 10)
    for k, item in enumerate(iterable, 1):
        yield item
        if k % step == 0 or k == total:
            print(f"{desc}: {k}/{total}", file=sys.stderr, flush=True)


def evaluate_folder(
    folder: str | os.PathLike[str],
    *,
    protocol: str = "all-pairs",
    dpi: int | None = None,
    extract: Callable[..., Any] | None = None,
    progress: bool = False,
) -> VerificationRun:
    """Extract every image of an FVC-style folder, match the protocol's pairs, summarise.

    Parameters
    ----------
    folder : path-like
        ``<finger>_<impression>.<ext>`` images.
    protocol : {"all-pairs", "fvc"}
    dpi : int, optional
        Image resolution; default from :data:`KNOWN_DPI` by folder name, else 500.
    extract : callable, optional
        ``extract(path, dpi=...) -> Template``; default :func:`biocore.extract`.
    progress : bool
        Show a progress bar on stderr (tqdm when installed, else plain lines).
    """
    import time

    from ..matching import Matcher

    check_choice(protocol, "protocol", PROTOCOLS)
    images = list_fvc_folder(folder)
    if dpi is None:
        dpi = KNOWN_DPI.get(Path(folder).resolve().name.lower(), 500)
    if extract is None:
        from ..minutiae import extract as extract
    t0 = time.perf_counter()
    templates = [extract(str(im.path), dpi=dpi) for im in _progress(images, len(images), "extract", progress)]
    t1 = time.perf_counter()
    genuine_pairs, impostor_pairs = verification_pairs(
        [im.finger for im in images], [im.impression for im in images], protocol
    )
    scores = {}
    for label, pairs in (("genuine", genuine_pairs), ("impostor", impostor_pairs)):
        out = np.empty(len(pairs), np.float64)
        for a in np.unique(pairs[:, 0]):
            rows = np.flatnonzero(pairs[:, 0] == a)
            out[rows] = Matcher(templates[a]).match_many([templates[b] for b in pairs[rows, 1]])
        scores[label] = out
    t2 = time.perf_counter()
    return VerificationRun(
        folder=str(folder), protocol=protocol, images=len(images), genuine=scores["genuine"],
        impostor=scores["impostor"], summary=verification_summary(scores["genuine"], scores["impostor"]),
        timings_s={"extract": t1 - t0, "match": t2 - t1},
        mean_minutiae=float(np.mean([len(t) for t in templates])),
    )
