"""The durable store of a gallery: one SQLite database in write-ahead-log mode.

Tables::

    meta(key PRIMARY KEY, value)            format_version, generation, code_dim, code_id, created_by
    persons(row INTEGER PRIMARY KEY AUTOINCREMENT, identity UNIQUE, metadata JSON, enrolled_at)
    fingers(row, finger, template BLOB, code BLOB, PRIMARY KEY(row, finger))
    removed(row PRIMARY KEY, generation)    rows deleted (removal or update), for incremental refresh

A person's ``row`` is never reused (AUTOINCREMENT), so an update is "remove the old row, insert a new
one under the same identity", and derived structures refresh incrementally: rows above the cached
maximum are new, rows in ``removed`` with a generation above the cached one are gone. Every write
is one transaction that also bumps ``generation``; with ``synchronous=FULL`` a transaction that
returned is on disk, so an acknowledged enrollment survives ``kill -9`` or a power cut, and SQLite's
journal rolls back a half-written one on the next open.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

from ..errors import GalleryError

__all__ = ["Store", "FORMAT_VERSION", "DB_NAME"]

FORMAT_VERSION = 1
DB_NAME = "gallery.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS persons(
    row INTEGER PRIMARY KEY AUTOINCREMENT,
    identity TEXT NOT NULL UNIQUE,
    metadata TEXT NOT NULL DEFAULT '{}',
    enrolled_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS fingers(
    row INTEGER NOT NULL,
    finger INTEGER NOT NULL,
    template BLOB NOT NULL,
    code BLOB NOT NULL,
    PRIMARY KEY(row, finger)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS removed(row INTEGER PRIMARY KEY, generation INTEGER NOT NULL);
"""


def _os_error(path: Path, exc: BaseException, doing: str) -> GalleryError:
    text = str(exc)
    if "full" in text.lower() or getattr(exc, "errno", None) == 28:
        why = "the disk is full"
    elif "readonly" in text.lower() or "permission" in text.lower() or isinstance(exc, PermissionError):
        why = "permission denied (read-only file or folder)"
    else:
        why = text
    return GalleryError(f"gallery {str(path)!r}: could not {doing}: {why}; the gallery is unchanged")


