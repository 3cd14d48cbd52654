"""Many templates as one struct of arrays: flat minutia columns plus per-template offsets and metadata.

The layout galleries, bulk decoding and the matcher share. Template ``i`` owns minutiae
``offsets[i]:offsets[i + 1]`` of the flat columns.

>>> packed = biocore.templates.decode_packed(gallery_bytes)   # doctest: +SKIP
>>> packed.x[packed.offsets[7]:packed.offsets[8]]             # doctest: +SKIP
>>> t = packed[7]                                             # a Template
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from ..errors import InvalidArgument, InvalidTemplate
from . import biocore_format
from .template import Template

__all__ = ["PackedTemplates", "decode_packed"]


@dataclass(frozen=True, eq=False)
class PackedTemplates:
    """Templates packed into contiguous columns.

    Attributes
    ----------
    x, y : ndarray of int32, shape (m,)
        Minutia positions in pixels, all templates one after another.
    angle : ndarray of float32, shape (m,)
        Radians in ``[0, 2*pi)`` on the Template angle grid.
    kind, quality : ndarray of uint8, shape (m,)
    offsets : ndarray of int64, shape (n + 1,)
        ``offsets[0] == 0``, ``offsets[-1] == m``; template ``i`` is ``offsets[i]:offsets[i + 1]``.
    width, height, dpi : ndarray of int32, shape (n,)
    finger, image_quality : ndarray of uint8, shape (n,)

    The arrays are read-only; build with :meth:`from_templates` or :func:`decode_packed`.
    """

    x: np.ndarray
    y: np.ndarray
    angle: np.ndarray
    kind: np.ndarray
    quality: np.ndarray
    offsets: np.ndarray
    width: np.ndarray
    height: np.ndarray
    dpi: np.ndarray
    finger: np.ndarray
    image_quality: np.ndarray

    def __post_init__(self) -> None:
        for name in ("x", "y", "angle", "kind", "quality", "offsets", "width", "height", "dpi", "finger", "image_quality"):
            getattr(self, name).flags.writeable = False

    @classmethod
    def from_templates(cls, templates: Iterable[Template]) -> "PackedTemplates":
        """Pack templates (in order) into columns."""
        items = list(templates)
        for i, t in enumerate(items):
            if not isinstance(t, Template):
                raise InvalidArgument(f"templates[{i}]: expected a biocore.Template, got {type(t).__name__}")
        counts = np.fromiter((len(t) for t in items), np.int64, len(items))
        offsets = np.zeros(len(items) + 1, np.int64)
        np.cumsum(counts, out=offsets[1:])

        def column(name: str, dtype) -> np.ndarray:
            parts = [getattr(t, name) for t in items]
            return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)

        def meta(name: str, dtype) -> np.ndarray:
            return np.fromiter((getattr(t, name) for t in items), dtype, len(items))

        return cls(
            column("x", np.int32), column("y", np.int32), column("angle", np.float32), column("kind", np.uint8),
            column("quality", np.uint8), offsets, meta("width", np.int32), meta("height", np.int32),
            meta("dpi", np.int32), meta("finger", np.uint8), meta("image_quality", np.uint8),
        )

    def __len__(self) -> int:
        return int(self.offsets.shape[0] - 1)

    @property
    def counts(self) -> np.ndarray:
        """Minutiae per template, int64 (n,)."""
        return np.diff(self.offsets)

    def template_index(self) -> np.ndarray:
        """For every minutia, the index of its template: int64 (m,) (e.g. ``dpi[template_index()]``)."""
        return np.repeat(np.arange(len(self), dtype=np.int64), self.counts)

    def angle_steps(self) -> np.ndarray:
        """Angles as uint16 steps of the Template grid (2**16 a turn), exactly: the matcher's unit."""
        from .template import angle_steps

        return angle_steps(self.angle)

    def __getitem__(self, i: int) -> Template:
        n = len(self)
        if not isinstance(i, (int, np.integer)) or isinstance(i, bool):
            raise InvalidArgument(f"index: expected an int, got {type(i).__name__}")
        if not -n <= i < n:
            raise IndexError(f"index {i} out of range for {n} templates")
        i = int(i) % n
        a, b = int(self.offsets[i]), int(self.offsets[i + 1])
        return Template._trusted(
            self.x[a:b].copy(), self.y[a:b].copy(), self.angle[a:b].copy(), self.kind[a:b].copy(),
            self.quality[a:b].copy(), width=int(self.width[i]), height=int(self.height[i]), dpi=int(self.dpi[i]),
            finger=int(self.finger[i]), image_quality=int(self.image_quality[i]),
        )

    def __iter__(self) -> Iterator[Template]:
        return (self[i] for i in range(len(self)))

    def to_templates(self) -> list[Template]:
        return list(self)


def decode_packed(data: bytes | bytearray | memoryview | np.ndarray, *, threads: int = 0) -> PackedTemplates:
    """Decode back-to-back ``biocore`` records from one buffer straight into :class:`PackedTemplates`.

    Every record is checked as :func:`biocore.templates.decode` checks it (magic, version, length,
    CRC-32, field ranges); the first bad record raises :class:`InvalidTemplate` with the same message
    the per-record decoder gives. Runs in the native core without the GIL, on ``threads`` threads
    (0 = all cores). No allocation depends on a length read from the data beyond the buffer's size.

    Parameters
    ----------
    data : bytes-like or ndarray of uint8, shape (nbytes,)
    threads : int

    Returns
    -------
    PackedTemplates
    """
    from .._native import _core

    if isinstance(data, np.ndarray):
        if data.dtype != np.uint8 or data.ndim != 1:
            raise InvalidArgument(f"data: expected a 1-D uint8 array, got {data.dtype} with shape {data.shape}")
        buf = np.ascontiguousarray(data)
    elif isinstance(data, (bytes, bytearray, memoryview)):
        buf = np.frombuffer(memoryview(data).cast("B"), np.uint8)
    else:
        raise InvalidArgument(f"data: expected bytes or a uint8 array, got {type(data).__name__}")
    if buf.size == 0:
        raise InvalidTemplate("biocore: expected at least one record, got 0 bytes")
    rec_offsets, min_offsets, status, where = _core.biocore_scan(buf)  # also checks CRCs and headers
    if status:
        _raise_for(buf, int(where), len(rec_offsets) - 1)
    n = len(rec_offsets) - 1
    m = int(min_offsets[-1])
    cols = dict(
        x=np.empty(m, np.int32), y=np.empty(m, np.int32), angle=np.empty(m, np.float32), kind=np.empty(m, np.uint8),
        quality=np.empty(m, np.uint8), width=np.empty(n, np.int32), height=np.empty(n, np.int32),
        dpi=np.empty(n, np.int32), finger=np.empty(n, np.uint8), image_quality=np.empty(n, np.uint8),
    )
    bad = _core.biocore_unpack(
        buf, rec_offsets, min_offsets, cols["x"], cols["y"], cols["angle"], cols["kind"], cols["quality"],
        cols["width"], cols["height"], cols["dpi"], cols["finger"], cols["image_quality"], int(threads),
    )
    if bad >= 0:
        _raise_for(buf, int(rec_offsets[bad]), int(bad))
    return PackedTemplates(offsets=min_offsets, **cols)


def _raise_for(buf: np.ndarray, offset: int, index: int) -> None:
    """Re-read the failing record with the per-record decoder for its precise message."""
    biocore_format._decode_at(memoryview(buf), offset, index)
    raise InvalidTemplate(f"biocore: record {index} at byte {offset}: failed bulk validation")  # pragma: no cover
