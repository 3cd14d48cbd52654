"""Tuned numbers of the distributed jobs and of the worker processes that run them, with units in names."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["WorkerParameters", "ShardParameters", "WORKER", "SHARD"]


@dataclass(frozen=True)
class WorkerParameters:
    """How a Dask worker process runs biocore's tasks (set up by :mod:`biocore.distributed.cache`
    when a task first opens a shard in that process).

    Measured on 1,000,000 persons in 2 shards on 2 local workers (``benchmarks/bench_distributed.py
    --sweep``): with Dask's defaults the workers spent ~27 ms more CPU per query and shard than the
    same units in a plain process, nearly all of it page faults (~11,000 a query and shard).
    """

    #: Threads of one task's sign-bit scan and of its 1:1 matcher calls. Dask supplies the parallelism
    #: (run one single-thread worker per core: ``local:N`` does, ``dask worker --nworkers N --nthreads 1``
    #: on a server); more threads per task only oversubscribe the cores.
    task_threads: int = 1
    #: glibc malloc thresholds set in each worker process (``mallopt``). Dask's nanny starts workers with
    #: ``MALLOC_TRIM_THRESHOLD_=65536``, which also pins glibc's mmap threshold at 128 kB: every large
    #: temporary array (a shard scan's score block is 16 queries x 500,000 persons x 4 B = 32 MB) is
    #: then a fresh mapping, zero-filled page by page and unmapped again at every call. With these,
    #: such buffers are reused from the heap; at most ``malloc_trim_threshold_bytes`` of free heap is
    #: kept per arena.
    malloc_mmap_threshold_bytes: int = 64 * 2**20
    malloc_trim_threshold_bytes: int = 128 * 2**20


@dataclass(frozen=True)
class ShardParameters:
    """The first stage split over shards (see :func:`biocore.distributed.merge.shard_params`)."""

    #: A shard of a gallery scanned by sign bits rescores exactly its expected share of one gallery's
    #: ``SearchParameters.binary_candidates`` plus this many standard deviations of that share (persons
    #: land on shards by a hash of their identity, independent of their scores, so the share of one
    #: gallery's best B scan candidates on one of S shards is Binomial(B, 1/S)). At 6 a shard holds more
    #: of them than it rescores with probability 6e-10 (2 shards) to 1e-8 (25 shards) per query and
    #: shard (binomial tail, B = 2000), and even then the answer changes only if one of those scan
    #: candidates near the cut would have made the shortlist. Every shard rescoring all B instead costs
    #: S times one gallery's rescoring.
    rescore_margin_sd: float = 6.0


WORKER = WorkerParameters()
SHARD = ShardParameters()
