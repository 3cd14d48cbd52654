"""Templates: the :class:`Template` struct of arrays and codecs for standard and compact formats.

Formats (:func:`formats`): ``"iso19794-2:2005"``, ``"iso19794-2:2011"``, ``"ansi378:2004"``,
``"ansi378:2009"``, ``"ansi378:2009am1"`` and the compact, checksummed ``"biocore"``.

>>> b = biocore.templates.encode(t, "iso19794-2:2005")    # doctest: +SKIP
>>> [t2] = biocore.templates.decode(b)                    # doctest: +SKIP
>>> r = biocore.templates.decode_report(b, strict=False)  # doctest: +SKIP
>>> r.views[0].impression_type, r.repairs                 # doctest: +SKIP

Strict and lenient decoding
---------------------------
``strict=True`` (default) raises :class:`~biocore.errors.InvalidTemplate` on any departure from the
standard, naming what and where. ``strict=False`` accepts the quirks real files carry (wrong version
bytes, a record length that disagrees with the data, trailing padding, ANSI angles written in ISO
units, out-of-range codes) and records each repair as a :class:`~biocore.templates.report.Repair`
in ``decode_report(...).repairs``; ``decode(..., strict=False)`` returns the same templates without
the report. Truncation and structural corruption raise in both modes.

What a Template cannot hold
---------------------------
View number, impression type, capture equipment, quality blocks, capture time and extended data
(ridge counts, cores, deltas, vendor blocks) are read into ``decode_report(...).views``
(:class:`~biocore.templates.report.ViewInfo`). On encode they default to: view numbers counted
per finger position from 0 in list order, impression type ``impression_type=`` (0, live plain),
capture equipment ``device=`` (all zero), no extended data; pass ``views=report.views`` to write
a decoded record's metadata back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..errors import InvalidArgument, InvalidTemplate
from . import ansi378_2004, ansi378_2009, biocore_format, iso19794_2_2005, iso19794_2_2011, registry
from .packed import PackedTemplates, decode_packed
from .registry import Codec
from .report import CaptureDevice, DecodeReport, ExtendedData, Repair, SingularPoint, ViewInfo
from .template import FINGER_POSITIONS, MinutiaKind, Template

__all__ = [
    "Template", "MinutiaKind", "FINGER_POSITIONS", "encode", "decode", "decode_report", "formats", "Codec",
    "DecodeReport", "ViewInfo", "CaptureDevice", "ExtendedData", "SingularPoint", "Repair",
    "PackedTemplates", "decode_packed",
]

for _module, _description in (
    (biocore_format, "compact biocore format: versioned, CRC-checked, 8 bytes a minutia"),
    (iso19794_2_2005, "ISO/IEC 19794-2:2005 finger minutiae record"),
    (iso19794_2_2011, "ISO/IEC 19794-2:2011 finger minutiae record"),
    (ansi378_2004, "ANSI INCITS 378-2004 finger minutiae record"),
    (ansi378_2009, "ANSI INCITS 378-2009 finger minutiae record"),
    (ansi378_2009.AM1, "ANSI INCITS 378-2009/AM1:2010 finger minutiae record"),
):
    registry.register(
        Codec(
            name=_module.NAME, encode=_module.encode, decode=_module.decode, detect=_module.detect,
            description=_description, decode_report=_module.decode_report,
        )
    )


def formats() -> list[str]:
    """Names accepted by :func:`encode` and :func:`decode`."""
    return registry.names()


def encode(templates: Template | Iterable[Template], fmt: str = "biocore", **options: Any) -> bytes:
    """Encode one template or several (one record holding several finger views where the format allows).

    Parameters
    ----------
    templates : Template or iterable of Template
    fmt : str
        One of :func:`formats`, e.g. ``"iso19794-2:2005"``, ``"ansi378:2004"``, ``"biocore"``.
    **options
        Standard formats only: ``views`` (list of :class:`ViewInfo`, one per template, e.g. from
        :func:`decode_report`), ``impression_type`` (int, default 0 = live plain) and ``device``
        (:class:`CaptureDevice`). See the module docstring.

    Returns
    -------
    bytes

    Notes
    -----
    Angles are rounded to each format's step (ISO 360/256 degrees, ANSI 2 degrees); resolution is
    written in px/cm, ``round(dpi / 2.54)``. Standard formats hold at most 255 minutiae a view and
    coordinates up to 16383; ISO 2005 and ANSI 2004 one image size and resolution per record.
    """
    codec = registry.get(fmt)
    items = [templates] if isinstance(templates, Template) else list(templates)
    for i, t in enumerate(items):
        if not isinstance(t, Template):
            raise InvalidTemplate(f"templates[{i}]: expected a biocore.Template, got {type(t).__name__}")
    if not items:
        raise InvalidArgument("templates: expected at least one Template, got none")
    if options and codec.name == biocore_format.NAME:
        raise InvalidArgument(f"options: the biocore format takes none, got {sorted(options)}")
    return codec.encode(items, **options)


def _codec_for(data: Any, fmt: str | None) -> Codec:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InvalidArgument(f"data: expected bytes, got {type(data).__name__}")
    return registry.get(fmt) if fmt is not None else registry.detect(bytes(data[:64]))


def decode(data: bytes | bytearray | memoryview, fmt: str | None = None, *, strict: bool = True) -> list[Template]:
    """Decode a record into its templates (one per finger view).

    ``fmt=None`` detects the format from the header. Malformed data raises
    :class:`~biocore.errors.InvalidTemplate` naming what is wrong and where; ``strict=False``
    repairs known quirks instead (see :func:`decode_report` for the list of repairs).
    """
    return _codec_for(data, fmt).decode(data, strict=strict)


def decode_report(
    data: bytes | bytearray | memoryview, fmt: str | None = None, *, strict: bool = True
) -> DecodeReport:
    """Decode a record with everything it says: templates, per-view metadata, extended data, repairs.

    Returns
    -------
    DecodeReport
        ``.templates`` (as :func:`decode`), ``.views`` (:class:`ViewInfo` per template),
        ``.repairs`` (:class:`Repair` list; empty when ``strict=True``), ``.format``.
    """
    codec = _codec_for(data, fmt)
    return codec.decode_report(data, strict=strict)
