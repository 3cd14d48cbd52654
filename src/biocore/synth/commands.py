"""The work behind ``biocore synth ...`` (the parser lives in :mod:`biocore.cli`)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from ..errors import InvalidArgument

__all__ = ["add_arguments", "run"]


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Sub-subcommands of ``biocore synth``."""
    sub = p.add_subparsers(dest="synth_command", metavar="WHAT")
    s = sub.add_parser("samples", help="write the sample registry (images, templates, manifest) into DIR")
    s.add_argument("dir", metavar="DIR", help="output folder, e.g. data/samples")
    s.add_argument("--seed", type=int, default=None, help="population seed (default: the project's samples seed)")
    s = sub.add_parser("sheet", help="write a contact sheet PNG of masters (with ground truth) and impressions")
    s.add_argument("out", metavar="OUT.png")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--rows", type=int, default=5, help="masters, one per row, cycling through the classes")
    s.add_argument("--impressions", type=int, default=4, help="impressions per master (wet to dry)")
    s = sub.add_parser(
        "population",
        help="generate a population: templates only into FILE.npz (fast), or with --images PNGs into a folder",
    )
    s.add_argument("--persons", type=int, required=True)
    s.add_argument("--out", metavar="FILE|DIR", required=True)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--encounters", type=int, nargs="+", default=[0], help="encounter numbers (default: 0)")
    s.add_argument("--images", action="store_true", help="image level: PNG + ground-truth template per capture")
    s.add_argument("--workers", type=int, default=1, help="threads for templates-only generation (default 1)")
    s.add_argument("--json", action="store_true", help="machine-readable summary")


def run(args: argparse.Namespace) -> int:
    what = getattr(args, "synth_command", None)
    if what == "samples":
        return _samples(args)
    if what == "sheet":
        return _sheet(args)
    if what == "population":
        return _population(args)
    print("usage: biocore synth {samples,sheet,population} ... (see biocore synth --help)", file=sys.stderr)
    return 2


def _progress(label: str):
    def show(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\r{label}: {done}/{total}", end="" if done < total else "\n", file=sys.stderr, flush=True)

    return show


def _samples(args: argparse.Namespace) -> int:
    from .samples import SAMPLES_SEED, write_samples

    t0 = time.perf_counter()
    rows = write_samples(args.dir, seed=SAMPLES_SEED if args.seed is None else args.seed, progress=_progress("captures"))
    size = sum(f.stat().st_size for f in Path(args.dir).rglob("*") if f.is_file())
    images = sum(1 for r in rows if r["image"])
    print(
        f"{len(rows)} captures ({images} with images) of {len({r['person'] for r in rows})} persons under "
        f"{len({r['identity'] for r in rows})} identities written to {args.dir} "
        f"({size / 1e6:.2f} MB, {time.perf_counter() - t0:.1f} s)"
    )
    return 0


def _sheet(args: argparse.Namespace) -> int:
    import cv2

    from .sheet import contact_sheet

    img = contact_sheet(seed=args.seed, rows=args.rows, impressions=args.impressions)
    if not cv2.imwrite(args.out, img):
        raise InvalidArgument(f"OUT.png: cannot write an image to {args.out!r} (use a .png path in a writable folder)")
    print(f"contact sheet {img.shape[1]}x{img.shape[0]} written to {args.out}")
    return 0


def _population(args: argparse.Namespace) -> int:
    if args.persons < 1:
        raise InvalidArgument(f"--persons: expected a positive count, got {args.persons}")
    t0 = time.perf_counter()
    if args.images:
        count = _population_images(args)
    else:
        count = _population_templates(args)
    dt = time.perf_counter() - t0
    summary = {
        "persons": args.persons, "encounters": args.encounters, "templates": count, "out": args.out,
        "seconds": round(dt, 3), "persons_per_second": round(args.persons / dt, 1),
    }
    if args.json:
        import json

        print(json.dumps(summary))
    else:
        rate = f"{count / dt:,.1f} captures/s" if args.images else f"{args.persons / dt:,.0f} persons/s"
        print(
            f"{count} templates of {args.persons} persons (encounters {args.encounters}) written to {args.out} "
            f"in {dt:.1f} s ({rate})"
        )
    return 0


def _population_templates(args: argparse.Namespace) -> int:
    """Write a templates-only population as one ``.npz`` of packed arrays.

    Keys: ``person`` (int64, T), ``finger`` (uint8, T, ISO 1-10), ``encounter`` (uint16, T),
    ``image_quality`` (uint8, T), ``offsets`` (int64, T + 1: template t owns minutiae
    ``offsets[t]:offsets[t+1]``), ``x``, ``y`` (uint16, M, px), ``angle`` (float32, M, radians,
    ISO/ANSI convention), ``kind`` (uint8, M: 1 ending, 2 bifurcation), ``quality`` (uint8, M),
    and scalars ``width``, ``height``, ``dpi``, ``seed``. Templates are in block order: for each
    block of persons, each requested encounter, persons x fingers.
    """
    from .templates_only import iter_batches

    out = Path(args.out)
    if out.suffix != ".npz":
        raise InvalidArgument(f"--out: expected a .npz file for a templates-only population, got {args.out!r}")
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("person", "finger", "encounter", "count", "x", "y", "angle", "kind", "quality", "image_quality")}
    total = 0
    show = _progress("persons")
    for batch in iter_batches(args.persons, seed=args.seed, encounters=args.encounters, workers=args.workers):
        parts["person"].append(batch.person)
        parts["finger"].append(batch.finger)
        parts["encounter"].append(np.full(len(batch), batch.encounter, np.uint16))
        parts["count"].append(np.diff(batch.offsets).astype(np.uint32))
        for k in ("x", "y", "kind", "quality", "image_quality"):
            parts[k].append(batch.__getattribute__(k))
        parts["angle"].append(batch.angle)
        total += len(batch)
        show(min(int(batch.person[-1]) + 1, args.persons), args.persons)
    arrays = {k: np.concatenate(v) for k, v in parts.items()}
    arrays["x"] = arrays["x"].astype(np.uint16)
    arrays["y"] = arrays["y"].astype(np.uint16)
    arrays["offsets"] = np.concatenate([[0], np.cumsum(arrays.pop("count"), dtype=np.int64)])
    try:
        np.savez(out, width=300, height=400, dpi=500, seed=args.seed, **arrays)
    except OSError as exc:
        raise InvalidArgument(f"--out: cannot write {args.out!r}: {exc.strerror or exc}") from None
    return total


def _population_images(args: argparse.Namespace) -> int:
    import csv

    import cv2

    from ..templates import encode
    from .population import iter_captures

    root = Path(args.out)
    (root / "images").mkdir(parents=True, exist_ok=True)
    (root / "templates").mkdir(parents=True, exist_ok=True)
    rows = []
    total = args.persons * 10 * len(args.encounters)
    show = _progress("captures")
    for c in iter_captures(args.persons, seed=args.seed, encounters=args.encounters):
        stem = f"P{c.person:06d}_f{c.finger:02d}_e{c.encounter}"
        cv2.imwrite(str(root / "images" / f"{stem}.png"), c.impression.image)
        (root / "templates" / f"{stem}.bct").write_bytes(encode(c.impression.template, "biocore"))
        rows.append([stem, c.person, c.finger, c.encounter, f"images/{stem}.png", f"templates/{stem}.bct", len(c.impression.template)])
        show(len(rows), total)
    with open(root / "manifest.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["capture", "person", "finger", "encounter", "image", "template", "minutiae"])
        w.writerows(rows)
    return len(rows)