class Store:
    """SQLite-backed persons, finger templates and codes. Not thread-safe: the Gallery serialises access."""

    def __init__(self, path: Path, *, create: bool, readonly: bool, code_dim: int, code_id: str) -> None:
        self.path = path
        db = path / DB_NAME
        if not path.exists():
            if not create:
                raise GalleryError(f"gallery {str(path)!r} does not exist (pass create=True to make one)")
            try:
                path.mkdir(parents=True)
            except OSError as exc:
                raise _os_error(path, exc, "create the gallery folder") from None
        elif not path.is_dir():
            raise GalleryError(f"gallery {str(path)!r}: expected a gallery folder, got a file")
        elif not db.exists() and any(path.iterdir()):
            raise GalleryError(
                f"gallery {str(path)!r} is not a biocore gallery (no {DB_NAME}) and is not empty; refusing to use it"
            )
        elif not db.exists() and not create:
            raise GalleryError(f"gallery {str(path)!r} is not a biocore gallery (no {DB_NAME})")
        uri = f"file:{db}?mode=ro" if readonly else f"file:{db}"
        try:
            self.db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False, timeout=30.0)
            if not readonly:
                self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.DatabaseError as exc:
            raise GalleryError(f"gallery {str(path)!r}: {DB_NAME} is not a readable SQLite database ({exc})") from None
        if "meta" not in tables:
            if readonly:
                raise GalleryError(f"gallery {str(path)!r} is empty and opened read-only")
            self._initialise(code_dim, code_id)
        self._check_version(code_dim, code_id)

    def _initialise(self, code_dim: int, code_id: str) -> None:
        from .._version import __version__

        try:
            with self.transaction(bump=False):
                for statement in filter(str.strip, _SCHEMA.split(";")):
                    self.db.execute(statement)
                self.db.executemany(
                    "INSERT OR IGNORE INTO meta(key, value) VALUES(?, ?)",
                    [("format_version", str(FORMAT_VERSION)), ("generation", "0"), ("code_dim", str(code_dim)), ("code_id", code_id),
                     ("created_by", f"biocore {__version__}")],
                )
        except sqlite3.Error as exc:
            raise _os_error(self.path, exc, "initialise the gallery") from None

    def _check_version(self, code_dim: int, code_id: str) -> None:
        meta = dict(self.db.execute("SELECT key, value FROM meta"))
        try:
            version = int(meta["format_version"])
        except (KeyError, ValueError):
            raise GalleryError(f"gallery {str(self.path)!r} is not a biocore gallery (no format version)") from None
        if version > FORMAT_VERSION:
            raise GalleryError(
                f"gallery {str(self.path)!r} was written by a newer biocore (gallery format {version}, this "
                f"biocore reads up to {FORMAT_VERSION}, written by {meta.get('created_by', '?')}); upgrade biocore"
            )
        if int(meta.get("code_dim", code_dim)) != code_dim or meta.get("code_id", code_id) != code_id:
            raise GalleryError(
                f"gallery {str(self.path)!r} holds search codes {meta.get('code_id')!r} (length {meta.get('code_dim')}), "
                f"this biocore computes {code_id!r} (length {code_dim}); re-enroll into a new gallery"
            )

    # --- transactions ------------------------------------------------------------------------

    class _Tx:
        def __init__(self, store: "Store", bump: bool) -> None:
            self.store, self.bump = store, bump

        def __enter__(self) -> sqlite3.Connection:
            self.store.db.execute("BEGIN IMMEDIATE")
            return self.store.db

        def __exit__(self, kind, exc, tb) -> None:
            db = self.store.db
            if kind is None:
                try:
                    if self.bump:
                        db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
                    db.execute("COMMIT")
                    return
                except BaseException:
                    db.execute("ROLLBACK") if db.in_transaction else None
                    raise
            if db.in_transaction:
                db.execute("ROLLBACK")

    def transaction(self, bump: bool = True) -> "Store._Tx":
        """``with store.transaction():`` — one atomic, durable write that bumps the generation."""
        return Store._Tx(self, bump)

    def write(self, doing: str, fn, *args):
        """Run ``fn(db, *args)`` in a transaction; map OS-level failures to :class:`GalleryError`."""
        try:
            with self.transaction() as db:
                return fn(db, *args)
        except sqlite3.IntegrityError:
            raise
        except (sqlite3.OperationalError, sqlite3.DatabaseError, OSError) as exc:
            raise _os_error(self.path, exc, doing) from None

    # --- reads and writes --------------------------------------------------------------------

    @property
    def generation(self) -> int:
        return int(self.db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM persons").fetchone()[0])

    @staticmethod
    def insert(db: sqlite3.Connection, identity: str, metadata: dict, fingers: Sequence[tuple[int, bytes, bytes]]) -> int:
        cur = db.execute(
            "INSERT INTO persons(identity, metadata, enrolled_at) VALUES(?, ?, ?)",
            (identity, json.dumps(metadata, sort_keys=True), time.time()),
        )
        row = int(cur.lastrowid)
        db.executemany("INSERT INTO fingers(row, finger, template, code) VALUES(?, ?, ?, ?)",
                       [(row, f, t, c) for f, t, c in fingers])
        return row

    @staticmethod
    def delete(db: sqlite3.Connection, identity: str) -> int | None:
        found = db.execute("SELECT row FROM persons WHERE identity = ?", (identity,)).fetchone()
        if found is None:
            return None
        row = int(found[0])
        db.execute("DELETE FROM fingers WHERE row = ?", (row,))
        db.execute("DELETE FROM persons WHERE row = ?", (row,))
        db.execute(
            "INSERT OR REPLACE INTO removed(row, generation) "
            "SELECT ?, CAST(value AS INTEGER) + 1 FROM meta WHERE key = 'generation'", (row,)
        )
        return row

    def row_of(self, identity: str) -> int | None:
        found = self.db.execute("SELECT row FROM persons WHERE identity = ?", (identity,)).fetchone()
        return None if found is None else int(found[0])

    def person(self, identity: str) -> tuple[int, dict, list[tuple[int, bytes]]] | None:
        found = self.db.execute("SELECT row, metadata FROM persons WHERE identity = ?", (identity,)).fetchone()
        if found is None:
            return None
        fingers = self.db.execute("SELECT finger, template FROM fingers WHERE row = ? ORDER BY finger", (found[0],))
        return int(found[0]), json.loads(found[1]), [(int(f), bytes(t)) for f, t in fingers]

    def identities(self, rows: np.ndarray) -> list[str]:
        """Identities of the given rows, in order (missing rows give '')."""
        out: dict[int, str] = {}
        ids = [int(r) for r in rows]
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            q = f"SELECT row, identity FROM persons WHERE row IN ({','.join('?' * len(chunk))})"
            out.update((int(r), i) for r, i in self.db.execute(q, chunk))
        return [out.get(r, "") for r in ids]

    def templates_of(self, rows: Sequence[int]) -> dict[int, dict[int, bytes]]:
        """{row: {finger: template bytes}} for the given rows."""
        out: dict[int, dict[int, bytes]] = {}
        ids = [int(r) for r in rows]
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            q = f"SELECT row, finger, template FROM fingers WHERE row IN ({','.join('?' * len(chunk))})"
            for r, f, t in self.db.execute(q, chunk):
                out.setdefault(int(r), {})[int(f)] = bytes(t)
        return out

    def templates_between(self, first_row: int, last_row: int) -> dict[int, dict[int, bytes]]:
        """{row: {finger: template bytes}} for the rows first_row..last_row (inclusive)."""
        out: dict[int, dict[int, bytes]] = {}
        q = "SELECT row, finger, template FROM fingers WHERE row >= ? AND row <= ?"
        for r, f, t in self.db.execute(q, (int(first_row), int(last_row))):
            out.setdefault(int(r), {})[int(f)] = bytes(t)
        return out

    def copy_persons(self, source: Path, pick: Callable[[str], bool] | None) -> int:
        """Copy the persons of the gallery database in folder ``source`` whose identity ``pick`` accepts
        (all when None), as stored, in one transaction; returns how many. Rows keep their order and
        go above this store's rows. Raises sqlite3.IntegrityError when an identity is enrolled here,
        GalleryError when the copy fails otherwise (nothing is copied)."""
        try:
            return self._copy_persons(source, pick)
        except sqlite3.IntegrityError:
            raise
        except (sqlite3.OperationalError, sqlite3.DatabaseError, OSError) as exc:
            raise _os_error(self.path, exc, f"copy persons from {str(source)!r}") from None

    def _copy_persons(self, source: Path, pick: Callable[[str], bool] | None) -> int:
        self.db.create_function("biocore_pick", 1, (lambda i: 1) if pick is None else (lambda i: 1 if pick(i) else 0),
                                deterministic=True)
        self.db.execute("ATTACH DATABASE ? AS src", (f"file:{source / DB_NAME}?mode=ro",))
        try:
            with self.transaction():
                offset = int(self.db.execute(
                    "SELECT max(coalesce((SELECT max(row) FROM persons), 0),"
                    " coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'persons'), 0))").fetchone()[0])
                cur = self.db.execute(
                    "INSERT INTO persons(row, identity, metadata, enrolled_at) SELECT row + ?, identity, metadata, "
                    "enrolled_at FROM src.persons WHERE biocore_pick(identity) ORDER BY row", (offset,))
                copied = int(cur.rowcount)
                self.db.execute(
                    "INSERT INTO fingers(row, finger, template, code) SELECT f.row + ?, f.finger, f.template, f.code "
                    "FROM src.fingers AS f WHERE f.row + ? IN (SELECT row FROM persons WHERE row > ?)",
                    (offset, offset, offset))
            return copied
        finally:
            self.db.execute("DETACH DATABASE src")

    def iter_persons(self) -> Iterator[tuple[int, str, dict]]:
        for row, identity, metadata in self.db.execute("SELECT row, identity, metadata FROM persons ORDER BY row"):
            yield int(row), identity, json.loads(metadata)

    def codes_after(self, min_row: int, code_dim: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows int64 (n,), codes float16 (n, 10, dim), present bool (n, 10)) of persons with row > min_row."""
        rows = np.array([r for (r,) in self.db.execute("SELECT row FROM persons WHERE row > ? ORDER BY row", (min_row,))],
                        dtype=np.int64)
        codes = np.zeros((rows.size, 10, code_dim), np.float16)
        present = np.zeros((rows.size, 10), bool)
        if rows.size:
            cur = self.db.execute("SELECT row, finger, code FROM fingers WHERE row > ?", (min_row,))
            while batch := cur.fetchmany(65536):
                r = np.fromiter((b[0] for b in batch), np.int64, len(batch))
                f = np.fromiter((b[1] for b in batch), np.int64, len(batch)) - 1
                pos = np.searchsorted(rows, r)
                ok = (pos < rows.size) & (rows[np.minimum(pos, rows.size - 1)] == r)
                blob = np.frombuffer(b"".join(b[2] for b in batch), np.float16).reshape(len(batch), code_dim)
                codes[pos[ok], f[ok]] = blob[ok]
                present[pos[ok], f[ok]] = True
        return rows, codes, present

    def removed_since(self, generation: int) -> np.ndarray:
        return np.array([r for (r,) in self.db.execute("SELECT row FROM removed WHERE generation > ?", (generation,))],
                        dtype=np.int64)

    def close(self) -> None:
        try:
            self.db.close()
        except sqlite3.Error:  # pragma: no cover - closing a broken handle
            pass


def fsync_dir(path: Path) -> None:
    """Make a rename inside ``path`` durable (POSIX)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
