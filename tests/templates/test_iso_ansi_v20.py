"""ISO/IEC 19794-2:2005 and ANSI INCITS 378-2004: hand-checked bytes, known answers, quirks, errors."""

from __future__ import annotations

import numpy as np
import pytest

import biocore
from biocore.errors import InvalidTemplate
from biocore.templates import CaptureDevice, ExtendedData, SingularPoint, ViewInfo

from .vectors import fingerprintio, hand_template, raw_angles, shared_file

ISO2005_HAND = bytes.fromhex(
    "464d5200" "20323000" "00000030"          # FMR, " 20", record length 48
    "0000" "0200" "0200" "00c5" "00c5" "01" "00"  # equipment, 512x512, 197 px/cm, 1 view
    "07" "00" "5a" "03"                        # left index, view 0 / live plain, quality 90, 3 minutiae
    "4064000e505a"                             # ending (100, 14), 112.5 deg = 80 x 1.40625, q 90
    "80370012105a"                             # bifurcation (55, 18), 22.5 deg = 16 steps, q 90
    "000000000000"                             # other (0, 0), 0 deg, q 0
    "0000"                                     # no extended data
)

ANSI2004_HAND = bytes.fromhex(
    "464d5200" "20323000" "0032"               # FMR, " 20", record length 50
    "00000000" "0000"                          # CBEFF product id, equipment
    "0200" "0200" "00c5" "00c5" "01" "00"
    "07" "00" "5a" "03"
    "4064000e385a"                             # 112.5 deg / 2 = 56.25 -> 56
    "803700120b5a"                             # 22.5 deg / 2 = 11.25 -> 11
    "000000000000"
    "0000"
)


@pytest.mark.parametrize("fmt, expected", [("iso19794-2:2005", ISO2005_HAND), ("ansi378:2004", ANSI2004_HAND)])
def test_encoding_matches_hand_checked_bytes(fmt, expected):
    assert biocore.templates.encode(hand_template(), fmt) == expected


@pytest.mark.parametrize("fmt, data", [("iso19794-2:2005", ISO2005_HAND), ("ansi378:2004", ANSI2004_HAND)])
def test_hand_checked_bytes_decode_and_are_detected(fmt, data):
    report = biocore.templates.decode_report(data)
    assert report.format == fmt
    [t] = report.templates
    ref = hand_template()
    assert (t.x.tolist(), t.y.tolist(), t.kind.tolist(), t.quality.tolist()) == ([100, 55, 0], [14, 18, 0], [1, 2, 0], [90, 90, 0])
    assert (t.width, t.height, t.dpi, t.finger, t.image_quality) == (512, 512, 500, 7, 90)
    assert raw_angles(t, fmt) == raw_angles(ref, fmt)
    if fmt.startswith("iso"):
        assert t == ref  # 112.5 and 22.5 degrees sit on ISO's grid
    assert report.views[0].x_ppcm == 197 and report.repairs == []


def test_ansi_long_length_form_round_trips():
    t = biocore.Template(x=np.arange(255) % 500, y=np.arange(255), angle=np.zeros(255), width=512, height=512)
    data = biocore.templates.encode([t.replace(finger=i % 11) for i in range(50)], "ansi378:2004")  # > 64 KiB: the 6-byte length form
    assert data[8:10] == b"\0\0" and int.from_bytes(data[10:14], "big") == len(data)
    assert biocore.templates.decode(data) == biocore.templates.decode(data, "ansi378:2004")
    assert len(biocore.templates.decode(data)) == 50


def _check_against_json(templates, views, doc, fmt, *, header_level=True):
    assert len(templates) == len(doc["fingerprints"])
    for t, v, fp in zip(templates, views, doc["fingerprints"]):
        ms = fp["minutiae"]
        assert t.x.tolist() == [m["positionX"] for m in ms]
        assert t.y.tolist() == [m["positionY"] for m in ms]
        assert t.quality.tolist() == [m["quality"] for m in ms]
        kinds = {"OTHER": 0, "EITHER": 0, "ENDING": 1, "BIFURCATION": 2}
        assert t.kind.tolist() == [kinds[m["type"]] for m in ms]
        assert v.view_number == fp["view"]
        src = doc if header_level else fp
        assert (t.width, t.height, v.x_ppcm, v.y_ppcm) == (src["width"], src["height"], src["resolutionX"], src["resolutionY"])
        assert v.impression_type == 0 and fp["scanType"] == "LIVE_PLAIN"
    positions = {"LEFT_INDEX": 7, "RIGHT_INDEX": 2}
    assert [t.finger for t in templates] == [positions[fp["position"]] for fp in doc["fingerprints"]]


