"""ANSI INCITS 378-2009 finger minutiae record (version "030") and its amendment 1 (version "035").

Layout (big-endian)::

    record header, 21 bytes
      "FMR\\0", "030\\0" ("035\\0" for 378-2009/AM1:2010), record length u32,
      CBEFF product identifier (owner u16, type u16), capture equipment compliance u8 (0x80 certified),
      capture equipment ID u16, number of finger views u8, reserved u8
    finger view header, 19 bytes
      finger position u8, view number u8, impression type u8, finger quality u8 (0-100, 254 not
      reported, 255 failed), quality algorithm vendor ID u16, quality algorithm ID u16,
      image width u16, image height u16, x / y resolution u16 px/cm, minutia count u8
    minutiae (6 bytes; angle in 2-degree units 0-179; quality 0-100, 254, 255) and extended data
    (total length u16, blocks with lengths that include their 4-byte header)

Every view carries its own image size and resolution. AM1 changes no layout, only code tables
(impression types), so both versions share this module and differ in their version bytes.
Lenient decoding also reads the 20-byte header of INCITS 378-2007 drafts (2-byte capture
equipment field, as NIST's ``fmr.ansi2007`` test file has) and reports it.

References
----------
ANSI INCITS 378-2009, Information technology -- Finger Minutiae Format for Data Interchange;
ANSI INCITS 378-2009/AM1:2010.
"""

from __future__ import annotations

import types

from ..errors import InvalidTemplate
from . import _fmr
from ._bytes import Issues, Reader, Writer
from .iso19794_2_2011 import looks_like_iso2011
from .report import CaptureDevice, DecodeReport, Repair, ViewInfo
from .template import Template

__all__ = ["NAME", "AM1", "detect", "encode", "decode", "decode_report"]

NAME = "ansi378:2009"
MAGIC = b"FMR\0"
VERSION = b"030\0"
AM1_VERSION = b"035\0"
HEADER_SIZE = 21
DRAFT_HEADER_SIZE = 20
IMPRESSION_TYPES = frozenset({0, 1, 2, 3, 8, 10, 11, *range(20, 30)})


def detect(data: bytes) -> bool:
    head = bytes(data[:19])
    return head[:8] == MAGIC + VERSION and not looks_like_iso2011(head)


def _detect_am1(data: bytes) -> bool:
    return bytes(data[:8]) == MAGIC + AM1_VERSION


def _decode(buf: memoryview, name: str, version: bytes, strict: bool, header_size: int) -> DecodeReport:
    r, issues, buf = _fmr.open_record(buf, name, MAGIC, version, name, strict)
    declared = r.u32("header: record length")
    r.end = _fmr.record_extent(declared, len(buf), header_size, issues)
    owner = r.u16("header: CBEFF product owner")
    ptype = r.u16("header: CBEFF product type")
    if header_size == HEADER_SIZE:
        compliance = r.u8("header: capture equipment compliance")
        device_id = r.u16("header: capture equipment ID")
    else:
        equipment = r.u16("header: capture equipment")
        compliance, device_id = equipment >> 12, equipment & 0x0FFF
    n_views = r.u8("header: number of views")
    reserved = r.u8("header: reserved byte")
    if reserved:
        issues.fix(f"byte {r.pos - 1}", f"reserved byte is {reserved}, expected 0", "ignore it")
    device = CaptureDevice(device_id=device_id, certification=compliance, vendor_id=owner, product_type=ptype)
    templates, views = [], []
    for k in range(n_views):
        t, v = _read_view(r, k, issues, device)
        templates.append(t)
        views.append(v)
    _fmr.finish_record(r, declared, issues)
    return DecodeReport(name, templates, views, issues.repairs)


def _read_view(r: Reader, k: int, issues: Issues, device: CaptureDevice) -> tuple[Template, ViewInfo]:
    where = f"view {k}"
    start = r.pos
    code = r.u8(f"{where}: finger position")
    number = r.u8(f"{where}: view number")
    impression = r.u8(f"{where}: impression type")
    fq = r.u8(f"{where}: finger quality")
    q_vendor = r.u16(f"{where}: quality vendor")
    q_algorithm = r.u16(f"{where}: quality algorithm")
    width = r.u16(f"{where}: image width")
    height = r.u16(f"{where}: image height")
    xres = r.u16(f"{where}: x resolution")
    yres = r.u16(f"{where}: y resolution")
    n = r.u8(f"{where}: minutia count")
    finger = _fmr.check_finger(code, f"{where} at byte {start}", issues)
    if number > 15:
        issues.fix(f"{where} at byte {start + 1}", f"view number {number} outside 0-15", "keep it")
    if impression not in IMPRESSION_TYPES:
        issues.fix(f"{where} at byte {start + 2}", f"impression type {impression} is not a defined code", "keep the code")
    quality = _fmr.check_quality(fq, f"{where} at byte {start + 3}", issues, special=True)
    xres, yres = _fmr.check_resolution(xres, yres, f"{where} resolution", issues)
    m = _fmr.read_minutiae(r, n, where, issues, unit=_fmr.ANSI_ANGLE, width=width, height=height, special_quality=True)
    ext = _fmr.read_extended(r, where, issues, unit=_fmr.ANSI_ANGLE)
    info = ViewInfo(
        finger=code, view_number=number, impression_type=impression, finger_quality=fq,
        quality_blocks=((fq, q_vendor, q_algorithm),), width=m.width, height=m.height, x_ppcm=xres, y_ppcm=yres,
        device=device, extended=ext,
    )
    return m.to_template(dpi=_fmr.ppcm_to_dpi(xres), finger=finger, image_quality=quality), info


