"""kill -9 a writer at random moments: every acknowledged enrollment must survive, no repair needed."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import numpy as np

from biocore.search import Gallery

WRITER = r"""
import sys
import numpy as np
import biocore
from biocore.search import Gallery

path, start = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(start)
g = Gallery.open(path, matcher=None)
i = start
ready = False
while True:
    fingers = {f: biocore.Template(x=rng.integers(0, 300, 30), y=rng.integers(0, 300, 30),
                                   angle=rng.uniform(0, 6.28, 30), finger=f) for f in (1, 2, 6, 7)}
    if i % 7 == 3:
        g.enroll_many([(f"W{i}", fingers), (f"W{i + 1}", fingers)])
        print("ACK", f"W{i}", f"W{i + 1}", flush=True)
        i += 2
    else:
        g.enroll(f"W{i}", fingers)
        print("ACK", f"W{i}", flush=True)
        i += 1
    if not ready:  # warmed up (imports, compiled kernels loaded): kills from now on land mid-enrollment
        print("READY", flush=True)
        ready = True
"""


def test_acknowledged_enrollments_survive_kill_9(tmp_path):
    path = tmp_path / "g"
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    rng = np.random.default_rng(7)
    acknowledged: set[str] = set()
    start = 0
    kills = 0
    deadline = time.monotonic() + 15.0
    while kills < 6 and time.monotonic() < deadline:
        proc = subprocess.Popen([sys.executable, str(script), str(path), str(start)], stdout=subprocess.PIPE,
                                text=True, bufsize=1)
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("ACK"), first
        acknowledged.update(first.split()[1:])
        assert proc.stdout.readline().strip() == "READY"
        time.sleep(float(rng.uniform(0.05, 0.6)))
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        kills += 1
        for line in out.splitlines():
            if line.startswith("ACK"):
                acknowledged.update(line.split()[1:])
        # the gallery opens without repair and holds every acknowledged identity
        with Gallery.open(path, matcher=None) as g:
            present = set(g.identities())
            assert acknowledged <= present, sorted(acknowledged - present)[:5]
            if present:
                some = sorted(present)[0]
                assert some in [c.identity for c in g.search(g.get(some), k=2)]  # enroll_many pairs share templates
        db = sqlite3.connect(path / "gallery.sqlite")
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # no orphan fingers from a half-written person
        assert db.execute("SELECT COUNT(*) FROM fingers WHERE row NOT IN (SELECT row FROM persons)").fetchone()[0] == 0
        db.close()
        start = max([int(i[1:]) for i in present], default=0) + 10
    assert kills >= 3 and len(acknowledged) > 0