def test_iso2005_fingerprintio_sample_known_answers():
    data, doc = fingerprintio("iso19794p2v2005-sample")
    report = biocore.templates.decode_report(data)
    assert report.format == "iso19794-2:2005" and report.repairs == []
    _check_against_json(report.templates, report.views, doc, "iso19794-2:2005")
    for t, fp in zip(report.templates, doc["fingerprints"]):
        assert raw_angles(t, "iso19794-2:2005") == [m["angle"] for m in fp["minutiae"]]
        assert t.image_quality == fp["quality"]
    assert report.views[0].device == CaptureDevice(device_id=doc["sensorId"])
    [(btype, blob)] = report.views[1].extended.other_blocks
    assert btype == doc["fingerprints"][1]["extensions"][0]["type"]
    import base64

    assert blob == base64.b64decode(doc["fingerprints"][1]["extensions"][0]["data"])
    # Re-encoding with the decoded views reproduces the file byte for byte.
    assert biocore.templates.encode(report.templates, "iso19794-2:2005", views=report.views) == data


def test_ansi2004_fingerprintio_sample_needs_and_reports_repairs():
    data, doc = fingerprintio("ansi378v2004-sample")
    with pytest.raises(InvalidTemplate, match=r"byte 4: version b'020\\x00'"):
        biocore.templates.decode(data)
    report = biocore.templates.decode_report(data, strict=False)
    assert report.format == "ansi378:2004"
    problems = " | ".join(r.problem for r in report.repairs)
    assert "version" in problems and "says 340 bytes but 342" in problems and "angle 213 outside 0-179" in problems
    _check_against_json(report.templates, report.views, doc, "ansi378:2004")
    assert report.views[0].device == CaptureDevice(device_id=181, vendor_id=66, product_type=17)
    # The file's angles are ISO steps in an ANSI record: lenient decoding reads view 1 (raw up to 249) as such,
    # so both views agree with the ISO sample of the same fingers.
    iso = biocore.templates.decode(fingerprintio("iso19794p2v2005-sample")[0])
    assert [t.angle.tolist() for t in report.templates][1] == iso[1].angle.tolist()
    assert report.views[1].extended.ridge_count_method == 1
    assert report.views[1].extended.ridge_counts[0] == (68, 188, 54)


def test_nist_annex_examples_decode_with_reported_padding():
    folder = shared_file("nist_biomdi", "Sampledata", "fingerminutia")
    iso = (folder / "ISO-19794-2_2005" / "Appendix-C2_Example.raw").read_bytes()
    with pytest.raises(InvalidTemplate, match="record length field says 340 bytes but 341"):
        biocore.templates.decode(iso)
    report = biocore.templates.decode_report(iso, strict=False)
    assert [len(t) for t in report.templates] == [27, 22]
    ansi = biocore.templates.decode_report((folder / "ANSI-INCITS-378_2004" / "Appendix-B2_Example.raw").read_bytes(), strict=False)
    assert ansi.format == "ansi378:2004" and [len(t) for t in ansi.templates] == [27, 22]
    # Same minutiae in both annexes: positions, types and qualities agree; angles within one ANSI step.
    for a, b in zip(ansi.templates, report.templates):
        assert (a.x.tolist(), a.y.tolist(), a.kind.tolist()) == (b.x.tolist(), b.y.tolist(), b.kind.tolist())
        diff = np.angle(np.exp(1j * (a.angle.astype(float) - b.angle.astype(float))))
        assert np.max(np.abs(diff)) <= np.deg2rad(2.0)
    assert raw_angles(ansi.templates[0], "ansi378:2004")[0] == 56  # MANIFEST: first minutia raw 56 = 112 deg
    assert raw_angles(report.templates[0], "iso19794-2:2005")[0] == 80


def test_fingerjetfx_templates_decode_strictly():
    folder = shared_file("fingerjetfx_ose_minex_samples")
    files = sorted(folder.glob("*.ist"))
    assert files
    for path in files:
        report = biocore.templates.decode_report(path.read_bytes())
        [t] = report.templates
        assert report.format == "iso19794-2:2005" and 37 <= len(t) <= 68
        assert t.finger == 0 and t.image_quality == 60 and report.views[0].x_ppcm == 197


def test_sourceafis_zero_padded_templates_decode_leniently():
    folder = shared_file("machinezoo_sourceafis_java")
    probe = (folder / "iso-probe.dat").read_bytes()
    with pytest.raises(InvalidTemplate, match="263 bytes but 384"):
        biocore.templates.decode(probe)
    [t] = biocore.templates.decode(probe, strict=False)
    assert (t.width, t.height, len(t)) == (224, 288, 38)
    [n] = biocore.templates.decode((folder / "iso-nonmatching.dat").read_bytes(), strict=False)
    assert (n.width, n.height, len(n)) == (208, 320, 39)


