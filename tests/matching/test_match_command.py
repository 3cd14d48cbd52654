"""`biocore match`: two images or template files -> score, decision, pairs, overlay; bad input exits 2."""

from __future__ import annotations

import json

import cv2
import numpy as np

import biocore
from biocore.cli import main

from tests.conftest import SAMPLES


def test_mated_sample_images_match_and_the_overlay_shows_both(tmp_path, capsys):
    a, b = SAMPLES / "images" / "ID000_f01_e0.png", SAMPLES / "images" / "ID000_f01_e1.png"
    other = SAMPLES / "images" / "ID000_f02_e0.png"
    overlay = tmp_path / "pairs.png"
    assert main(["match", str(a), str(b), "--json", "--overlay", str(overlay)]) == 0
    mated = json.loads(capsys.readouterr().out)
    assert main(["match", str(a), str(other), "--json"]) == 0
    non_mated = json.loads(capsys.readouterr().out)
    assert mated["match"] and not non_mated["match"]
    assert mated["score"] == biocore.match(biocore.extract(a), biocore.extract(b))
    assert len(mated["pairs"]) >= 10 and len(mated["pairs"]) > len(non_mated["pairs"])
    wa, wb = cv2.imread(str(a), 0).shape[1], cv2.imread(str(b), 0).shape[1]
    assert cv2.imread(str(overlay)).shape[1] == wa + wb


def test_template_files_are_read_and_overlays_need_images(tmp_path, capsys):
    t = biocore.extract(SAMPLES / "images" / "ID000_f01_e0.png")
    iso = tmp_path / "t.iso"
    iso.write_bytes(biocore.templates.encode(t, "iso19794-2:2005"))
    assert main(["match", str(iso), str(SAMPLES / "images" / "ID000_f01_e1.png")]) == 0
    assert "score" in capsys.readouterr().out
    assert main(["match", str(iso), str(iso), "--overlay", str(tmp_path / "o.png")]) == 2
    assert "--overlay" in capsys.readouterr().err
    assert main(["match", str(tmp_path / "missing.png"), str(iso)]) == 2
    assert "PROBE" in capsys.readouterr().err


def test_the_text_report_names_the_decision(capsys):
    img = SAMPLES / "images" / "ID000_f01_e0.png"
    assert main(["match", str(img), str(img), "--fmr", "1e-6"]) == 0
    out = capsys.readouterr().out
    assert "match at FMR 1e-06" in out and "no match" not in out
    assert np.isfinite(float(out.split()[1]))
