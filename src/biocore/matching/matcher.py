"""The 1:1 minutiae matcher: :func:`match` for one pair, :class:`Matcher` for one probe against many.

Algorithm (native, :file:`_native/matching.cpp`)
-----------------------------------------------
0. **Minutia selection.** Minutiae rated below ``min_minutia_quality`` are left out, keeping at
   least the ``min_minutiae_kept`` best rated (unrated templates keep all): spurious minutiae
   from background and scars mostly carry low ratings. Minutiae rated 1 to
   ``drop_quality_at_most`` (biocore.extract: those at the print's edge) are left out in any case.
1. **Edge tables.** Each minutia is linked to its nearest neighbours (``neighbors``, within
   ``max_edge_px``). An edge is described by numbers a rotation or translation cannot change: its
   length and its direction relative to the direction of each end minutia.
2. **Root pairs.** The probe's edges are filed in a hash over quantised edge shapes; each candidate
   edge looks up its bin and every agreeing probe edge votes for the two minutia pairs it implies.
   The ``max_roots`` best-voted pairs are the roots.
3. **Pairing growth.** From each root, pairs are added breadth-first, best-agreeing edge first,
   only along edges present in both templates and agreeing within the tolerances. Each step is a
   local comparison, so the pairing follows elastic distortion. A pair must also agree with its
   root as a loose rigid transform (rotation, distance and bearing from the root within wide
   ``global_*`` tolerances), which stops chains of chance agreements drifting across impostors.
   Roots already inside an earlier pairing are skipped.
4. **Edge evidence.** For the largest pairing: paired minutiae, pairs supported by several
   consistent edges, consistent edges and agreeing minutia kinds, weighted and scaled by the
   fraction of both templates that is paired (its *coverage*). Coverage weighs each minutia by
   its quality (``coverage_quality_ref``) and, for the best pairing, counts only the minutiae
   where the two prints overlap once aligned (``overlap_cell_px``), so a small common area or
   many low-rated minutiae elsewhere do not sink a genuine pair.
5. **Minutia Cylinder-Code evidence** [3]_ (:file:`_native/matching_mcc.cpp`). Each minutia gets a
   bit cylinder (``mcc_cells`` x ``mcc_cells`` cells of radius ``mcc_radius_px`` around it in its
   own frame, ``mcc_sections`` direction sections; cells outside the convex hull of the minutiae
   grown by ``mcc_hull_margin_px`` invalid). Cylinders compare by popcounts over the cells valid
   in both. LSS-R: the best local pairs are relaxed towards the pairs geometrically compatible
   with them (distance, direction difference, radial angle) and the most efficient few averaged,
   a score in [0, 1]. Cylinders compare only minutiae turned by at most ``mcc_max_rotation_rad``
   from upright and, when the best pairing of step 3 says the print is turned further, from its
   rotation (the better of the two), so any rotation is covered.
6. **Score** = edge evidence + ``weight_mcc`` x MCC score: the two err on different pairs (fused,
   mean EER on the six real FVC sets 4.19% -> 3.66% with biocore.extract minutiae, 6.66% ->
   5.54% on NBIS mindtct's; with step 0, 3.53% and 4.96%: ``benchmarks/verify_fvc.py``). Higher is more alike; 0 for an empty
   template. The table in :mod:`biocore.matching.calibration` maps false match rates to thresholds.

Templates at any resolution are scaled to 500 ppi.

Symmetry: the votes and the score formula are symmetric, but roots with equal votes and edges
with equal errors are taken in the probe's index order, so ``match(a, b)`` and ``match(b, a)``
can differ. Measured on 351 FVC2002 DB1 pairs (mindtct minutiae): 86% identical, median relative
difference 0, 95th percentile 26% (mostly low-scoring impostor pairs). Use
``max(match(a, b), match(b, a))`` where exact symmetry matters.

References
----------
.. [1] R. Vazan, "SourceAFIS algorithm" (edge tables, root pairs, pairing growth),
   https://sourceafis.machinezoo.com/algorithm, 2009-2023.
.. [2] X. Jiang, W.-Y. Yau, "Fingerprint minutiae matching based on the local and global
   structures", ICPR 2000.
.. [3] R. Cappelli, M. Ferrara, D. Maltoni, "Minutia Cylinder-Code: a new representation and
   matching technique for fingerprint recognition", IEEE TPAMI 32(12):2128-2141, 2010 (bit-based
   cylinders, Local Similarity Sort with Relaxation; their parameter values except the cell grid).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from .._native import _core
from .._shared.validation import check_int, describe
from ..errors import InvalidArgument, InvalidTemplate
from ..templates.template import Template
from .packing import PreparedTemplates, edge_key, pack, selected_minutiae
from .parameters import DEFAULT_PARAMETERS, WORKING_DPI, MatchingParameters

__all__ = ["match", "Matcher"]

_DEFAULT_NATIVE = DEFAULT_PARAMETERS.native()

#: One-off calls with the default parameters keep the prepared form (edge table, hash, cylinders)
#: of this many recently used templates, keyed by identity. A Template is immutable and the cache
#: holds a reference to it, so an entry can never describe another object.
_PREPARED_CACHE_SIZE = 512
_prepared_cache: OrderedDict[int, tuple[Template, Any]] = OrderedDict()
_prepared_lock = threading.Lock()


def _selection(template: Template, parameters: MatchingParameters) -> tuple[Template, np.ndarray | None]:
    """``template`` with just the minutiae the matcher uses (see :func:`~.packing.selected_minutiae`)
    and their indices in ``template`` (None: all of them)."""
    t = template
    if len(t) == 0 or not (t.x.shape[0] == t.y.shape[0] == t.angle.shape[0] == t.kind.shape[0] == t.quality.shape[0]):
        return template, None  # nothing to select, or mismatched fields: the native call reports them
    keep = selected_minutiae(np.array([0, len(template)], np.int64), template.quality, parameters)
    return (template, None) if keep is None else (template.select(keep), np.flatnonzero(keep))


def _selected(template: Template, parameters: MatchingParameters) -> Template:
    """``template`` with just the minutiae the matcher uses."""
    return _selection(template, parameters)[0]


def _prepare(template: Template, parameters: MatchingParameters, native: np.ndarray, name: str) -> tuple[Any, np.ndarray | None]:
    """The native prepared form of ``template``'s selected minutiae and their indices (see _selection)."""
    used, index = _selection(template, parameters)
    try:
        prepared = _core.PreparedProbe(used.x, used.y, used.angle, used.kind, used.quality, WORKING_DPI / used.dpi, native)
    except ValueError as exc:  # only mismatched fields reach here (Template validates the rest)
        raise InvalidTemplate(f"{name}: {exc}") from None
    return prepared, index


