"""The biocore Template: a versioned struct of arrays holding one finger's minutiae."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from .._shared.validation import check_int, describe
from ..errors import InvalidTemplate

__all__ = ["Template", "MinutiaKind", "FINGER_POSITIONS", "ANGLE_STEPS"]

#: Angles are held on a grid of this many steps per turn (0.0055 degrees), so that the compact
#: ``biocore`` format (16 bits per angle) round-trips a Template exactly.
ANGLE_STEPS = 65536
_ANGLE_STEP_RAD = 2.0 * math.pi / ANGLE_STEPS

#: ISO/IEC 19794-2 finger position codes (also ANSI INCITS 378 and ANSI/NIST-ITL).
FINGER_POSITIONS: dict[int, str] = {
    0: "unknown",
    1: "right thumb",
    2: "right index",
    3: "right middle",
    4: "right ring",
    5: "right little",
    6: "left thumb",
    7: "left index",
    8: "left middle",
    9: "left ring",
    10: "left little",
}

MAX_COORD_PX = 65535
MAX_MINUTIAE = 65535


class MinutiaKind:
    """Minutia type codes, as in the two type bits of ISO/IEC 19794-2 and ANSI INCITS 378."""

    OTHER = 0
    ENDING = 1
    BIFURCATION = 2

    NAMES = {0: "other", 1: "ending", 2: "bifurcation"}


def quantize_angle(angle: np.ndarray) -> np.ndarray:
    """Wrap radians to [0, 2*pi) and snap them to the template's angle grid (float32)."""
    steps = np.rint(np.asarray(angle, dtype=np.float64) / _ANGLE_STEP_RAD).astype(np.int64) % ANGLE_STEPS
    return (steps * _ANGLE_STEP_RAD).astype(np.float32)


def angle_steps(angle: np.ndarray) -> np.ndarray:
    """The grid step index (uint16) of already-quantized angles."""
    return (np.rint(np.asarray(angle, dtype=np.float64) / _ANGLE_STEP_RAD).astype(np.int64) % ANGLE_STEPS).astype(
        np.uint16
    )


def _column(value: Any, name: str, dtype: type, n: int | None) -> np.ndarray:
    try:
        arr = np.asarray(value)
    except Exception as exc:  # noqa: BLE001 - any failure to convert is a bad argument
        raise InvalidTemplate(f"{name}: expected a 1-D array, got {describe(value)} ({exc})") from None
    if arr.ndim != 1:
        raise InvalidTemplate(f"{name}: expected a 1-D array, got {describe(arr)}")
    if n is not None and arr.shape[0] != n:
        raise InvalidTemplate(f"{name}: expected {n} values (as many as x), got {arr.shape[0]}")
    if arr.size and arr.dtype.kind not in "biuf":
        raise InvalidTemplate(f"{name}: expected numbers, got dtype {arr.dtype}")
    if arr.dtype.kind == "f" and arr.size and not np.all(np.isfinite(arr)):
        raise InvalidTemplate(f"{name}: contains NaN or infinity")
    return arr


def _int_column(value: Any, name: str, n: int | None, lo: int, hi: int) -> np.ndarray:
    arr = _column(value, name, np.int64, n)
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.dtype.kind == "f":
        rounded = np.rint(arr)
        if np.any(np.abs(arr - rounded) > 1e-6):
            raise InvalidTemplate(f"{name}: expected whole numbers, got fractional values such as {arr[np.abs(arr - rounded) > 1e-6][0]:g}")
        arr = rounded
    arr = arr.astype(np.int64)
    bad = (arr < lo) | (arr > hi)
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        raise InvalidTemplate(f"{name}: expected values in [{lo}, {hi}], got {int(arr[i])} at index {i}")
    return arr


