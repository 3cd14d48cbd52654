"""``biocore dedup`` on a sharded gallery (in-process) and with an unreachable scheduler."""

from __future__ import annotations

import json
import socket

import pytest
from dist_population import PLANTED

from biocore.cli import main


def test_dedup_cli_on_a_sharded_gallery_runs_in_process(galleries, tmp_path, capsys):
    _, sharded = galleries
    assert main(["dedup", str(sharded), "--job", str(tmp_path / "job"), "-k", "3", "--batch", "32",
                 "--no-progress", "--no-report", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["cluster"] == "in-process" and out["shards"] == 2
    assert sorted(out["clusters"]) == [[f"D{i:04d}", f"P{i:04d}"] for i in range(PLANTED)]


def test_dedup_cli_unreachable_scheduler_is_one_clear_error(galleries, tmp_path, capsys):
    pytest.importorskip("distributed")
    _, sharded = galleries
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code = main(["dedup", str(sharded), "--job", str(tmp_path / "job"), "--scheduler", f"tcp://127.0.0.1:{port}",
                 "--timeout", "1", "--no-progress"])
    assert code == 2
    assert "unreachable" in capsys.readouterr().err