def test_metadata_round_trips_through_views():
    t = hand_template()
    ext = ExtendedData(
        ridge_count_method=2, ridge_counts=((0, 1, 4), (1, 2, 7)),
        cores=(SingularPoint(200, 210, (np.deg2rad(90.0),)),),
        deltas=(SingularPoint(100, 400, tuple(np.deg2rad([0.0, 120.0, 240.0]))), SingularPoint(300, 400)),
        other_blocks=((0x0103, b"vendor"),),
    )
    views = [ViewInfo(view_number=3, impression_type=1, extended=ext, device=CaptureDevice(device_id=0xB5, certification=8))]
    for fmt in ("iso19794-2:2005", "ansi378:2004"):
        report = biocore.templates.decode_report(biocore.templates.encode(t, fmt, views=views))
        v = report.views[0]
        assert (v.view_number, v.impression_type, v.device.device_id, v.device.certification) == (3, 1, 0xB5, 8)
        assert v.extended.ridge_counts == ext.ridge_counts and v.extended.other_blocks == ext.other_blocks
        assert [(p.x, p.y, len(p.angles)) for p in v.extended.deltas] == [(100, 400, 0), (300, 400, 0)]
        assert np.allclose(v.extended.cores[0].angles, ext.cores[0].angles)


def test_views_default_to_numbering_per_finger():
    t = hand_template()
    report = biocore.templates.decode_report(biocore.templates.encode([t, t.replace(finger=2), t], "iso19794-2:2005"))
    assert [v.view_number for v in report.views] == [0, 0, 1]
    assert [v.finger for v in report.views] == [7, 2, 7]


def test_record_level_formats_refuse_views_of_different_images():
    t = hand_template()
    with pytest.raises(InvalidTemplate, match=r"templates\[1\].*one image size and resolution per record"):
        biocore.templates.encode([t, t.replace(width=600)], "iso19794-2:2005")


def test_encode_refuses_what_the_format_cannot_hold():
    big = biocore.Template(x=np.arange(256), y=np.arange(256), angle=np.zeros(256))
    with pytest.raises(InvalidTemplate, match="at most 255 minutiae"):
        biocore.templates.encode(big, "iso19794-2:2005")
    far = biocore.Template(x=[20000], y=[5], angle=[0.0])
    with pytest.raises(InvalidTemplate, match="x up to 16383"):
        biocore.templates.encode(far, "ansi378:2004")


@pytest.mark.parametrize("fmt, data", [("iso19794-2:2005", ISO2005_HAND), ("ansi378:2004", ANSI2004_HAND)])
def test_every_truncation_raises_invalid_template(fmt, data):
    for n in range(len(data)):
        with pytest.raises(InvalidTemplate):
            biocore.templates.decode(data[:n], fmt)
        with pytest.raises(InvalidTemplate):
            biocore.templates.decode(data[:n], fmt, strict=False)


def test_errors_say_what_and_where():
    bad = bytearray(ISO2005_HAND)
    bad[28] = 0xC0 | bad[28]  # first minutia's type bits -> 11 (reserved)
    with pytest.raises(InvalidTemplate, match=r"view 0: minutia 0: type bits 11 are reserved"):
        biocore.templates.decode(bytes(bad))
    report = biocore.templates.decode_report(bytes(bad), strict=False)
    assert report.templates[0].kind[0] == 0 and "type 'other'" in report.repairs[0].action
    bad = bytearray(ISO2005_HAND)
    bad[27] = 200  # minutia count 200 with 3 present
    with pytest.raises(InvalidTemplate, match=r"truncated view 0: minutiae \(200 x 6 bytes\) at byte 28"):
        biocore.templates.decode(bytes(bad), strict=False)
    bad = bytearray(ISO2005_HAND)
    bad[28:30] = (0x40 | 0x3F, 0xFF)  # x = 16383 outside width 512
    with pytest.raises(InvalidTemplate, match="x 16383 outside the image width 512"):
        biocore.templates.decode(bytes(bad))
    assert biocore.templates.decode(bytes(bad), strict=False)[0].width == 16384


