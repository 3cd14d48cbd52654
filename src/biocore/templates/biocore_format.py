"""The compact ``biocore`` template format: versioned, length-checked, CRC-checked, 8 bytes a minutia.

Layout of one record, little-endian::

    offset  size  field
    0       4     magic b"BCTM"
    4       1     format version (1)
    5       1     finger position (0-10)
    6       1     image quality (0-100)
    7       1     reserved, 0
    8       2     width in px
    10      2     height in px
    12      2     resolution in dpi (> 0)
    14      2     minutia count n
    16      8*n   per minutia: x u16, y u16, angle u16 (2**16 steps a turn), kind u8, quality u8
    16+8n   4     CRC-32 (zlib polynomial) of bytes [0, 16 + 8n)

Several templates encode as records back to back. Decoding validates every field, so a decoded
Template is as trustworthy as a constructed one.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

from ..errors import InvalidTemplate
from .template import ANGLE_STEPS, Template, angle_steps

__all__ = ["NAME", "MAGIC", "VERSION", "detect", "encode", "decode", "encode_one", "decode_one", "decode_report", "record_size"]

NAME = "biocore"
MAGIC = b"BCTM"
VERSION = 1
HEADER = struct.Struct("<4sBBBBHHHH")
HEADER_SIZE = HEADER.size  # 16
CRC_SIZE = 4
MINUTIA_DTYPE = np.dtype([("x", "<u2"), ("y", "<u2"), ("angle", "<u2"), ("kind", "u1"), ("quality", "u1")])
_ANGLE_STEP_RAD = np.float64(2.0 * np.pi / ANGLE_STEPS)


#: From this size on, :func:`decode` hands the buffer to the native bulk decoder.
BULK_BYTES = 1 << 16


def record_size(n_minutiae: int) -> int:
    """Bytes taken by one record holding ``n_minutiae`` minutiae."""
    return HEADER_SIZE + MINUTIA_DTYPE.itemsize * n_minutiae + CRC_SIZE


def detect(data: bytes | bytearray | memoryview) -> bool:
    """True when ``data`` starts like a biocore record."""
    return bytes(data[:4]) == MAGIC


def encode_one(t: Template) -> bytes:
    n = len(t)
    header = HEADER.pack(MAGIC, VERSION, t.finger, t.image_quality, 0, t.width, t.height, t.dpi, n)
    body = np.empty(n, dtype=MINUTIA_DTYPE)
    body["x"] = t.x
    body["y"] = t.y
    body["angle"] = angle_steps(t.angle)
    body["kind"] = t.kind
    body["quality"] = t.quality
    payload = header + body.tobytes()
    return payload + struct.pack("<I", zlib.crc32(payload))


def encode(templates: list[Template]) -> bytes:
    """Encode templates as biocore records back to back."""
    return b"".join(encode_one(t) for t in templates)


def _decode_at(buf: memoryview, offset: int, index: int) -> tuple[Template, int]:
    where = f"record {index} at byte {offset}"
    remaining = len(buf) - offset
    if remaining < HEADER_SIZE + CRC_SIZE:
        raise InvalidTemplate(f"biocore: {where}: truncated, {remaining} bytes left, a record needs at least {HEADER_SIZE + CRC_SIZE}")
    magic, version, finger, image_quality, reserved, width, height, dpi, n = HEADER.unpack_from(buf, offset)
    if magic != MAGIC:
        raise InvalidTemplate(f"biocore: {where}: expected magic {MAGIC!r}, got {bytes(magic)!r}")
    if version != VERSION:
        newer = " (written by a newer biocore)" if version > VERSION else ""
        raise InvalidTemplate(f"biocore: {where}: expected format version {VERSION}, got {version}{newer}")
    size = record_size(n)
    if remaining < size:
        raise InvalidTemplate(f"biocore: {where}: truncated, {n} minutiae need {size} bytes, {remaining} left")
    end = offset + size - CRC_SIZE
    (stored_crc,) = struct.unpack_from("<I", buf, end)
    actual_crc = zlib.crc32(buf[offset:end])
    if stored_crc != actual_crc:
        raise InvalidTemplate(f"biocore: {where}: checksum mismatch (stored {stored_crc:08x}, computed {actual_crc:08x}): data is corrupt")
    if reserved != 0:
        raise InvalidTemplate(f"biocore: {where}: reserved byte must be 0, got {reserved}")
    if finger > 10:
        raise InvalidTemplate(f"biocore: {where}: finger position must be 0-10, got {finger}")
    if image_quality > 100:
        raise InvalidTemplate(f"biocore: {where}: image quality must be 0-100, got {image_quality}")
    if dpi == 0:
        raise InvalidTemplate(f"biocore: {where}: resolution must be positive, got 0 dpi")
    body = np.frombuffer(buf, dtype=MINUTIA_DTYPE, count=n, offset=offset + HEADER_SIZE)
    x = body["x"].astype(np.int32)
    y = body["y"].astype(np.int32)
    kind = body["kind"].copy()
    quality = body["quality"].copy()
    if n:
        if width and int(x.max()) >= width:
            raise InvalidTemplate(f"biocore: {where}: minutia x {int(x.max())} outside image width {width}")
        if height and int(y.max()) >= height:
            raise InvalidTemplate(f"biocore: {where}: minutia y {int(y.max())} outside image height {height}")
        if int(kind.max()) > 2:
            raise InvalidTemplate(f"biocore: {where}: minutia kind must be 0-2, got {int(kind.max())}")
        if int(quality.max()) > 100:
            raise InvalidTemplate(f"biocore: {where}: minutia quality must be 0-100, got {int(quality.max())}")
    angle = (body["angle"].astype(np.float64) * _ANGLE_STEP_RAD).astype(np.float32)
    t = Template._trusted(
        x, y, angle, kind, quality, width=width, height=height, dpi=dpi, finger=finger, image_quality=image_quality
    )
    return t, offset + size


def decode(data: bytes | bytearray | memoryview, *, strict: bool = True) -> list[Template]:
    """Decode every record in ``data``; raises :class:`InvalidTemplate` naming the record and byte.

    ``strict`` is accepted for the codec interface; the biocore format has no tolerated quirks.
    Buffers of :data:`BULK_BYTES` or more go through the native bulk decoder (same checks, same
    messages, same templates).
    """
    buf = memoryview(data).cast("B") if not isinstance(data, bytes) else memoryview(data)
    if len(buf) == 0:
        raise InvalidTemplate("biocore: expected at least one record, got 0 bytes")
    if len(buf) >= BULK_BYTES:
        from .packed import decode_packed

        return decode_packed(buf).to_templates()
    out: list[Template] = []
    offset = 0
    while offset < len(buf):
        t, offset = _decode_at(buf, offset, len(out))
        out.append(t)
    return out


def decode_report(data: bytes | bytearray | memoryview, *, strict: bool = True):
    """:func:`decode` with one :class:`~biocore.templates.report.ViewInfo` per template (no repairs)."""
    from .report import DecodeReport, ViewInfo

    templates = decode(data, strict=strict)
    views = [
        ViewInfo(finger=t.finger, finger_quality=t.image_quality, width=t.width, height=t.height,
                 x_ppcm=max(1, round(t.dpi / 2.54)), y_ppcm=max(1, round(t.dpi / 2.54)))
        for t in templates
    ]
    return DecodeReport(NAME, templates, views, [])


def decode_one(data: bytes | bytearray | memoryview) -> Template:
    """Decode exactly one record; trailing bytes are an error."""
    buf = memoryview(data).cast("B") if not isinstance(data, bytes) else memoryview(data)
    t, end = _decode_at(buf, 0, 0) if len(buf) else (None, 0)
    if t is None:
        raise InvalidTemplate("biocore: expected one record, got 0 bytes")
    if end != len(buf):
        raise InvalidTemplate(f"biocore: expected one record of {end} bytes, got {len(buf) - end} trailing bytes")
    return t
