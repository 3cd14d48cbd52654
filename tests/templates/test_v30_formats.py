"""ISO/IEC 19794-2:2011 and ANSI INCITS 378-2009 (+AM1): hand-checked bytes, known answers, quirks."""

from __future__ import annotations

import base64

import pytest

import biocore
from biocore.errors import InvalidTemplate
from biocore.templates import CaptureDevice, ViewInfo

from .test_iso_ansi_v20 import _check_against_json
from .vectors import fingerprintio, hand_template, raw_angles, shared_file

ISO2011_HAND = bytes.fromhex(
    "464d5200" "30333000" "00000048" "0001" "00"   # FMR, "030", record length 72, 1 representation, not certified
    "00000039"                                     # representation length 57
    "ffffffffffffffffff"                           # capture date and time not given
    "00" "0000" "0000"                             # device technology, vendor, type
    "01" "5a00000000"                              # one quality block: 90, vendor 0, algorithm 0
    "07" "00" "00c5" "00c5" "00" "0200" "0200"     # left index, representation 0, 197 px/cm, live plain, 512x512
    "60" "03"                                      # 6-byte minutiae, ending type 0; 3 minutiae
    "4064000e505a" "80370012105a" "000000000000"
    "0000"
)

ANSI2009_HAND = bytes.fromhex(
    "464d5200" "30333000" "0000003a"               # FMR, "030", record length 58
    "0000" "0000" "00" "0000" "01" "00"            # CBEFF owner/type, compliance, equipment ID, 1 view, reserved
    "07" "00" "00" "5a" "0000" "0000"              # left index, view 0, live plain, quality 90, quality vendor/algorithm
    "0200" "0200" "00c5" "00c5" "03"
    "4064000e385a" "803700120b5a" "000000000000"
    "0000"
)


@pytest.mark.parametrize("fmt, expected", [
    ("iso19794-2:2011", ISO2011_HAND),
    ("ansi378:2009", ANSI2009_HAND),
    ("ansi378:2009am1", ANSI2009_HAND[:6] + b"5" + ANSI2009_HAND[7:]),
])
def test_encoding_matches_hand_checked_bytes_and_detects(fmt, expected):
    assert biocore.templates.encode(hand_template(), fmt) == expected
    report = biocore.templates.decode_report(expected)
    assert report.format == fmt and report.repairs == []
    [t] = report.templates
    assert raw_angles(t, fmt) == raw_angles(hand_template(), fmt)
    assert (t.x.tolist(), t.kind.tolist(), t.finger, t.image_quality, t.dpi) == ([100, 55, 0], [1, 2, 0], 7, 90, 500)


@pytest.mark.parametrize("name, fmt", [
    ("iso19794p2v2011-sample", "iso19794-2:2011"),
    ("ansi378v2009am1-sample", "ansi378:2009am1"),
])
def test_fingerprintio_samples_known_answers_and_exact_reencoding(name, fmt):
    data, doc = fingerprintio(name)
    report = biocore.templates.decode_report(data)
    assert report.format == fmt and report.repairs == []
    _check_against_json(report.templates, report.views, doc, fmt, header_level=False)
    for t, fp in zip(report.templates, doc["fingerprints"]):
        assert raw_angles(t, fmt) == [m["angle"] for m in fp["minutiae"]]
    assert biocore.templates.encode(report.templates, fmt, views=report.views) == data


def test_iso2011_sample_metadata():
    data, doc = fingerprintio("iso19794p2v2011-sample")
    report = biocore.templates.decode_report(data)
    for t, v, fp in zip(report.templates, report.views, doc["fingerprints"]):
        dt = fp["datetime"]
        assert v.capture_time == (dt["year"], dt["month"], dt["day"], dt["hour"], dt["minute"], dt["second"], dt["millisecond"])
        assert v.device == CaptureDevice(device_id=fp["sensorId"], vendor_id=fp["sensorVendor"])
        assert v.quality_blocks == tuple((q["quality"], q["vendor"], q["algorithm"]) for q in fp["qrecords"])
        assert t.image_quality == fp["qrecords"][0]["quality"]
        blocks = [(e["type"], base64.b64decode(e["data"])) for e in fp["extensions"]]
        assert list(v.extended.other_blocks) == blocks
        if fp["counts"]:
            assert v.extended.ridge_counts == tuple((e["from"], e["to"], e["count"]) for e in fp["counts"]["edges"])


