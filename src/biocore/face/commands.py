"""``biocore face PHOTO...``: assess portraits and print a table (or JSON), optionally write the
ICAO token image and an overlay. Exit status 0 when every file was assessed (whatever the
verdict), 2 when a file could not be read or an error occurred."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

__all__ = ["add_arguments", "run"]


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "images", metavar="PHOTO", nargs="+", help="portrait image files (any format OpenCV reads)"
    )
    p.add_argument(
        "--profile",
        choices=("icao", "live"),
        default="icao",
        help="compliance profile (default icao)",
    )
    p.add_argument(
        "--token",
        metavar="PNG",
        help="write the ISO/IEC 19794-5 token image (a folder when several photos)",
    )
    p.add_argument(
        "--token-width", type=int, default=240, metavar="PX", help="token image width (default 240)"
    )
    p.add_argument(
        "--overlay", metavar="PNG", help="draw box and landmarks (a folder when several photos)"
    )
    p.add_argument("--failed-only", action="store_true", help="table: list only failed measures")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def _target(option: str, base: str, image: str, several: bool, suffix: str) -> Path:
    if not several:
        return Path(base)
    folder = Path(base)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{Path(image).stem}.{suffix}.png"


def _write(path: Path, bgr, option: str) -> None:
    import cv2

    from ..errors import InvalidArgument

    try:
        ok = cv2.imwrite(str(path), bgr)
    except cv2.error:
        ok = False
    if not ok:
        raise InvalidArgument(
            f"{option}: cannot write an image to {str(path)!r} (use a .png path in a writable folder)"
        )


def _print_table(name: str, report, failed_only: bool) -> None:
    from .report import MESSAGES

    verdict = (
        "PASS"
        if report.passed
        else f"FAIL ({len(report.failures)} of {len(report.measures)} measures)"
    )
    print(f"{name}: {verdict}  [profile {report.profile}, backend {report.backend}]")
    for key, m in report.measures.items():
        if failed_only and m.passed:
            continue
        value = "n/a" if math.isnan(m.value) else f"{m.value:.3g}"
        mark = "ok " if m.passed else "BAD"
        print(f"  {mark} {key:24s} {value:>9s} {m.score:5.0f}  {m.message or MESSAGES[key][0]}")


def run(args: argparse.Namespace) -> int:
    import cv2

    from ..errors import BiocoreError
    from .assessment import assess
    from .image import as_rgb_image
    from .overlay import draw_report

    several = len(args.images) > 1
    results, status = [], 0
    for image in args.images:
        try:
            rgb = as_rgb_image(image, name="PHOTO")
            report = assess(rgb, profile=args.profile)
            entry = {"image": image, **report.as_dict()}
            if args.token and report.landmarks is not None:
                path = _target("--token", args.token, image, several, "token")
                _write(
                    path, cv2.cvtColor(report.token(args.token_width), cv2.COLOR_RGB2BGR), "--token"
                )
                entry["token"] = str(path)
            if args.overlay:
                path = _target("--overlay", args.overlay, image, several, "overlay")
                _write(path, draw_report(rgb, report), "--overlay")
                entry["overlay"] = str(path)
        except BiocoreError as exc:
            if not several:
                raise
            status = 2
            entry, report = {"image": image, "error": str(exc)}, None
            if not args.json:
                print(f"{image}: error: {exc}", file=sys.stderr)
        results.append(entry)
        if report is not None and not args.json:
            _print_table(image, report, args.failed_only)
            for key in ("token", "overlay"):
                if key in entry:
                    print(f"  {key} written to {entry[key]}")
    if args.json:
        json.dump(results if several else results[0], sys.stdout, indent=2)
        sys.stdout.write("\n")
    return status
