"""Deduplication jobs: new enrollments against the gallery (1:N) and whole-gallery sweeps (N:N).

A job lives in a folder::

    job.json            what is being run: kind, gallery, parameters, query count, batch size
    queries.npy         int64 store rows of the query persons, in sweep order (fixed at creation)
    batches/NNNNNN.json one checkpoint per finished batch (written to a temporary name, fsynced, renamed)
    candidates.csv      the ranked candidate pairs (when the job finishes)
    candidates.json     the same, plus the job description and duplicate clusters
    report.html         the adjudication report (see :mod:`biocore.search.report`)

Batches run on ``threads`` worker threads (the faiss scan and the 1:1 matcher release the GIL).
A killed job started again on the same folder skips the batches already on disk, so it resumes
where it stopped; the final files are rebuilt from all checkpoints. The per-batch work
(:func:`run_batch`) and the merge (:func:`merge_pairs`, :func:`clusters`) are pure functions of
their inputs, so a distributed runner can execute batches per shard and merge the same way.
"""

from __future__ import annotations

import json
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._shared.progress import Progress
from ..errors import GalleryError, InvalidArgument
from .gallery import Gallery
from .parameters import JOB, JobParameters
from .storage import fsync_dir

__all__ = ["CandidatePair", "JobResult", "run_job", "run_batch", "merge_pairs", "clusters"]

JOB_FORMAT = 1


@dataclass(frozen=True)
class CandidatePair:
    """Two identities that may be one person: fused score and per-finger evidence {finger: score}."""

    a: str
    b: str
    score: float
    code_score: float
    fingers: dict[int, float]
    method: str

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["fingers"] = {str(k): v for k, v in self.fingers.items()}
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "CandidatePair":
        return cls(d["a"], d["b"], float(d["score"]), float(d["code_score"]),
                   {int(k): float(v) for k, v in d["fingers"].items()}, d["method"])


@dataclass(frozen=True)
class JobResult:
    """A finished job: ranked pairs, duplicate clusters (lists of identities) and output paths."""

    pairs: list[CandidatePair]
    clusters: list[list[str]]
    job_dir: Path
    batches_run: int
    batches_resumed: int
    seconds: float


def run_batch(gallery: Gallery, rows: np.ndarray, identities: Sequence[str], *, k: int, threshold: float,
              symmetric: bool) -> list[CandidatePair]:
    """Search one batch of enrolled persons (store ``rows``) and return their candidate pairs.

    With ``symmetric`` (N:N) each pair is reported once, as (smaller identity, larger identity).
    """
    out = []
    for identity, found in zip(identities, gallery.search_rows(rows, k=k, threshold=threshold)):
        for c in found:
            a, b = (identity, c.identity) if not symmetric or identity < c.identity else (c.identity, identity)
            out.append(CandidatePair(a, b, c.score, c.code_score, {e.finger: e.score for e in c.fingers}, c.method))
    return out


def merge_pairs(pairs: Iterable[CandidatePair]) -> list[CandidatePair]:
    """One entry per (a, b), keeping the higher score; ranked by score, then identities."""
    best: dict[tuple[str, str], CandidatePair] = {}
    for p in pairs:
        key = (p.a, p.b)
        if key not in best or p.score > best[key].score:
            best[key] = p
    return sorted(best.values(), key=lambda p: (-p.score, p.a, p.b))


