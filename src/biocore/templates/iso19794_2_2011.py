"""ISO/IEC 19794-2:2011 finger minutiae record (version "030").

Layout (big-endian)::

    general header, 15 bytes
      "FMR\\0", "030\\0", record length u32, number of finger representations u16, certification flag u8
    finger representation (each)
      representation length u32 (including these 4 bytes)
      capture date and time: year u16, month, day, hour, minute, second u8, millisecond u16
        (0xFF.. = not given)
      capture device technology u8, vendor ID u16, type ID u16
      quality blocks: count u8, then (score u8, algorithm vendor ID u16, algorithm ID u16) each
      certification blocks (only when the flag is 1): count u8, then (authority u16, scheme u8) each
      finger position u8, representation number u8, x / y resolution u16 px/cm, impression type u8,
      image width u16, image height u16, minutia field length 4 bits (5 or 6) | ridge ending type 4 bits,
      minutia count u8, minutiae (6 bytes, or 5 without quality), extended data (total length u16,
      blocks with lengths that include their 4-byte header)

Each representation carries its own size, resolution and capture device, so views of different
images can share a record. Angles count 360/256 degrees. The first quality block's score is the
Template's ``image_quality`` (254 / 255 read as 0); ``encode`` writes one quality block (vendor and
algorithm 0 unless ``views=`` say otherwise) when the template has an image quality.

References
----------
ISO/IEC 19794-1:2011 (common header elements) and ISO/IEC 19794-2:2011, Information technology --
Biometric data interchange formats -- Part 2: Finger minutiae data, clause 7.
"""

from __future__ import annotations

from ..errors import InvalidTemplate
from . import _fmr
from ._bytes import Issues, Reader, Writer
from .report import CaptureDevice, DecodeReport, ViewInfo
from .template import Template

__all__ = ["NAME", "detect", "encode", "decode", "decode_report"]

NAME = "iso19794-2:2011"
MAGIC = b"FMR\0"
VERSION = b"030\0"
HEADER_SIZE = 15
MIN_REPRESENTATION = 4 + 9 + 5 + 1 + 1 + 1 + 4 + 1 + 4 + 1 + 1 + 2  # no blocks, no minutiae
UNKNOWN_TIME = (0xFFFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFFFF)
IMPRESSION_TYPES = frozenset({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 24, 28, 29})


def looks_like_iso2011(head: bytes) -> bool:
    """Tell an ISO 2011 general header from an ANSI 378-2009 one (both "FMR\\0030\\0")."""
    if len(head) < 19 or head[:8] != MAGIC + VERSION:
        return False
    total = int.from_bytes(head[8:12], "big")
    reps = int.from_bytes(head[12:14], "big")
    first = int.from_bytes(head[15:19], "big")
    if reps == 0 or head[14] > 1 or not MIN_REPRESENTATION <= first <= total - HEADER_SIZE:
        return False
    return reps > 1 or first == total - HEADER_SIZE


def detect(data: bytes) -> bool:
    return looks_like_iso2011(bytes(data[:19]))


def decode_report(data: bytes | bytearray | memoryview, *, strict: bool = True) -> DecodeReport:
    """Decode a record into its finger representations; see :func:`biocore.templates.decode_report`."""
    r, issues, buf = _fmr.open_record(data, NAME, MAGIC, VERSION, "a 2011 record", strict)
    declared = r.u32("header: record length")
    r.end = _fmr.record_extent(declared, len(buf), HEADER_SIZE, issues)
    n_reps = r.u16("header: number of finger representations")
    cert_flag = r.u8("header: certification flag")
    if cert_flag > 1:
        issues.fix("byte 14", f"certification flag {cert_flag}, expected 0 or 1", "read it as 1")
    templates, views = [], []
    for k in range(n_reps):
        t, v = _read_representation(r, k, issues, bool(cert_flag))
        templates.append(t)
        views.append(v)
    _fmr.finish_record(r, declared, issues)
    return DecodeReport(NAME, templates, views, issues.repairs)


