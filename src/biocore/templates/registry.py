"""Registry of template codecs: one module per format, looked up by name or detected from bytes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..errors import UnsupportedFormat
from .template import Template

__all__ = ["Codec", "register", "get", "names", "detect"]


@dataclass(frozen=True)
class Codec:
    """A template format.

    ``encode(list[Template], **options) -> bytes``, ``decode(bytes, *, strict) -> list[Template]``,
    ``detect(bytes) -> bool`` (cheap: looks at the first bytes only) and optionally
    ``decode_report(bytes, *, strict) -> DecodeReport`` for formats with metadata beyond a Template.
    """

    name: str
    encode: Callable[..., bytes]
    decode: Callable[..., list[Template]]
    detect: Callable[[bytes], bool]
    description: str = ""
    decode_report: Callable[..., Any] | None = None


_CODECS: dict[str, Codec] = {}


def register(codec: Codec) -> Codec:
    """Add a codec (later registrations of the same name replace earlier ones)."""
    _CODECS[codec.name] = codec
    return codec


def names() -> list[str]:
    """Names of the registered formats."""
    return list(_CODECS)


def get(name: str) -> Codec:
    """The codec called ``name``, or :class:`UnsupportedFormat` listing the known ones."""
    try:
        return _CODECS[name]
    except (KeyError, TypeError):
        raise UnsupportedFormat(f"fmt: expected one of {', '.join(map(repr, _CODECS))}, got {name!r}") from None


def detect(data: bytes) -> Codec:
    """The codec whose header matches ``data``, or :class:`UnsupportedFormat`."""
    head = bytes(data[:64])
    for codec in _CODECS.values():
        if codec.detect(head):
            return codec
    raise UnsupportedFormat(f"data: could not detect the template format from the first bytes {head[:8]!r}; pass fmt=")