def clusters(pairs: Iterable[CandidatePair], threshold: float) -> list[list[str]]:
    """Connected components of the pairs scoring at least ``threshold`` (sorted; singletons left out)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in pairs:
        if p.score >= threshold:
            ra, rb = find(p.a), find(p.b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = {}
    for x in parent:
        groups.setdefault(find(x), []).append(x)
    return sorted((sorted(g) for g in groups.values() if len(g) > 1), key=lambda g: (-len(g), g))


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def run_job(
    gallery: Gallery,
    job_dir: str | os.PathLike[str],
    *,
    queries: Sequence[str] | None = None,
    k: int = 10,
    threshold: float,
    params: JobParameters = JOB,
    progress: bool = True,
    report: bool = True,
    on_batch: Callable[[int], None] | None = None,
) -> JobResult:
    """Run (or resume) a deduplication job.

    Parameters
    ----------
    gallery : Gallery
    job_dir : path-like
        The job folder; created when absent. A folder holding a job with other settings is refused.
    queries : sequence of str, optional
        Identities (already enrolled) to check against the gallery (1:N dedup of new enrollments);
        None sweeps every enrolled person (N:N).
    k : int
        Candidates kept per query.
    threshold : float
        Fused-score threshold of a candidate pair (and of a duplicate cluster link).
    params : JobParameters
        Batch size and threads.
    progress : bool
        Progress bar on stderr (tqdm when installed, plain lines otherwise).
    report : bool
        Write ``report.html``.
    on_batch : callable, optional
        Called with each finished batch number (after its checkpoint is on disk).

    Returns
    -------
    JobResult
    """
    if not isinstance(gallery, Gallery):
        raise InvalidArgument(f"gallery: expected a biocore.Gallery, got {type(gallery).__name__}")
    if not np.isfinite(float(threshold)):
        raise InvalidArgument(f"threshold: expected a finite number, got {threshold!r}")
    started = time.monotonic()
    job = Path(job_dir)
    batches_dir = job / "batches"
    spec_path = job / "job.json"
    kind = "N:N" if queries is None else "1:N"
    spec = {
        "format": JOB_FORMAT, "kind": kind, "gallery": str(Path(gallery.path).resolve()), "k": int(k),
        "threshold": float(threshold), "batch_persons": int(params.batch_persons),
    }
    try:
        batches_dir.mkdir(parents=True, exist_ok=True)
        if spec_path.exists():
            old = json.loads(spec_path.read_text())
            same = {key: old.get(key) for key in spec} == spec
            if not same:
                raise GalleryError(
                    f"job folder {str(job)!r} holds a job with other settings ({old.get('kind')}, k={old.get('k')}, "
                    f"threshold={old.get('threshold')}); use a new folder"
                )
            rows = np.load(job / "queries.npy")
        else:
            rows = gallery.all_rows() if queries is None else gallery.rows_of(queries)
            np.save(job / "queries.npy", rows)
            _write_atomic(spec_path, json.dumps({**spec, "queries": int(rows.size), "created": time.time()}, indent=2))
    except OSError as exc:
        raise GalleryError(f"job folder {str(job)!r}: {exc}") from None

    bp = params.batch_persons
    n_batches = (rows.size + bp - 1) // bp
    todo = [b for b in range(n_batches) if not (batches_dir / f"{b:06d}.json").exists()]
    bar = Progress(n_batches, n_batches - len(todo), enabled=progress, unit="batch", desc="dedup")

    def work(b: int) -> int:
        chunk = rows[b * bp : (b + 1) * bp]
        identities = gallery._store_identities(chunk)
        found = run_batch(gallery, chunk, identities, k=k, threshold=threshold, symmetric=queries is None)
        _write_atomic(batches_dir / f"{b:06d}.json", json.dumps([p.to_dict() for p in found]))
        return b

    pool = ThreadPoolExecutor(max_workers=max(1, params.threads))
    try:
        pending: deque = deque()
        queue = iter(todo)
        # keep a few batches in flight per thread, so memory stays bounded and a stop loses little work
        for b in queue:
            pending.append(pool.submit(work, b))
            if len(pending) >= 2 * max(1, params.threads):
                break
        while pending:
            b = pending.popleft().result()
            nxt = next(queue, None)
            if nxt is not None:
                pending.append(pool.submit(work, nxt))
            bar.step()
            if on_batch is not None:
                on_batch(b)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        bar.close()

    found: list[CandidatePair] = []
    for b in range(n_batches):
        found.extend(CandidatePair.from_dict(d) for d in json.loads((batches_dir / f"{b:06d}.json").read_text()))
    pairs = merge_pairs(found)
    groups = clusters(pairs, threshold)
    from . import report as report_mod

    report_mod.write_csv(pairs, job / "candidates.csv")
    _write_atomic(job / "candidates.json", json.dumps(
        {"job": spec, "pairs": [p.to_dict() for p in pairs], "clusters": groups}, indent=1))
    if report:
        report_mod.write_html(pairs, groups, gallery, job / "report.html", title=f"biocore {kind} deduplication")
    return JobResult(pairs, groups, job, len(todo), n_batches - len(todo), time.monotonic() - started)