def test_ansi2009_sample_metadata_and_length_quirk():
    data, doc = fingerprintio("ansi378v2009-sample")
    with pytest.raises(InvalidTemplate, match="record length field says 363 bytes but 364"):
        biocore.templates.decode(data)
    report = biocore.templates.decode_report(data, strict=False)
    assert report.format == "ansi378:2009" and len(report.repairs) == 1
    _check_against_json(report.templates, report.views, doc, "ansi378:2009", header_level=False)
    for t, v, fp in zip(report.templates, report.views, doc["fingerprints"]):
        assert raw_angles(t, "ansi378:2009") == [m["angle"] for m in fp["minutiae"]]
        assert v.quality_blocks == ((fp["quality"], fp["qualityVendorId"], fp["qualityAlgorithmId"]),)
        assert v.device == CaptureDevice(device_id=doc["sensorId"], vendor_id=doc["vendorId"], product_type=doc["subformat"])
        if fp["counts"]:
            assert v.extended.ridge_count_method == 1
            assert v.extended.ridge_counts == tuple((e["from"], e["to"], e["count"]) for e in fp["counts"]["edges"])


def test_nist_libbiomeval_ansi2007_draft_layout():
    """REFERENCE ANSI2007 tests open view 1 of fmr.ansi2007 (20-byte header of the 2007 drafts)."""
    data = shared_file("nist_libbiomeval", "fmr.ansi2007").read_bytes()
    with pytest.raises(InvalidTemplate):
        biocore.templates.decode(data)
    report = biocore.templates.decode_report(data, strict=False)
    assert "378-2007" in report.repairs[0].action
    t, v = report.templates[0], report.views[0]
    assert (t.finger, v.impression_type, t.image_quality, v.device.device_id) == (7, 0, 90, 0xB5)
    assert (t.width, t.height, v.x_ppcm, v.y_ppcm, len(t)) == (512, 512, 197, 197, 27)
    assert (t.x[0], t.y[0], t.kind[0], t.quality[0], raw_angles(t, "ansi378:2009")[0]) == (100, 14, 1, 90, 56)
    assert (t.x[-1], t.y[-1], t.kind[-1], t.quality[-1], raw_angles(t, "ansi378:2009")[-1]) == (126, 115, 2, 30, 86)
    assert not v.extended


def test_per_view_images_are_allowed_in_v30_formats():
    t = hand_template()
    other = biocore.Template(x=[5], y=[6], angle=[1.0], width=300, height=400, dpi=1000, finger=2)
    for fmt in ("iso19794-2:2011", "ansi378:2009", "ansi378:2009am1"):
        a, b = biocore.templates.decode(biocore.templates.encode([t, other], fmt))
        assert (b.width, b.height, b.dpi) == (300, 400, 1000) and a.width == 512


def test_iso2011_metadata_round_trips():
    t = hand_template()
    v = ViewInfo(view_number=2, impression_type=24, quality_blocks=((90, 0x0101, 7), (40, 2, 3)),
                 capture_time=(2024, 1, 2, 3, 4, 5, 600), ending_type=1, certifications=((0x1234, 5),),
                 device=CaptureDevice(device_id=9, vendor_id=0xABCD, technology=3))
    r = biocore.templates.decode_report(biocore.templates.encode(t, "iso19794-2:2011", views=[v]))
    got = r.views[0]
    assert (got.view_number, got.impression_type, got.quality_blocks, got.capture_time, got.ending_type) == (
        2, 24, v.quality_blocks, v.capture_time, 1)
    assert got.certifications == v.certifications and got.device == CaptureDevice(9, 1, 0xABCD, 0, 3)


def test_iso2011_five_byte_minutiae_decode_without_quality():
    data = bytearray(ISO2011_HAND)
    i = data.index(bytes.fromhex("6003"))
    body = bytes.fromhex("4064000e50" "8037001210" "0000000000")
    rec = bytes(data[: i]) + b"\x50\x03" + body + b"\x00\x00"
    rec = rec[:8] + len(rec).to_bytes(4, "big") + rec[12:15] + (len(rec) - 15).to_bytes(4, "big") + rec[19:]
    [t] = biocore.templates.decode(rec)
    assert t.quality.tolist() == [0, 0, 0] and t.x.tolist() == [100, 55, 0]


@pytest.mark.parametrize("data", [ISO2011_HAND, ANSI2009_HAND])
def test_every_truncation_raises_invalid_template(data):
    fmt = biocore.templates.decode_report(data).format
    for n in range(len(data)):
        for strict in (True, False):
            with pytest.raises(InvalidTemplate):
                biocore.templates.decode(data[:n], fmt, strict=strict)
