"""A gallery split into shards: N normal biocore galleries plus a manifest; enrollment routed by identity.

This class is the embedded (single-process) face of a sharded gallery: it enrolls, removes, reads and
searches over every shard in-process and needs no Dask. The same folder is searched and swept on a
Dask cluster by :func:`biocore.distributed.search_many` and :func:`biocore.distributed.run_dedup`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from ..errors import GalleryError, InvalidArgument
from ..search.gallery import Candidate, Gallery, Person, _check_identity
from ..search.parameters import SEARCH, SearchParameters
from .manifest import MANIFEST_NAME, Manifest, shard_of
from .merge import query_vectors, search_shards, shard_params, shortlist_size

__all__ = ["ShardedGallery"]


class ShardedGallery:
    """Persons split over ``shards`` on-disk galleries by a stable hash of their identity.

    Examples
    --------
    >>> g = ShardedGallery.open("registry.sharded", shards=4)            # doctest: +SKIP
    >>> g.enroll("ID-0001", {2: right_index})                            # doctest: +SKIP
    >>> g.shard_of("ID-0001")                                            # doctest: +SKIP
    3
    """

    def __init__(self, manifest: Manifest, shards: list[Gallery], params: SearchParameters) -> None:
        self.manifest = manifest
        self.shards = shards
        self.params = params
        #: What each shard searches with (:func:`biocore.distributed.merge.shard_params`).
        self.shard_params = shard_params(params, manifest.shards)

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, shards: int | None = None, create: bool = True,
             readonly: bool = False, params: SearchParameters = SEARCH, matcher: Any = "default") -> "ShardedGallery":
        """Open (or create with ``shards`` shards) the sharded gallery in folder ``path``.

        Parameters
        ----------
        path : path-like
            Folder holding ``manifest.json`` and one gallery folder per shard.
        shards : int, optional
            Shard count when creating; when given for an existing gallery it must match.
        create, readonly, params, matcher
            As :meth:`biocore.Gallery.open`, applied to every shard (each shard's sign-bit scan
            rescores its share of ``params.binary_candidates``: see ``shard_params``).

        Raises
        ------
        GalleryError
            Not a sharded gallery, newer format, shard count mismatch, or absent and not creatable.
        """
        if not isinstance(path, (str, os.PathLike)):
            raise InvalidArgument(f"path: expected a folder path, got {type(path).__name__}")
        root = Path(path)
        if (root / MANIFEST_NAME).exists():
            manifest = Manifest.read(root)
            if shards is not None and shards != manifest.shards:
                raise GalleryError(f"sharded gallery {str(root)!r} has {manifest.shards} shards, not {shards}")
        elif create and not readonly and shards is not None:
            if root.exists() and any(root.iterdir()):
                raise GalleryError(f"sharded gallery {str(root)!r}: folder exists, is not empty and has no manifest")
            manifest = Manifest.create(root, shards)
        else:
            raise GalleryError(f"sharded gallery {str(root)!r} does not exist"
                               + (" (pass shards=N to create one)" if create and not readonly else ""))
        if matcher == "default":
            from ..search.rerank import default_matcher

            matcher = default_matcher()
        opened: list[Gallery] = []
        try:
            for i in range(manifest.shards):
                opened.append(Gallery.open(manifest.shard_path(i), create=not readonly, readonly=readonly,
                                           params=shard_params(params, manifest.shards), matcher=matcher))
        except BaseException:
            for g in opened:
                g.close()
            raise
        return cls(manifest, opened, params)

    @property
    def path(self) -> Path:
        return self.manifest.path

    @property
    def has_matcher(self) -> bool:
        return self.shards[0].has_matcher

    @property
    def default_threshold(self) -> float:
        return self.shards[0].default_threshold

    def close(self) -> None:
        for g in self.shards:
            g.close()

    def __enter__(self) -> "ShardedGallery":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- routing -----------------------------------------------------------------------------

    def shard_of(self, identity: str) -> int:
        """The shard that owns ``identity`` (see :func:`biocore.distributed.manifest.shard_of`)."""
        return shard_of(_check_identity(identity), self.manifest.shards)

    def _owner(self, identity: str) -> Gallery:
        return self.shards[self.shard_of(identity)]

    def enroll(self, identity: str, templates: Any, *, metadata: Mapping[str, Any] | None = None) -> None:
        """Enroll one person on its owning shard; durable when this returns."""
        self._owner(identity).enroll(identity, templates, metadata=metadata)

    def enroll_many(self, persons: Iterable[Any], *, batch_persons: int = 1000) -> int:
        """Enroll many persons (as :meth:`biocore.Gallery.enroll_many`), routed to their shards in
        per-shard batches; returns how many were enrolled."""
        pending: list[list[Any]] = [[] for _ in self.shards]
        done = 0
        for item in persons:
            identity = item.identity if isinstance(item, Person) else (item[0] if isinstance(item, tuple) and item else None)
            if identity is None:
                raise InvalidArgument(
                    f"persons: expected items (identity, templates[, metadata]) or Person, got {type(item).__name__}")
            s = self.shard_of(identity)
            pending[s].append(item)
            if len(pending[s]) >= batch_persons:
                done += self.shards[s].enroll_many(pending[s], batch_persons=batch_persons)
                pending[s] = []
        for s, items in enumerate(pending):
            if items:
                done += self.shards[s].enroll_many(items, batch_persons=batch_persons)
        return done

    def copy_from(self, source: Gallery) -> int:
        """Split a single gallery into this one's shards: every person of ``source`` copied, as
        stored (no re-encoding), to its owning shard. Returns the persons copied.

        Raises
        ------
        GalleryError
            An identity is already enrolled, or a write failed (persons already copied stay).
        """
        n = self.manifest.shards
        return sum(g.copy_from(source, where=lambda identity, i=i: shard_of(identity, n) == i)
                   for i, g in enumerate(self.shards))

    def update(self, identity: str, templates: Any, *, metadata: Mapping[str, Any] | None = None) -> None:
        self._owner(identity).update(identity, templates, metadata=metadata)

    def remove(self, identity: str) -> None:
        self._owner(identity).remove(identity)

    def get(self, identity: str) -> Person:
        return self._owner(identity).get(identity)

    def __contains__(self, identity: object) -> bool:
        try:
            return identity in self._owner(identity)  # type: ignore[arg-type]
        except InvalidArgument:
            return False

    def count(self) -> int:
        return sum(g.count() for g in self.shards)

    __len__ = count

    def live_persons(self) -> int:
        """Persons the search covers, over every shard (:meth:`biocore.Gallery.live_persons`): the
        size that chooses the first stage of every shard (:func:`biocore.distributed.merge.whole_scans`)."""
        return sum(g.live_persons() for g in self.shards)

    def counts(self) -> list[int]:
        """Persons per shard."""
        return [g.count() for g in self.shards]

    def identities(self) -> list[str]:
        """All identities, shard by shard, each shard in enrollment order."""
        return [i for g in self.shards for i in g.identities()]

    def __iter__(self) -> Iterator[Person]:
        for g in self.shards:
            yield from g

    def save_cache(self) -> None:
        """Write every shard's search cache (workers then memory-map it on open)."""
        for g in self.shards:
            g.save_cache()

    # --- search (in-process; see biocore.distributed.search_many for the cluster) ------------

    def search(self, person: Any, *, k: int = 10, threshold: float | None = None,
               shortlist: int | None = None) -> list[Candidate]:
        """1:N search over every shard, merged exactly as one gallery ranks (see :mod:`.merge`)."""
        return self.search_many([person], k=k, threshold=threshold, shortlist=shortlist)[0]

    def search_many(self, persons: Iterable[Any], *, k: int = 10, threshold: float | None = None,
                    shortlist: int | None = None, exclude: Iterable[str | None] | None = None) -> list[list[Candidate]]:
        """Batched :meth:`search`; ``exclude`` names per query an identity to leave out."""
        from ..search.gallery import as_person_templates

        probes = [as_person_templates(p, f"persons[{i}]") for i, p in enumerate(persons)]
        excl = list(exclude) if exclude is not None else None
        want = shortlist_size(self.params, k, shortlist, probes)
        vectors = query_vectors(probes, stored=False)
        return search_shards(self.shards, probes, vectors, exclude=excl, want=want, k=k, threshold=threshold,
                             binary_candidates=self.params.binary_candidates)