def _prepared(template: Template, name: str) -> Any:
    """The cached native prepared form of ``template`` (default parameters)."""
    key = id(template)
    with _prepared_lock:
        hit = _prepared_cache.get(key)
        if hit is not None and hit[0] is template:
            _prepared_cache.move_to_end(key)
            return hit[1]
    prepared, _ = _prepare(template, DEFAULT_PARAMETERS, _DEFAULT_NATIVE, name)
    with _prepared_lock:
        _prepared_cache[key] = (template, prepared)
        _prepared_cache.move_to_end(key)
        while len(_prepared_cache) > _PREPARED_CACHE_SIZE:
            _prepared_cache.popitem(last=False)
    return prepared


def _template(value: Any, name: str) -> Template:
    if not isinstance(value, Template):
        raise InvalidTemplate(f"{name}: expected a biocore.Template, got {describe(value)}")
    return value


def _native(parameters: MatchingParameters | None) -> np.ndarray:
    if parameters is None:
        return _DEFAULT_NATIVE
    if not isinstance(parameters, MatchingParameters):
        raise InvalidArgument(f"parameters: expected a MatchingParameters, got {describe(parameters)}")
    return parameters.native()


def match(probe: Template, candidate: Template, *, parameters: MatchingParameters | None = None) -> float:
    """Similarity of two fingerprint templates (higher = more alike; 0 when either is empty).

    Parameters
    ----------
    probe, candidate : Template
        Minutiae of one finger each, any resolution (scaled to 500 ppi).
    parameters : MatchingParameters, optional
        Default :data:`~biocore.matching.parameters.DEFAULT_PARAMETERS` (the calibrated ones).
        With the defaults, the prepared forms of the last 512 templates used are kept (by
        identity), so repeated one-off calls on the same templates skip preparing them.

    Returns
    -------
    float
        Score >= 0. Compare with :func:`biocore.matching.threshold_for_fmr`.

    Raises
    ------
    InvalidTemplate
        When an argument is not a :class:`~biocore.templates.Template` or its fields disagree.

    Examples
    --------
    >>> import numpy as np, biocore
    >>> rng = np.random.default_rng(0)
    >>> t = biocore.Template(x=rng.integers(0, 300, 40), y=rng.integers(0, 300, 40),
    ...                      angle=rng.uniform(0, 2 * np.pi, 40))
    >>> biocore.match(t, t) > biocore.matching.threshold_for_fmr(1e-4)
    True
    """
    if not isinstance(probe, Template):
        _template(probe, "probe")
    if not isinstance(candidate, Template):
        _template(candidate, "candidate")
    if parameters is None:
        if len(probe) == 0 or len(candidate) == 0:
            return 0.0
        return _prepared(probe, "probe").match_prepared(_prepared(candidate, "candidate"))
    native = _native(parameters)
    probe, candidate = _selected(probe, parameters), _selected(candidate, parameters)
    try:
        return _core.match_pair(
            probe.x, probe.y, probe.angle, probe.kind, probe.quality, WORKING_DPI / probe.dpi,
            candidate.x, candidate.y, candidate.angle, candidate.kind, candidate.quality, WORKING_DPI / candidate.dpi,
            native,
        )
    except ValueError as exc:  # only mismatched fields reach here (Template validates the rest)
        raise InvalidTemplate(f"probe, candidate: {exc}") from None


