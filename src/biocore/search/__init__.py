"""Persistent gallery, two-stage 1:N search and deduplication jobs.

Design
------
* **Store** (:mod:`.storage`): one SQLite database per gallery folder in WAL mode with
  ``synchronous=FULL``: persons (identity, metadata), finger templates (compact ``biocore`` bytes)
  and codes. Each write is one transaction bumping a *generation* counter, so an enrollment that
  returned survives ``kill -9``; nothing ever needs manual repair. A format version is stored and
  checked (newer galleries are refused with a clear error).
* **Codes** (:mod:`.codes`): a fixed-length, rotation/translation-invariant code per finger — a soft
  histogram of minutia-pair features (distance, relative direction, radial direction), Hellinger
  mapped, ring-centred, L2-normalised: 144 values (288 bytes as float16).
* **First stage** (:mod:`.index`): person vector = the 10 finger codes back to back (absent fingers
  zero), so one inner product = sum of per-finger cosines over shared fingers. Exact faiss scan of
  the float16 vectors up to 50k persons (2,880 bytes a person); above, a scan of their sign bits
  (240 bytes a person, Hamming distances summed over shared fingers, numba) whose best 2,000
  persons (x 10 / probe fingers) are rescored exactly from the memory-mapped float16 vectors.
* **Codes are whitened** with a frozen transform fitted on synthetic fingers (``code_whitening.npz``;
  galleries store the code id and refuse foreign codes).
* **Second stage** (:mod:`.rerank`): the 1:1 matcher (``biocore.Matcher``) on every shared finger of
  every shortlisted person (shortlist sized by a budget of ~200 comparisons: 20 persons for a
  ten-print probe, 100 for a single finger); each score becomes evidence ``-log10 FMR`` through the
  matcher's calibration table. **Fusion** (:mod:`.fusion`): the sum of the evidence over shared
  fingers (missing fingers add nothing). Default duplicate threshold 40 (``SearchParameters``).
  Without a matcher, searches fall back to the first-stage code scores (``method="code"``).
  With biocore's matcher the gallery holds every finger's minutiae as flat, matcher-ready arrays
  (:mod:`.prepared`), so a search gathers its shortlist from them and packs only the probe (the
  templates' edge tables are rebuilt per search, never stored).
* **Cache**: derived arrays (person vectors, index, held minutiae) memory-mapped from ``cache/`` and
  tagged with the store generation;
  refreshed incrementally (rows only grow; removals are logged) — see :mod:`.gallery`.
* **Jobs** (:mod:`.dedup`): 1:N of new enrollments and N:N sweeps in checkpointed batches over a
  job folder; results as CSV/JSON, duplicate clusters and an HTML adjudication report
  (:mod:`.report`).

The search, fusion and merge functions are pure (arrays in, arrays out), so a sharded gallery
(one Gallery per shard) can run them per shard and merge with :func:`.index.merge_topk`;
:meth:`Gallery.search_many` takes query persons from anywhere with a per-query identity to
exclude, and :func:`.dedup.run_batch` / :func:`.dedup.merge_pairs` / :func:`.dedup.clusters`
are the per-batch work and the merge of a job.

Quick use::

    g = biocore.Gallery.open("registry.gallery")
    g.enroll("ID-1", {2: right_index, 7: left_index})
    for c in g.search({2: probe}, k=5):
        print(c.identity, c.score, [(e.finger, e.score) for e in c.fingers])
    from biocore.search.dedup import run_job
    result = run_job(g, "job-folder", threshold=g.default_threshold)   # N:N; rerun to resume
"""

from __future__ import annotations

from .gallery import Candidate, FingerEvidence, Gallery, Person

__all__ = ["Gallery", "Person", "Candidate", "FingerEvidence"]
