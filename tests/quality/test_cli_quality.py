"""biocore quality on the command line: table, --json, errors."""

from __future__ import annotations

import json

import cv2
import numpy as np

from biocore.cli import main
from biocore.synth import make_impression, make_master


def test_quality_table_and_json(tmp_path, capsys):
    good = tmp_path / "good.png"
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(good), np.array(make_impression(make_master(3, finger=2), seed=5, skin=0.0).image))
    cv2.imwrite(str(blank), np.full((200, 200), 230, np.uint8))
    assert main(["quality", str(good), str(blank)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:3] == ["image", "score", "feedback"]
    assert table[2].split()[1:3] == ["0", "no_finger:"]
    assert main(["quality", "--json", "--dpi", "500", str(good), str(blank)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["image"] for r in rows] == [str(good), str(blank)]
    assert 0 < rows[0]["score"] <= 100 and "orientation_coherence" in rows[0]["features"]
    assert rows[1]["score"] == 0 and rows[1]["feedback"][0]["code"] == "no_finger"


def test_quality_bad_file_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image")
    assert main(["quality", str(bad)]) == 2
    assert "not an image" in capsys.readouterr().err
