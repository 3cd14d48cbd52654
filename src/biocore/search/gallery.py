"""The embedded on-disk gallery: persons, their finger templates and codes, and two-stage 1:N search.

Layout of a gallery folder::

    gallery.sqlite (+ -wal, -shm)   the durable store (see :mod:`biocore.search.storage`)
    cache/state.json                derived-structure cache tag: store generation, max row, sizes
    cache/rows.npy                  int64 (n,)     person rows in index order
    cache/vectors.npy               float16 (n, 10 * dim)  person vectors (memory-mapped on open)
    cache/present.npy               bool (n, 10)   which finger positions each person holds
    cache/index.faiss               the faiss index of exactly scanned galleries (SQfp16)
    cache/binary.npy                uint64 (n, 10, 3)  sign bits of large galleries (index.BinaryIndex)
    cache/minutiae_*.npy            the second stage's held minutiae (:mod:`biocore.search.prepared`):
                                    offsets int64 (10n + 1,), held bool (10n,), x, y, angle, kind, quality

The cache is optional and derived: opening a gallery loads it when its tag matches the store and
refreshes it incrementally otherwise (new rows, removed rows), so a crash can leave it stale but
never wrong. It is written by :meth:`Gallery.save_cache` and on :meth:`Gallery.close` for galleries
of ``cache_min_persons`` and more. The held minutiae exist only for galleries searched with
biocore's matcher (:class:`~biocore.search.rerank.BiocoreMatchFn`): its searches gather shortlisted
templates from them instead of reading and decoding template bytes from the store. Building them
decodes every template (~0.1 ms a person), so a gallery opened without them in its cache builds
them once its queries would have paid for it (one query per ``_HOLD_PERSONS_PER_QUERY`` persons)
or when the cache is written; until then searches read and pack the shortlisted templates.
"""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import GalleryError, InvalidArgument, InvalidTemplate
from ..templates import FINGER_POSITIONS, Template
from . import index as index_mod
from .codes import N_POSITIONS, code_id, finger_codes, person_vectors
from .fusion import fuse
from .parameters import CODE, SEARCH, CodeParameters, SearchParameters
from .blocks import GrowingRows, RowBlocks, write_npy
from .prepared import GalleryMinutiae, HeldMinutiae
from .rerank import BiocoreMatchFn, MatchFn, default_matcher, finger_scores, finger_scores_prepared
from .storage import Store, fsync_dir

__all__ = ["Gallery", "Person", "Candidate", "FingerEvidence", "as_person_templates"]

MAX_IDENTITY_CHARS = 256
_CACHE_MIN_PERSONS = 10_000
#: Persons whose templates are decoded at a time when the held minutiae grow.
_MINUTIAE_CHUNK_PERSONS = 4096
#: Held minutiae are built once a gallery object has re-ranked one query per this many persons
#: (building costs ~0.1 ms a person, a held search saves a few ms).
_HOLD_PERSONS_PER_QUERY = 64
#: ``_rerank(held=_LOOKUP)``: find the candidates in the held minutiae by their store rows.
_LOOKUP = object()


@dataclass(frozen=True)
class Person:
    """An enrolled person: identity, templates by finger position (1-10), free metadata."""

    identity: str
    templates: dict[int, Template]
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FingerEvidence:
    """One finger position's score between the probe and a candidate."""

    finger: int
    score: float


@dataclass(frozen=True)
class Candidate:
    """One search result: the candidate's identity, fused score and per-finger evidence.

    ``method`` is ``"matcher"`` when scores come from the 1:1 matcher, ``"code"`` when only the
    first stage (code cosine similarities) was available.
    """

    identity: str
    score: float
    fingers: tuple[FingerEvidence, ...]
    code_score: float
    method: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "identity": self.identity, "score": self.score, "code_score": self.code_score, "method": self.method,
            "fingers": [{"finger": e.finger, "score": e.score} for e in self.fingers],
        }


def _check_identity(identity: Any) -> str:
    if isinstance(identity, (int, np.integer)) and not isinstance(identity, bool):
        identity = str(int(identity))
    if not isinstance(identity, str) or not identity or len(identity) > MAX_IDENTITY_CHARS:
        raise InvalidArgument(
            f"identity: expected a non-empty string of at most {MAX_IDENTITY_CHARS} characters, got "
            f"{type(identity).__name__} {identity!r:.60}"
        )
    return identity


def as_person_templates(templates: Any, name: str = "templates") -> dict[int, Template]:
    """Validate a person's templates: a mapping {finger position: Template} or an iterable of
    Templates whose ``finger`` field says the position. Positions must be 1-10 and unique."""
    if isinstance(templates, Person):
        templates = templates.templates
    if isinstance(templates, Template):
        templates = [templates]
    if isinstance(templates, Mapping):
        items = list(templates.items())
    else:
        try:
            seq = list(templates)
        except TypeError:
            raise InvalidArgument(
                f"{name}: expected a mapping {{finger position: Template}} or a list of Templates, got "
                f"{type(templates).__name__}"
            ) from None
        for i, t in enumerate(seq):
            if not isinstance(t, Template):
                raise InvalidTemplate(f"{name}[{i}]: expected a biocore.Template, got {type(t).__name__}")
        items = [(t.finger, t) for t in seq]
    out: dict[int, Template] = {}
    for finger, t in items:
        if not isinstance(t, Template):
            raise InvalidTemplate(f"{name}[{finger!r}]: expected a biocore.Template, got {type(t).__name__}")
        if isinstance(finger, bool) or not isinstance(finger, (int, np.integer)) or not 1 <= int(finger) <= 10:
            raise InvalidArgument(
                f"{name}: finger position must be an ISO/IEC 19794-2 code 1-10 "
                f"({FINGER_POSITIONS[1]} .. {FINGER_POSITIONS[10]}), got {finger!r}"
                + (" (unknown: set Template.finger or pass a mapping)" if finger == 0 else "")
            )
        if int(finger) in out:
            raise InvalidArgument(f"{name}: finger position {int(finger)} given twice")
        out[int(finger)] = t if t.finger == int(finger) else t.replace(finger=int(finger))
    if not out:
        raise InvalidArgument(f"{name}: expected at least one finger template, got none")
    return out