def _report(data, strict: bool, name: str, version: bytes) -> DecodeReport:
    buf = _fmr.as_buffer(data)
    try:
        return _decode(buf, name, version, True, HEADER_SIZE)
    except InvalidTemplate as standard_error:
        if strict:
            raise
        try:  # a 2007-draft record parses cleanly with the shorter header
            report = _decode(buf, name, version, True, DRAFT_HEADER_SIZE)
        except InvalidTemplate:
            return _decode(buf, name, version, False, HEADER_SIZE)
        del standard_error
        report.repairs.append(
            Repair(where="header", problem="the record does not parse with the 21-byte 2009 header",
                        action="read the 20-byte header of INCITS 378-2007 drafts (2-byte capture equipment field)")
        )
        return report


def decode_report(data: bytes | bytearray | memoryview, *, strict: bool = True) -> DecodeReport:
    """Decode a record into its views; see :func:`biocore.templates.decode_report`."""
    return _report(data, strict, NAME, VERSION)


def decode(data: bytes | bytearray | memoryview, *, strict: bool = True) -> list[Template]:
    return decode_report(data, strict=strict).templates


def _encode(templates: list[Template], name: str, version: bytes, views, impression_type: int, device) -> bytes:
    plan = _fmr.view_plan(templates, views, impression_type, device, name)
    if len(plan) > 255:
        raise InvalidTemplate(f"templates: {name} holds at most 255 views, got {len(plan)}")
    body = Writer(name)
    for k, (t, v) in enumerate(zip(templates, plan)):
        where = f"view {k}"
        body.u8(t.finger, f"{where}: finger position")
        body.u8(v.view_number, f"{where}: view number")
        body.u8(v.impression_type, f"{where}: impression type")
        body.u8(t.image_quality, f"{where}: finger quality")
        _, q_vendor, q_algorithm = v.quality_blocks[0] if v.quality_blocks else (0, 0, 0)
        body.u16(q_vendor, f"{where}: quality vendor")
        body.u16(q_algorithm, f"{where}: quality algorithm")
        body.u16(t.width, f"{where}: image width")
        body.u16(t.height, f"{where}: image height")
        body.u16(v.x_ppcm, f"{where}: x resolution")
        body.u16(v.y_ppcm, f"{where}: y resolution")
        body.u8(len(t), f"{where}: minutia count")
        _fmr.write_minutiae(body, t, _fmr.ANSI_ANGLE)
        _fmr.write_extended(body, v.extended, _fmr.ANSI_ANGLE, where)
    dev = plan[0].device
    w = Writer(name)
    w.raw(MAGIC + version)
    w.u32(HEADER_SIZE + len(body), "record length")
    w.u16(dev.vendor_id, "device.vendor_id (CBEFF product owner)")
    w.u16(dev.product_type, "device.product_type (CBEFF product type)")
    w.u8(dev.certification, "device.certification (capture equipment compliance)")
    w.u16(dev.device_id, "device.device_id (capture equipment ID)")
    w.u8(len(plan), "number of views")
    w.u8(0, "reserved")
    w.raw(body.getvalue())
    return w.getvalue()


def encode(
    templates: list[Template], *, views=None, impression_type: int = 0, device: CaptureDevice | None = None
) -> bytes:
    """Encode templates as one ANSI 378-2009 record with one finger view each."""
    return _encode(templates, NAME, VERSION, views, impression_type, device)


def _encode_am1(templates, *, views=None, impression_type: int = 0, device=None) -> bytes:
    return _encode(templates, AM1.NAME, AM1_VERSION, views, impression_type, device)


def _decode_report_am1(data, *, strict: bool = True) -> DecodeReport:
    return _report(data, strict, AM1.NAME, AM1_VERSION)


def _decode_am1(data, *, strict: bool = True) -> list[Template]:
    return _decode_report_am1(data, strict=strict).templates


#: The ANSI INCITS 378-2009/AM1:2010 codec (version "035"), registered as ``"ansi378:2009am1"``.
AM1 = types.SimpleNamespace(
    NAME="ansi378:2009am1", detect=_detect_am1, encode=_encode_am1, decode=_decode_am1,
    decode_report=_decode_report_am1,
)
