"""The ``biocore`` command line: one subcommand per job.

Each subcommand is a ``_cmd_<name>`` function with an ``_add_<name>`` parser builder, registered
in :data:`_SUBCOMMANDS`. Errors biocore raises on purpose print as one line and exit with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from ._version import __version__
from .errors import BiocoreError

__all__ = ["main"]


def _print_json(obj: object) -> None:
    json.dump(obj, sys.stdout, indent=2, default=_json_default)
    sys.stdout.write("\n")


def _json_default(obj: object) -> object:
    import numpy as np

    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


# --- version ---------------------------------------------------------------------------------


def _add_version(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("version", help="print versions of biocore, its native core and key dependencies")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def _cmd_version(args: argparse.Namespace) -> int:
    import numpy as np

    from ._native import _core

    info = {
        "biocore": __version__,
        "native": getattr(_core, "__version__", "unknown"),
        "native_threads": _core.hardware_threads(),
        "numpy": np.__version__,
        "python": sys.version.split()[0],
    }
    if args.json:
        _print_json(info)
    else:
        for key, value in info.items():
            print(f"{key:15s} {value}")
    return 0


# --- extract ---------------------------------------------------------------------------------


def _add_extract(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("extract", help="extract fingerprint minutiae from an image into a template")
    p.add_argument("image", metavar="IMAGE", help="fingerprint image file (any format OpenCV reads)")
    p.add_argument("--dpi", type=int, default=500, help="image resolution in pixels per inch (default 500)")
    p.add_argument("--finger", type=int, default=None, help="ISO/IEC 19794-2 finger position 0-10")
    p.add_argument("--out", metavar="FILE", help="write the template to FILE")
    p.add_argument("--format", default="biocore", help="template format for --out (default: biocore)")
    p.add_argument("--overlay", metavar="PNG", help="draw the minutiae over the image into PNG")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def _cmd_extract(args: argparse.Namespace) -> int:
    from pathlib import Path

    import cv2

    from . import templates
    from ._shared.validation import as_gray_image
    from .errors import InvalidArgument
    from .minutiae import extract
    from .minutiae.overlay import draw_minutiae

    gray = as_gray_image(args.image, name="IMAGE")
    t = extract(gray, dpi=args.dpi, finger=args.finger)
    if args.out:
        data = templates.encode(t, args.format)
        try:
            Path(args.out).write_bytes(data)
        except OSError as exc:
            raise InvalidArgument(f"--out: cannot write {args.out!r}: {exc.strerror or exc}") from None
    if args.overlay:
        ok = False
        try:
            ok = cv2.imwrite(args.overlay, draw_minutiae(gray, t))
        except cv2.error:
            ok = False
        if not ok:
            raise InvalidArgument(f"--overlay: cannot write an image to {args.overlay!r} (use a .png path in a writable folder)")
    if args.json:
        _print_json(
            {
                "image": str(args.image), "width": t.width, "height": t.height, "dpi": t.dpi, "finger": t.finger,
                "image_quality": t.image_quality, "count": len(t),
                "minutiae": [
                    {"x": int(x), "y": int(y), "angle_deg": round(float(a) * 57.29577951308232, 2),
                     "kind": {1: "ending", 2: "bifurcation"}.get(int(k), "other"), "quality": int(q)}
                    for x, y, a, k, q in zip(t.x, t.y, t.angle, t.kind, t.quality)
                ],
                "out": args.out, "format": args.format if args.out else None, "overlay": args.overlay,
            }
        )
    else:
        kinds = t.kind.tolist()
        print(
            f"{args.image}: {len(t)} minutiae ({kinds.count(1)} endings, {kinds.count(2)} bifurcations), "
            f"image quality {t.image_quality}/100"
        )
        if args.out:
            print(f"template ({args.format}) written to {args.out}")
        if args.overlay:
            print(f"overlay written to {args.overlay}")
    return 0


# --- match -----------------------------------------------------------------------------------


def _add_match(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "match", help="score two fingerprints (images or template files) and show which minutiae were paired"
    )
    p.add_argument("probe", metavar="PROBE", help="fingerprint image, or template file (biocore, ISO, ANSI)")
    p.add_argument("candidate", metavar="CANDIDATE", help="the same, for the other finger")
    p.add_argument("--dpi", type=int, default=500, help="resolution of image inputs in pixels per inch (default 500)")
    p.add_argument("--fmr", type=float, default=1e-4, help="decide at this false match rate (default 1e-4)")
    p.add_argument("--overlay", metavar="PNG", help="draw both prints side by side with the pairs joined (images only)")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def _match_input(path: str, dpi: int, name: str):
    """(template, gray image or None) from a one-view template record or a fingerprint image."""
    from .errors import InvalidArgument
    from .templates.commands import read_fingerprint

    found, image = read_fingerprint(path, name, dpi=dpi)
    if len(found) != 1:
        raise InvalidArgument(f"{name}: expected a record with one finger view, got {len(found)} in {path!r}")
    return found[0], image


def _cmd_match(args: argparse.Namespace) -> int:
    import cv2

    from .errors import InvalidArgument
    from .matching import explain, threshold_for_fmr
    from .minutiae.overlay import draw_pairing

    threshold = threshold_for_fmr(args.fmr)
    probe, probe_image = _match_input(args.probe, args.dpi, "PROBE")
    candidate, candidate_image = _match_input(args.candidate, args.dpi, "CANDIDATE")
    e = explain(probe, candidate)
    if args.overlay:
        if probe_image is None or candidate_image is None:
            raise InvalidArgument("--overlay: needs both PROBE and CANDIDATE as images, not template files")
        ok = False
        try:
            ok = cv2.imwrite(args.overlay, draw_pairing(probe_image, probe, candidate_image, candidate, e.pairs))
        except cv2.error:
            ok = False
        if not ok:
            raise InvalidArgument(f"--overlay: cannot write an image to {args.overlay!r} (use a .png path in a writable folder)")
    decision = "match" if e.score >= threshold else "no match"
    if args.json:
        _print_json(
            {
                "probe": args.probe, "candidate": args.candidate, "score": e.score, "edge_evidence": e.edge_evidence,
                "mcc_score": e.mcc_score, "fmr": args.fmr, "threshold": threshold, "match": e.score >= threshold,
                "rotation_deg": round(e.rotation_rad * 57.29577951308232, 2), "minutiae": [len(probe), len(candidate)],
                "pairs": e.pairs, "overlay": args.overlay,
            }
        )
    else:
        print(
            f"score {e.score:.2f} ({decision} at FMR {args.fmr:g}: threshold {threshold:.2f}); "
            f"{len(e.pairs)} paired minutiae of {len(probe)} and {len(candidate)}, "
            f"turned {e.rotation_rad * 57.29577951308232:.0f} degrees"
        )
        if args.overlay:
            print(f"overlay written to {args.overlay}")
    return 0


# --- synth -----------------------------------------------------------------------------------


def _add_synth(sub: argparse._SubParsersAction) -> None:
    from .synth.commands import add_arguments

    p = sub.add_parser(
        "synth",
        help="synthetic fingerprints: sample registry, contact sheet, populations (images or templates only)",
        description="Synthetic fingerprints with ground truth. Examples: biocore synth samples data/samples; "
        "biocore synth sheet sheet.png; biocore synth population --persons 1000000 --out gallery.npz",
    )
    add_arguments(p)


def _cmd_synth(args: argparse.Namespace) -> int:
    from .synth.commands import run

    return run(args)


# --- face ------------------------------------------------------------------------------------


def _add_face(sub: argparse._SubParsersAction) -> None:
    from .face.commands import add_arguments

    p = sub.add_parser(
        "face",
        help="portrait quality for ID photos (ICAO 9303 / ISO/IEC 19794-5): verdict and what to fix",
        description="Assess portraits. Examples: biocore face photo.jpg; biocore face *.jpg --json; "
        "biocore face photo.jpg --profile live --token token.png --overlay check.png",
    )
    add_arguments(p)


def _cmd_face(args: argparse.Namespace) -> int:
    from .face.commands import run

    return run(args)


# --- convert ---------------------------------------------------------------------------------


def _add_convert(sub: argparse._SubParsersAction) -> None:
    from .templates.commands import add_arguments

    p = sub.add_parser(
        "convert", help="convert a minutiae template between ISO 19794-2, ANSI 378 and biocore formats",
        description="biocore convert probe.ist probe.ansi --to ansi378:2009 [--from iso19794-2:2005] [--lenient]",
    )
    add_arguments(p)


def _cmd_convert(args: argparse.Namespace) -> int:
    from .templates.commands import run

    return run(args)


# --- enroll / search / dedup ----------------------------------------------------------------


def _add_enroll(sub: argparse._SubParsersAction) -> None:
    from .search.commands import add_enroll

    add_enroll(sub.add_parser(
        "enroll", help="enroll a person (template files or images) or a whole sample registry into a gallery",
        description="biocore enroll GALLERY right_index.bct left_index.png@7 ... --id ID; "
        "biocore enroll GALLERY --registry data/samples",
    ))


def _cmd_enroll(args: argparse.Namespace) -> int:
    from .search.commands import run_enroll

    return run_enroll(args)


def _add_search(sub: argparse._SubParsersAction) -> None:
    from .search.commands import add_search

    add_search(sub.add_parser(
        "search", help="1:N search of one person against a gallery: ranked candidates with per-finger scores",
        description="biocore search GALLERY probe_f02.bct probe_f07.bct [-k 10] [--threshold T] [--json]",
    ))


def _cmd_search(args: argparse.Namespace) -> int:
    from .search.commands import run_search

    return run_search(args)


def _add_dedup(sub: argparse._SubParsersAction) -> None:
    from .search.commands import add_dedup

    add_dedup(sub.add_parser(
        "dedup", help="deduplication job (N:N sweep or 1:N of new enrollments), checkpointed, with HTML report",
        description="biocore dedup data/samples; biocore dedup GALLERY --job DIR [--new ID ...] (rerun to resume)",
    ))
    from .distributed.commands import add_cluster_options

    add_cluster_options(sub.choices["dedup"])


def _cmd_dedup(args: argparse.Namespace) -> int:
    from .distributed import commands as distributed_commands
    from .search.commands import run_dedup

    if distributed_commands.wanted(args):  # --cluster/--scheduler or a sharded gallery; dask imported lazily
        return distributed_commands.run_dedup(args)
    return run_dedup(args)


# --- eval ------------------------------------------------------------------------------------


def _add_eval(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "eval",
        help="verification accuracy over an FVC-style folder (<finger>_<impression>.tif|png): extract, match, report",
        description="Extracts every image, matches the protocol's pairs and prints EER and FNMR at FMR "
        "1e-2/1e-3/1e-4. Protocols: all-pairs (every pair; 280 genuine / 2,880 impostor for a 10x8 set) "
        "or fvc (impostors: first impressions only, 45 for a 10x8 set).",
    )
    p.add_argument("dataset", metavar="DATASET_DIR", help="folder of <finger>_<impression>.tif|png images")
    p.add_argument("--protocol", choices=["all-pairs", "fvc"], default="all-pairs", help="pairs to compare (default all-pairs)")
    p.add_argument("--dpi", type=int, default=None, help="image resolution (default: known FVC sets, else 500)")
    p.add_argument("--plot", metavar="PNG", help="write a DET plot (needs matplotlib: biocore[plot])")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def _cmd_eval(args: argparse.Namespace) -> int:
    from .evaluation import evaluate_folder, plot_det

    run = evaluate_folder(args.dataset, protocol=args.protocol, dpi=args.dpi, progress=True)
    if args.plot:
        plot_det({"biocore": (run.genuine, run.impostor)}, args.plot, title=f"DET - {args.dataset}")
    if args.json:
        _print_json({**run.to_dict(), "plot": args.plot})
        return 0
    s = run.summary
    print(f"{run.folder}: {run.images} images, {run.mean_minutiae:.1f} minutiae each on average, protocol {run.protocol}")
    print(f"  pairs     {int(s['genuine'])} genuine, {int(s['impostor'])} impostor")
    print(f"  EER       {100 * s['eer']:.2f}%  (FVC interval {100 * s['eer_low']:.2f}-{100 * s['eer_high']:.2f}%)")
    for key in ("fnmr@fmr=1e-2", "fnmr@fmr=1e-3", "fnmr@fmr=1e-4"):
        print(f"  {key:13s} {100 * s[key]:.2f}%")
    t = run.timings_s
    print(f"  time      extract {t['extract']:.1f} s, match {t['match']:.2f} s")
    if args.plot:
        print(f"DET plot written to {args.plot}")
    return 0


# --- quality ---------------------------------------------------------------------------------


def _add_quality(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("quality", help="finger image quality 0-100 (NFIQ 2 scale) and capture feedback")
    p.add_argument("images", metavar="IMAGE", nargs="+", help="fingerprint image files")
    p.add_argument("--dpi", type=int, default=500, help="image resolution in pixels per inch (default 500)")
    p.add_argument("--json", action="store_true", help="machine-readable output (scores, features, feedback)")


def _cmd_quality(args: argparse.Namespace) -> int:
    from .quality import finger_quality

    results = [(path, finger_quality(path, dpi=args.dpi)) for path in args.images]
    if args.json:
        _print_json([{"image": str(path), **q.to_dict()} for path, q in results])
        return 0
    width = max(len(str(path)) for path, _ in results)
    print(f"{'image':{width}s}  score  feedback")
    for path, q in results:
        first = f"{q.feedback[0].code}: {q.feedback[0].message}" if q.feedback else "ok"
        more = f" (+{', '.join(q.codes[1:])})" if len(q.feedback) > 1 else ""
        print(f"{str(path):{width}s}  {q.score:5d}  {first}{more}")
    return 0


_SUBCOMMANDS: list[tuple[Callable[[argparse._SubParsersAction], None], str, Callable[[argparse.Namespace], int]]] = [
    (_add_version, "version", _cmd_version),
    (_add_extract, "extract", _cmd_extract),
    (_add_match, "match", _cmd_match),
    (_add_synth, "synth", _cmd_synth),
    (_add_face, "face", _cmd_face),
    (_add_convert, "convert", _cmd_convert),
    (_add_enroll, "enroll", _cmd_enroll),
    (_add_search, "search", _cmd_search),
    (_add_dedup, "dedup", _cmd_dedup),
    (_add_eval, "eval", _cmd_eval),
    (_add_quality, "quality", _cmd_quality),
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="biocore",
        description="Biometric capture and matching for national ID enrollment.",
    )
    parser.add_argument("--version", action="version", version=f"biocore {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add, name, run in _SUBCOMMANDS:
        add(sub)
        sub.choices[name].set_defaults(_run=run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 0
    try:
        return int(args._run(args) or 0)
    except BiocoreError as exc:
        print(f"biocore {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"biocore {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