def _read_representation(r: Reader, k: int, issues: Issues, certified: bool) -> tuple[Template, ViewInfo]:
    where = f"representation {k}"
    start = r.pos
    length = r.u32(f"{where}: length")
    if length < MIN_REPRESENTATION:
        raise InvalidTemplate(f"{NAME}: {where} at byte {start}: length {length} below the minimum {MIN_REPRESENTATION}")
    rep = r.sub(length - 4, f"{where} ({length} bytes declared)")  # raises if it runs past the record
    time = (rep.u16(f"{where}: capture year"),) + tuple(rep.u8(f"{where}: capture date/time") for _ in range(5))
    time += (rep.u16(f"{where}: capture millisecond"),)
    technology = rep.u8(f"{where}: device technology")
    vendor = rep.u16(f"{where}: device vendor")
    device_type = rep.u16(f"{where}: device type")
    n_quality = rep.u8(f"{where}: quality block count")
    qualities = tuple(
        (rep.u8(f"{where}: quality {i} score"), rep.u16(f"{where}: quality {i} vendor"), rep.u16(f"{where}: quality {i} algorithm"))
        for i in range(n_quality)
    )
    certs: tuple[tuple[int, int], ...] = ()
    if certified:
        n_certs = rep.u8(f"{where}: certification block count")
        certs = tuple((rep.u16(f"{where}: certification {i} authority"), rep.u8(f"{where}: certification {i} scheme"))
                      for i in range(n_certs))
    code_at = rep.pos
    code = rep.u8(f"{where}: finger position")
    number = rep.u8(f"{where}: representation number")
    xres = rep.u16(f"{where}: x resolution")
    yres = rep.u16(f"{where}: y resolution")
    impression = rep.u8(f"{where}: impression type")
    width = rep.u16(f"{where}: image width")
    height = rep.u16(f"{where}: image height")
    flags = rep.u8(f"{where}: minutia field length and ridge ending type")
    n = rep.u8(f"{where}: minutia count")
    finger = _fmr.check_finger(code, f"{where} at byte {code_at}", issues)
    xres, yres = _fmr.check_resolution(xres, yres, f"{where} resolution", issues)
    if impression not in IMPRESSION_TYPES:
        issues.fix(f"{where} at byte {code_at + 6}", f"impression type {impression} is not a defined code", "keep the code")
    size = flags >> 4
    if size not in (5, 6):
        raise InvalidTemplate(f"{NAME}: {where} at byte {code_at + 11}: minutia field length must be 5 or 6, got {size}")
    if (flags & 0x0F) > 1:
        issues.fix(f"{where} at byte {code_at + 11}", f"ridge ending type {flags & 0x0F} is not 0 or 1", "keep the code")
    score = qualities[0][0] if qualities else 0
    image_quality = _fmr.check_quality(score, f"{where}: quality 0", issues, special=True)
    m = _fmr.read_minutiae(rep, n, where, issues, unit=_fmr.ISO_ANGLE, width=width, height=height,
                           with_quality=size == 6, special_quality=True)
    ext = _fmr.read_extended(rep, where, issues, unit=_fmr.ISO_ANGLE)
    if rep.left:
        issues.fix(f"{where} at byte {rep.pos}", f"{rep.left} bytes after the extended data, inside the declared length",
                   "ignore them")
    info = ViewInfo(
        finger=code, view_number=number, impression_type=impression, finger_quality=score, quality_blocks=qualities,
        width=m.width, height=m.height, x_ppcm=xres, y_ppcm=yres,
        device=CaptureDevice(device_id=device_type, certification=int(certified), vendor_id=vendor, technology=technology),
        capture_time=None if time == UNKNOWN_TIME else time, ending_type=flags & 0x0F, certifications=certs,
        extended=ext,
    )
    return m.to_template(dpi=_fmr.ppcm_to_dpi(xres), finger=finger, image_quality=image_quality), info


def decode(data: bytes | bytearray | memoryview, *, strict: bool = True) -> list[Template]:
    return decode_report(data, strict=strict).templates


def encode(
    templates: list[Template], *, views=None, impression_type: int = 0, device: CaptureDevice | None = None
) -> bytes:
    """Encode templates as one record with one finger representation each."""
    plan = _fmr.view_plan(templates, views, impression_type, device, NAME, max_view=255)
    if len(plan) > 0xFFFF:
        raise InvalidTemplate(f"templates: {NAME} holds at most 65535 representations, got {len(plan)}")
    certified = any(v.certifications for v in plan)
    reps = [_representation(t, v, k, certified) for k, (t, v) in enumerate(zip(templates, plan))]
    w = Writer(NAME)
    w.raw(MAGIC + VERSION)
    w.u32(HEADER_SIZE + sum(len(b) for b in reps), "record length")
    w.u16(len(reps), "number of finger representations")
    w.u8(int(certified), "certification flag")
    for b in reps:
        w.raw(b)
    return w.getvalue()


def _representation(t: Template, v: ViewInfo, k: int, certified: bool) -> bytes:
    where = f"representation {k}"
    w = Writer(NAME)
    time = v.capture_time if v.capture_time is not None else UNKNOWN_TIME
    if len(time) != 7:
        raise InvalidTemplate(f"views[{k}].capture_time: expected 7 numbers (year .. millisecond), got {len(time)}")
    w.u16(time[0], f"{where}: capture year")
    for value in time[1:6]:
        w.u8(value, f"{where}: capture date/time")
    w.u16(time[6], f"{where}: capture millisecond")
    w.u8(v.device.technology, f"{where}: device technology")
    w.u16(v.device.vendor_id, f"{where}: device vendor")
    w.u16(v.device.device_id, f"{where}: device type")
    blocks = list(v.quality_blocks)
    if blocks:
        blocks[0] = (t.image_quality,) + tuple(blocks[0][1:])
    elif t.image_quality:
        blocks = [(t.image_quality, 0, 0)]
    w.u8(len(blocks), f"{where}: quality block count")
    for score, vendor, algorithm in blocks:
        w.u8(score, f"{where}: quality score")
        w.u16(vendor, f"{where}: quality vendor")
        w.u16(algorithm, f"{where}: quality algorithm")
    if certified:
        w.u8(len(v.certifications), f"{where}: certification block count")
        for authority, scheme in v.certifications:
            w.u16(authority, f"{where}: certification authority")
            w.u8(scheme, f"{where}: certification scheme")
    w.u8(t.finger, f"{where}: finger position")
    w.u8(v.view_number, f"{where}: representation number")
    w.u16(v.x_ppcm, f"{where}: x resolution")
    w.u16(v.y_ppcm, f"{where}: y resolution")
    w.u8(v.impression_type, f"{where}: impression type")
    w.u16(t.width, f"{where}: image width")
    w.u16(t.height, f"{where}: image height")
    if not 0 <= v.ending_type <= 15:
        raise InvalidTemplate(f"views[{k}].ending_type: expected 0-15, got {v.ending_type}")
    w.u8(0x60 | v.ending_type, f"{where}: minutia field length")
    w.u8(len(t), f"{where}: minutia count")
    _fmr.write_minutiae(w, t, _fmr.ISO_ANGLE)
    _fmr.write_extended(w, v.extended, _fmr.ISO_ANGLE, where)
    body = w.getvalue()
    return (len(body) + 4).to_bytes(4, "big") + body
