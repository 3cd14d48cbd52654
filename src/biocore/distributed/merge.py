"""Per-shard candidate lists and their merge into one global top-k (pure functions).

A shard returns, per query, its whole re-ranked shortlist: every person its first stage kept (up to
``shortlist`` by code score), each with the fused matcher score. The merge then does what one
gallery does over all persons at once:

1. first stage: keep the global top ``shortlist`` persons by code score
   (:func:`biocore.search.index.merge_topk`, ties by shard then shard rank);
2. second stage: rank those by fused score, keep ``k``, stop at ``threshold``.

Because the union of per-shard top-``shortlist`` lists holds the global top-``shortlist``, and
re-ranking and fusion are per person, the merged list equals the single-gallery list for the same
persons and parameters whenever the first stage is exact (``Flat`` indexes, galleries of at most
``SearchParameters.exact_scan_max_persons`` per shard). With IVF shards each shard probes its own
cells, so recall can differ (usually upwards: more cells are probed in total).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..search.codes import N_POSITIONS, finger_codes, person_vectors
from ..search.gallery import Candidate, Gallery
from ..search.index import merge_topk
from ..search.parameters import CODE
from ..templates import Template

__all__ = ["query_vectors", "shard_shortlists", "merge_shortlists", "shortlist_size"]

_SHARD_BITS = 32


def shortlist_size(gallery_params, k: int, shortlist: int | None) -> int:
    """Persons kept by the first stage: ``max(k, shortlist or params.shortlist_persons)``, as in Gallery."""
    return max(int(k), int(shortlist or gallery_params.shortlist_persons))


def query_vectors(probes: Sequence[dict[int, Template]], *, stored: bool) -> np.ndarray:
    """First-stage person vectors of probes, float32 (n, 10 * dim).

    With ``stored`` the codes are rounded to float16 first, exactly as an enrolled person's vector is
    kept in the gallery, so an N:N sweep of enrolled persons scores as ``Gallery.search_rows`` does;
    without it, as ``Gallery.search_many`` scores external probes.
    """
    dim = CODE.dim
    codes = np.zeros((len(probes), N_POSITIONS, dim), np.float16 if stored else np.float32)
    present = np.zeros((len(probes), N_POSITIONS), bool)
    flat = [(i, f) for i, t in enumerate(probes) for f in sorted(t)]
    if flat:
        c = finger_codes([probes[i][f] for i, f in flat], CODE)
        for (i, f), code in zip(flat, c):
            codes[i, f - 1] = code
            present[i, f - 1] = True
    return person_vectors(codes, present)


def shard_shortlists(gallery: Gallery, vectors: np.ndarray, probes: Sequence[dict[int, Template]],
                     exclude: Sequence[str | None] | None, want: int) -> list[list[Candidate]]:
    """One shard's whole re-ranked shortlist per query (best fused score first, no threshold).

    ``exclude`` names per query an identity to leave out (the query itself, when enrolled on this shard).

    Notes
    -----
    Calls the gallery's internal two-stage search with precomputed vectors; the search package has
    no public "search these vectors" entry point yet.
    """
    self_rows = [-1] * len(probes)
    if exclude is not None:
        for q, identity in enumerate(exclude):
            if identity is not None and identity in gallery:
                self_rows[q] = int(gallery.rows_of([identity])[0])
    return gallery._search(vectors, list(probes), self_rows, want, None, want)


def merge_shortlists(per_shard: Sequence[Sequence[Candidate]], *, want: int, k: int,
                     threshold: float | None) -> list[Candidate]:
    """Merge one query's per-shard shortlists into the global candidate list.

    Parameters
    ----------
    per_shard : sequence (shards) of sequences of Candidate
        Each shard's re-ranked shortlist (:func:`shard_shortlists`), in shard order.
    want : int
        Global first-stage shortlist size.
    k : int
    threshold : float or None

    Returns
    -------
    list of Candidate
        At most ``k``, best fused score first (ties by identity), all at least ``threshold``.
    """
    flat = [c for lst in per_shard for c in lst]
    if not flat:
        return []
    scores = [np.array([[c.code_score for c in lst]], np.float64) for lst in per_shard if lst]
    ids = [(np.arange(len(lst), dtype=np.int64) + (s << _SHARD_BITS))[None, :]
           for s, lst in enumerate(per_shard) if lst]
    _, picked = merge_topk(scores, ids, want)
    chosen = [per_shard[int(i) >> _SHARD_BITS][int(i) & ((1 << _SHARD_BITS) - 1)] for i in picked[0] if i >= 0]
    chosen.sort(key=lambda c: (-c.score, c.identity))
    out = []
    for c in chosen[:k]:
        if threshold is not None and c.score < threshold:
            break
        out.append(c)
    return out
