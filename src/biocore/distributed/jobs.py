"""Distributed 1:N search and checkpointed N:N / 1:N deduplication over a sharded gallery.

A job is cut into batches ``(query shard i, batch b)`` of the query persons that shard ``i`` owns.
A batch reads its query persons once on shard ``i`` (``unit_queries``: template bytes and
first-stage vectors, handed to the other tasks, so no worker opens shards it does not keep) and
runs the exact two-round search of :mod:`.merge`: its first stage on every target shard
(``unit_codes``), the global shortlist (``unit_select``), then one re-rank **unit**
``(i, b, target shard t)`` per shard (``unit_rerank``). Each unit writes that shard's re-ranked
candidates to ``units/iiii-bbbbbb-tttt.json`` (temporary name, fsync, atomic rename); the file name
is the unit, so a unit that runs twice (a Dask retry, a worker presumed dead that was not, a resumed
job) rewrites identical content under the same name and can never add rows. A stopped job started
again on the same folder runs only the units without a file. When every unit is on disk the
per-shard parts are merged per query (:func:`.merge.merge_reranked`: the same first-stage
shortlist, fusion and threshold as one gallery), turned into pairs and written as
``candidates.csv`` / ``candidates.json`` (the formats of :mod:`biocore.search.dedup`).

Job folder::

    job.json      kind, gallery, shards, k, threshold, shortlist, batch size, matcher on/off
    queries.json  query identities per shard, in sweep order (fixed at creation)
    units/        one file per finished unit
    candidates.csv, candidates.json, report.html

On a cluster, these are Dask tasks (keys ``biocore-queries|codes|select|unit-<job>-i-b[-t]``) with ``retries``,
a bounded window of batches in flight; when a worker dies, the scheduler re-runs its unfinished tasks
(and lost intermediate results) elsewhere. Workers open shards through
:mod:`.cache` and keep them warm; a unit prefers the worker that owns its target shard.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._shared.progress import Progress
from ..errors import GalleryError, InvalidArgument
from ..search.dedup import CandidatePair, JobResult, clusters, merge_pairs
from ..search.gallery import Candidate, as_person_templates
from ..search.parameters import SearchParameters
from ..search.storage import fsync_dir
from .cache import open_shard
from .merge import merge_reranked, query_vectors, select_global, shard_codes, shard_rerank, shortlist_size, whole_scans
from .sharded import ShardedGallery

__all__ = ["run_dedup", "search_many", "DistributedJobResult"]

JOB_FORMAT = 1


@dataclass(frozen=True)
class DistributedJobResult(JobResult):
    """A finished distributed job: :class:`biocore.search.dedup.JobResult` plus unit counts."""

    units_run: int = 0
    units_resumed: int = 0


def _candidate_from(d: dict[str, Any]) -> Candidate:
    from ..search.gallery import FingerEvidence

    return Candidate(d["identity"], float(d["score"]), tuple(FingerEvidence(int(e["finger"]), float(e["score"]))
                     for e in d["fingers"]), float(d["code_score"]), d["method"])


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")  # unique: two runs of a unit may race
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def unit_queries(query_shard: str, identities: Sequence[str], params: SearchParameters, matcher: bool
                 ) -> tuple[list[dict[int, bytes]], Any]:
    """The query persons of one batch, read once on their own shard (a task): their templates as
    compact biocore bytes per finger and their stored first-stage vectors (so an N:N sweep scores as
    one gallery's :meth:`biocore.Gallery.search_rows` does). The other shards' tasks take them from here and never
    open the query's shard."""
    qg = open_shard(query_shard, params, matcher)
    persons = [qg.get(i).templates for i in identities]
    # templates travel as compact biocore bytes (Template objects are immutable and do not pickle); the
    # vectors are the stored ones (codes re-computed in another batch can differ by a float16 rounding)
    return [{f: t.to_bytes() for f, t in p.items()} for p in persons], qg.stored_vectors(qg.rows_of(identities))


def _templates(packed: Sequence[dict[int, bytes]]) -> list[dict[int, Any]]:
    from ..templates import Template

    return [{f: Template.from_bytes(b) for f, b in p.items()} for p in packed]


def unit_codes(target_shard: str, queries: tuple[list[dict[int, bytes]], Any], identities: Sequence[str],
               params: SearchParameters, matcher: bool, sizing: tuple[int, int | None, int, int, bool]
               ) -> tuple[int, list[tuple[Any, ...]]]:
    """First stage of one batch (``queries`` from :func:`unit_queries`) on one target shard (a task):
    (persons kept, per query the entry of :func:`.merge.shard_codes`); ``sizing`` is (k, shortlist,
    the whole gallery's ``binary_candidates``, shards, whether the whole gallery scans by sign bits)
    and the persons kept follow the batch's probes as :func:`.merge.shortlist_size` says."""
    packed, vectors = queries
    want = shortlist_size(params, sizing[0], sizing[1], packed)
    return want, shard_codes(open_shard(target_shard, params, matcher), vectors, list(identities), want,
                             binary_candidates=sizing[2], shards=sizing[3], scan=sizing[4])


def unit_select(*per_shard: tuple[int, list[tuple[Any, ...]]]) -> list[list[tuple[Any, Any]]]:
    """The global first-stage shortlist of one batch, split per target shard (a task)."""
    return select_global([lists for _, lists in per_shard], per_shard[0][0])


def unit_rerank(target_shard: str, queries: tuple[list[dict[int, bytes]], Any], params: SearchParameters,
                matcher: bool, selected: list[list[tuple[Any, Any]]], target: int, out_file: str) -> int:
    """Second stage of one batch on one target shard (a task); writes the unit's checkpoint file and
    returns the candidates written (0 when the file was already there)."""
    out = Path(out_file)
    if out.exists():
        return 0
    packed, vectors = queries
    lists = shard_rerank(open_shard(target_shard, params, matcher), vectors, _templates(packed), selected[target])
    _write_atomic(out, json.dumps([[c.to_dict() for c in lst] for lst in lists]))
    return sum(len(lst) for lst in lists)


def _prefer(workers: Sequence[str], t: int) -> dict[str, Any]:
    """Dask placement of a task on shard ``t``: the worker that keeps that shard warm (the shards are
    dealt round-robin over the sorted worker addresses); any worker may take it when that one is gone."""
    return {"workers": [workers[t % len(workers)]], "allow_other_workers": True} if workers else {}


def _shard_codes_task(shard: str, vectors: Any, exclude: Any, params: SearchParameters, matcher: bool,
                      want: int, binary_candidates: int, shards: int, scan: bool) -> list[tuple[Any, ...]]:
    return shard_codes(open_shard(shard, params, matcher), vectors, exclude, want,
                       binary_candidates=binary_candidates, shards=shards, scan=scan)


def _shard_rerank_task(shard: str, probes: list[dict[int, bytes]], vectors: Any, selected: Any,
                       params: SearchParameters, matcher: bool) -> list[list[Candidate]]:
    return shard_rerank(open_shard(shard, params, matcher), vectors, _templates(probes), selected)


def search_many(gallery: ShardedGallery, persons: Sequence[Any], *, client: Any = None, k: int = 10,
                threshold: float | None = None, shortlist: int | None = None,
                exclude: Sequence[str | None] | None = None) -> list[list[Candidate]]:
    """Distributed batched 1:N search: the batch goes to every shard (first stage), the global
    shortlist is chosen here, each shard re-ranks its part, and the parts are merged into each query's
    top-k — equal to :meth:`ShardedGallery.search_many` and to one gallery holding the same persons
    (see :mod:`.merge`).

    Parameters
    ----------
    gallery : ShardedGallery
    persons : sequence of person templates (mapping {finger: Template}, list of Template or Person)
    client : distributed.Client, optional
        None runs in-process.
    k, threshold, shortlist, exclude
        As :meth:`biocore.Gallery.search_many`.
    """
    if client is None:
        return gallery.search_many(persons, k=k, threshold=threshold, shortlist=shortlist, exclude=exclude)
    probes = [as_person_templates(p, f"persons[{i}]") for i, p in enumerate(persons)]
    want = shortlist_size(gallery.params, k, shortlist, probes)
    vectors = query_vectors(probes, stored=False)
    excl = list(exclude) if exclude is not None else None
    shards = [str(gallery.manifest.shard_path(t)) for t in range(gallery.manifest.shards)]
    # templates travel as compact biocore bytes (Template objects are immutable and do not pickle)
    packed = [{f: t.to_bytes() for f, t in p.items()} for p in probes]
    [vectors_f] = client.scatter([vectors], broadcast=True)
    sp = gallery.shard_params
    workers = sorted(client.scheduler_info(n_workers=-1)["workers"])
    scan = whole_scans(gallery.params, gallery.live_persons())
    codes = client.gather([client.submit(_shard_codes_task, sh, vectors_f, excl, sp, gallery.has_matcher, want,
                                         gallery.params.binary_candidates, len(shards), scan, pure=False, retries=2,
                                         **_prefer(workers, t))
                           for t, sh in enumerate(shards)])
    selected = select_global(codes, want)
    [packed_f] = client.scatter([packed], broadcast=True)
    reranked = client.gather([client.submit(_shard_rerank_task, sh, packed_f, vectors_f, selected[t], sp,
                                            gallery.has_matcher, pure=False, retries=2, **_prefer(workers, t))
                              for t, sh in enumerate(shards)])
    return [merge_reranked([reranked[t][q] for t in range(len(shards))], k=k, threshold=threshold)
            for q in range(len(probes))]


def _prepare(gallery: ShardedGallery, job: Path, spec: dict, queries: Sequence[str] | None) -> list[list[str]]:
    spec_path, q_path = job / "job.json", job / "queries.json"
    try:
        (job / "units").mkdir(parents=True, exist_ok=True)
        if spec_path.exists():
            old = json.loads(spec_path.read_text())
            if {key: old.get(key) for key in spec} != spec:
                raise GalleryError(f"job folder {str(job)!r} holds a job with other settings ({old.get('kind')}, "
                                   f"k={old.get('k')}, threshold={old.get('threshold')}); use a new folder")
            return json.loads(q_path.read_text())
        if queries is None:
            per_shard = [g.identities() for g in gallery.shards]
        else:
            per_shard = [[] for _ in gallery.shards]
            for identity in queries:
                if identity not in gallery:
                    raise GalleryError(f"identity {identity!r} is not enrolled in {str(gallery.path)!r}")
                per_shard[gallery.shard_of(identity)].append(identity)
        _write_atomic(q_path, json.dumps(per_shard))
        _write_atomic(spec_path, json.dumps({**spec, "created": time.time()}, indent=2))
        return per_shard
    except OSError as exc:
        raise GalleryError(f"job folder {str(job)!r}: {exc}") from None


def run_dedup(
    gallery: ShardedGallery,
    job_dir: str | os.PathLike[str],
    *,
    client: Any = None,
    queries: Sequence[str] | None = None,
    k: int = 10,
    threshold: float,
    shortlist: int | None = None,
    batch_persons: int = 64,
    retries: int = 3,
    progress: bool = True,
    report: bool = True,
    on_unit: Callable[[str], None] | None = None,
) -> DistributedJobResult:
    """Run (or resume) a deduplication job over a sharded gallery, on a Dask cluster or in-process.

    Parameters
    ----------
    gallery : ShardedGallery
        Its folder must be readable by every worker at the same path (shared or replicated disk).
    job_dir : path-like
        Job folder (checkpoints, outputs); must be writable by every worker at the same path.
    client : distributed.Client, optional
        None runs every unit in this process (no Dask needed).
    queries : sequence of str, optional
        Enrolled identities to check (1:N of new enrollments); None sweeps everyone (N:N).
    k, threshold, shortlist
        As :func:`biocore.search.dedup.run_job` and :meth:`biocore.Gallery.search`.
    batch_persons : int
        Query persons per unit.
    retries : int
        Dask retries of a failing unit (a unit on a dying worker is re-run anyway).
    progress, report : bool
        Progress bar on stderr; ``report.html``.
    on_unit : callable, optional
        Called with each finished unit's name, after its file is on disk.

    Returns
    -------
    DistributedJobResult
        Pairs equal to :func:`biocore.search.dedup.run_job` on one gallery of the same persons.
    """
    if not isinstance(gallery, ShardedGallery):
        raise InvalidArgument(f"gallery: expected a ShardedGallery, got {type(gallery).__name__}")
    if not isinstance(threshold, (int, float)) or not float("-inf") < float(threshold) < float("inf"):
        raise InvalidArgument(f"threshold: expected a finite number, got {threshold!r}")
    if isinstance(batch_persons, bool) or not isinstance(batch_persons, int) or batch_persons < 1:
        raise InvalidArgument(f"batch_persons: expected a positive integer, got {batch_persons!r}")
    started = time.monotonic()
    job = Path(job_dir)
    kind = "N:N" if queries is None else "1:N"
    sizing = (int(k), None if shortlist is None else int(shortlist), gallery.params.binary_candidates,
              gallery.manifest.shards, whole_scans(gallery.params, gallery.live_persons()))
    spec = {"format": JOB_FORMAT, "kind": kind, "gallery": str(gallery.path.resolve()),
            "shards": gallery.manifest.shards, "k": int(k), "threshold": float(threshold), "shortlist": sizing[1],
            "batch_persons": batch_persons, "matcher": gallery.has_matcher}
    per_shard = _prepare(gallery, job, spec, queries)
    units_dir = job / "units"
    n_shards = gallery.manifest.shards
    units = [(i, b, t) for i, ids in enumerate(per_shard) for b in range((len(ids) + batch_persons - 1) // batch_persons)
             for t in range(n_shards)]

    def name(u: tuple[int, int, int]) -> str:
        return f"{u[0]:04d}-{u[1]:06d}-{u[2]:04d}.json"

    todo = [u for u in units if not (units_dir / name(u)).exists()]
    bar = Progress(len(units), len(units) - len(todo), enabled=progress, unit="unit", desc="dedup")
    shard_dirs = [str(gallery.manifest.shard_path(s).resolve()) for s in range(n_shards)]
    # a batch = its first stage on every shard, the global selection, then the re-rank units still missing
    batches: dict[tuple[int, int], list[int]] = {}
    for i, b, t in todo:
        batches.setdefault((i, b), []).append(t)

    def chunk(i: int, b: int) -> list[str]:
        return per_shard[i][b * batch_persons : (b + 1) * batch_persons]

    sp, matcher = gallery.shard_params, gallery.has_matcher

    def out_file(u: tuple[int, int, int]) -> str:
        return str((units_dir / name(u)).resolve())

    try:
        if client is None:
            for (i, b), targets in batches.items():
                batch = unit_queries(shard_dirs[i], chunk(i, b), sp, matcher)
                selected = unit_select(*[unit_codes(shard_dirs[t], batch, chunk(i, b), sp, matcher, sizing)
                                         for t in range(n_shards)])
                for t in targets:
                    unit_rerank(shard_dirs[t], batch, sp, matcher, selected, t, out_file((i, b, t)))
                    bar.step()
                    if on_unit is not None:
                        on_unit(name((i, b, t)))
        else:
            _run_on_cluster(client, batches, (shard_dirs, chunk, sp, matcher), out_file, name, spec, sizing, retries,
                            bar, on_unit)
    finally:
        bar.close()

    pairs = _collect(units_dir, per_shard, batch_persons, n_shards, name, k=k, threshold=threshold,
                     symmetric=queries is None)
    groups = clusters(pairs, threshold)
    from ..search import report as report_mod

    report_mod.write_csv(pairs, job / "candidates.csv")
    _write_atomic(job / "candidates.json", json.dumps(
        {"job": spec, "pairs": [p.to_dict() for p in pairs], "clusters": groups}, indent=1))
    if report:
        report_mod.write_html(pairs, groups, gallery, job / "report.html", title=f"biocore {kind} deduplication (sharded)")
    return DistributedJobResult(pairs, groups, job, 0, 0, time.monotonic() - started,
                                units_run=len(todo), units_resumed=len(units) - len(todo))


def _run_on_cluster(client: Any, batches: dict, shards: tuple, out_file: Callable, name: Callable, spec: dict,
                    sizing: tuple[int, int | None, int, int, bool], retries: int, bar: Progress,
                    on_unit: Callable[[str], None] | None) -> None:
    from .cluster import require_dask

    distributed = require_dask()
    shard_dirs, chunk, sp, matcher = shards
    tag = hashlib.blake2b(json.dumps(spec, sort_keys=True).encode(), digest_size=6).hexdigest()
    workers = sorted(client.scheduler_info(n_workers=-1)["workers"])
    queue = iter(batches.items())
    futures: dict[Any, tuple[int, int, int]] = {}
    window = 4 * max(1, len(workers))  # batches in flight: bounded scheduler load, little lost on a stop

    def submit_next(done: Any) -> bool:
        item = next(queue, None)
        if item is None:
            return False
        (i, b), targets = item
        ids = chunk(i, b)
        batch = client.submit(unit_queries, shard_dirs[i], ids, sp, matcher, key=f"biocore-queries-{tag}-{i}-{b}",
                              pure=False, retries=retries, **_prefer(workers, i))
        codes = [client.submit(unit_codes, shard_dirs[t], batch, ids, sp, matcher, sizing,
                               key=f"biocore-codes-{tag}-{i}-{b}-{t}", pure=False, retries=retries,
                               **_prefer(workers, t)) for t in range(len(shard_dirs))]
        selected = client.submit(unit_select, *codes, key=f"biocore-select-{tag}-{i}-{b}", pure=False,
                                 retries=retries)
        for t in targets:
            f = client.submit(unit_rerank, shard_dirs[t], batch, sp, matcher, selected, t, out_file((i, b, t)),
                              key=f"biocore-unit-{tag}-{i}-{b}-{t}", pure=False, retries=retries, **_prefer(workers, t))
            futures[f] = (i, b, t)
            done.add(f)
        return True

    done = distributed.as_completed()
    try:
        for _ in range(window):
            if not submit_next(done):
                break
        in_batch: dict[tuple[int, int], int] = {}
        for f in done:
            f.result()
            i, b, t = futures.pop(f)
            bar.step()
            if on_unit is not None:
                on_unit(name((i, b, t)))
            in_batch[(i, b)] = in_batch.get((i, b), 0) + 1
            if in_batch[(i, b)] == len(batches[(i, b)]):
                submit_next(done)
    except BaseException:
        client.cancel(list(futures))
        raise


def _collect(units_dir: Path, per_shard: list[list[str]], bp: int, n_shards: int, name: Callable, *,
             k: int, threshold: float, symmetric: bool) -> list[CandidatePair]:
    found: list[CandidatePair] = []
    for i, ids in enumerate(per_shard):
        for b in range((len(ids) + bp - 1) // bp):
            chunk = ids[b * bp : (b + 1) * bp]
            lists = [json.loads((units_dir / name((i, b, t))).read_text()) for t in range(n_shards)]
            for q, identity in enumerate(chunk):
                per = [[_candidate_from(d) for d in lists[t][q]] for t in range(n_shards)]
                for c in merge_reranked(per, k=k, threshold=threshold):
                    a, bb = (identity, c.identity) if not symmetric or identity < c.identity else (c.identity, identity)
                    found.append(CandidatePair(a, bb, c.score, c.code_score, {e.finger: e.score for e in c.fingers},
                                               c.method))
    return merge_pairs(found)
