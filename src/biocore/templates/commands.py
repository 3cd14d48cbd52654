"""``biocore convert IN OUT --to FMT [--from FMT] [--lenient]``: re-encode a template record; and
:func:`read_fingerprint`, how every command reads a FILE that is a template record or an image."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import BiocoreError, InvalidArgument, InvalidTemplate

__all__ = ["add_arguments", "run", "read_fingerprint"]


def read_fingerprint(path: str, name: str, *, dpi: int = 500):
    """The templates of a fingerprint file and, for an image, the image.

    A file whose header is a supported template format gives its finger views; any other file is
    read as an image (OpenCV) and gives biocore.extract's template of it.

    Returns
    -------
    (list of Template, ndarray of uint8 (H, W) or None)
        The image is None for a template record.

    Raises
    ------
    InvalidArgument
        ``name: ...`` when the file cannot be read; InvalidTemplate for a malformed record and
        InvalidImage for a file that is neither.
    """
    from .. import extract
    from .._shared.validation import as_gray_image
    from ..errors import UnsupportedFormat
    from . import decode

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InvalidArgument(f"{name}: cannot read {path!r}: {exc.strerror or exc}") from None
    try:
        return decode(data), None
    except UnsupportedFormat:
        gray = as_gray_image(path, name=name)
        return [extract(gray, dpi=dpi)], gray


def add_arguments(p: argparse.ArgumentParser) -> None:
    from . import formats

    names = ", ".join(formats())
    p.add_argument("input", type=Path, metavar="IN", help="template record to read")
    p.add_argument("output", type=Path, metavar="OUT", help="file to write")
    p.add_argument("--to", required=True, metavar="FMT", help=f"output format: {names}")
    p.add_argument("--from", dest="source", metavar="FMT", help="input format (default: detect from the header)")
    p.add_argument("--lenient", action="store_true",
                   help="accept known quirks (wrong version bytes, bad lengths, padding ...) and list the repairs")
    p.add_argument("--json", action="store_true", help="machine-readable summary on stdout")


def run(args: argparse.Namespace) -> int:
    from . import decode_report, encode

    try:
        data = args.input.read_bytes()
    except OSError as exc:
        raise InvalidArgument(f"IN: cannot read {args.input}: {exc.strerror or exc}") from None
    report = decode_report(data, args.source, strict=not args.lenient)
    if not report.templates:
        raise InvalidTemplate(f"IN: {args.input} holds no finger views; nothing to convert")
    notes = [str(r) for r in report.repairs]
    try:
        out = encode(report.templates, args.to, **({} if args.to == "biocore" else {"views": report.views}))
    except BiocoreError as exc:
        if args.to == "biocore" or "views" not in str(exc) and "device" not in str(exc):
            raise
        out = encode(report.templates, args.to)  # the source's metadata does not fit the target format
        notes.append(f"metadata not representable in {args.to} ({exc}); wrote defaults instead")
    try:
        args.output.write_bytes(out)
    except OSError as exc:
        raise InvalidArgument(f"OUT: cannot write {args.output}: {exc.strerror or exc}") from None
    summary = {
        "input": str(args.input), "from": report.format, "output": str(args.output), "to": args.to,
        "views": len(report.templates), "minutiae": [len(t) for t in report.templates], "bytes": len(out),
        "repairs": notes,
    }
    if args.json:
        json.dump(summary, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for note in notes:
            print(f"note: {note}", file=sys.stderr)
        print(f"{args.input} ({report.format}, {len(report.templates)} views, {sum(summary['minutiae'])} minutiae)"
              f" -> {args.output} ({args.to}, {len(out)} bytes)")
    return 0
