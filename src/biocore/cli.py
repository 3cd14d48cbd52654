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


_SUBCOMMANDS: list[tuple[Callable[[argparse._SubParsersAction], None], str, Callable[[argparse.Namespace], int]]] = [
    (_add_version, "version", _cmd_version),
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