class Matcher:
    """A probe prepared once for many comparisons (its edge table and hash are built here).

    Parameters
    ----------
    probe : Template
    parameters : MatchingParameters, optional

    Examples
    --------
    >>> import biocore
    >>> t = biocore.Template(x=[10, 60, 90, 30], y=[20, 40, 90, 70], angle=[0.0, 1.0, 2.0, 3.0])
    >>> m = biocore.Matcher(t)
    >>> scores = m.match_many([t, t.select([0, 1])])
    >>> scores.dtype, scores.shape
    (dtype('float32'), (2,))
    """

    def __init__(self, probe: Template, *, parameters: MatchingParameters | None = None) -> None:
        self.probe = _template(probe, "probe")
        self.parameters = DEFAULT_PARAMETERS if parameters is None else parameters
        self._prepared, _ = _prepare(self.probe, self.parameters, _native(parameters), "probe")

    def match(self, candidate: Template) -> float:
        """Score one candidate (same as :func:`match` with this probe)."""
        return float(self.match_many([_template(candidate, "candidate")], threads=1)[0])

    def match_many(self, candidates: Sequence[Template] | PreparedTemplates, threads: int = 0) -> np.ndarray:
        """Score many candidates in one native call, threads over candidates, GIL released.

        Parameters
        ----------
        candidates : sequence of Template, or PreparedTemplates
            A :class:`~biocore.matching.PreparedTemplates` (from :func:`~biocore.matching.pack`,
            built with this matcher's parameters) skips packing; pre-pack galleries.
        threads : int
            Worker threads; 0 = all cores.

        Returns
        -------
        ndarray of float32, shape (len(candidates),)
        """
        threads = check_int(threads, "threads", 0, 1024)
        if isinstance(candidates, PreparedTemplates):
            packed = candidates
            if edge_key(packed.parameters) != edge_key(self.parameters):
                raise InvalidArgument(
                    "candidates: packed with different edge parameters "
                    f"{edge_key(packed.parameters)} than this Matcher's {edge_key(self.parameters)}; re-pack them"
                )
        else:
            packed = pack(candidates, parameters=self.parameters, threads=threads, name="candidates")
        return self._prepared.match_packed(
            packed.offsets, packed.x, packed.y, packed.angle, packed.kind, packed.quality, packed.edges,
            packed.edge_count, packed.cylinders, threads, mcc_keys=packed.mcc_keys, mcc_words=packed.mcc_words,
        )