class _State:
    """Derived search structures: person rows, vectors and the faiss index, refreshed from the store.

    The large ones (person vectors, held minutiae, a binary index's sign bits) are block lists
    (:mod:`biocore.search.blocks`): persons enrolled after the cache was mapped are appended in
    memory, so a refresh never copies the memory-mapped cache.
    """

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.generation = -1
        self.rows = np.zeros(0, np.int64)
        self.vectors = RowBlocks(np.zeros((0, N_POSITIONS * dim), np.float16))
        self.present = np.zeros((0, N_POSITIONS), bool)
        self.alive = np.zeros(0, bool)
        self.index = None
        self.factory = ""
        self.indexed = 0  # rows [0, indexed) are in the index
        self.index_file: Path | None = None  # set while the index is a read-only memory map of this file
        self.minutiae: HeldMinutiae | None = None  # persons [0, minutiae.persons) held, when used
        # a sign-bit scan index kept beside an exact first stage, for shards of a gallery whose
        # whole size calls for the scan (Gallery.scan_first_stage(force=True)); rows [0, scan_indexed)
        self.scan_index = None
        self.scan_indexed = 0

    # rows, present and alive grow in place (GrowingRows); assigning replaces them whole
    rows = property(lambda self: self._rows.view, lambda self, a: setattr(self, "_rows", GrowingRows(a)))
    present = property(lambda self: self._present.view, lambda self, a: setattr(self, "_present", GrowingRows(a)))

    @property
    def alive(self) -> np.ndarray:
        return self._alive.view

    @alive.setter
    def alive(self, flags: np.ndarray) -> None:
        self._alive = GrowingRows(flags)
        self.live = int(np.count_nonzero(flags))  # persons searched: decides the first stage

    @property
    def max_row(self) -> int:
        return int(self.rows[-1]) if self.rows.size else 0

    def append(self, rows: np.ndarray, vectors: np.ndarray, present: np.ndarray) -> None:
        if rows.size and not self.rows.size:  # first fill: take the arrays (no copy of a large gallery)
            self.rows, self.vectors, self.present = rows, RowBlocks(vectors), present
            self.alive = np.ones(rows.size, bool)
        elif rows.size:
            self._rows.append(rows)
            self.vectors.append(vectors)
            self._present.append(present)
            self._alive.append(np.ones(rows.size, bool))
            self.live += int(rows.size)

    def kill(self, rows: np.ndarray) -> None:
        if rows.size and self.rows.size:
            pos = np.searchsorted(self.rows, rows)
            pos = pos[pos < self.rows.size]
            pos = np.unique(pos[np.isin(self.rows[pos], rows)])
            self.live -= int(np.count_nonzero(self.alive[pos]))
            self.alive[pos] = False

    def compact(self) -> None:
        keep = self.alive
        if self.minutiae is not None:
            covered = self.minutiae.persons == self.rows.size
            self.minutiae = self.minutiae.take(np.flatnonzero(keep)) if covered else None
        self.vectors = RowBlocks(self.vectors.gather(np.flatnonzero(keep)))
        self.rows, self.present = self.rows[keep], self.present[keep]
        self.alive = np.ones(self.rows.size, bool)
        self.index, self.indexed, self.index_file = None, 0, None
        self.scan_index, self.scan_indexed = None, 0


