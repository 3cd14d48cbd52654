"""Templates packed into flat arrays (struct of arrays + offsets) for one native call per batch.

A :class:`PreparedTemplates` holds many templates' minutiae in concatenated arrays (those the
matcher uses: :func:`selected_minutiae`), positions already scaled to the matcher's 500 ppi grid, plus the derived edge tables and
cylinders the matcher walks (the cylinders also ordered by direction and transposed once here for the native vector scan,
instead of once per comparison). Only the
minutiae arrays need storing (:meth:`PreparedTemplates.minutiae_arrays`); the edge tables are rebuilt
natively on load (:meth:`PreparedTemplates.from_minutiae`, a few microseconds a template).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._native import _core
from .._shared.validation import describe
from ..errors import InvalidArgument, InvalidTemplate
from ..templates.template import Template, angle_steps
from .parameters import DEFAULT_PARAMETERS, WORKING_DPI, MatchingParameters

__all__ = ["PreparedTemplates", "pack"]

#: Bytes per edge in the native edge table (float32 length, uint16 neighbour, two uint16 angles).
EDGE_BYTES = 12


def edge_key(parameters: MatchingParameters) -> tuple[float, ...]:
    """The parameters edge tables and cylinders depend on: packs and matchers must agree on them."""
    p = parameters
    return (int(p.neighbors), float(p.max_edge_px), int(p.min_minutia_quality), int(p.min_minutiae_kept), int(p.drop_quality_at_most),
            float(p.mcc_radius_px), int(p.mcc_cells), int(p.mcc_sections),
            float(p.mcc_sigma_space_px), float(p.mcc_sigma_direction_rad), float(p.mcc_bit_threshold),
            float(p.mcc_hull_margin_px), float(p.mcc_min_valid_cells), int(p.mcc_min_neighbors))


def positions_at_working_dpi(t: Template) -> tuple[np.ndarray, np.ndarray]:
    """``t``'s minutia positions scaled to the matcher's 500 ppi grid, float32 of shape (n,) each.

    Scaled in float64 and rounded to float32 once, exactly as the native side scales a probe: a
    float32 factor moved positions across the matcher's tolerances at 569 ppi, so that
    ``Matcher.match_many`` and one-off calls disagreed.
    """
    scale = WORKING_DPI / t.dpi
    if scale == 1:
        return t.x.astype(np.float32), t.y.astype(np.float32)
    return (t.x * scale).astype(np.float32), (t.y * scale).astype(np.float32)


def selected_minutiae(offsets: np.ndarray, quality: np.ndarray, parameters: MatchingParameters) -> np.ndarray | None:
    """Which minutiae the matcher uses (boolean mask over the packed minutiae), or None for all.

    Per template: minutiae rated at least ``min_minutia_quality``, but at least the
    ``min_minutiae_kept`` best-rated ones (ties: lower index first); a template with no rated
    minutia (all qualities 0) keeps all. Minutiae rated 1 to ``drop_quality_at_most`` are left
    out in any case (they rank last, so this only trims the kept set). Applying it twice keeps
    what it kept once.
    """
    qmin, nmin = int(parameters.min_minutia_quality), int(parameters.min_minutiae_kept)
    floor = int(parameters.drop_quality_at_most)
    total = quality.shape[0]
    if (qmin <= 0 and floor <= 0) or total == 0:
        return None
    counts = np.diff(offsets)
    owner = np.repeat(np.arange(counts.shape[0]), counts)
    q = quality.astype(np.int64)
    order = np.lexsort((np.arange(total), -q, owner))  # by template, best rated first, then index
    rank = np.empty(total, np.int64)
    rank[order] = np.arange(total) - offsets[owner[order]]
    good = np.bincount(owner, weights=q >= qmin, minlength=counts.shape[0]).astype(np.int64)
    rated = np.bincount(owner, weights=q > 0, minlength=counts.shape[0]) > 0
    keep_n = np.where(rated, np.maximum(np.minimum(nmin, counts), good), counts) if qmin > 0 else counts
    keep = (rank < keep_n[owner]) & ~((q >= 1) & (q <= floor))
    return None if keep.all() else keep


@dataclass(frozen=True, eq=False)
class PreparedTemplates:
    """Many templates as flat arrays; build with :func:`pack` or :meth:`from_minutiae`.

    Attributes
    ----------
    offsets : ndarray of int64, shape (T + 1,)
        Template ``t`` owns minutiae ``offsets[t]:offsets[t + 1]``.
    x, y : ndarray of float32, shape (M,)
        Positions in pixels at 500 ppi.
    angle : ndarray of uint16, shape (M,)
        Directions in 1/65536 of a turn (the Template grid).
    kind, quality : ndarray of uint8, shape (M,)
        As in :class:`~biocore.templates.Template`.
    edges : ndarray of uint8, shape (M * neighbors * 12,)
        Native edge tables (derived; never store them).
    edge_count : ndarray of uint8, shape (M,)
        Edges per minutia.
    cylinders : ndarray of uint64, shape (M, 2 * words)
        Minutia Cylinder-Code bits per minutia, values then validity (derived; never store them).
    mcc_keys : ndarray of uint32, shape (M,)
        Per template, its minutiae ordered by direction (``angle << 16 | index``; derived).
    mcc_words : ndarray of uint64, shape (W,)
        Per template, its cylinders' words in that order, transposed for the native vector scan
        (derived; empty when the cylinder layout has no vector scan).
    parameters : MatchingParameters
        The parameters the edge tables were built with.
    """

    offsets: np.ndarray
    x: np.ndarray
    y: np.ndarray
    angle: np.ndarray
    kind: np.ndarray
    quality: np.ndarray
    edges: np.ndarray
    edge_count: np.ndarray
    cylinders: np.ndarray
    mcc_keys: np.ndarray
    mcc_words: np.ndarray
    parameters: MatchingParameters

    def __len__(self) -> int:
        return int(self.offsets.shape[0] - 1)

    def minutiae_arrays(self) -> dict[str, np.ndarray]:
        """The arrays worth storing: ``offsets, x, y, angle, kind, quality``."""
        return {k: getattr(self, k) for k in ("offsets", "x", "y", "angle", "kind", "quality")}

    @classmethod
    def from_minutiae(
        cls,
        offsets: Any,
        x: Any,
        y: Any,
        angle: Any,
        kind: Any,
        quality: Any,
        *,
        parameters: MatchingParameters = DEFAULT_PARAMETERS,
        threads: int = 0,
    ) -> "PreparedTemplates":
        """Rebuild a pack (and its edge tables) from :meth:`minutiae_arrays`, e.g. after loading.

        Raises
        ------
        InvalidArgument
            When the arrays disagree in length or the offsets are not a non-decreasing run from 0.
        """
        off = np.ascontiguousarray(offsets, dtype=np.int64)
        cols = {
            "x": np.ascontiguousarray(x, dtype=np.float32),
            "y": np.ascontiguousarray(y, dtype=np.float32),
            "angle": np.ascontiguousarray(angle, dtype=np.uint16),
            "kind": np.ascontiguousarray(kind, dtype=np.uint8),
            "quality": np.ascontiguousarray(quality, dtype=np.uint8),
        }
        total = cols["x"].shape[0]
        if off.ndim != 1 or off.size < 1 or off[0] != 0 or off[-1] != total or np.any(np.diff(off) < 0):
            raise InvalidArgument(
                f"offsets: expected a non-decreasing 1-D array from 0 to the number of minutiae ({total}), got {describe(off)}"
            )
        for name, arr in cols.items():
            if arr.ndim != 1 or arr.shape[0] != total:
                raise InvalidArgument(f"{name}: expected {total} values (as many as x), got {describe(arr)}")
        if np.any(np.diff(off) > 65535):
            raise InvalidArgument("offsets: a template holds more than 65535 minutiae")
        keep = selected_minutiae(off, cols["quality"], parameters)
        if keep is not None:
            owner = np.repeat(np.arange(off.shape[0] - 1), np.diff(off))
            off = np.concatenate([[0], np.cumsum(np.bincount(owner[keep], minlength=off.shape[0] - 1))]).astype(np.int64)
            cols = {name: np.ascontiguousarray(arr[keep]) for name, arr in cols.items()}
        edges, count, cylinders, keys, words = _core.pack_edges(off, cols["x"], cols["y"], cols["angle"],
                                                                parameters.native(), threads)
        return cls(off, cols["x"], cols["y"], cols["angle"], cols["kind"], cols["quality"], edges, count, cylinders,
                   keys, words, parameters)


def pack(
    templates: Sequence[Template],
    *,
    parameters: MatchingParameters = DEFAULT_PARAMETERS,
    threads: int = 0,
    name: str = "templates",
) -> PreparedTemplates:
    """Pack templates into flat arrays for :meth:`Matcher.match_many` (one native call per batch).

    Parameters
    ----------
    templates : sequence of Template
        Any resolution; positions are scaled to 500 ppi.
    parameters : MatchingParameters
        Must be those of the :class:`~biocore.matching.Matcher` that will read the pack.
    threads : int
        Threads for building edge tables (0 = all cores).
    name : str
        The argument name error messages use.

    Returns
    -------
    PreparedTemplates

    Examples
    --------
    >>> import biocore
    >>> t = biocore.Template(x=[10, 60, 90], y=[20, 40, 90], angle=[0.0, 1.0, 2.0])
    >>> packed = biocore.matching.pack([t, t])
    >>> len(packed), packed.offsets.tolist()
    (2, [0, 3, 6])
    """
    if isinstance(templates, Template) or not isinstance(templates, Sequence):
        raise InvalidTemplate(f"{name}: expected a sequence of biocore.Template, got {describe(templates)}")
    counts = np.zeros(len(templates) + 1, dtype=np.int64)
    xs, ys, angles, kinds, qualities = [], [], [], [], []
    for k, t in enumerate(templates):
        if not isinstance(t, Template):
            raise InvalidTemplate(f"{name}[{k}]: expected a biocore.Template, got {describe(t)}")
        n = len(t)
        if not (t.y.shape[0] == t.angle.shape[0] == t.kind.shape[0] == t.quality.shape[0] == n):
            raise InvalidTemplate(f"{name}[{k}]: minutia fields differ in length")
        counts[k + 1] = n
        x, y = positions_at_working_dpi(t)
        xs.append(x)
        ys.append(y)
        angles.append(t.angle)
        kinds.append(t.kind)
        qualities.append(t.quality)
    offsets = np.cumsum(counts)
    if not xs:
        empty = np.zeros(0, np.float32)
        return PreparedTemplates.from_minutiae(offsets, empty, empty, empty, empty, empty, parameters=parameters)
    return PreparedTemplates.from_minutiae(
        offsets,
        np.concatenate(xs),
        np.concatenate(ys),
        angle_steps(np.concatenate(angles)),
        np.concatenate(kinds),
        np.concatenate(qualities),
        parameters=parameters,
        threads=threads,
    )
