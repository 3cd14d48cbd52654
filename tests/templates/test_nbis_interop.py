"""Interop with NBIS through nbis-python (skipped when it is not installed)."""

from __future__ import annotations

import struct

import numpy as np
import pytest

import biocore

from .test_iso_ansi_v20 import ISO2005_HAND


def _nbis_layout(record: bytes) -> bytes:
    """nbis-python 0.1.8 reads ISO 2005 views without the finger position / view byte pair."""
    body = record[:24] + record[26:]
    return body[:8] + struct.pack(">I", len(body)) + body[12:]


def test_biocore_iso2005_records_load_in_nbis():
    nbis = pytest.importorskip("nbis")
    ex = nbis.new_nbis_extractor(nbis.NbisExtractorSettings(
        min_quality=0.0, get_center=False, check_fingerprint=False, compute_nfiq2=False, ppi=500.0))
    rng = np.random.default_rng(5)
    t = biocore.Template(x=rng.integers(0, 400, 30), y=rng.integers(0, 400, 30), angle=rng.uniform(0, 2 * np.pi, 30),
                         kind=rng.integers(1, 3, 30), quality=rng.integers(1, 101, 30), width=400, height=400)
    ms = ex.load_iso_19794_2_2005(_nbis_layout(biocore.templates.encode(t, "iso19794-2:2005")))
    got = ms.get()
    assert [(m.x(), m.y()) for m in got] == list(zip(t.x.tolist(), t.y.tolist()))
    diff = [abs((m.angle() - np.degrees(a) + 180) % 360 - 180) for m, a in zip(got, t.angle.tolist())]
    assert max(diff) <= 11.25 / 2 + 1.40625  # NBIS keeps 11.25-degree directions
    other = t.replace(x=(t.x * 7 + 13) % 400, y=(t.y * 3 + 101) % 400)
    other_ms = ex.load_iso_19794_2_2005(_nbis_layout(biocore.templates.encode(other, "iso19794-2:2005")))
    assert ms.compare(ms) > 2 * ms.compare(other_ms)


def test_nbis_python_layout_is_a_lenient_repair():
    # header declaring 0 views, then [finger quality][count][minutiae] with no extended-data length
    rec = ISO2005_HAND[:22] + b"\0\0" + bytes([90, 3]) + ISO2005_HAND[28:-2]
    rec = rec[:8] + len(rec).to_bytes(4, "big") + rec[12:]
    with pytest.raises(biocore.errors.InvalidTemplate, match="after the last view"):
        biocore.templates.decode(rec)
    report = biocore.templates.decode_report(rec, strict=False)
    [t] = report.templates
    assert t.x.tolist() == [100, 55, 0] and t.image_quality == 90 and "nbis-python" in report.repairs[0].problem
