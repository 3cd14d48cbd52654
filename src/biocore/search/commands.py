"""The work behind ``biocore enroll``, ``biocore search`` and ``biocore dedup`` (parsers live in :mod:`biocore.cli`)."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from ..errors import InvalidArgument
from ..templates import Template
from ..templates.commands import read_fingerprint

__all__ = ["add_enroll", "add_search", "add_dedup", "run_enroll", "run_search", "run_dedup"]


def _read_person(files: list[str], name: str) -> dict[int, Template]:
    """Templates from files ``PATH`` or ``PATH@FINGER``: template records (any supported format,
    every view) or images (extracted with biocore.extract; a finger position is then required)."""
    out: dict[int, Template] = {}
    for spec in files:
        path, _, finger_text = spec.partition("@")
        finger = int(finger_text) if finger_text else None
        if not Path(path).is_file():
            raise InvalidArgument(f"{name}: {path!r} is not a file")
        templates, image = read_fingerprint(path, name)
        if image is not None and finger is None:
            raise InvalidArgument(f"{name}: image {path!r} needs its finger position: {path}@FINGER (1-10)")
        for t in templates:
            f = finger if finger is not None else t.finger
            if f in out:
                raise InvalidArgument(f"{name}: finger position {f} given twice ({path!r})")
            out[f] = t.replace(finger=f) if 1 <= f <= 10 else t
    return out


def _out(args: argparse.Namespace, obj: dict, text: str) -> None:
    if getattr(args, "json", False):
        json.dump(obj, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(text)


# --- enroll ---------------------------------------------------------------------------------


def add_enroll(p: argparse.ArgumentParser) -> None:
    p.add_argument("gallery", metavar="GALLERY", help="gallery folder (created when absent)")
    p.add_argument("files", metavar="FILE[@FINGER]", nargs="*", help="template records or images of one person")
    p.add_argument("--id", dest="identity", help="identity of the person in FILE...")
    p.add_argument("--registry", metavar="DIR", help="enroll a whole sample registry (manifest.csv) instead")
    p.add_argument("--extract", action="store_true", help="with --registry: extract minutiae from images")
    p.add_argument("--update", action="store_true", help="replace the person when already enrolled")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def run_enroll(args: argparse.Namespace) -> int:
    from .gallery import Gallery
    from .samples import load_registry

    with Gallery.open(args.gallery, matcher=None) as g:
        if args.registry:
            reg = load_registry(args.registry, extract=args.extract)
            n = g.enroll_many(reg.persons)
            _out(args, {"enrolled": n, "count": len(g)}, f"enrolled {n} persons; gallery holds {len(g)}")
            return 0
        if not args.identity or not args.files:
            raise InvalidArgument("enroll: expected --id ID and at least one FILE (or --registry DIR)")
        person = _read_person(args.files, "files")
        if args.update and args.identity in g:
            g.update(args.identity, person)
        else:
            g.enroll(args.identity, person)
        _out(args, {"identity": args.identity, "fingers": sorted(person), "count": len(g)},
             f"enrolled {args.identity} (fingers {sorted(person)}); gallery holds {len(g)}")
    return 0


# --- search ---------------------------------------------------------------------------------


def add_search(p: argparse.ArgumentParser) -> None:
    p.add_argument("gallery", metavar="GALLERY")
    p.add_argument("files", metavar="FILE[@FINGER]", nargs="+", help="template records or images of the probe person")
    p.add_argument("-k", type=int, default=10, help="candidates to return (default 10)")
    p.add_argument("--threshold", type=float, default=None, help="fused-score threshold (default: none)")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def run_search(args: argparse.Namespace) -> int:
    from .gallery import Gallery

    person = _read_person(args.files, "files")
    with Gallery.open(args.gallery, create=False) as g:
        t0 = time.perf_counter()
        found = g.search(person, k=args.k, threshold=args.threshold)
        ms = (time.perf_counter() - t0) * 1e3
    lines = [f"{len(found)} candidates in {ms:.0f} ms"]
    lines.append(f"{'rank':>4}  {'identity':20s} {'score':>9}  per-finger scores")
    for i, c in enumerate(found, 1):
        ev = " ".join(f"{e.finger}:{e.score:.2f}" for e in c.fingers)
        lines.append(f"{i:>4}  {c.identity:20s} {c.score:9.3f}  {ev}")
    _out(args, {"candidates": [c.to_dict() for c in found], "ms": ms}, "\n".join(lines))
    return 0


# --- dedup ----------------------------------------------------------------------------------


def add_dedup(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", metavar="SOURCE", help="a gallery folder, or a sample registry folder (manifest.csv)")
    p.add_argument("--job", metavar="DIR", help="job folder (checkpoints, outputs); rerun to resume (default: new temp folder)")
    p.add_argument("--new", metavar="ID", nargs="+", help="1:N: check these enrolled identities only (default: N:N sweep)")
    p.add_argument("-k", type=int, default=10, help="candidates per query (default 10)")
    p.add_argument("--threshold", type=float, default=None,
                   help="fused-score threshold of a candidate pair (default: the gallery's, see SearchParameters)")
    p.add_argument("--extract", action="store_true", help="registry source: extract minutiae from the images")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=64, help="query persons per checkpointed batch")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--no-report", action="store_true", help="skip report.html")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def run_dedup(args: argparse.Namespace) -> int:
    from .dedup import run_job
    from .gallery import Gallery
    from .parameters import JobParameters
    from .samples import load_registry, score_pairs
    from .storage import DB_NAME

    started = time.perf_counter()
    source = Path(args.source)
    job = Path(args.job) if args.job else Path(tempfile.mkdtemp(prefix="biocore-dedup-"))
    planted = None
    if (source / DB_NAME).exists():
        gallery = Gallery.open(source, create=False)
    elif (source / "manifest.csv").exists():
        reg = load_registry(source, extract=args.extract)
        planted = reg.planted
        gallery = Gallery.open(job / "gallery")
        if len(gallery) == 0:
            gallery.enroll_many(reg.persons)
    else:
        raise InvalidArgument(f"source: expected a gallery folder or a sample registry (manifest.csv), got {str(source)!r}")
    with gallery:
        threshold = args.threshold if args.threshold is not None else gallery.default_threshold
        result = run_job(gallery, job, queries=args.new, k=args.k, threshold=threshold,
                         params=JobParameters(batch_persons=args.batch, threads=args.threads),
                         progress=not args.no_progress, report=not args.no_report)
        method = result.pairs[0].method if result.pairs else ("matcher" if gallery.has_matcher else "code")
        n = len(gallery)
    seconds = time.perf_counter() - started
    obj: dict = {"job": str(job), "persons": n, "threshold": threshold, "method": method, "seconds": round(seconds, 2),
                 "pairs": [p.to_dict() for p in result.pairs], "clusters": result.clusters}
    lines = [f"{'N:N' if args.new is None else '1:N'} dedup of {n} persons ({method} scores, threshold {threshold:g}) "
             f"in {seconds:.1f} s; job folder {job}",
             f"{len(result.pairs)} candidate pairs:"]
    for i, p in enumerate(result.pairs, 1):
        lines.append(f"  {i:>3}. {p.a} ~ {p.b}  score {p.score:.2f}  ({len(p.fingers)} fingers; best "
                     f"{max(p.fingers.values(), default=0):.2f})")
    lines.append(f"duplicate clusters: {result.clusters}")
    if planted is not None:
        s = score_pairs([(p.a, p.b) for p in result.pairs], planted)
        obj["planted"] = s
        lines.append(f"planted duplicates found: {s['found']}/{s['planted']} (recall {s['recall']:.0%}); "
                     f"false candidates: {len(s['false_candidates'])}" + (f" {s['false_candidates']}" if s["false_candidates"] else "")
                     + (f"; missed {s['missed']}" if s["missed"] else ""))
    lines.append(f"outputs: {job / 'candidates.csv'}, {job / 'candidates.json'}"
                 + ("" if args.no_report else f", {job / 'report.html'}"))
    _out(args, obj, "\n".join(lines))
    return 0
