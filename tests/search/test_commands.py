from __future__ import annotations

import json
from pathlib import Path

import pytest

from biocore.cli import main

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"


@pytest.fixture
def samples():
    if not (SAMPLES / "manifest.csv").exists():
        pytest.skip("data/samples not generated")
    return SAMPLES


def test_readme_dedup_finds_the_planted_duplicates(samples, tmp_path, capsys):
    assert main(["dedup", str(samples), "--job", str(tmp_path / "job"), "--no-progress", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["planted"]["recall"] == 1.0 and out["planted"]["planted"] == 3
    top = {(p["a"], p["b"]) for p in out["pairs"][:3]}
    assert top == {("ID003", "ID020"), ("ID009", "ID021"), ("ID016", "ID022")}
    assert (tmp_path / "job" / "report.html").exists()
    # a rerun of a finished job resumes everything and gives the same answer
    assert main(["dedup", str(samples), "--job", str(tmp_path / "job"), "--no-progress", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["pairs"] == out["pairs"]


def test_enroll_then_search(samples, tmp_path, capsys):
    g = str(tmp_path / "g")
    assert main(["enroll", g, "--registry", str(samples), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["count"] == 23
    probe = [str(samples / "templates" / f"ID001_f{f:02d}_e1.bct") for f in (2, 7)]
    assert main(["search", g, *probe, "-k", "3", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)["candidates"]
    assert found[0]["identity"] == "ID001" and [e["finger"] for e in found[0]["fingers"]] == [2, 7]
    assert main(["enroll", g, probe[0], "--id", "NEW"]) == 0
    assert "gallery holds 24" in capsys.readouterr().out
    # images are extracted, but need their finger position
    image = str(samples / "images" / "ID001_f02_e0.png")
    assert main(["enroll", g, image, "--id", "NEWER"]) == 2
    assert "needs its finger position" in capsys.readouterr().err
    assert main(["search", g, image + "@2", "-k", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["candidates"][0]["identity"] == "ID001"


def test_cli_errors_are_one_line(tmp_path, capsys):
    assert main(["search", str(tmp_path / "missing"), __file__]) == 2
    assert "error" in capsys.readouterr().err
    assert main(["dedup", str(tmp_path)]) == 2
    assert "sample registry" in capsys.readouterr().err
