"""``biocore dedup --cluster local:N | --scheduler tcp://HOST:PORT`` and sharded-gallery sources.

The options are added to the ``dedup`` parser of :mod:`biocore.search.commands`; :func:`wanted` says
whether a parsed command goes here (a cluster option, or a sharded gallery as SOURCE) or stays on the
embedded single-gallery path, which remains the default and imports nothing from Dask.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from ..errors import InvalidArgument
from .manifest import MANIFEST_NAME

__all__ = ["add_cluster_options", "wanted", "run_dedup"]


def add_cluster_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--cluster", metavar="local:N", help="run on a local Dask cluster of N worker processes "
                   "(SOURCE: a sharded gallery, or a sample registry sharded into the job folder)")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run on a running Dask scheduler (paths must be "
                   "the same on every worker)")
    p.add_argument("--shards", type=int, default=2, help="registry SOURCE with a cluster: shards to create (default 2)")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds to reach the scheduler and its workers")


def wanted(args: argparse.Namespace) -> bool:
    """True when the dedup command runs sharded (a cluster option, or SOURCE is a sharded gallery)."""
    return bool(getattr(args, "cluster", None) or getattr(args, "scheduler", None)
                or (Path(args.source) / MANIFEST_NAME).exists())


def run_dedup(args: argparse.Namespace) -> int:
    from .jobs import run_dedup as run_job
    from .sharded import ShardedGallery

    started = time.perf_counter()
    source = Path(args.source)
    job = Path(args.job) if args.job else Path(tempfile.mkdtemp(prefix="biocore-dedup-"))
    if args.cluster and args.scheduler:
        raise InvalidArgument("dedup: expected one of --cluster and --scheduler, got both")
    planted = None
    if (source / MANIFEST_NAME).exists():
        gallery = ShardedGallery.open(source, create=False)
    elif (source / "manifest.csv").exists():
        from ..search.samples import load_registry

        reg = load_registry(source, extract=args.extract)
        planted = reg.planted
        gallery = ShardedGallery.open(job / "gallery", shards=args.shards)
        if len(gallery) == 0:
            gallery.enroll_many(reg.persons)
    else:
        raise InvalidArgument(f"source: expected a sharded gallery folder ({MANIFEST_NAME}) or a sample registry "
                              f"(manifest.csv) with --cluster/--scheduler, got {str(source)!r}")
    client = None
    try:
        if args.cluster or args.scheduler:
            from .cluster import connect

            client = connect(cluster=args.cluster, scheduler=args.scheduler, timeout_s=args.timeout)
            if not args.no_progress:
                import importlib.util

                if importlib.util.find_spec("bokeh") is not None:  # Dask serves its dashboard only with bokeh
                    print(f"dedup: Dask dashboard {client.dashboard_link}", file=sys.stderr)
        with gallery:
            threshold = args.threshold if args.threshold is not None else gallery.default_threshold
            result = run_job(gallery, job, client=client, queries=args.new, k=args.k, threshold=threshold,
                             batch_persons=args.batch, progress=not args.no_progress, report=not args.no_report)
            n, shards = len(gallery), gallery.manifest.shards
    finally:
        if client is not None:
            from .cluster import close

            close(client)
    seconds = time.perf_counter() - started
    where = args.cluster or args.scheduler or "in-process"
    obj: dict = {"job": str(job), "persons": n, "shards": shards, "cluster": where, "threshold": threshold,
                 "seconds": round(seconds, 2), "units_run": result.units_run, "units_resumed": result.units_resumed,
                 "pairs": [p.to_dict() for p in result.pairs], "clusters": result.clusters}
    lines = [f"{'N:N' if args.new is None else '1:N'} dedup of {n} persons in {shards} shards ({where}, threshold "
             f"{threshold:g}) in {seconds:.1f} s; {result.units_run} units run, {result.units_resumed} resumed; "
             f"job folder {job}", f"{len(result.pairs)} candidate pairs:"]
    for i, p in enumerate(result.pairs, 1):
        lines.append(f"  {i:>3}. {p.a} ~ {p.b}  score {p.score:.2f}  ({len(p.fingers)} fingers)")
    lines.append(f"duplicate clusters: {result.clusters}")
    if planted is not None:
        from ..search.samples import score_pairs

        s = score_pairs([(p.a, p.b) for p in result.pairs], planted)
        obj["planted"] = s
        lines.append(f"planted duplicates found: {s['found']}/{s['planted']} (recall {s['recall']:.0%})")
    lines.append(f"outputs: {job / 'candidates.csv'}, {job / 'candidates.json'}")
    if args.json:
        json.dump(obj, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print("\n".join(lines))
    return 0