class Gallery:
    """An embedded on-disk gallery of persons (up to ten finger templates each) with 1:N search.

    Open with :meth:`Gallery.open`; use as a context manager or call :meth:`close`. Writes are
    durable when the call returns; one process writes at a time (others may read).

    Examples
    --------
    >>> g = biocore.Gallery.open("registry.gallery")                   # doctest: +SKIP
    >>> g.enroll("ID-0001", {2: right_index, 7: left_index})           # doctest: +SKIP
    >>> [c.identity for c in g.search({2: probe}, k=5)]                 # doctest: +SKIP
    """

    def __init__(self, store: Store, *, readonly: bool, code_params: CodeParameters, params: SearchParameters,
                 matcher: MatchFn | None) -> None:
        self._store = store
        self._readonly = readonly
        self._code = code_params
        self.params = params
        self._matcher = matcher
        self._lock = threading.RLock()
        self._state = _State(code_params.dim)
        self._closed = False
        self._queries = 0  # queries re-ranked since opening (when to build held minutiae)
        self._load_cache()

    # --- opening and closing -----------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        create: bool = True,
        readonly: bool = False,
        params: SearchParameters = SEARCH,
        matcher: MatchFn | None | str = "default",
    ) -> "Gallery":
        """Open (or create) the gallery in folder ``path``.

        Parameters
        ----------
        path : path-like
            A gallery folder; created (with parents) when absent and ``create`` is true. An existing
            non-empty folder that is not a gallery is refused.
        create : bool
        readonly : bool
            Open for search only (e.g. on a read-only mount).
        params : SearchParameters
        matcher : callable, None or "default"
            The second-stage 1:1 matcher ``matcher(probe, candidates) -> scores``; ``"default"`` uses
            ``biocore.Matcher`` when available; None searches with codes only.

        Raises
        ------
        GalleryError
            Not a gallery, written by a newer biocore, or not readable/writable.
        """
        if not isinstance(path, (str, os.PathLike)):
            raise InvalidArgument(f"path: expected a folder path, got {type(path).__name__}")
        if matcher == "default":
            matcher = default_matcher()
        store = Store(Path(path), create=create and not readonly, readonly=readonly, code_dim=CODE.dim, code_id=code_id(CODE))
        return cls(store, readonly=readonly, code_params=CODE, params=params, matcher=matcher)

    @property
    def path(self) -> Path:
        return self._store.path

    def close(self, *, save_cache: bool | None = None) -> None:
        """Close the store; write the search cache first (by default: for galleries of
        ``_CACHE_MIN_PERSONS`` persons or more, opened writable)."""
        if self._closed:
            return
        with self._lock:
            if save_cache is None:
                save_cache = not self._readonly and self._store.count() >= _CACHE_MIN_PERSONS
            if save_cache and not self._readonly:
                try:
                    self.save_cache()
                except GalleryError:
                    pass  # the cache is an optimisation; the store is intact
            self._store.close()
            self._closed = True

    def __enter__(self) -> "Gallery":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_open(self) -> None:
        if self._closed:
            raise GalleryError(f"gallery {str(self.path)!r} is closed")

    def _check_writable(self) -> None:
        self._check_open()
        if self._readonly:
            raise GalleryError(f"gallery {str(self.path)!r} is open read-only")

    # --- enrollment --------------------------------------------------------------------------

    def _encode(self, people: list[tuple[str, dict, dict[int, Template]]]) -> list[tuple[str, dict, list]]:
        """Codes and bytes of a batch of persons; codes computed on two threads (the kernel releases the GIL)."""
        flat = [people[i][2][f] for i in range(len(people)) for f in sorted(people[i][2])]
        half = (len(flat) + 1) // 2
        if len(flat) >= 64:
            with ThreadPoolExecutor(max_workers=2) as pool:
                parts = list(pool.map(lambda ts: finger_codes(ts, self._code), [flat[:half], flat[half:]]))
            codes = np.concatenate(parts).astype(np.float16)
        else:
            codes = finger_codes(flat, self._code).astype(np.float16)
        out, k = [], 0
        for identity, metadata, templates in people:
            fingers = []
            for f in sorted(templates):
                fingers.append((f, templates[f].to_bytes(), codes[k].tobytes()))
                k += 1
            out.append((identity, metadata, fingers))
        return out

    def enroll(self, identity: str, templates: Any, *, metadata: Mapping[str, Any] | None = None) -> None:
        """Enroll one person; durable when this returns.

        Parameters
        ----------
        identity : str
            Unique identity id (an int is turned into its decimal string).
        templates : mapping {finger position 1-10: Template} or iterable of Template
            Up to ten fingers; a list uses each Template's ``finger`` field.
        metadata : mapping, optional
            JSON-serialisable facts to keep with the person (e.g. source image paths for reports).

        Raises
        ------
        GalleryError
            The identity is already enrolled (use :meth:`update`), or the write failed (disk full,
            permissions; the gallery is unchanged).
        """
        self.enroll_many([(identity, templates, metadata)])

    def enroll_many(self, persons: Iterable[Any], *, batch_persons: int = 1000) -> int:
        """Enroll many persons: items ``(identity, templates)`` or ``(identity, templates, metadata)``
        or :class:`Person`. One transaction per batch; returns how many were enrolled.

        A batch is all-or-nothing: on a duplicate identity nothing of that batch is written.
        """
        self._check_writable()
        done = 0
        batch: list[tuple[str, dict, list]] = []
        for item in persons:
            batch.append(self._coerce(item))
            if len(batch) >= batch_persons:
                done += self._write_batch(batch)
                batch = []
        if batch:
            done += self._write_batch(batch)
        return done

    def _coerce(self, item: Any) -> tuple[str, dict, list]:
        if isinstance(item, Person):
            identity, templates, metadata = item.identity, item.templates, item.metadata
        else:
            if not isinstance(item, tuple) or len(item) not in (2, 3):
                raise InvalidArgument(
                    f"persons: expected items (identity, templates[, metadata]) or Person, got {type(item).__name__}"
                )
            identity, templates, metadata = item[0], item[1], (item[2] if len(item) == 3 else None)
        identity = _check_identity(identity)
        metadata = dict(metadata or {})
        try:
            json.dumps(metadata)
        except (TypeError, ValueError) as exc:
            raise InvalidArgument(f"metadata of {identity!r}: expected JSON-serialisable values ({exc})") from None
        return identity, metadata, as_person_templates(templates, f"templates of {identity!r}")

    def _write_batch(self, people: list[tuple[str, dict, dict[int, Template]]]) -> int:
        batch = self._encode(people)

        def write(db: sqlite3.Connection) -> int:
            for identity, metadata, fingers in batch:
                try:
                    Store.insert(db, identity, metadata, fingers)
                except sqlite3.IntegrityError:
                    raise GalleryError(
                        f"identity {identity!r} is already enrolled in {str(self.path)!r} (use update to replace it)"
                    ) from None
            return len(batch)

        with self._lock:
            return self._store.write("enroll", write)

    def copy_from(self, source: "Gallery", *, where: Any = None) -> int:
        """Enroll persons of another gallery as they are stored (template bytes and codes copied, not
        recomputed; in SQLite, one transaction): merging galleries or splitting one into shards.

        Parameters
        ----------
        source : Gallery
            Open gallery with the same search codes (any gallery of this biocore version).
        where : callable, optional
            ``where(identity) -> bool`` picks the persons to copy (default: all).

        Returns
        -------
        int
            Persons copied.

        Raises
        ------
        GalleryError
            An identity is already enrolled here (nothing is copied), or the write failed.
        """
        self._check_writable()
        if not isinstance(source, Gallery):
            raise InvalidArgument(f"source: expected a biocore Gallery, got {type(source).__name__}")
        source._check_open()
        if source._code != self._code:
            raise GalleryError(f"gallery {str(source.path)!r} holds other search codes than {str(self.path)!r}")
        if where is not None and not callable(where):
            raise InvalidArgument(f"where: expected a callable identity -> bool or None, got {type(where).__name__}")
        with self._lock:
            try:
                return self._store.copy_persons(source.path, where)
            except sqlite3.IntegrityError:
                raise GalleryError(f"an identity of {str(source.path)!r} is already enrolled in {str(self.path)!r}; "
                                   "nothing was copied") from None

    def update(self, identity: str, templates: Any, *, metadata: Mapping[str, Any] | None = None) -> None:
        """Replace an enrolled person's templates (and metadata) atomically."""
        self._check_writable()
        [(identity, meta, fingers)] = self._encode([self._coerce((identity, templates, metadata))])

        def write(db: sqlite3.Connection) -> None:
            if Store.delete(db, identity) is None:
                raise GalleryError(f"identity {identity!r} is not enrolled in {str(self.path)!r}")
            Store.insert(db, identity, meta, fingers)

        with self._lock:
            self._store.write("update", write)

    def remove(self, identity: str) -> None:
        """Remove an enrolled person; raises GalleryError when the identity is not enrolled."""
        self._check_writable()
        identity = _check_identity(identity)

        def write(db: sqlite3.Connection) -> None:
            if Store.delete(db, identity) is None:
                raise GalleryError(f"identity {identity!r} is not enrolled in {str(self.path)!r}")

        with self._lock:
            self._store.write("remove", write)

    # --- reading -----------------------------------------------------------------------------

    def get(self, identity: str) -> Person:
        """The enrolled person; raises GalleryError when absent."""
        self._check_open()
        identity = _check_identity(identity)
        with self._lock:
            found = self._store.person(identity)
        if found is None:
            raise GalleryError(f"identity {identity!r} is not enrolled in {str(self.path)!r}")
        _, metadata, fingers = found
        return Person(identity, {f: Template.from_bytes(b) for f, b in fingers}, metadata)

    def __contains__(self, identity: object) -> bool:
        self._check_open()
        try:
            identity = _check_identity(identity)
        except InvalidArgument:
            return False
        with self._lock:
            return self._store.row_of(identity) is not None

    def count(self) -> int:
        """Number of enrolled persons."""
        self._check_open()
        with self._lock:
            return self._store.count()

    __len__ = count

    def identities(self) -> list[str]:
        """All enrolled identities, in enrollment order."""
        self._check_open()
        with self._lock:
            return [identity for _, identity, _ in self._store.iter_persons()]

    def __iter__(self) -> Iterator[Person]:
        for identity in self.identities():
            yield self.get(identity)

    @property
    def has_matcher(self) -> bool:
        """True when searches re-rank with a 1:1 matcher (else first-stage code scores only)."""
        return self._matcher is not None

    @property
    def default_threshold(self) -> float:
        """The fused-score threshold for duplicate candidates: ``params.matcher_threshold`` with a
        matcher, ``params.code_threshold`` with codes only."""
        return self.params.matcher_threshold if self._matcher is not None else self.params.code_threshold

    @property
    def generation(self) -> int:
        """Store generation: bumped by every committed write."""
        self._check_open()
        with self._lock:
            return self._store.generation

    # --- derived structures ------------------------------------------------------------------

    def _cache_dir(self) -> Path:
        return self.path / "cache"

    def _load_cache(self) -> None:
        tag = self._cache_dir() / "state.json"
        try:
            info = json.loads(tag.read_text())
            if info.get("dim") != self._code.dim:
                return
            d = self._cache_dir()
            rows = np.load(d / "rows.npy")
            vectors = np.load(d / "vectors.npy", mmap_mode="r")
            present = np.load(d / "present.npy")
            if not (rows.shape[0] == vectors.shape[0] == present.shape[0] == info["n"]):
                return
        except (OSError, ValueError, KeyError, json.JSONDecodeError):
            return
        s = self._state
        s.rows, s.vectors, s.present, s.alive = rows, RowBlocks(vectors), present, np.ones(rows.size, bool)
        s.generation = int(info["generation"])
        if self._holds_minutiae and info.get("minutiae"):
            held = GalleryMinutiae.load(self._cache_dir(), "minutiae_", int(rows.size))
            s.minutiae = None if held is None else HeldMinutiae(held)
        factory = info.get("factory", "Flat")
        binary_file = self._cache_dir() / "binary.npy"
        if factory == index_mod.BINARY and binary_file.exists():
            try:
                bits = np.load(binary_file, mmap_mode="r")
                if bits.shape[0] == rows.size:
                    s.index = index_mod.BinaryIndex(self._code.dim, self.params.scan_threads, np.asarray(bits))
                    s.factory, s.indexed, s.index_file = factory, rows.size, binary_file
            except (OSError, ValueError):
                s.index, s.indexed = None, 0
        index_file = self._cache_dir() / "index.faiss"
        if factory not in ("Flat", index_mod.BINARY) and index_file.exists():
            import faiss

            try:
                s.index = faiss.read_index(str(index_file), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
                s.factory, s.indexed, s.index_file = info["factory"], int(s.index.ntotal), index_file
                if s.indexed != rows.size:
                    s.index, s.indexed = None, 0
            except RuntimeError:
                s.index, s.indexed = None, 0

    def _refresh(self) -> _State:
        """Bring the derived structures up to the store's generation (incrementally)."""
        s = self._state
        generation = self._store.generation
        if generation == s.generation:
            return s
        if s.generation >= 0:
            s.kill(self._store.removed_since(s.generation))
        rows, codes, present = self._store.codes_after(s.max_row, self._code.dim)
        # codes_after leaves absent fingers zero: the float16 person vectors are the codes reshaped
        # (person_vectors would pass through float32, twice the memory of a large gallery's vectors)
        s.append(rows, codes.reshape(rows.size, N_POSITIONS * self._code.dim), present)
        s.generation = generation
        if s.minutiae is not None:
            self._hold_minutiae(s)
        if s.rows.size and (~s.alive).sum() > 0.1 * s.rows.size:
            s.compact()
        return s

    @property
    def _holds_minutiae(self) -> bool:
        return isinstance(self._matcher, BiocoreMatchFn)

    def _held_after(self, s: _State, queries: int) -> HeldMinutiae | None:
        """Count ``queries`` about to be re-ranked; the held minutiae, built when that pays off, or None."""
        if not self._holds_minutiae:
            return None
        self._queries += queries
        if s.minutiae is None and self._queries * _HOLD_PERSONS_PER_QUERY >= s.rows.size:
            self._hold_minutiae(s)
        return s.minutiae

    def _hold_minutiae(self, s: _State) -> None:
        """Extend the held minutiae to every person of the state (decoding new persons' templates)."""
        if not self._holds_minutiae:
            return
        held = s.minutiae if s.minutiae is not None else HeldMinutiae()
        for block in self._minutiae_blocks(s, held.persons):
            held.append(block)
        s.minutiae = held

    def _minutiae_blocks(self, s: _State, first: int) -> Iterator[GalleryMinutiae]:
        """Held minutiae of the state's persons ``first`` onward, ``_MINUTIAE_CHUNK_PERSONS`` at a time."""
        for start in range(first, s.rows.size, _MINUTIAE_CHUNK_PERSONS):
            rows = s.rows[start : start + _MINUTIAE_CHUNK_PERSONS]
            stored = self._store.templates_between(int(rows[0]), int(rows[-1]))
            yield GalleryMinutiae.from_persons(
                [{f: Template.from_bytes(b) for f, b in stored.get(int(r), {}).items()} for r in rows])

    def _ensure_index(self) -> _State:
        s = self._refresh()
        factory = index_mod.factory_for(s.live, self.params)
        if s.index is not None and s.factory != factory:
            s.index, s.indexed, s.index_file = None, 0, None
        if s.index is None:
            s.factory = factory
            s.index = index_mod.build_index(s.vectors.whole(), factory, params=self.params)
            s.indexed = int(s.rows.size)
        elif s.indexed < s.rows.size:
            if s.index_file is not None and s.factory != index_mod.BINARY:
                import faiss  # memory-mapped read-only lists: load a private copy to grow it

                s.index = faiss.read_index(str(s.index_file))
            s.index_file = None
            index_mod.add_vectors(s.index, s.vectors.since(s.indexed))
            s.indexed = int(s.rows.size)
        index_mod.set_probes(s.index, self.params)
        return s

    def build_index(self) -> dict[str, Any]:
        """Bring the first-stage index up to date now (otherwise the next search does it).

        Returns
        -------
        dict
            ``factory`` (index kind), ``persons``, ``index_bytes`` (memory the index scans) and
            ``vector_bytes`` (the float16 person vectors: memory-mapped, read only for the
            shortlist rescoring of binary indexes and code-only re-ranking).
        """
        self._check_open()
        with self._lock:
            s = self._ensure_index()
            if s.factory == index_mod.BINARY:
                index_bytes = s.index.nbytes
            elif s.factory == "SQfp16" or s.factory == "Flat":
                index_bytes = s.index.ntotal * s.index.d * (2 if s.factory == "SQfp16" else 4)
            else:
                import faiss

                index_bytes = faiss.serialize_index(s.index).nbytes
            return {"factory": s.factory, "persons": int(s.rows.size), "index_bytes": int(index_bytes),
                    "vector_bytes": int(s.vectors.nbytes), "row_bytes": int(s.rows.nbytes + s.present.nbytes + s.alive.nbytes)}

    def save_cache(self) -> None:
        """Write the derived search structures next to the store (atomically), for fast reopening."""
        self._check_writable()
        with self._lock:
            s = self._ensure_index()
            if (~s.alive).any():
                s.compact()
                s = self._ensure_index()
            d = self._cache_dir()
            tmp = d / "tmp"
            try:
                tmp.mkdir(parents=True, exist_ok=True)
                (d / "state.json").unlink(missing_ok=True)  # invalidate first: files change below
                minutiae = self._holds_minutiae
                if minutiae:  # streamed to disk: what is held already, then the persons not yet held
                    held = s.minutiae if s.minutiae is not None else HeldMinutiae()
                    GalleryMinutiae.write_blocks(
                        tmp, "minutiae_", itertools.chain(held.blocks, self._minutiae_blocks(s, held.persons)))
                for name, arr in [("rows", s.rows), ("present", s.present)]:
                    with open(tmp / f"{name}.npy", "wb") as fh:
                        np.save(fh, np.asarray(arr))
                        fh.flush()
                        os.fsync(fh.fileno())
                # the block lists are written block by block (never joined in memory)
                write_npy(tmp / "vectors.npy", s.vectors.blocks, s.vectors.dtype, s.vectors.shape[1:])
                if s.factory == index_mod.BINARY:
                    bits = s.index.bits
                    write_npy(tmp / "binary.npy", bits.blocks, bits.dtype, bits.shape[1:])
                elif s.factory != "Flat":
                    import faiss

                    faiss.write_index(s.index, str(tmp / "index.faiss"))
                for f in tmp.iterdir():
                    os.replace(f, d / f.name)
                info = {"generation": s.generation, "n": int(s.rows.size), "dim": self._code.dim, "factory": s.factory,
                        "minutiae": minutiae}
                with open(tmp / "state.json", "w") as fh:
                    json.dump(info, fh)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp / "state.json", d / "state.json")
                fsync_dir(d)
            except OSError as exc:
                raise GalleryError(f"gallery {str(self.path)!r}: could not write the search cache: {exc}") from None
            # re-map what was just written so memory holds no private copy
            self._state = _State(self._code.dim)
            self._load_cache()

    # --- search ------------------------------------------------------------------------------

    def search(
        self, person: Any, *, k: int = 10, threshold: float | None = None, shortlist: int | None = None
    ) -> list[Candidate]:
        """Two-stage 1:N search of one person against the gallery.

        Parameters
        ----------
        person : mapping {finger position: Template}, iterable of Template, Template or Person
        k : int
            At most this many candidates are returned.
        threshold : float, optional
            Only candidates whose fused score is at least this are returned.
        shortlist : int, optional
            Persons kept by the first stage (default ``params.shortlist_persons``, at least k).

        Returns
        -------
        list of Candidate
            Best first: identity, fused score, per-finger evidence.
        """
        return self.search_many([person], k=k, threshold=threshold, shortlist=shortlist)[0]

    def search_many(
        self, persons: Iterable[Any], *, k: int = 10, threshold: float | None = None, shortlist: int | None = None,
        exclude: Iterable[str | None] | None = None,
    ) -> list[list[Candidate]]:
        """Batched :meth:`search` (one faiss call for the batch). ``exclude`` optionally names, per
        query, an identity to leave out of its results (the query itself, when it is enrolled here or
        on another shard)."""
        people = [as_person_templates(p, f"persons[{i}]") for i, p in enumerate(persons)]
        codes = np.zeros((len(people), N_POSITIONS, self._code.dim), np.float32)
        present = np.zeros((len(people), N_POSITIONS), bool)
        flat = [(i, f) for i, t in enumerate(people) for f in sorted(t)]
        if flat:
            c = finger_codes([people[i][f] for i, f in flat], self._code)
            for (i, f), code in zip(flat, c):
                codes[i, f - 1] = code
                present[i, f - 1] = True
        self_rows = [-1] * len(people)
        if exclude is not None:
            with self._lock:
                for q, identity in enumerate(exclude):
                    row = self._store.row_of(_check_identity(identity)) if identity is not None else None
                    self_rows[q] = -1 if row is None else row
        return self._search(person_vectors(codes, present), people, self_rows, k, threshold, shortlist)

    def search_rows(
        self, rows: np.ndarray, *, k: int = 10, threshold: float | None = None, shortlist: int | None = None
    ) -> list[list[Candidate]]:
        """Search enrolled persons (by store row) against the gallery, each excluding itself (N:N)."""
        self._check_open()
        with self._lock:
            s = self._refresh()
            pos = np.searchsorted(s.rows, rows)
            pos = np.minimum(pos, max(s.rows.size - 1, 0))
            vectors = np.asarray(s.vectors.gather(pos), np.float32)
            stored = self._store.templates_of(rows)
        templates = [{f: Template.from_bytes(b) for f, b in stored.get(int(r), {}).items()} for r in rows]
        return self._search(vectors, templates, list(rows), k, threshold, shortlist)

    def rows_of(self, identities: Iterable[str]) -> np.ndarray:
        """Store rows of enrolled identities (GalleryError for unknown ones)."""
        out = []
        with self._lock:
            for identity in identities:
                row = self._store.row_of(_check_identity(identity))
                if row is None:
                    raise GalleryError(f"identity {identity!r} is not enrolled in {str(self.path)!r}")
                out.append(row)
        return np.asarray(out, np.int64)

    def _store_identities(self, rows: np.ndarray) -> list[str]:
        with self._lock:
            return self._store.identities(rows)

    def all_rows(self) -> np.ndarray:
        """Store rows of every enrolled person, ascending (the order N:N jobs sweep in)."""
        self._check_open()
        with self._lock:
            s = self._refresh()
            return s.rows[s.alive].copy()

    def _search(self, vectors: np.ndarray, probes: list[dict[int, Template]], self_rows: list[int], k: int,
                threshold: float | None, shortlist: int | None) -> list[list[Candidate]]:
        self._check_open()
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise InvalidArgument(f"k: expected a positive integer, got {k!r}")
        if threshold is not None and not np.isfinite(float(threshold)):
            raise InvalidArgument(f"threshold: expected a finite number or None, got {threshold!r}")
        want = self.params.shortlist_for(max((len(p) for p in probes), default=1), k, shortlist)
        with self._lock:
            s, found = self._first_stage(vectors, self_rows, want)
            lists = [(s.rows[p], sc, p) for p, sc in found]
            inputs = self._rerank_inputs(s, lists)
        return self._rerank_lists(vectors, probes, lists, inputs, k, threshold)

    def _query_vectors(self, vectors: np.ndarray, exclude_rows: Iterable[int] | None
                       ) -> tuple[np.ndarray, list[int]]:
        """Checked query person vectors (float32 (q, 10 * dim)) and the per-query row to leave out."""
        vectors = np.ascontiguousarray(vectors, np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != N_POSITIONS * self._code.dim:
            raise InvalidArgument(f"vectors: expected float32 (q, {N_POSITIONS * self._code.dim}), got shape {vectors.shape}")
        self_rows = [-1] * vectors.shape[0] if exclude_rows is None else [int(r) for r in exclude_rows]
        if len(self_rows) != vectors.shape[0]:
            raise InvalidArgument(f"exclude_rows: expected {vectors.shape[0]} rows (one per query), got {len(self_rows)}")
        return vectors, self_rows

    def first_stage(self, vectors: np.ndarray, *, want: int, exclude_rows: Iterable[int] | None = None
                    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """The first search stage alone: the ``want`` persons with the best code scores per query
        (with a sign-bit scan, every person tied with the ``want``-th best too).

        With :meth:`rerank` this is :meth:`search_many` in two steps, for callers that merge first
        stages of several galleries (the shards of :mod:`biocore.distributed`) before re-ranking.

        Parameters
        ----------
        vectors : ndarray of float32, shape (q, 10 * dim)
            Query person vectors (:func:`biocore.search.codes.person_vectors`).
        want : int
            Persons kept per query.
        exclude_rows : iterable of int, optional
            Per query, a store row to leave out (the query itself in an N:N sweep); -1 for none.

        Returns
        -------
        list of (rows, scores)
            Per query: store rows (int64, (m,); m <= want, or more with ties of a sign-bit scan) and
            code scores (float32, (m,)), best first.
        """
        self._check_open()
        vectors, self_rows = self._query_vectors(vectors, exclude_rows)
        with self._lock:
            s, lists = self._first_stage(vectors, self_rows, max(1, int(want)))
            return [(s.rows[p].astype(np.int64), sc.astype(np.float32)) for p, sc in lists]

    def stored_vectors(self, rows: np.ndarray) -> np.ndarray:
        """First-stage person vectors of enrolled persons (store ``rows``) as this gallery keeps them
        (float16 codes, returned as float32 (n, 10 * dim)): what :meth:`search_rows` queries with."""
        self._check_open()
        rows = np.asarray(rows, np.int64)
        with self._lock:
            s = self._refresh()
            pos = np.minimum(np.searchsorted(s.rows, rows), max(s.rows.size - 1, 0))
            if rows.size and (s.rows.size == 0 or not np.array_equal(s.rows[pos], rows)):
                raise GalleryError(f"rows: expected store rows of {str(self.path)!r}, got {rows.tolist()[:5]}...")
            return np.asarray(s.vectors.gather(pos), np.float32).reshape(rows.size, -1)

    def rerank(self, vectors: np.ndarray, probes: Sequence[Any], selected: Sequence[tuple[np.ndarray, np.ndarray]], *,
               k: int | None = None, threshold: float | None = None) -> list[list[Candidate]]:
        """The second search stage alone: re-rank and fuse given candidates of each query.

        Parameters
        ----------
        vectors : ndarray of float32, shape (q, 10 * dim)
            The queries' person vectors (used by code-only galleries).
        probes : sequence of q persons ({finger position: Template})
        selected : sequence of q (rows int64 (m,), code scores (m,))
            Candidates per query, e.g. (part of) :meth:`first_stage`'s answer; rows no longer
            enrolled are dropped.
        k : int, optional
            Candidates kept per query (default: all of them).
        threshold : float, optional

        Returns
        -------
        list of list of Candidate
            Per query, best fused score first (ties by identity).
        """
        self._check_open()
        people = [as_person_templates(p, f"probes[{i}]") for i, p in enumerate(probes)]
        if len(people) != len(selected) or len(people) != np.shape(vectors)[0]:
            raise InvalidArgument(f"probes, vectors, selected: expected one of each per query, got "
                                  f"{len(people)}, {np.shape(vectors)[0]}, {len(selected)}")
        vectors = np.ascontiguousarray(vectors, np.float32)
        with self._lock:
            s = self._refresh()
            lists = []
            for rows, scores in selected:
                rows = np.asarray(rows, np.int64)
                pos = np.minimum(np.searchsorted(s.rows, rows), max(s.rows.size - 1, 0))
                ok = (s.rows[pos] == rows) & s.alive[pos] if s.rows.size else np.zeros(rows.size, bool)
                lists.append((rows[ok], np.asarray(scores, np.float32)[ok], pos[ok]))
            inputs = self._rerank_inputs(s, lists)
        most = max((r.size for r, _, _ in lists), default=1)
        return self._rerank_lists(vectors, people, lists, inputs, max(1, most if k is None else int(k)), threshold)

    def _first_stage(self, vectors: np.ndarray, self_rows: Sequence[int], want: int
                     ) -> tuple[_State, list[tuple[np.ndarray, np.ndarray]]]:
        """(state, per query (state positions, code scores)) of the first stage; call under the lock.

        Sign-bit scan: the pool is every live person (not the query itself) whose scan score is at
        least the ``scan_pool_size``-th best (per query), ties included; all of it is rescored exactly and the
        persons whose exact score is at least the ``want``-th best are kept, ties included. Both cuts
        are thresholds on scores, so the same persons are kept whatever their store rows: the shards
        of :mod:`biocore.distributed` reproduce them (:meth:`scan_first_stage`)."""
        s = self._ensure_index()
        if s.factory == index_mod.BINARY:  # sign-bit scan, then exact scores of its best candidates
            pools = self._scan_pools(s, vectors, self_rows, self.scan_pool_size(vectors, want))
            lists = []
            for q, (p, _) in enumerate(pools):
                exact = index_mod.exact_scores(s.vectors, vectors[q], p)
                order = np.lexsort((p, -exact))
                if order.size > want:
                    order = order[exact[order] >= exact[order[want - 1]]]
                lists.append((p[order], exact[order]))
            return s, lists
        dead = int((~s.alive).sum())
        wanted = min(want + dead + 1, max(s.rows.size, 1))
        scores, positions = index_mod.search_index(s.index, vectors, wanted)
        lists = []
        for q in range(vectors.shape[0]):
            ok = positions[q] >= 0
            p = positions[q][ok]
            keep = s.alive[p] & (s.rows[p] != self_rows[q])
            lists.append((p[keep][:want], scores[q][ok][keep][:want]))
        return s, lists

    def live_persons(self) -> int:
        """Persons the search covers now (enrolled and not removed, the search state brought up to
        date): the size that chooses the first stage (:func:`biocore.search.index.factory_for`).
        Unlike :meth:`count` it reads no storage."""
        self._check_open()
        with self._lock:
            return self._refresh().live

    def scan_pool_size(self, vectors: np.ndarray, want: int, binary_candidates: int | None = None) -> np.ndarray:
        """Persons in the sign-bit scan's pool of each query (``vectors`` (q, 10 * dim)) keeping
        ``want``: ``binary_candidates`` (default ``params.binary_candidates``) times 10 / the fingers
        the query holds (a probe with fewer fingers has noisier scan scores, and rescoring reads only
        its fingers), at least ``want``; int64 (q,). Per query, so a query's answer does not depend on
        the batch it is searched in."""
        b = self.params.binary_candidates if binary_candidates is None else int(binary_candidates)
        fingers = (np.asarray(vectors).reshape(np.shape(vectors)[0], N_POSITIONS, -1) != 0).any(axis=2).sum(axis=1)
        return np.maximum(int(want), b * N_POSITIONS // np.maximum(fingers, 1)).astype(np.int64)

    def _scan_pools(self, s: _State, vectors: np.ndarray, self_rows: Sequence[int], pool: np.ndarray,
                    index: Any = None) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per query (state positions, scan scores) of the tie-inclusive scan pool of live persons
        other than the query's own row, scanned with ``index`` (default the first-stage index, a
        :class:`~biocore.search.index.BinaryIndex`); call under the lock."""
        if s.rows.size == 0:
            return [(np.zeros(0, np.int64), np.zeros(0, np.int32)) for _ in range(vectors.shape[0])]
        own = np.asarray(self_rows, np.int64)
        pos = np.minimum(np.searchsorted(s.rows, own), s.rows.size - 1)
        exclude = np.where(s.rows[pos] == own, pos, -1)
        return (s.index if index is None else index).pools(vectors, pool, valid=s.alive, exclude=exclude)

    def _scan_index(self, s: _State) -> Any:
        """The sign-bit scan index over every row of the state: the first-stage index when that is
        one, else one kept beside the exact index (built on first use, extended as persons are
        enrolled); call under the lock after :meth:`_ensure_index`."""
        if s.factory == index_mod.BINARY:
            s.scan_index, s.scan_indexed = None, 0  # the gallery outgrew its exact first stage
            return s.index
        if s.scan_index is None:
            s.scan_index = index_mod.build_index(s.vectors.whole(), index_mod.BINARY, params=self.params)
        elif s.scan_indexed < s.rows.size:
            index_mod.add_vectors(s.scan_index, s.vectors.since(s.scan_indexed))
        s.scan_indexed = int(s.rows.size)
        return s.scan_index

    def scan_first_stage(self, vectors: np.ndarray, *, pool: Any, rescored: Any,
                         exclude_rows: Iterable[int] | None = None, force: bool = False
                         ) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] | None:
        """One shard's part of a sign-bit first stage cut globally (:mod:`biocore.distributed.merge`).

        Parameters
        ----------
        vectors : ndarray of float32, shape (q, 10 * dim)
        pool : int or sequence of q ints
            The whole gallery's scan pool size per query (:meth:`scan_pool_size` of the whole gallery).
        rescored : int or sequence of q ints
            Persons rescored exactly here per query (the best by scan, ties at the boundary included).
        exclude_rows : iterable of int, optional
            Per query a store row to leave out; -1 for none.
        force : bool
            Scan by sign bits even when this gallery is small enough for an exact first stage: a
            shard of a gallery whose whole size calls for the scan scans as that gallery would (the
            sign bits are then kept beside the exact index).

        Returns
        -------
        list of (rows, scan, exact, pool_scores, pool_counts), or None
            None when this gallery's first stage is exact (no sign-bit scan) and ``force`` is false.
            Otherwise per query: the
            rescored persons' store rows (int64 (m,)), scan scores (int32 (m,)) and exact code scores
            (float32 (m,)), best scan first; and this gallery's tie-inclusive top-``pool`` by scan
            score as a histogram: the distinct scan scores (int32, descending) and their counts (int64).
        """
        self._check_open()
        vectors, self_rows = self._query_vectors(vectors, exclude_rows)
        with self._lock:
            s = self._ensure_index()
            if s.factory != index_mod.BINARY and not force:
                return None
            index = self._scan_index(s)
            out = []
            pool = np.broadcast_to(np.asarray(pool, np.int64), (vectors.shape[0],))
            rescored = np.broadcast_to(np.asarray(rescored, np.int64), (vectors.shape[0],))
            for q, (p, scan) in enumerate(self._scan_pools(s, vectors, self_rows, pool, index)):
                values, counts = np.unique(scan, return_counts=True)
                n = min(max(1, int(rescored[q])), p.size)
                m = int(np.count_nonzero(scan >= scan[n - 1])) if n else 0  # ties at the boundary included
                out.append((s.rows[p[:m]].astype(np.int64), scan[:m].astype(np.int32),
                            index_mod.exact_scores(s.vectors, vectors[q], p[:m]),
                            values[::-1].astype(np.int32), counts[::-1].astype(np.int64)))
            return out

    def _rerank_inputs(self, s: _State, lists: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> tuple:
        """What re-ranking per-query (rows, code scores, state positions) reads from the gallery:
        (identities by row, held minutiae or None, template bytes by row, candidate vectors per query).
        Call under the lock."""
        all_rows = np.unique(np.concatenate([l[0] for l in lists])) if lists else np.zeros(0, np.int64)
        identities = dict(zip(all_rows.tolist(), self._store.identities(all_rows)))
        held = self._held_after(s, len(lists))
        stored = self._store.templates_of(all_rows) if self._matcher is not None and held is None else {}
        cand = [np.asarray(s.vectors.gather(p), np.float32) if self._matcher is None else None for _, _, p in lists]
        return identities, held, stored, cand

    def _rerank_lists(self, vectors: np.ndarray, probes: Sequence[dict[int, Template]],
                      lists: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]], inputs: tuple, k: int,
                      threshold: float | None) -> list[list[Candidate]]:
        """Second stage of every query (outside the lock: the matcher releases the GIL)."""
        identities, held, stored, cand = inputs
        return [self._rerank(vectors[q], probes[q], rows, code_scores, cand[q], stored, identities, self._code.dim, k,
                             threshold, held=None if held is None else (held, p))
                for q, (rows, code_scores, p) in enumerate(lists)]

    def _held_positions(self, rows: np.ndarray) -> tuple[HeldMinutiae, np.ndarray] | None:
        """The held minutiae and the positions of store ``rows`` in them (-1: not a live person), or
        None while the gallery holds none."""
        with self._lock:
            s = self._refresh()
            minutiae, state_rows, alive = self._held_after(s, 1), s.rows, s.alive
        if minutiae is None:
            return None
        if state_rows.size == 0:
            return minutiae, np.full(rows.size, -1, np.int64)
        pos = np.minimum(np.searchsorted(state_rows, rows), state_rows.size - 1)
        return minutiae, np.where((state_rows[pos] == rows) & alive[pos], pos, -1)

    def _rerank(self, qvec, probe, rows, code_scores, cand_vectors, stored, identities, dim, k, threshold,
                held=_LOOKUP):
        """Re-rank one query's shortlist. The candidates' templates come from the held minutiae when
        ``held`` is (minutiae, person positions) or, by default, when the gallery holds them (looked
        up by ``rows``); otherwise (``held`` None, other matchers) from ``stored`` {row: {finger: bytes}}."""
        if rows.size == 0:
            return []
        if held is _LOOKUP:
            held = self._held_positions(np.asarray(rows, np.int64)) if self._holds_minutiae else None
        if held is not None:
            minutiae, positions = held
            per_finger = finger_scores_prepared(probe, minutiae, positions, self._matcher)
            method = "matcher"
        elif self._matcher is not None:
            cands = [{f: Template.from_bytes(b) for f, b in stored.get(int(r), {}).items()} for r in rows]
            per_finger = finger_scores(probe, cands, self._matcher)
            method = "matcher"
        else:
            q = qvec.reshape(N_POSITIONS, dim)
            c = cand_vectors.reshape(rows.size, N_POSITIONS, dim)
            per_finger = np.einsum("fd,nfd->nf", q, c).astype(np.float64)
            held_q = np.array([f + 1 in probe for f in range(N_POSITIONS)])
            held_c = np.abs(c).sum(axis=2) > 0
            per_finger[~(held_q[None, :] & held_c)] = np.nan
            method = "code"
        fused = fuse(per_finger, self.params.fusion_top_fingers)
        # ranked by the reported (rounded) score, ties by identity: store rows differ between a
        # gallery and its shards, identities do not, so the shards' merge ranks exactly alike
        # (biocore.distributed.merge.merge_reranked)
        reported = [round(float(f), 6) for f in fused]
        order = sorted(range(rows.size), key=lambda i: (-reported[i], identities[int(rows[i])]))
        out = []
        for i in order[:k]:
            if threshold is not None and reported[i] < threshold:
                break
            evidence = tuple(FingerEvidence(f + 1, round(float(per_finger[i, f]), 6))
                             for f in range(N_POSITIONS) if not np.isnan(per_finger[i, f]))
            out.append(Candidate(identities[int(rows[i])], reported[i], evidence,
                                 round(float(code_scores[i]), 6), method))
        return out

