"""Templates: the :class:`Template` struct of arrays and codecs for standard and compact formats.

>>> b = biocore.templates.encode(t, "biocore")      # doctest: +SKIP
>>> [t2] = biocore.templates.decode(b)              # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import InvalidArgument, InvalidTemplate
from . import biocore_format, registry
from .registry import Codec
from .template import FINGER_POSITIONS, MinutiaKind, Template

__all__ = ["Template", "MinutiaKind", "FINGER_POSITIONS", "encode", "decode", "formats", "Codec"]

registry.register(
    Codec(
        name=biocore_format.NAME,
        encode=biocore_format.encode,
        decode=biocore_format.decode,
        detect=biocore_format.detect,
        description="compact biocore format: versioned, CRC-checked, 8 bytes a minutia",
    )
)


def formats() -> list[str]:
    """Names accepted by :func:`encode` and :func:`decode`."""
    return registry.names()


def encode(templates: Template | Iterable[Template], fmt: str = "biocore") -> bytes:
    """Encode one template or several (one record holding several finger views where the format allows).

    Parameters
    ----------
    templates : Template or iterable of Template
    fmt : str
        One of :func:`formats`, e.g. ``"iso19794-2:2005"``, ``"ansi378:2004"``, ``"biocore"``.
    """
    codec = registry.get(fmt)
    items = [templates] if isinstance(templates, Template) else list(templates)
    for i, t in enumerate(items):
        if not isinstance(t, Template):
            raise InvalidTemplate(f"templates[{i}]: expected a biocore.Template, got {type(t).__name__}")
    if not items:
        raise InvalidArgument("templates: expected at least one Template, got none")
    return codec.encode(items)


def decode(data: bytes | bytearray | memoryview, fmt: str | None = None, *, strict: bool = True) -> list[Template]:
    """Decode a record into its templates (one per finger view).

    ``fmt=None`` detects the format from the header. Malformed data raises
    :class:`~biocore.errors.InvalidTemplate` naming what is wrong and where.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InvalidArgument(f"data: expected bytes, got {type(data).__name__}")
    codec = registry.get(fmt) if fmt is not None else registry.detect(bytes(data[:32]))
    return codec.decode(data, strict=strict)
