"""The gallery and deduplication jobs sharded over a Dask distributed cluster (extra ``biocore[distributed]``).

Design
------
* **Sharded gallery** (:mod:`.sharded`, :mod:`.manifest`): a folder of N normal biocore galleries plus
  ``manifest.json`` (shard count, assignment rule, format version). A person lives on shard
  ``blake2b64(identity) mod N``; enrollment, updates and removals go to that shard only.
* **Per-shard work, global merge** (:mod:`.merge`): each shard returns its whole re-ranked
  shortlist per query; the merge keeps the global first-stage shortlist by code score, then ranks
  by fused score with the same fusion, ``k`` and threshold as one gallery — so the candidate lists
  equal those of one gallery holding the same persons (exact first stage).
* **Workers** (:mod:`.cache`): each worker process opens a shard once (read-only, memory-mapped cache)
  and keeps it warm for every later task.
* **Jobs** (:mod:`.jobs`): N:N and 1:N dedup as units (query shard, batch, target shard), one Dask task
  and one idempotently named checkpoint file each; rerun to resume; a dead worker's tasks re-run
  elsewhere; results in the formats of :mod:`biocore.search.dedup`.
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
