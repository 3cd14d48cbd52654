"""The gallery and deduplication jobs sharded over a Dask distributed cluster (extra ``biocore[distributed]``).

Design
------
* **Sharded gallery** (:mod:`.sharded`, :mod:`.manifest`): a folder of N normal biocore galleries plus
  ``manifest.json`` (shard count, assignment rule, format version). A person lives on shard
  ``blake2b64(identity) mod N``; enrollment, updates and removals go to that shard only.
* **Exact two-round search** (:mod:`.merge`): each shard runs the first stage (code scores) on its
  own persons; the global shortlist is chosen from those lists; each shard re-ranks only its share
  with the 1:1 matcher; the parts are ranked by fused score with the same fusion, ``k`` and
  threshold as one gallery — so the candidate lists equal those of one gallery holding the same
  persons (exact first stage), and the matcher compares the same pairs.
* **Workers** (:mod:`.cache`): each worker process opens a shard once (read-only, memory-mapped cache)
  and keeps it warm for every later task; a task runs on one core (one single-thread worker per
  core) and the worker's malloc keeps large scan buffers for reuse (:mod:`.parameters`).
* **Jobs** (:mod:`.jobs`): N:N and 1:N dedup in batches of query persons; per batch one first-stage
  task per shard, one selection task, and one re-rank unit per shard that writes an idempotently
  named checkpoint file (``units/iiii-bbbbbb-tttt.json``); rerun to resume; a dead worker's tasks
  re-run elsewhere; results in the formats of :mod:`biocore.search.dedup`.
* **Cluster** (:mod:`.cluster`): ``connect(cluster="local:N")`` or ``connect(scheduler="tcp://H:P")``;
  unreachable scheduler, no workers or another biocore on the workers raise :class:`ClusterError`
  within seconds.

Dask is imported only when a cluster is used; :class:`ShardedGallery` and in-process jobs need none.
"""

from __future__ import annotations

from .cluster import ClusterError, check_workers, close, connect
from .jobs import DistributedJobResult, run_dedup, search_many
from .manifest import shard_of
from .sharded import ShardedGallery

__all__ = ["ShardedGallery", "shard_of", "connect", "close", "check_workers", "ClusterError", "run_dedup",
           "search_many", "DistributedJobResult"]
