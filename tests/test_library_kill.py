"""kill -9 in the middle of scanning a 10,000-file library, then a re-run: a complete, consistent index."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.synthlib import make_synthetic_library

N = 10_000


@pytest.fixture(scope="session")
def synthetic_library(tmp_path_factory) -> tuple[Path, list[Path]]:
    root = tmp_path_factory.mktemp("synth")
    files = make_synthetic_library(root, n=N, seed=0)
    return root, files


def _count(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as c:
            return c.execute("SELECT count(*) FROM tracks").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


@pytest.mark.slow
def test_kill9_mid_scan_then_rerun(synthetic_library, tmp_path):
    root, files = synthetic_library
    db = tmp_path / "lib.db"
    cmd = [sys.executable, "-m", "moodplayer", "index", str(root), "--db", str(db), "--quiet", "--no-analyze"]
    proc = subprocess.Popen(cmd, start_new_session=True)
    deadline = time.monotonic() + 120
    while _count(db) < 1000 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "scan finished before it could be killed: make the library larger"
    os.killpg(proc.pid, signal.SIGKILL)  # the scanner and its worker processes
    proc.wait()
    partial = _count(db)
    assert 0 < partial < N

    subprocess.run(cmd, check=True)
    with sqlite3.connect(db) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        paths = {r[0] for r in c.execute("SELECT path FROM tracks")}
        assert paths == {str(p) for p in files}
        bad = c.execute("SELECT path, error FROM tracks WHERE error IS NOT NULL LIMIT 5").fetchall()
        assert not bad, bad
        assert c.execute("SELECT count(*) FROM tracks WHERE available = 0 OR title IS NULL "
                         "OR artist IS NULL OR duration IS NULL").fetchone()[0] == 0
