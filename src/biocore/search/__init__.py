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
  zero), so one inner product = sum of per-finger cosines over shared fingers. faiss ``Flat`` up to
  200k persons, ``IVF…,SQ8`` above (1,440 bytes a ten-print person in RAM).
* **Second stage** (:mod:`.rerank`): the 1:1 matcher on every shared finger of every shortlisted
  person; **fusion** (:mod:`.fusion`): sum of the best finger scores, missing fingers tolerated.
* **Cache**: derived arrays memory-mapped from ``cache/`` and tagged with the store generation;
  refreshed incrementally (rows only grow; removals are logged) — see :mod:`.gallery`.
* **Jobs** (:mod:`.dedup`): 1:N of new enrollments and N:N sweeps in checkpointed batches over a
  job folder; results as CSV/JSON, duplicate clusters and an HTML adjudication report
  (:mod:`.report`).

The search, fusion and merge functions are pure (arrays in, arrays out), so a sharded gallery
(one Gallery per shard) can run them per shard and merge with :func:`.index.merge_topk`.
"""

from __future__ import annotations

from .gallery import Candidate, FingerEvidence, Gallery, Person

__all__ = ["Gallery", "Person", "Candidate", "FingerEvidence"]
