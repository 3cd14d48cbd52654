"""What a decode found beyond the :class:`Template` fields: per-view metadata, extended data, repairs.

:func:`biocore.templates.decode_report` returns a :class:`DecodeReport`; :func:`biocore.templates.decode`
returns only its ``templates``. The same :class:`ViewInfo` objects can be passed back to
:func:`biocore.templates.encode` (``views=``) to write the metadata a Template cannot hold.

Conventions
-----------
Coordinates are pixels (x column, y row, origin top-left). Angles are radians counter-clockwise
from +x, as in :class:`~biocore.templates.Template`. Resolutions are pixels per centimetre as the
standards store them. Raw codes (impression type, finger position, quality algorithm IDs) are kept
as the integers the record holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .template import Template

__all__ = ["Repair", "SingularPoint", "ExtendedData", "CaptureDevice", "ViewInfo", "DecodeReport"]


@dataclass(frozen=True)
class Repair:
    """One quirk a lenient decode (``strict=False``) accepted: where, what was wrong, what was done."""

    where: str
    problem: str
    action: str

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}; {self.action}"


@dataclass(frozen=True)
class SingularPoint:
    """A core or a delta: position in pixels and its direction(s) in radians (empty when not recorded).

    A core carries at most one angle, a delta three.
    """

    x: int
    y: int
    angles: tuple[float, ...] = ()


@dataclass(frozen=True)
class ExtendedData:
    """The extended data blocks of one finger view.

    Attributes
    ----------
    ridge_count_method : int or None
        Ridge-count extraction method (0 non-specific, 1 four-neighbour/quadrants, 2 eight-neighbour/
        octants); None when the view has no ridge-count block.
    ridge_counts : tuple of (int, int, int)
        ``(minutia index a, minutia index b, ridges crossed)`` as stored (indices are not re-based).
    cores, deltas : tuple of SingularPoint
    other_blocks : tuple of (int, bytes)
        Blocks not decoded (vendor-defined or unknown type IDs, or, after a lenient decode, known
        blocks that were malformed): ``(type id, block data without its 4-byte header)``.
        They are written back unchanged by :func:`~biocore.templates.encode`.
    lengths_include_header : bool
        ISO/IEC 19794-2:2005 only: whether block lengths count the 4-byte block header (as NIST's
        and SourceAFIS's writers do, and ANSI 378 and ISO 2011 always) or only the data (as
        FingerprintIO's). Decoding detects it per view; encoding follows it (default True).
    """

    ridge_count_method: int | None = None
    ridge_counts: tuple[tuple[int, int, int], ...] = ()
    cores: tuple[SingularPoint, ...] = ()
    deltas: tuple[SingularPoint, ...] = ()
    other_blocks: tuple[tuple[int, bytes], ...] = ()
    lengths_include_header: bool = True

    def __bool__(self) -> bool:
        return bool(self.ridge_count_method is not None or self.cores or self.deltas or self.other_blocks)


@dataclass(frozen=True)
class CaptureDevice:
    """Capture equipment fields; each format holds a subset (others are written as 0 / read as 0).

    Attributes
    ----------
    device_id : int
        ISO 2005 / ANSI 2004: 12-bit capture equipment ID; ANSI 2009: sensor ID (16 bits);
        ISO 2011: capture device type ID.
    certification : int
        ISO 2005 / ANSI 2004: the 4 compliance bits above the equipment ID; ANSI 2009: the
        compliance byte (0x80 = certified); ISO 2011: the record's certification flag.
    vendor_id : int
        ANSI: CBEFF product identifier owner; ISO 2011: capture device vendor ID.
    product_type : int
        ANSI: CBEFF product identifier type (vendor sub-format).
    technology : int
        ISO 2011: capture device technology ID (0 unknown).
    """

    device_id: int = 0
    certification: int = 0
    vendor_id: int = 0
    product_type: int = 0
    technology: int = 0


@dataclass(frozen=True)
class ViewInfo:
    """One finger view (ISO 2011: finger representation) as the record describes it.

    Attributes
    ----------
    finger : int
        Finger position code as stored (0-10 map to ``Template.finger``).
    view_number : int
        View number (ISO) / view offset (ANSI): which impression of this finger, from 0.
    impression_type : int
        0 live plain, 1 live rolled, 2 non-live plain, 3 non-live rolled, 8 swipe, 9 contactless
        (ANSI 2009/AM1 and ISO 2011 define more codes).
    finger_quality : int
        Finger (view) quality as stored; ISO 2011: the first quality block's score. 0-100, or the
        special 254 (not reported) / 255 (failed) of the 2009/2011 formats.
    quality_blocks : tuple of (int, int, int)
        ``(score, vendor id, algorithm id)``: ISO 2011 quality blocks, ANSI 2009 single block.
    width, height : int
        Image size in pixels.
    x_ppcm, y_ppcm : int
        Resolution in pixels per centimetre (``Template.dpi`` is ``round(x_ppcm * 2.54)``).
    device : CaptureDevice
    capture_time : tuple of int or None
        ISO 2011 ``(year, month, day, hour, minute, second, millisecond)`` (0xFF.. fields = unknown).
    ending_type : int
        ISO 2011 ridge-ending location: 0 valley skeleton bifurcation point, 1 ridge skeleton end point.
    certifications : tuple of (int, int)
        ISO 2011 certification blocks ``(authority id, scheme id)``.
    extended : ExtendedData
    """

    finger: int = 0
    view_number: int = 0
    impression_type: int = 0
    finger_quality: int = 0
    quality_blocks: tuple[tuple[int, int, int], ...] = ()
    width: int = 0
    height: int = 0
    x_ppcm: int = 197
    y_ppcm: int = 197
    device: CaptureDevice = field(default_factory=CaptureDevice)
    capture_time: tuple[int, ...] | None = None
    ending_type: int = 0
    certifications: tuple[tuple[int, int], ...] = ()
    extended: ExtendedData = field(default_factory=ExtendedData)


@dataclass(frozen=True)
class DecodeReport:
    """Everything :func:`~biocore.templates.decode_report` read from one buffer.

    Attributes
    ----------
    format : str
        Registry name of the format read, e.g. ``"ansi378:2004"``.
    templates : list of Template
        One per finger view, in record order (what :func:`~biocore.templates.decode` returns).
    views : list of ViewInfo
        Parallel to ``templates``: what the record says about each view.
    repairs : list of Repair
        What a lenient decode accepted and how; always empty after a strict decode.
    """

    format: str
    templates: list[Template]
    views: list[ViewInfo]
    repairs: list[Repair] = field(default_factory=list)
