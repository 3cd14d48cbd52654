"""Bounds-checked big-endian reading and writing shared by the standard-format codecs (private).

Every read names what it reads and where, so a truncated or corrupt record raises an
:class:`~biocore.errors.InvalidTemplate` such as ``"iso19794-2:2005: view 1: truncated minutia 4
at byte 88: needs 6 bytes, 2 left"``. No length read from the data ever sizes an allocation: a
length is first checked against the bytes actually present.
"""

from __future__ import annotations

import struct

import numpy as np

from ..errors import InvalidTemplate
from .report import Repair

__all__ = ["Reader", "Issues", "Writer"]

_U16 = struct.Struct(">H")
_U32 = struct.Struct(">I")


class Reader:
    """A cursor over ``buf[start:end]`` whose reads raise :class:`InvalidTemplate` on truncation."""

    __slots__ = ("buf", "pos", "end", "fmt")

    def __init__(self, buf: memoryview, fmt: str, start: int = 0, end: int | None = None) -> None:
        self.buf = buf
        self.fmt = fmt
        self.pos = start
        self.end = len(buf) if end is None else end

    @property
    def left(self) -> int:
        return self.end - self.pos

    def need(self, n: int, what: str) -> None:
        if n > self.end - self.pos:
            raise InvalidTemplate(
                f"{self.fmt}: truncated {what} at byte {self.pos}: needs {n} bytes, {max(self.end - self.pos, 0)} left"
            )

    def u8(self, what: str) -> int:
        self.need(1, what)
        self.pos += 1
        return self.buf[self.pos - 1]

    def u16(self, what: str) -> int:
        self.need(2, what)
        (v,) = _U16.unpack_from(self.buf, self.pos)
        self.pos += 2
        return v

    def u32(self, what: str) -> int:
        self.need(4, what)
        (v,) = _U32.unpack_from(self.buf, self.pos)
        self.pos += 4
        return v

    def take(self, n: int, what: str) -> bytes:
        self.need(n, what)
        self.pos += n
        return bytes(self.buf[self.pos - n : self.pos])

    def records(self, count: int, dtype: np.dtype, what: str) -> np.ndarray:
        """``count`` fixed-size records as a structured array (a view of the buffer)."""
        self.need(count * dtype.itemsize, f"{what} ({count} x {dtype.itemsize} bytes)")
        out = np.frombuffer(self.buf, dtype=dtype, count=count, offset=self.pos)
        self.pos += count * dtype.itemsize
        return out

    def sub(self, n: int, what: str) -> "Reader":
        """A reader over the next ``n`` bytes (checked against what is present); advances past them."""
        self.need(n, what)
        r = Reader(self.buf, self.fmt, self.pos, self.pos + n)
        self.pos += n
        return r


class Issues:
    """Collects what a lenient decode repaired; in strict mode the first problem raises instead."""

    __slots__ = ("fmt", "strict", "repairs")

    def __init__(self, fmt: str, strict: bool) -> None:
        self.fmt = fmt
        self.strict = strict
        self.repairs: list[Repair] = []

    def fix(self, where: str, problem: str, action: str) -> None:
        """Report ``problem`` at ``where``: raise when strict, else remember that we did ``action``."""
        if self.strict:
            raise InvalidTemplate(f"{self.fmt}: {where}: {problem} (decode(..., strict=False) would {action})")
        self.repairs.append(Repair(where=where, problem=problem, action=action))


class Writer:
    """Accumulates big-endian fields; ``u8``/``u16``/``u32`` check their range."""

    __slots__ = ("parts", "fmt")

    def __init__(self, fmt: str) -> None:
        self.parts: list[bytes] = []
        self.fmt = fmt

    def _check(self, v: int, hi: int, what: str) -> int:
        v = int(v)
        if not 0 <= v <= hi:
            raise InvalidTemplate(f"{self.fmt}: {what}: expected 0-{hi}, got {v}")
        return v

    def u8(self, v: int, what: str) -> None:
        self.parts.append(bytes((self._check(v, 0xFF, what),)))

    def u16(self, v: int, what: str) -> None:
        self.parts.append(_U16.pack(self._check(v, 0xFFFF, what)))

    def u32(self, v: int, what: str) -> None:
        self.parts.append(_U32.pack(self._check(v, 0xFFFFFFFF, what)))

    def raw(self, b: bytes) -> None:
        self.parts.append(bytes(b))

    def getvalue(self) -> bytes:
        return b"".join(self.parts)

    def __len__(self) -> int:
        return sum(len(p) for p in self.parts)
