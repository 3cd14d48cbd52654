"""``biocore convert``: round trips through files, lenient repairs, errors as one line with status 2."""

from __future__ import annotations

import json

import biocore
from biocore.cli import main

from .test_iso_ansi_v20 import ISO2005_HAND
from .vectors import hand_template


def test_convert_between_formats(tmp_path, capsys):
    src = tmp_path / "in.ist"
    src.write_bytes(ISO2005_HAND)
    for fmt in biocore.templates.formats():
        out = tmp_path / f"out.{fmt.replace(':', '_')}"
        assert main(["convert", str(src), str(out), "--to", fmt, "--json"]) == 0
        summary = json.loads(capsys.readouterr().out)
        assert summary["from"] == "iso19794-2:2005" and summary["to"] == fmt and summary["minutiae"] == [3]
        [t] = biocore.templates.decode(out.read_bytes(), fmt)
        assert t.x.tolist() == hand_template().x.tolist()


def test_convert_needs_lenient_for_quirks(tmp_path, capsys):
    bad = bytearray(ISO2005_HAND) + b"\0\0"  # zero padding after the record
    src = tmp_path / "padded.ist"
    src.write_bytes(bytes(bad))
    out = tmp_path / "out.bin"
    assert main(["convert", str(src), str(out), "--to", "biocore"]) == 2
    assert "trailing" in capsys.readouterr().err and not out.exists()
    assert main(["convert", str(src), str(out), "--to", "biocore", "--lenient"]) == 0
    assert "note:" in capsys.readouterr().err
    assert biocore.templates.decode(out.read_bytes()) == biocore.templates.decode(ISO2005_HAND)


def test_convert_reports_unknown_format_and_missing_file(tmp_path, capsys):
    assert main(["convert", str(tmp_path / "nope"), str(tmp_path / "o"), "--to", "biocore"]) == 2
    assert "IN: cannot read" in capsys.readouterr().err
    src = tmp_path / "in.ist"
    src.write_bytes(ISO2005_HAND)
    assert main(["convert", str(src), str(tmp_path / "o"), "--to", "iso19794-2:1999"]) == 2
    assert "fmt: expected one of" in capsys.readouterr().err
