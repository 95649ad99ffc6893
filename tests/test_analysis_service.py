"""The background analysis service on real music with the shipped model: complete, resumable, versioned."""
from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from moodplayer.analysis.service import analyze_library, current_model_version, pending_tracks
from moodplayer.library import store
from moodplayer.library.scanner import scan


def _library(media, root: Path, copies: int = 1) -> Path:
    for k in range(copies):
        for t in media.tracks:
            dst = root / f"copy{k}" / t["package"] / t["path"].name
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(t["path"], dst)
    return root


def _analysed(db: Path) -> dict[int, tuple[str, float, float | None]]:
    with sqlite3.connect(db, timeout=10) as c:
        return {r[0]: (r[1], r[2], r[3]) for r in
                c.execute("SELECT track_id, model_version, analysed_at, valence FROM analysis")}


def test_whole_library_analysed_with_timeline_and_moods(media, tmp_path):
    lib = _library(media, tmp_path / "music")
    db = tmp_path / "lib.db"
    conn = store.connect(db)
    scan(conn, lib, workers=1)
    seen: list[int] = []
    report = analyze_library(db, workers=2, on_result=lambda tid, r: seen.append(tid))
    assert report.done == report.total == len(media.tracks) and report.failed == 0
    assert sorted(seen) == sorted(r[0] for r in conn.execute("SELECT id FROM tracks"))  # streamed
    assert report.provider in ("CPUExecutionProvider", "CUDAExecutionProvider")
    for t in store.export_tracks(conn):
        assert 0.0 <= t["valence"] <= 1.0 and 0.0 <= t["arousal"] <= 1.0
        assert abs(sum(t["moods"].values()) - 1.0) < 0.01
    windows = [json.loads(r[0]) for r in conn.execute("SELECT windows FROM analysis")]
    assert all(len(w) >= 2 for w in windows), "several windows per track (a mood timeline)"
    assert pending_tracks(conn, current_model_version()) == []
    assert analyze_library(db, workers=2).total == 0  # nothing is redone


def test_vanished_file_is_recorded_and_the_rest_goes_on(media, tmp_path):
    lib = _library(media, tmp_path / "music")
    db = tmp_path / "lib.db"
    conn = store.connect(db)
    scan(conn, lib, workers=1)
    gone = next(lib.rglob("*.ogg"))
    gone.unlink()  # disappears between the scan and the analysis
    report = analyze_library(db, workers=2)
    assert report.failed == 1 and report.done == len(media.tracks)
    assert [str(gone)] == [p for p, _ in report.errors] and str(gone) in report.errors[0][1]
    # a file that cannot be reached is not the file's fault: nothing stored, tried again next run
    assert conn.execute("SELECT error FROM tracks WHERE path = ?", (str(gone),)).fetchone()[0] is None
    assert [p for _, p in pending_tracks(conn, current_model_version())] == [str(gone)]


def test_model_version_change_triggers_reanalysis(media, tmp_path):
    lib = _library(media, tmp_path / "music")
    db = tmp_path / "lib.db"
    conn = store.connect(db)
    scan(conn, lib, workers=1)
    analyze_library(db, workers=2)
    before = _analysed(db)
    old = sorted(before)[:3]
    with conn:
        conn.executemany("UPDATE analysis SET model_version = 'music_va-0' WHERE track_id = ?", [(i,) for i in old])
    report = analyze_library(db, workers=2)
    assert report.total == 3
    after = _analysed(db)
    version = current_model_version()
    for tid, (v, at, _) in after.items():
        assert v == version
        if tid in old:
            assert at > before[tid][1]
        else:
            assert at == before[tid][1]


@pytest.mark.slow
def test_kill9_mid_analysis_then_resume_analyses_each_track_once(media, tmp_path):
    lib = _library(media, tmp_path / "music", copies=2)
    db = tmp_path / "lib.db"
    cmd = [sys.executable, "-m", "moodplayer", "index", str(lib), "--db", str(db), "--quiet", "--workers", "2"]
    proc = subprocess.Popen(cmd, start_new_session=True)
    deadline = time.monotonic() + 180
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            if len(_analysed(db)) >= 4:
                break
        except sqlite3.OperationalError:
            pass
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)  # the coordinator and its worker processes
    proc.wait()
    done_before = _analysed(db)
    n_tracks = 2 * len(media.tracks)
    assert 0 < len(done_before) < n_tracks

    subprocess.run(cmd, check=True)
    after = _analysed(db)
    assert len(after) == n_tracks
    for tid, row in done_before.items():
        assert after[tid] == row, "a finished analysis was redone or lost"
    with sqlite3.connect(db) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert c.execute("SELECT count(*) FROM analysis WHERE valence IS NULL").fetchone()[0] == 0
