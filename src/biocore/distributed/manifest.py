"""The manifest of a sharded gallery and the stable shard assignment rule.

A sharded gallery is a folder::

    manifest.json     {"format": 1, "kind": "biocore-sharded-gallery", "shards": N,
                       "assignment": "blake2b64-mod", "shard_dirs": ["shard-0000", ...], "biocore": "x.y.z"}
    shard-0000/       a normal biocore gallery (see :mod:`biocore.search.gallery`)
    shard-0001/       ...

The owner of a person is ``blake2b(identity, digest_size=8) mod N`` (big-endian): a stable hash, the
same in every process, machine and Python version (unlike ``hash()``), so enrollment, removal and
lookups route to the same shard everywhere.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from .._version import __version__
from ..errors import GalleryError, InvalidArgument

__all__ = ["Manifest", "shard_of", "MANIFEST_NAME", "FORMAT_VERSION", "ASSIGNMENT"]

MANIFEST_NAME = "manifest.json"
FORMAT_VERSION = 1
KIND = "biocore-sharded-gallery"
ASSIGNMENT = "blake2b64-mod"
MAX_SHARDS = 4096


def shard_of(identity: str, shards: int) -> int:
    """The shard (0 .. shards - 1) that owns ``identity``.

    Examples
    --------
    >>> shard_of("ID-0001", 2) in (0, 1)
    True
    """
    digest = hashlib.blake2b(identity.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards


@dataclass(frozen=True)
class Manifest:
    """What a sharded gallery folder holds: shard count, folders and assignment rule."""

    path: Path
    shards: int
    shard_dirs: tuple[str, ...]
    assignment: str = ASSIGNMENT
    format: int = FORMAT_VERSION

    def shard_path(self, shard: int) -> Path:
        return self.path / self.shard_dirs[shard]

    @classmethod
    def create(cls, path: Path, shards: int) -> "Manifest":
        if isinstance(shards, bool) or not isinstance(shards, int) or not 1 <= shards <= MAX_SHARDS:
            raise InvalidArgument(f"shards: expected an integer 1-{MAX_SHARDS}, got {shards!r}")
        m = cls(path, shards, tuple(f"shard-{i:04d}" for i in range(shards)))
        body = {"format": m.format, "kind": KIND, "shards": shards, "assignment": m.assignment,
                "shard_dirs": list(m.shard_dirs), "biocore": __version__}
        try:
            path.mkdir(parents=True, exist_ok=True)
            tmp = path / (MANIFEST_NAME + ".tmp")
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(body, fh, indent=2)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path / MANIFEST_NAME)
        except OSError as exc:
            raise GalleryError(f"sharded gallery {str(path)!r}: could not write the manifest: {exc}") from None
        return m

    @classmethod
    def read(cls, path: Path) -> "Manifest":
        file = path / MANIFEST_NAME
        try:
            body = json.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise GalleryError(f"sharded gallery {str(path)!r}: no {MANIFEST_NAME} (not a sharded gallery)") from None
        except (OSError, ValueError) as exc:
            raise GalleryError(f"sharded gallery {str(path)!r}: unreadable {MANIFEST_NAME}: {exc}") from None
        if not isinstance(body, dict) or body.get("kind") != KIND:
            raise GalleryError(f"sharded gallery {str(path)!r}: {MANIFEST_NAME} is not a {KIND} manifest")
        fmt = body.get("format")
        if not isinstance(fmt, int) or fmt > FORMAT_VERSION:
            raise GalleryError(
                f"sharded gallery {str(path)!r}: manifest format {fmt!r} was written by a newer biocore "
                f"({body.get('biocore')!r}); this one ({__version__}) reads format {FORMAT_VERSION}"
            )
        if body.get("assignment") != ASSIGNMENT:
            raise GalleryError(
                f"sharded gallery {str(path)!r}: assignment rule {body.get('assignment')!r} unknown (expected {ASSIGNMENT!r})"
            )
        dirs = body.get("shard_dirs")
        shards = body.get("shards")
        if not isinstance(shards, int) or not isinstance(dirs, list) or len(dirs) != shards or shards < 1:
            raise GalleryError(f"sharded gallery {str(path)!r}: manifest shard list is inconsistent")
        return cls(path, shards, tuple(str(d) for d in dirs), body["assignment"], fmt)
