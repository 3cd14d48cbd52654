"""Why two templates scored what they did: the parts of the score and the paired minutiae.

For adjudication (an examiner looks at which minutiae the matcher put in correspondence) and for
measuring extractors (a minutia that finds a partner in mated impressions is repeatable).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..templates.template import Template
from .matcher import _native, _prepare, _template
from .parameters import DEFAULT_PARAMETERS, MatchingParameters

__all__ = ["MatchExplanation", "explain"]


@dataclass(frozen=True, eq=False)
class MatchExplanation:
    """The score of one comparison, its two parts and the best pairing.

    Attributes
    ----------
    score : float
        As :func:`biocore.match` returns it: ``edge_evidence + weight_mcc * mcc_score``.
    edge_evidence : float
        The best pairing's evidence scaled by its coverage (steps 3-4 of :mod:`.matcher`).
    mcc_score : float
        The Minutia Cylinder-Code LSS-R score in [0, 1] (step 5).
    pairs : ndarray of int64, shape (k, 2)
        The best pairing: row ``(i, j)`` pairs minutia ``i`` of the probe with minutia ``j`` of
        the candidate (indices into the templates as given, in the order the pairing grew from its
        root). Empty when no pairing was grown.
    rotation_rad : float
        How far the candidate is turned from the probe at the pairing's root, in (-pi, pi],
        counter-clockwise on screen (0 when there are no pairs).
    """

    score: float
    edge_evidence: float
    mcc_score: float
    pairs: np.ndarray
    rotation_rad: float


def explain(probe: Template, candidate: Template, *, parameters: MatchingParameters | None = None) -> MatchExplanation:
    """Score two templates as :func:`biocore.match` does and say which minutiae were paired.

    Parameters
    ----------
    probe, candidate : Template
        Any resolution (scaled to 500 ppi).
    parameters : MatchingParameters, optional
        Default :data:`~biocore.matching.parameters.DEFAULT_PARAMETERS`.

    Returns
    -------
    MatchExplanation
        ``score`` equals ``biocore.match(probe, candidate, parameters=parameters)``.

    Raises
    ------
    InvalidTemplate
        When an argument is not a :class:`~biocore.templates.Template` or its fields disagree.

    Examples
    --------
    >>> import numpy as np, biocore
    >>> rng = np.random.default_rng(0)
    >>> t = biocore.Template(x=rng.integers(0, 300, 40), y=rng.integers(0, 300, 40),
    ...                      angle=rng.uniform(0, 6.28, 40))
    >>> e = biocore.matching.explain(t, t)
    >>> e.score == biocore.match(t, t), bool((e.pairs[:, 0] == e.pairs[:, 1]).all())
    (True, True)
    """
    probe, candidate = _template(probe, "probe"), _template(candidate, "candidate")
    native = _native(parameters)  # validates the type
    parameters = DEFAULT_PARAMETERS if parameters is None else parameters
    if len(probe) == 0 or len(candidate) == 0:
        return MatchExplanation(0.0, 0.0, 0.0, np.zeros((0, 2), np.int64), 0.0)
    p, p_index = _prepare(probe, parameters, native, "probe")
    c, c_index = _prepare(candidate, parameters, native, "candidate")
    edges, mcc, fused, pairs, steps = p.explain(c)
    pairs = pairs.astype(np.int64)
    if p_index is not None:
        pairs[:, 0] = p_index[pairs[:, 0]]
    if c_index is not None:
        pairs[:, 1] = c_index[pairs[:, 1]]
    turn = (int(steps) - 65536 if steps >= 32768 else int(steps)) * (2 * math.pi / 65536)
    return MatchExplanation(float(fused), float(edges), float(mcc), pairs, turn)
