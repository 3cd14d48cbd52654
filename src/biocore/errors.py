"""Exceptions raised by biocore.

Every error biocore raises on purpose is a :class:`BiocoreError`. The subclasses also derive from
the built-in exception a Python user would expect (``ValueError``, ``OSError``), so
``except ValueError`` keeps working. Messages name the argument, what was expected and what came.
"""

from __future__ import annotations

__all__ = [
    "BiocoreError",
    "InvalidArgument",
    "InvalidImage",
    "InvalidTemplate",
    "UnsupportedFormat",
    "GalleryError",
    "MissingDependency",
    "ClusterError",
]


class BiocoreError(Exception):
    """Base class of every error biocore raises on purpose."""


class InvalidArgument(BiocoreError, ValueError):
    """An argument has the wrong type, shape or value."""


class InvalidImage(InvalidArgument):
    """An image cannot be used: wrong dimensions, dtype, size, values, or an unreadable file."""


class InvalidTemplate(InvalidArgument):
    """A template (object or encoded bytes) is malformed; the message says what and where."""


class UnsupportedFormat(InvalidArgument):
    """A template or file format is unknown or cannot be detected."""


class GalleryError(BiocoreError, OSError):
    """A gallery cannot be opened, read or written (not a gallery, newer version, disk full, ...)."""


class MissingDependency(BiocoreError, ImportError):
    """An optional dependency (an extra such as ``biocore[plot]``) is needed but not installed."""


class ClusterError(BiocoreError, ConnectionError):
    """The Dask cluster is unreachable, has no workers, or runs another biocore version."""
