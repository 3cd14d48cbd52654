"""ANSI INCITS 378-2004 finger minutiae record (version " 20").

Layout (big-endian)::

    record header, 26 bytes (30 with the long length form)
      0   4  format identifier "FMR\\0"
      4   4  version " 20\\0"
      8   2  record length; 0 means a 4-byte length follows (records of 65536 bytes or more)
     10   4  CBEFF product identifier: owner u16, type u16
     14   2  capture equipment: compliance 4 bits | equipment ID 12 bits
     16   2  image width, px           18  2  image height, px
     20   2  x resolution, px/cm       22  2  y resolution, px/cm
     24   1  number of finger views    25  1  reserved (0)
    finger views, minutiae and extended data as ISO/IEC 19794-2:2005, except that minutia angles
    count 2 degrees (0-179) counter-clockwise from +x.

Angles are written rounded to the nearest 2 degrees. Lenient decoding reads a view whose angles
exceed 179 in ISO's 360/256-degree units (writers that reuse ISO code do this) and accepts the
version bytes "020\\0".

References
----------
ANSI INCITS 378-2004, Information technology -- Finger Minutiae Format for Data Interchange, clause 6.
"""

from __future__ import annotations

from . import _fmr
from ._bytes import Writer
from .iso19794_2_2005 import is_iso_length_layout
from .report import CaptureDevice, DecodeReport
from .template import Template

__all__ = ["NAME", "detect", "encode", "decode", "decode_report"]

NAME = "ansi378:2004"
MAGIC = b"FMR\0"
VERSION = b" 20\0"
QUIRK_VERSIONS = (b"020\0",)
HEADER_SIZE = 26


def detect(data: bytes) -> bool:
    head = bytes(data[:12])
    if head[:4] != MAGIC:
        return False
    if head[4:8] in QUIRK_VERSIONS:
        return True
    return head[4:8] == VERSION and len(head) >= 12 and not is_iso_length_layout(head)


def decode_report(data: bytes | bytearray | memoryview, *, strict: bool = True) -> DecodeReport:
    """Decode a record into its views; see :func:`biocore.templates.decode_report`."""
    r, issues, buf = _fmr.open_record(data, NAME, MAGIC, VERSION, "a 2004 record", strict)
    declared = r.u16("header: record length")
    header_size = HEADER_SIZE
    if declared == 0:
        declared = r.u32("header: long record length")
        header_size += 4
    r.end = _fmr.record_extent(declared, len(buf), header_size, issues)
    owner = r.u16("header: CBEFF product owner")
    ptype = r.u16("header: CBEFF product type")
    equipment, width, height, xres, yres, n_views = _fmr.read_v20_image_header(r, issues)
    device = CaptureDevice(
        device_id=equipment & 0x0FFF, certification=equipment >> 12, vendor_id=owner, product_type=ptype
    )
    dpi = _fmr.ppcm_to_dpi(xres)
    templates, views = [], []
    for k in range(n_views):
        t, v = _fmr.read_view_v20(
            r, k, issues, unit=_fmr.ANSI_ANGLE, width=width, height=height, xres=xres, yres=yres, dpi=dpi,
            device=device,
        )
        templates.append(t)
        views.append(v)
    _fmr.finish_record(r, declared, issues)
    return DecodeReport(NAME, templates, views, issues.repairs)


def decode(data: bytes | bytearray | memoryview, *, strict: bool = True) -> list[Template]:
    return decode_report(data, strict=strict).templates


def encode(
    templates: list[Template], *, views=None, impression_type: int = 0, device: CaptureDevice | None = None
) -> bytes:
    """Encode templates as one record with one finger view each (they must share size and dpi)."""
    plan, body = _fmr.encode_v20_views(templates, views, impression_type, device, NAME, _fmr.ANSI_ANGLE)
    dev = plan[0].device
    w = Writer(NAME)
    w.raw(MAGIC + VERSION)
    total = HEADER_SIZE + len(body)
    if total < 0x10000:
        w.u16(total, "record length")
    else:
        w.u16(0, "record length")
        w.u32(total + 4, "long record length")
    w.u16(dev.vendor_id, "device.vendor_id (CBEFF product owner)")
    w.u16(dev.product_type, "device.product_type (CBEFF product type)")
    _fmr.write_v20_image_header(w, templates, plan, body)
    return w.getvalue()
