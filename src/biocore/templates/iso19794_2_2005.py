"""ISO/IEC 19794-2:2005 finger minutiae record (version " 20").

Layout (big-endian)::

    record header, 24 bytes
      0   4  format identifier "FMR\\0"
      4   4  version " 20\\0"
      8   4  record length (whole record, bytes)
     12   2  capture equipment: certification 4 bits | equipment ID 12 bits
     14   2  image width, px           16  2  image height, px
     18   2  x resolution, px/cm       20  2  y resolution, px/cm
     22   1  number of finger views    23  1  reserved (0)
    finger view header, 4 bytes
      finger position; view number 4 bits | impression type 4 bits; finger quality 0-100; minutia count
    minutia, 6 bytes
      type 2 bits | x 14 bits; reserved 2 bits | y 14 bits; angle (units of 360/256 degrees,
      counter-clockwise from +x); quality 0-100
    extended data: total length u16, then blocks (type u16, length u16, data); writers disagree
    on whether a block's length counts its 4-byte header (NIST, SourceAFIS: yes, as ANSI and
    ISO 2011 do; FingerprintIO: no), so decoding takes the one under which the blocks tile the
    area and ``ExtendedData.lengths_include_header`` records it; encoding counts the header
    unless told otherwise

Angles are written rounded to the nearest 1.40625 degree step. The image size and resolution are
per record, so all views encoded together must share them. Fields a Template cannot hold (view
number, impression type, capture equipment, extended data) come from ``views=`` / ``device=`` /
``impression_type=`` on encode and are read into :class:`~biocore.templates.report.ViewInfo`.

References
----------
ISO/IEC 19794-2:2005, Information technology -- Biometric data interchange formats -- Part 2:
Finger minutiae data, clause 7 (record format).
"""

from __future__ import annotations

from ..errors import InvalidTemplate
from . import _fmr
from ._bytes import Issues, Reader, Writer
from .report import CaptureDevice, DecodeReport, ExtendedData
from .template import Template

__all__ = ["NAME", "detect", "encode", "decode", "decode_report"]

NAME = "iso19794-2:2005"
MAGIC = b"FMR\0"
VERSION = b" 20\0"
HEADER_SIZE = 24


def is_iso_length_layout(head: bytes) -> bool:
    """Tell ISO 2005 (4-byte record length) from ANSI 2004 (2- or 6-byte length) after "FMR\\0 20\\0"."""
    if len(head) < 12:
        return False
    hi = int.from_bytes(head[8:10], "big")
    if hi >= 26:
        return False  # ANSI 2-byte length; an ISO record this long would exceed 1.7 GB
    if hi > 0:
        return True
    return int.from_bytes(head[10:12], "big") >= HEADER_SIZE


def detect(data: bytes) -> bool:
    return bytes(data[:8]) == MAGIC + VERSION and is_iso_length_layout(bytes(data[:12]))


def decode_report(data: bytes | bytearray | memoryview, *, strict: bool = True) -> DecodeReport:
    """Decode a record into its views; see :func:`biocore.templates.decode_report`."""
    r, issues, buf = _fmr.open_record(data, NAME, MAGIC, VERSION, "a 2005 record", strict)
    declared = r.u32("header: record length")
    r.end = _fmr.record_extent(declared, len(buf), HEADER_SIZE, issues)
    equipment, width, height, xres, yres, n_views = _fmr.read_v20_image_header(r, issues)
    device = CaptureDevice(device_id=equipment & 0x0FFF, certification=equipment >> 12)
    dpi = _fmr.ppcm_to_dpi(xres)
    templates, views = [], []
    for k in range(n_views):
        t, v = _fmr.read_view_v20(
            r, k, issues, unit=_fmr.ISO_ANGLE, width=width, height=height, xres=xres, yres=yres, dpi=dpi, device=device,
            inclusive=None,
        )
        templates.append(t)
        views.append(v)
    if n_views == 0 and r.left and not strict:
        short = _read_short_view(r, width, height, xres, yres, dpi, device, issues)
        if short is not None:
            templates.append(short[0])
            views.append(short[1])
    _fmr.finish_record(r, declared, issues)
    return DecodeReport(NAME, templates, views, issues.repairs)


def _read_short_view(r: Reader, width, height, xres, yres, dpi, device, issues: Issues):
    """Lenient: a view written without its finger position and view bytes (and without the extended
    data length) after a 0-view header, as nbis-python 0.1.8's ``to_iso_19794_2_2005`` writes.
    Taken only when it fills the record exactly."""
    from .report import ViewInfo

    trial = Reader(r.buf, NAME, r.pos, r.end)
    quiet = Issues(NAME, strict=True)
    try:
        fq = trial.u8("short view: finger quality")
        n = trial.u8("short view: minutia count")
        m = _fmr.read_minutiae(trial, n, "view 0", quiet, unit=_fmr.ISO_ANGLE, width=width, height=height)
        ext = _fmr.read_extended(trial, "view 0", quiet, unit=_fmr.ISO_ANGLE, inclusive=None) if trial.left else None
        if trial.left or fq > 100:
            return None
    except InvalidTemplate:
        return None
    issues.fix(
        f"byte {r.pos}", "the header declares 0 views but one view without finger position and view bytes follows "
        "(as nbis-python 0.1.8 writes)", "read it as one view of an unknown finger",
    )
    r.pos = trial.pos
    info = ViewInfo(finger=0, finger_quality=fq, width=width, height=height, x_ppcm=xres, y_ppcm=yres,
                    device=device, extended=ext or ExtendedData())
    return m.to_template(dpi=dpi, finger=0, image_quality=fq), info


def decode(data: bytes | bytearray | memoryview, *, strict: bool = True) -> list[Template]:
    return decode_report(data, strict=strict).templates


def encode(
    templates: list[Template], *, views=None, impression_type: int = 0, device: CaptureDevice | None = None
) -> bytes:
    """Encode templates as one record with one finger view each (they must share size and dpi)."""
    plan, body = _fmr.encode_v20_views(templates, views, impression_type, device, NAME, _fmr.ISO_ANGLE, inclusive=None)
    w = Writer(NAME)
    w.raw(MAGIC + VERSION)
    w.u32(HEADER_SIZE + len(body), "record length")
    _fmr.write_v20_image_header(w, templates, plan, body)
    return w.getvalue()
