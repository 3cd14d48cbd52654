from __future__ import annotations

import json
import subprocess
import sys

import biocore
from biocore.cli import main


def test_version_flag_and_subcommand(capsys):
    try:
        main(["--version"])
    except SystemExit as exc:
        assert exc.code == 0
    assert biocore.__version__ in capsys.readouterr().out
    assert main(["version", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["biocore"] == biocore.__version__ and info["native_threads"] >= 1


def test_console_script_help_runs():
    out = subprocess.run([sys.executable, "-m", "biocore", "--help"], capture_output=True, text=True, check=True)
    assert "usage: biocore" in out.stdout
