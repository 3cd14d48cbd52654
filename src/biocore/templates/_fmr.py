"""Parts shared by the ISO/IEC 19794-2 and ANSI INCITS 378 codecs (private): minutiae and extended data.

All four formats store a minutia as ``type:2 | x:14``, ``reserved:2 | y:14``, an angle byte and
(except ISO 2011's 5-byte variant) a quality byte, big-endian; and extended data as a 2-byte total
length followed by blocks of ``type id u16, length u16 (including these 4 bytes), data``.
They differ in the angle unit: ISO counts 360/256 degrees, ANSI 2 degrees (0-179).
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import InvalidTemplate
from ._bytes import Issues, Reader, Writer
from .report import ExtendedData, SingularPoint
from .template import Template, quantize_angle

__all__ = [
    "ISO_ANGLE", "ANSI_ANGLE", "MINUTIA6", "MINUTIA5", "Minutiae", "read_minutiae", "write_minutiae",
    "read_extended", "write_extended", "ppcm_to_dpi", "dpi_to_ppcm", "check_encodable",
]

MAX_COORD = 0x3FFF  # 14 bits
MAX_MINUTIAE = 255


class AngleUnit:
    """An angle quantisation: ``steps`` per turn (ISO 256, ANSI 180 of 2 degrees)."""

    __slots__ = ("steps", "rad", "name")

    def __init__(self, steps: int, name: str) -> None:
        self.steps = steps
        self.rad = 2.0 * math.pi / steps
        self.name = name

    def to_raw(self, angle: np.ndarray) -> np.ndarray:
        """Radians to the nearest step (ties to even), wrapped to ``[0, steps)``."""
        return (np.rint(np.asarray(angle, np.float64) / self.rad).astype(np.int64) % self.steps).astype(np.uint8)

    def to_rad(self, raw: np.ndarray) -> np.ndarray:
        return quantize_angle(np.asarray(raw, np.float64) * self.rad)


ISO_ANGLE = AngleUnit(256, "360/256 degrees")
ANSI_ANGLE = AngleUnit(180, "2 degrees")

MINUTIA6 = np.dtype([("tx", ">u2"), ("ry", ">u2"), ("angle", "u1"), ("quality", "u1")])
MINUTIA5 = np.dtype([("tx", ">u2"), ("ry", ">u2"), ("angle", "u1")])


def ppcm_to_dpi(ppcm: int) -> int:
    """Pixels per cm to dpi: a multiple of 50 dpi when one rounds to ``ppcm`` (197 -> 500, 394 -> 1000), else nearest."""
    nearest = max(1, int(round(ppcm * 2.54)))
    for candidate in (int(round(nearest / 50.0)) * 50,):
        if candidate > 0 and int(round(candidate / 2.54)) == ppcm:
            return candidate
    return nearest


def dpi_to_ppcm(dpi: int) -> int:
    return max(1, int(round(dpi / 2.54)))


class Minutiae:
    """Decoded, validated minutia columns of one view."""

    __slots__ = ("x", "y", "angle", "kind", "quality", "width", "height")

    def to_template(self, *, dpi: int, finger: int, image_quality: int) -> Template:
        return Template._trusted(
            self.x, self.y, self.angle, self.kind, self.quality, width=self.width, height=self.height,
            dpi=dpi, finger=finger, image_quality=image_quality,
        )


def read_minutiae(
    r: Reader, count: int, where: str, issues: Issues, *, unit: AngleUnit, width: int, height: int,
    with_quality: bool = True, special_quality: bool = False,
) -> Minutiae:
    """Read ``count`` minutiae and validate every field; lenient repairs are reported to ``issues``.

    ``special_quality`` accepts the 2009/2011 codes 254 (not reported) and 255 (failed), read as 0.
    """
    rec = r.records(count, MINUTIA6 if with_quality else MINUTIA5, f"{where}: minutiae")
    tx = rec["tx"].astype(np.int32)
    ry = rec["ry"].astype(np.int32)
    raw_angle = rec["angle"]
    m = Minutiae()
    kind = (tx >> 14).astype(np.uint8)
    if count and int(kind.max()) == 3:
        i = int(np.flatnonzero(kind == 3)[0])
        issues.fix(f"{where}: minutia {i}", "type bits 11 are reserved", "read such minutiae as type 'other'")
        kind[kind == 3] = 0
    m.kind = kind
    m.x = tx & MAX_COORD
    if count and int(ry.max()) > MAX_COORD:
        i = int(np.flatnonzero(ry > MAX_COORD)[0])
        issues.fix(f"{where}: minutia {i}", f"reserved bits above y are set (0x{int(ry[i]):04x})", "ignore them")
    m.y = ry & MAX_COORD
    if unit.steps < 256 and count and int(raw_angle.max()) >= unit.steps:
        i = int(np.flatnonzero(raw_angle >= unit.steps)[0])
        issues.fix(
            f"{where}: minutia {i}",
            f"angle {int(raw_angle[i])} outside 0-{unit.steps - 1} (units of {unit.name})",
            f"read this view's angles in ISO units of {ISO_ANGLE.name} (up to {int(raw_angle.max())} seen)",
        )
        unit = ISO_ANGLE
    m.angle = unit.to_rad(raw_angle) if count else np.zeros(0, np.float32)
    if with_quality:
        q = rec["quality"].copy()
        if special_quality:
            q[q >= 254] = 0
        if count and int(q.max()) > 100:
            i = int(np.flatnonzero(q > 100)[0])
            issues.fix(f"{where}: minutia {i}", f"quality {int(q[i])} outside 0-100", "read it as 0 (unknown)")
            q[q > 100] = 0
        m.quality = q
    else:
        m.quality = np.zeros(count, np.uint8)
    m.width, m.height = width, height
    for name, col, size in (("x", m.x, "width"), ("y", m.y, "height")):
        limit = width if size == "width" else height
        if limit and count and int(col.max()) >= limit:
            i = int(np.argmax(col))
            issues.fix(
                f"{where}: minutia {i}", f"{name} {int(col[i])} outside the image {size} {limit}",
                f"widen the template's image {size} to {int(col[i]) + 1}",
            )
            if size == "width":
                m.width = int(col[i]) + 1
            else:
                m.height = int(col[i]) + 1
    return m


def write_minutiae(w: Writer, t: Template, unit: AngleUnit, *, with_quality: bool = True) -> None:
    n = len(t)
    rec = np.empty(n, dtype=MINUTIA6 if with_quality else MINUTIA5)
    rec["tx"] = (t.kind.astype(np.uint16) << 14) | t.x.astype(np.uint16)
    rec["ry"] = t.y.astype(np.uint16)
    rec["angle"] = unit.to_raw(t.angle) if n else np.zeros(0, np.uint8)
    if with_quality:
        rec["quality"] = t.quality
    w.raw(rec.tobytes())


def check_encodable(t: Template, i: int, fmt: str) -> None:
    """Raise when ``t`` holds what the standard formats cannot: > 255 minutiae, coordinates > 16383."""
    if len(t) > MAX_MINUTIAE:
        raise InvalidTemplate(
            f"templates[{i}]: {fmt} holds at most {MAX_MINUTIAE} minutiae a view, got {len(t)}; "
            "keep the best ones first, e.g. t.select(np.argsort(-t.quality)[:255])"
        )
    for name in ("x", "y"):
        col = getattr(t, name)
        if len(t) and int(col.max()) > MAX_COORD:
            raise InvalidTemplate(f"templates[{i}]: {fmt} holds {name} up to {MAX_COORD}, got {int(col.max())}")


# --- extended data ---------------------------------------------------------------------------

RIDGE_COUNT_BLOCK = 0x0001
CORE_DELTA_BLOCK = 0x0002


def _tiles(r: Reader, start: int, end: int, head: int) -> bool:
    """Whether blocks with lengths counting ``head`` header bytes tile ``[start, end)`` exactly."""
    at = start
    while end - at >= 4:
        blen = int.from_bytes(r.buf[at + 2 : at + 4], "big")
        if blen < head:
            return False
        at += 4 + blen - head
    return at == end


def read_extended(
    r: Reader, where: str, issues: Issues, *, unit: AngleUnit, inclusive: bool | None = True
) -> ExtendedData:
    """Read the extended data area (2-byte total length then blocks); skipped by its declared length.

    ``inclusive``: a block's length counts its 4-byte header (ANSI, ISO 2011). ``None`` (ISO 2005,
    whose writers differ: NIST's and SourceAFIS's count the header, FingerprintIO's does not) takes
    the convention under which the blocks tile the area exactly, counting the header when both or
    neither do, and records it in ``ExtendedData.lengths_include_header``. Unknown block types are kept undecoded. A block that runs past the area, or a
    known block that does not parse, raises when strict. Lenient decoding keeps what parsed and
    reports the rest; it reads a core/delta block by its content (counts and angle flags) when its
    declared length disagrees, as NIST's own sample records need.
    """
    total = r.u16(f"{where}: extended data length")
    if total == 0:
        return ExtendedData()
    if total > r.left and not issues.strict:
        issues.fix(f"{where} at byte {r.pos}", f"extended data length {total} exceeds the {r.left} bytes left",
                   "read the blocks present")
        total = r.left
    area = r.sub(total, f"{where}: extended data ({total} bytes declared)")
    method = None
    counts: tuple[tuple[int, int, int], ...] = ()
    cores: tuple[SingularPoint, ...] = ()
    deltas: tuple[SingularPoint, ...] = ()
    others: list[tuple[int, bytes]] = []
    k = 0
    if inclusive is None:
        inclusive = _tiles(area, area.pos, area.end, 4) or not _tiles(area, area.pos, area.end, 0)
    head = 4 if inclusive else 0
    while area.left > 0:
        bwhere = f"{where}: extended block {k} at byte {area.pos}"
        if area.left < 4:
            issues.fix(bwhere, f"{area.left} stray bytes where a 4-byte block header belongs", "skip them")
            break
        btype = area.u16(f"{bwhere}: type")
        blen = area.u16(f"{bwhere}: length")
        if btype == CORE_DELTA_BLOCK and not issues.strict and not cores and not deltas:
            content = Reader(r.buf, r.fmt, area.pos, r.end)  # may run past a short declared length
            try:
                cores, deltas = _read_points(content, bwhere, "core", unit, 1), _read_points(content, bwhere, "delta", unit, 3)
            except InvalidTemplate as exc:
                issues.fix(bwhere, f"core/delta block does not parse ({exc})", "skip the rest of the extended data")
                break
            used = content.pos - area.pos
            if used != blen - head:
                issues.fix(bwhere, f"core/delta block declares {blen - head} data bytes, its content takes {used}",
                           "read it by its content")
            area.pos = content.pos
            if area.pos > area.end:
                area.end = r.pos = area.pos
            k += 1
            continue
        if blen < head or blen - head > area.left:
            issues.fix(
                bwhere, f"block length {blen} outside {head}-{area.left + head} (the rest of the extended data)",
                "skip the rest of the extended data",
            )
            break
        body = area.sub(blen - head, f"{bwhere}: data")
        try:
            if btype == RIDGE_COUNT_BLOCK and method is None:
                method, counts = _read_ridge_counts(body, bwhere, issues)
            elif btype == CORE_DELTA_BLOCK and not cores and not deltas:
                cores, deltas = _read_core_delta(body, bwhere, unit)
            else:
                others.append((btype, bytes(body.buf[body.pos : body.end])))
        except InvalidTemplate as exc:
            issues.fix(bwhere, f"block type {btype} does not parse ({exc})", "keep it undecoded in other_blocks")
            others.append((btype, bytes(body.buf[body.pos : body.end])))
        k += 1
    return ExtendedData(method, counts, cores, deltas, tuple(others), inclusive)


def _read_ridge_counts(r: Reader, where: str, issues: Issues) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    method = r.u8(f"{where}: ridge count method")
    if r.left % 3:
        issues.fix(where, f"ridge count data of {r.left} bytes is not a whole number of 3-byte entries",
                   f"drop the last {r.left % 3} bytes")
    rec = r.records(r.left // 3, np.dtype("u1,u1,u1"), f"{where}: ridge counts")
    return method, tuple((int(a), int(b), int(c)) for a, b, c in rec.tolist())


def _read_points(r: Reader, where: str, name: str, unit: AngleUnit, n_angles: int) -> tuple[SingularPoint, ...]:
    info = r.u8(f"{where}: {name} count")
    flag_all = (info >> 6) == 1  # ANSI: information type in the count byte
    out = []
    for i in range(info & 0x0F):
        tx = r.u16(f"{where}: {name} {i} x")
        ty = r.u16(f"{where}: {name} {i} y")
        has = flag_all or (tx >> 14) == 1  # ISO: information type above x
        angles: tuple[float, ...] = ()
        if has:
            raw = np.frombuffer(r.take(n_angles, f"{where}: {name} {i} angle"), np.uint8)
            angles = tuple(float(a) for a in unit.to_rad(raw))
        out.append(SingularPoint(int(tx & MAX_COORD), int(ty & MAX_COORD), angles))
    return tuple(out)


def _read_core_delta(r: Reader, where: str, unit: AngleUnit):
    cores = _read_points(r, where, "core", unit, 1)
    deltas = _read_points(r, where, "delta", unit, 3)
    if r.left:
        raise InvalidTemplate(f"{r.fmt}: {where}: {r.left} bytes after the last delta")
    return cores, deltas


def write_extended(
    w: Writer, ext: ExtendedData, unit: AngleUnit, where: str, *, inclusive: bool | None = True
) -> None:
    """Write the extended data area; ``inclusive=None`` follows ``ext.lengths_include_header`` (ISO 2005)."""
    if inclusive is None:
        inclusive = ext.lengths_include_header
    blocks = Writer(w.fmt)
    if ext.ridge_count_method is not None:
        body = bytes([ext.ridge_count_method]) + b"".join(bytes(e) for e in ext.ridge_counts)
        _block(blocks, RIDGE_COUNT_BLOCK, body, where, inclusive)
    if ext.cores or ext.deltas:
        part = Writer(w.fmt)
        for name, points, n_angles in (("core", ext.cores, 1), ("delta", ext.deltas, 3)):
            has = bool(points) and all(len(p.angles) == n_angles for p in points)
            if len(points) > 15:
                raise InvalidTemplate(f"{w.fmt}: {where}: at most 15 {name}s, got {len(points)}")
            part.u8((0x40 if has else 0) | len(points), f"{where}: {name} count")
            for p in points:
                part.u16((0x4000 if has else 0) | _coord(p.x, w.fmt, where), f"{where}: {name} x")
                part.u16(_coord(p.y, w.fmt, where), f"{where}: {name} y")
                if has:
                    part.raw(unit.to_raw(np.asarray(p.angles)).tobytes())
        _block(blocks, CORE_DELTA_BLOCK, part.getvalue(), where, inclusive)
    for btype, data in ext.other_blocks:
        _block(blocks, btype, data, where, inclusive)
    body = blocks.getvalue()
    w.u16(len(body), f"{where}: extended data length")
    w.raw(body)


def _coord(v: int, fmt: str, where: str) -> int:
    if not 0 <= int(v) <= MAX_COORD:
        raise InvalidTemplate(f"{fmt}: {where}: coordinate {v} outside 0-{MAX_COORD}")
    return int(v)


def _block(w: Writer, btype: int, data: bytes, where: str, inclusive: bool) -> None:
    w.u16(btype, f"{where}: extended block type")
    w.u16(len(data) + (4 if inclusive else 0), f"{where}: extended block length")
    w.raw(data)


# --- record-level helpers --------------------------------------------------------------------

IMPRESSION_TYPES_V20 = frozenset({0, 1, 2, 3, 8, 9})


def as_buffer(data: bytes | bytearray | memoryview) -> memoryview:
    return memoryview(data).cast("B") if not isinstance(data, bytes) else memoryview(data)


def record_extent(declared: int, available: int, minimum: int, issues: Issues) -> int:
    """Where the record ends: the declared length if it agrees with the buffer, else (lenient) the buffer."""
    if declared == available:
        return available
    if declared < minimum:
        problem = f"record length field says {declared} bytes, less than the {minimum}-byte header"
    elif declared > available:
        problem = f"record length field says {declared} bytes but only {available} are present"
    else:
        problem = f"record length field says {declared} bytes but {available} are present ({available - declared} trailing)"
    issues.fix("header", problem, "read the views from the bytes present and ignore the length field")
    return available


def finish_record(r: Reader, declared: int, issues: Issues) -> None:
    """After the last view: bytes left over are trailing data (strict error, lenient ignore)."""
    if r.left:
        issues.fix(
            f"byte {r.pos}", f"{r.left} bytes after the last view (record length field says {declared})",
            "ignore them",
        )


def check_resolution(xres: int, yres: int, where: str, issues: Issues) -> tuple[int, int]:
    if xres == 0 or yres == 0:
        issues.fix(where, f"resolution {xres}x{yres} px/cm has a zero", "assume 197 px/cm (500 dpi)")
        xres, yres = xres or 197, yres or 197
    if ppcm_to_dpi(xres) > 65535:
        issues.fix(where, f"resolution {xres} px/cm exceeds the 65535 dpi a Template holds", "clip it")
        xres = 25801
    return xres, yres


def check_finger(code: int, where: str, issues: Issues) -> int:
    if code > 10:
        issues.fix(where, f"finger position {code} outside 0-10 (single fingers)", "read it as 0 (unknown)")
        return 0
    return code


def check_quality(q: int, where: str, issues: Issues, *, special: bool = False) -> int:
    if special and q in (254, 255):
        return 0
    if q > 100:
        issues.fix(where, f"finger quality {q} outside 0-100", "read it as 0 (unknown)")
        return 0
    return q


def view_plan(
    templates: list[Template], views: list | None, impression_type: int, device, fmt: str, *, max_view: int = 15,
) -> list:
    """One :class:`ViewInfo` per template: ``views`` supplies what a Template cannot hold.

    Template fields (finger, image quality, size, dpi) always win over ``views``; the resolution in
    px/cm is kept from ``views`` when it agrees with the template's dpi, else recomputed.
    """
    from dataclasses import replace

    from .report import CaptureDevice, ViewInfo

    from ..errors import InvalidArgument

    if views is not None:
        views = list(views)
        if len(views) != len(templates):
            raise InvalidArgument(f"views: expected one ViewInfo per template ({len(templates)}), got {len(views)}")
        for i, v in enumerate(views):
            if not isinstance(v, ViewInfo):
                raise InvalidArgument(f"views[{i}]: expected a ViewInfo, got {type(v).__name__}")
    if device is not None and not isinstance(device, CaptureDevice):
        raise InvalidArgument(f"device: expected a CaptureDevice, got {type(device).__name__}")
    seen: dict[int, int] = {}
    out = []
    for i, t in enumerate(templates):
        number = seen.get(t.finger, 0)
        seen[t.finger] = number + 1
        if views is None:
            v = ViewInfo(view_number=number, impression_type=impression_type, device=device or CaptureDevice())
        else:
            v = views[i]
        if ppcm_to_dpi(v.x_ppcm) == t.dpi:
            xres, yres = v.x_ppcm, v.y_ppcm
        else:
            xres = yres = dpi_to_ppcm(t.dpi)
        v = replace(v, finger=t.finger, finger_quality=t.image_quality, width=t.width, height=t.height,
                    x_ppcm=xres, y_ppcm=yres)
        if not 0 <= v.view_number <= max_view:
            raise InvalidTemplate(f"views[{i}].view_number: {fmt} holds 0-{max_view}, got {v.view_number}")
        check_encodable(t, i, fmt)
        out.append(v)
    return out


def check_shared_image(templates: list[Template], fmt: str) -> None:
    """ISO 2005 and ANSI 2004 hold one image size and resolution per record."""
    t0 = templates[0]
    for i, t in enumerate(templates[1:], 1):
        if (t.width, t.height, t.dpi) != (t0.width, t0.height, t0.dpi):
            raise InvalidTemplate(
                f"templates[{i}]: {fmt} holds one image size and resolution per record; templates[0] is "
                f"{t0.width}x{t0.height} px at {t0.dpi} dpi, templates[{i}] is {t.width}x{t.height} px at {t.dpi} dpi "
                "(encode them as separate records)"
            )


def read_view_v20(
    r: Reader, k: int, issues: Issues, *, unit: AngleUnit, width: int, height: int, xres: int, yres: int,
    dpi: int, device, inclusive: bool | None = True,
):
    """One finger view of ISO 19794-2:2005 / ANSI 378-2004: 4-byte header, minutiae, extended data."""
    from .report import ViewInfo

    where = f"view {k}"
    start = r.pos
    code = r.u8(f"{where}: finger position")
    vi = r.u8(f"{where}: view number and impression type")
    fq = r.u8(f"{where}: finger quality")
    n = r.u8(f"{where}: minutia count")
    finger = check_finger(code, f"{where} at byte {start}", issues)
    impression = vi & 0x0F
    if impression not in IMPRESSION_TYPES_V20:
        issues.fix(f"{where} at byte {start + 1}", f"impression type {impression} is not a defined code", "keep the code")
    quality = check_quality(fq, f"{where} at byte {start + 2}", issues)
    m = read_minutiae(r, n, where, issues, unit=unit, width=width, height=height)
    ext = read_extended(r, where, issues, unit=unit, inclusive=inclusive)
    info = ViewInfo(
        finger=code, view_number=vi >> 4, impression_type=impression, finger_quality=fq, width=m.width,
        height=m.height, x_ppcm=xres, y_ppcm=yres, device=device, extended=ext,
    )
    return m.to_template(dpi=dpi, finger=finger, image_quality=quality), info


def write_view_v20(w: Writer, t: Template, v, unit: AngleUnit, k: int, *, inclusive: bool | None = True) -> None:
    where = f"view {k}"
    w.u8(t.finger, f"{where}: finger position")
    if not 0 <= v.impression_type <= 15:
        raise InvalidTemplate(f"{w.fmt}: {where}: impression type must be 0-15, got {v.impression_type}")
    w.u8((v.view_number << 4) | v.impression_type, f"{where}: view number and impression type")
    w.u8(t.image_quality, f"{where}: finger quality")
    w.u8(len(t), f"{where}: minutia count")
    write_minutiae(w, t, unit)
    write_extended(w, v.extended, unit, where, inclusive=inclusive)


def encode_v20_views(
    templates: list[Template], views, impression_type: int, device, fmt: str, unit: AngleUnit,
    *, inclusive: bool | None = True,
) -> tuple[list, Writer]:
    """The finger views of an ISO 2005 / ANSI 2004 record: (view plan, written view bytes).

    Checks what both formats share: one image size and resolution per record, at most 255 views,
    certification 0-15 and device id 0-4095 in the capture-equipment field.
    """
    check_shared_image(templates, fmt)
    plan = view_plan(templates, views, impression_type, device, fmt)
    if len(plan) > 255:
        raise InvalidTemplate(f"templates: {fmt} holds at most 255 views, got {len(plan)}")
    dev = plan[0].device
    if not 0 <= dev.certification <= 15 or not 0 <= dev.device_id <= 0x0FFF:
        raise InvalidTemplate(
            f"device: {fmt} holds certification 0-15 and device_id 0-4095, got {dev.certification}, {dev.device_id}"
        )
    body = Writer(fmt)
    for k, (t, v) in enumerate(zip(templates, plan)):
        write_view_v20(body, t, v, unit, k, inclusive=inclusive)
    return plan, body


def read_v20_image_header(r: Reader, issues: Issues) -> tuple[int, int, int, int, int, int]:
    """Read what :func:`write_v20_image_header` writes: equipment, width, height, x / y px/cm, view count."""
    equipment = r.u16("header: capture equipment")
    width = r.u16("header: image width")
    height = r.u16("header: image height")
    at = r.pos
    xres = r.u16("header: x resolution")
    yres = r.u16("header: y resolution")
    n_views = r.u8("header: number of views")
    reserved = r.u8("header: reserved byte")
    if reserved:
        issues.fix(f"byte {r.pos - 1}", f"reserved byte is {reserved}, expected 0", "ignore it")
    xres, yres = check_resolution(xres, yres, f"header at byte {at}", issues)
    return equipment, width, height, xres, yres, n_views


def write_v20_image_header(w: Writer, templates: list[Template], plan: list, body: Writer) -> None:
    """Capture equipment, image size, resolution and view count shared by ISO 2005 and ANSI 2004, then the views."""
    dev = plan[0].device
    w.u16((dev.certification << 12) | dev.device_id, "capture equipment")
    t0, v0 = templates[0], plan[0]
    w.u16(t0.width, "image width")
    w.u16(t0.height, "image height")
    w.u16(v0.x_ppcm, "x resolution")
    w.u16(v0.y_ppcm, "y resolution")
    w.u8(len(plan), "number of views")
    w.u8(0, "reserved")
    w.raw(body.getvalue())


def open_record(data, fmt: str, magic: bytes, version: bytes, read_as: str, strict: bool) -> tuple[Reader, Issues, memoryview]:
    """Start decoding a minutiae record: check the format identifier, tolerate a wrong version.

    Returns the reader (positioned after the 8 identifier/version bytes), the repair log and the
    buffer. A wrong format identifier is an error; a wrong version is a repair (``read_as`` says how
    the record is then read).
    """
    buf = as_buffer(data)
    issues = Issues(fmt, strict)
    r = Reader(buf, fmt)
    got = r.take(4, "header: format identifier")
    if got != magic:
        raise InvalidTemplate(f"{fmt}: byte 0: expected format identifier {magic!r}, got {got!r}")
    got = r.take(4, "header: version")
    if got != version:
        issues.fix("byte 4", f"version {got!r}, expected {version!r}", f"read it as {read_as}")
    return r, issues, buf
