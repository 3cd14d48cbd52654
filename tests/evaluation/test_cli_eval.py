"""``biocore eval`` over a small FVC-style folder (synthetic prints, extractor stubbed for speed)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from biocore.cli import main
from biocore.evaluation import protocols

from matching.synthetic import random_template, transformed  # tests/ is on sys.path (rootdir-relative packages)


@pytest.fixture
def fake_folder(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    masters = {f: random_template(rng) for f in (101, 102, 103)}
    for f in masters:
        for i in (1, 2, 3):
            (tmp_path / f"{f}_{i}.png").write_bytes(b"")

    def fake_extract(path, dpi=500):
        name = path.rsplit("/", 1)[-1].split(".")[0]
        f, i = (int(v) for v in name.split("_"))
        return transformed(masters[f], np.random.default_rng(f * 10 + i), rotation_rad=0.2 * i, jitter_px=1.5, keep=0.85)

    real = protocols.evaluate_folder

    def patched(folder, **kw):
        return real(folder, extract=fake_extract, **kw)

    monkeypatch.setattr("biocore.evaluation.evaluate_folder", patched)
    return tmp_path


def test_eval_json_and_plot(fake_folder, capsys, tmp_path):
    pytest.importorskip("matplotlib")
    plot = tmp_path / "det.png"
    assert main(["eval", str(fake_folder), "--json", "--plot", str(plot)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["genuine"] == 9 and out["impostor"] == 27 and out["eer"] == 0.0
    assert plot.read_bytes()[:4] == b"\x89PNG"


def test_eval_text_fvc_protocol(fake_folder, capsys):
    assert main(["eval", str(fake_folder), "--protocol", "fvc"]) == 0
    text = capsys.readouterr().out
    assert "9 genuine, 3 impostor" in text and "EER" in text


def test_eval_bad_folder_is_a_clean_error(tmp_path, capsys):
    assert main(["eval", str(tmp_path / "missing")]) == 2
    assert "DATASET_DIR" in capsys.readouterr().err