class Template:
    """One finger's minutiae as a struct of arrays, with the capture's metadata.

    Parameters
    ----------
    x, y : array_like of int, shape (n,)
        Minutia position in pixels of the original image: column ``x`` and row ``y``, origin at the
        top-left pixel, ``0 <= x < width``, ``0 <= y < height`` when width/height are known. Stored
        as int32. (Standard formats store whole pixels too; sub-pixel precision carries no identity.)
    angle : array_like of float, shape (n,)
        Minutia direction in radians in ``[0, 2*pi)``, counter-clockwise from the image's +x axis as
        seen on screen. Because rows grow downward, a direction with pixel offsets ``(dx, dy)`` has
        ``angle = atan2(-dy, dx)``. As in ISO/IEC 19794-2 and ANSI INCITS 378: a ridge ending
        points along its ridge, away from the end, into the ridge; a bifurcation points between
        its two branches. Stored as float32, snapped to a grid of 2**16 steps per turn.
    kind : array_like of int, shape (n,)
        :class:`MinutiaKind` code: 0 other, 1 ridge ending, 2 bifurcation. Stored as uint8.
    quality : array_like of int, shape (n,)
        Minutia reliability, 0 (unknown or worst) to 100 (best). Stored as uint8.
    width, height : int
        Size of the source image in pixels (0 when unknown).
    dpi : int
        Resolution of the source image in pixels per inch (default 500).
    finger : int
        Finger position, ISO/IEC 19794-2 code 0 (unknown) to 10 (left little); see ``FINGER_POSITIONS``.
    image_quality : int
        Quality of the source image, 0 (worst or unknown) to 100 (best).

    Notes
    -----
    A Template is immutable: the arrays are read-only. Equality compares every field exactly.
    ``FORMAT_VERSION`` is the version of the compact ``biocore`` encoding (see
    :mod:`biocore.templates.biocore_format`), bumped whenever the layout changes.

    Examples
    --------
    >>> import numpy as np, biocore
    >>> t = biocore.Template(x=[10, 20], y=[30, 40], angle=[0.0, np.pi], kind=[1, 2], quality=[80, 60],
    ...                      width=300, height=400)
    >>> len(t), t.kind.tolist()
    (2, [1, 2])
    >>> biocore.Template.from_bytes(t.to_bytes()) == t
    True
    """

    FORMAT_VERSION = 1

    __slots__ = ("x", "y", "angle", "kind", "quality", "width", "height", "dpi", "finger", "image_quality")

    x: np.ndarray
    y: np.ndarray
    angle: np.ndarray
    kind: np.ndarray
    quality: np.ndarray
    width: int
    height: int
    dpi: int
    finger: int
    image_quality: int

    def __init__(
        self,
        x: Iterable[int] | np.ndarray = (),
        y: Iterable[int] | np.ndarray = (),
        angle: Iterable[float] | np.ndarray = (),
        kind: Iterable[int] | np.ndarray | None = None,
        quality: Iterable[int] | np.ndarray | None = None,
        *,
        width: int = 0,
        height: int = 0,
        dpi: int = 500,
        finger: int = 0,
        image_quality: int = 0,
    ) -> None:
        width = _meta(width, "width", 0, MAX_COORD_PX)
        height = _meta(height, "height", 0, MAX_COORD_PX)
        dpi = _meta(dpi, "dpi", 1, 65535)
        finger = _meta(finger, "finger", 0, 10)
        image_quality = _meta(image_quality, "image_quality", 0, 100)

        xs = _int_column(x, "x", None, 0, (width - 1) if width else MAX_COORD_PX)
        n = xs.shape[0]
        if n > MAX_MINUTIAE:
            raise InvalidTemplate(f"x: expected at most {MAX_MINUTIAE} minutiae, got {n}")
        ys = _int_column(y, "y", n, 0, (height - 1) if height else MAX_COORD_PX)
        angles = _column(angle, "angle", np.float64, n)
        kinds = _int_column(np.ones(n, np.int64) if kind is None else kind, "kind", n, 0, 2)
        qualities = _int_column(np.zeros(n, np.int64) if quality is None else quality, "quality", n, 0, 100)

        self._set(
            xs.astype(np.int32),
            ys.astype(np.int32),
            quantize_angle(angles) if n else np.zeros(0, np.float32),
            kinds.astype(np.uint8),
            qualities.astype(np.uint8),
            width,
            height,
            dpi,
            finger,
            image_quality,
        )

    def _set(self, x, y, angle, kind, quality, width, height, dpi, finger, image_quality) -> None:
        for name, arr in (("x", x), ("y", y), ("angle", angle), ("kind", kind), ("quality", quality)):
            arr.flags.writeable = False
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "width", width)
        object.__setattr__(self, "height", height)
        object.__setattr__(self, "dpi", dpi)
        object.__setattr__(self, "finger", finger)
        object.__setattr__(self, "image_quality", image_quality)

    @classmethod
    def _trusted(
        cls, x, y, angle, kind, quality, *, width, height, dpi, finger, image_quality
    ) -> "Template":
        """Build from arrays already validated and typed (int32, int32, float32 on grid, uint8, uint8).

        For decoders that checked everything themselves; skips per-field validation.
        """
        t = object.__new__(cls)
        t._set(x, y, angle, kind, quality, width, height, dpi, finger, image_quality)
        return t

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Template is immutable; use Template.replace(...) to make a changed copy")

    def __len__(self) -> int:
        return int(self.x.shape[0])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Template):
            return NotImplemented
        return (
            (self.width, self.height, self.dpi, self.finger, self.image_quality)
            == (other.width, other.height, other.dpi, other.finger, other.image_quality)
            and np.array_equal(self.x, other.x)
            and np.array_equal(self.y, other.y)
            and np.array_equal(self.angle, other.angle)
            and np.array_equal(self.kind, other.kind)
            and np.array_equal(self.quality, other.quality)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"Template({len(self)} minutiae, {self.width}x{self.height} px at {self.dpi} dpi, "
            f"finger={self.finger} ({FINGER_POSITIONS[self.finger]}), image_quality={self.image_quality})"
        )

    def replace(self, **changes: Any) -> "Template":
        """A validated copy with some fields changed, e.g. ``t.replace(finger=2)``."""
        fields = {
            "x": self.x, "y": self.y, "angle": self.angle, "kind": self.kind, "quality": self.quality,
            "width": self.width, "height": self.height, "dpi": self.dpi, "finger": self.finger,
            "image_quality": self.image_quality,
        }
        unknown = set(changes) - set(fields)
        if unknown:
            raise InvalidTemplate(f"replace: unknown field(s) {sorted(unknown)}; fields are {sorted(fields)}")
        fields.update(changes)
        return Template(**fields)

    def select(self, keep: np.ndarray) -> "Template":
        """The template restricted to minutiae where the boolean mask (or index array) ``keep`` selects."""
        return Template._trusted(
            self.x[keep].copy(), self.y[keep].copy(), self.angle[keep].copy(), self.kind[keep].copy(),
            self.quality[keep].copy(), width=self.width, height=self.height, dpi=self.dpi,
            finger=self.finger, image_quality=self.image_quality,
        )

    def __reduce__(self):
        # Pickle (multiprocessing, Dask) through the trusted constructor: the fields were validated.
        meta = {"width": self.width, "height": self.height, "dpi": self.dpi, "finger": self.finger,
                "image_quality": self.image_quality}
        return (_unpickle, (self.x, self.y, self.angle, self.kind, self.quality, meta))

    def to_bytes(self) -> bytes:
        """Encode in the compact, checksummed ``biocore`` format (exact round trip)."""
        from .biocore_format import encode_one

        return encode_one(self)

    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview) -> "Template":
        """Decode one template from the compact ``biocore`` format; raises :class:`InvalidTemplate`."""
        from .biocore_format import decode_one

        return decode_one(data)


def _unpickle(x, y, angle, kind, quality, meta) -> Template:
    return Template._trusted(np.array(x, np.int32), np.array(y, np.int32), np.array(angle, np.float32),
                             np.array(kind, np.uint8), np.array(quality, np.uint8), **meta)


def _meta(value: Any, name: str, lo: int, hi: int) -> int:
    try:
        return check_int(value, name, lo, hi)
    except Exception as exc:  # re-raise as the template error users catch
        raise InvalidTemplate(str(exc)) from None