def test_nist_libbiomeval_ansi2004_reference_expectations():
    """REFERENCE_test_be_finger_incitsviews.cpp: view 3 of fmr.ansi2004."""
    data = shared_file("nist_libbiomeval", "fmr.ansi2004").read_bytes()
    with pytest.raises(InvalidTemplate, match="view 2: extended block 1"):
        biocore.templates.decode(data)  # its core/delta block is 2 bytes longer than declared
    report = biocore.templates.decode_report(data, strict=False)
    t, v = report.templates[2], report.views[2]
    assert (t.finger, v.impression_type, t.image_quality, v.device.device_id) == (3, 1, 69, 0xB5)  # right middle, rolled
    assert (t.width, t.height, v.x_ppcm, v.y_ppcm) == (512, 512, 197, 197)
    assert len(t) == 28
    assert (t.x[0], t.y[0], t.kind[0], t.quality[0], raw_angles(t, "ansi378:2004")[0]) == (26, 216, 1, 0, 34)
    assert (t.x[-1], t.y[-1], t.kind[-1], t.quality[-1], raw_angles(t, "ansi378:2004")[-1]) == (90, 158, 1, 0, 140)
    ext = v.extended
    assert ext.ridge_count_method == 2 and len(ext.ridge_counts) == 224  # eight-neighbour
    assert ext.ridge_counts[0] == (1, 2, 1) and ext.ridge_counts[-1] == (28, 5, 5)
    to_raw = lambda a: round(np.degrees(a) / 2) % 180  # noqa: E731
    assert [(c.x, c.y, to_raw(c.angles[0])) for c in ext.cores] == [(150, 250, 90), (100, 150, 45)]
    assert len(ext.deltas) == 4
    assert (ext.deltas[0].x, ext.deltas[0].y, [to_raw(a) for a in ext.deltas[0].angles]) == (143, 232, [100, 110, 120])
    assert (ext.deltas[-1].x, ext.deltas[-1].y, [to_raw(a) for a in ext.deltas[-1].angles]) == (130, 319, [57, 67, 77])


def test_nist_libbiomeval_iso2005_reference_view():
    data = shared_file("nist_libbiomeval", "fmr.iso2005").read_bytes()
    report = biocore.templates.decode_report(data, strict=False)
    t, v = report.templates[1], report.views[1]
    assert (t.width, t.height, v.x_ppcm, v.y_ppcm, v.device.device_id) == (512, 512, 197, 197, 0xB5)
    assert (t.finger, v.impression_type, t.image_quality, len(t)) == (2, 0, 70, 22)  # right index, live plain
    assert (t.x[0], t.y[0], t.kind[0], t.quality[0], raw_angles(t, "iso19794-2:2005")[0]) == (40, 93, 1, 90, 0)
    assert (t.x[-1], t.y[-1], t.kind[-1], t.quality[-1], raw_angles(t, "iso19794-2:2005")[-1]) == (125, 73, 2, 40, 249)
    assert v.extended.ridge_counts == ()
    to_raw = lambda a: round(np.degrees(a) / (360 / 256)) % 256  # noqa: E731
    assert [(c.x, c.y, to_raw(c.angles[0])) for c in v.extended.cores] == [(150, 250, 90), (100, 150, 45)]
    assert [to_raw(a) for a in v.extended.deltas[0].angles] == [100, 110, 120]
    assert [(d.x, d.y, len(d.angles)) for d in v.extended.deltas] == [(143, 232, 3), (103, 104, 0), (136, 214, 3), (130, 319, 3)]


def test_nist_annex_angles_support_round_to_nearest():
    """The standards' annex examples hold the same minutiae in ISO (360/256 deg) and ANSI (2 deg) units.

    Rounding to the nearest step in both (what biocore writes) leaves every one of the 49 minutiae
    with a common true angle; truncating in both does not.
    """
    folder = shared_file("nist_biomdi", "Sampledata", "fingerminutia")
    iso = biocore.templates.decode((folder / "ISO-19794-2_2005" / "Appendix-C2_Example.raw").read_bytes(), strict=False)
    ansi = biocore.templates.decode((folder / "ANSI-INCITS-378_2004" / "Appendix-B2_Example.raw").read_bytes())
    ri = np.array([a for t in iso for a in raw_angles(t, "iso19794-2:2005")], float) * (360 / 256)
    ra = np.array([a for t in ansi for a in raw_angles(t, "ansi378:2004")], float) * 2.0

    def consistent(iso_lo, iso_hi, ansi_lo, ansi_hi):
        return int(np.sum(np.maximum(ri + iso_lo, ra + ansi_lo) < np.minimum(ri + iso_hi, ra + ansi_hi) + 1e-9))

    u = 360 / 256
    assert consistent(-u / 2, u / 2, -1.0, 1.0) == len(ri) == 49
    assert consistent(0.0, u, 0.0, 2.0) < 49
