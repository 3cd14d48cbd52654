from __future__ import annotations

import json

import cv2
import pytest

from biocore.cli import main

from . import portraits as P

pytest.importorskip("dlib", reason="the face backend needs the 'face' extra")


def test_face_command_table_json_token_overlay(tmp_path, capsys):
    photo = tmp_path / "astronaut.png"
    cv2.imwrite(str(photo), P.portrait()[:, :, ::-1])
    token, overlay = tmp_path / "token.png", tmp_path / "overlay.png"
    assert main(["face", str(photo), "--token", str(token), "--overlay", str(overlay)]) == 0
    out = capsys.readouterr().out
    assert "astronaut.png: " in out and "roll" in out
    assert cv2.imread(str(token)).shape == (320, 240, 3)
    assert cv2.imread(str(overlay)).shape == (600, 450, 3)
    assert main(["face", str(photo), "--json", "--profile", "live"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["profile"] == "live" and doc["measures"]["face_count"]["value"] == 1


def test_face_command_keeps_going_over_bad_files(tmp_path, capsys):
    photo = tmp_path / "a.png"
    cv2.imwrite(str(photo), P.portrait()[:, :, ::-1])
    bad = tmp_path / "b.jpg"
    bad.write_bytes(b"nope")
    assert main(["face", str(photo), str(bad), "--json"]) == 2
    docs = json.loads(capsys.readouterr().out)
    assert "error" in docs[1] and docs[0]["measures"]["face_count"]["value"] == 1
    assert main(["face", str(bad)]) == 2
    assert "b.jpg" in capsys.readouterr().err
