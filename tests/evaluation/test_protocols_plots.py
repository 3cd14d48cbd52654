"""FVC-style folder listing, the protocols' pair counts, and the optional plots."""

from __future__ import annotations

import builtins
import itertools

import numpy as np
import pytest

from biocore import evaluation as ev
from biocore.errors import InvalidArgument, MissingDependency


def _fvc_b():
    fingers, impressions = zip(*[(f, i) for f in range(101, 111) for i in range(1, 9)])
    return np.array(fingers), np.array(impressions)


def test_all_pairs_protocol_has_280_genuine_and_2880_impostor_pairs():
    f, i = _fvc_b()
    genuine, impostor = ev.verification_pairs(f, i, "all-pairs")
    assert len(genuine) == 10 * 28 == 280
    assert len(impostor) == 80 * 79 // 2 - 280 == 64 * 45 == 2880
    assert np.all(f[genuine[:, 0]] == f[genuine[:, 1]]) and np.all(f[impostor[:, 0]] != f[impostor[:, 1]])
    every = {tuple(p) for p in itertools.combinations(range(80), 2)}
    assert {tuple(p) for p in genuine} | {tuple(p) for p in impostor} == every


def test_fvc_protocol_uses_first_impressions_for_impostors():
    f, i = _fvc_b()
    genuine, impostor = ev.verification_pairs(f, i, "fvc")
    assert len(genuine) == 280 and len(impostor) == 45
    assert np.all(i[impostor] == 1)


def test_list_fvc_folder(tmp_path):
    for name in ("102_1.tif", "101_2.png", "101_1.tif", "notes.txt", "x_1.tif"):
        (tmp_path / name).write_bytes(b"")
    listed = ev.list_fvc_folder(tmp_path)
    assert [(im.finger, im.impression) for im in listed] == [(101, 1), (101, 2), (102, 1)]
    with pytest.raises(InvalidArgument, match="DATASET_DIR"):
        ev.list_fvc_folder(tmp_path / "101_1.tif")
    with pytest.raises(InvalidArgument, match="protocol"):
        ev.verification_pairs([1], [1], "bogus")


def test_plots_write_png(tmp_path):
    pytest.importorskip("matplotlib")
    rng = np.random.default_rng(0)
    systems = {"a": (rng.normal(2, 1, 100), rng.normal(0, 1, 400)), "b": (rng.normal(1, 1, 100), rng.normal(0, 1, 400))}
    ev.plot_det(systems, tmp_path / "det.png")
    ev.plot_roc(systems, tmp_path / "roc.png")
    for name in ("det.png", "roc.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plots_without_matplotlib_raise_missing_dependency(monkeypatch, tmp_path):
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError("no matplotlib here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    with pytest.raises(MissingDependency, match="biocore\\[plot\\]"):
        ev.plot_det({"a": ([1.0], [0.0])}, tmp_path / "det.png")
