"""Analysis failures on real files and real models: a broken or wrong model is one clear error for the
run, a file out of reach is tried again, a worker's death is named, and workers never outlive
``moodplayer index``. Scan errors (tracks.error) and analysis errors (analysis.error) stay apart.
"""
from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from moodplayer.analysis.service import AnalysisError, analyze_library, current_model_version, pending_tracks
from moodplayer.library import store
from moodplayer.library.scanner import scan
from moodplayer.paths import models_dir

CLI = [sys.executable, "-m", "moodplayer"]
TIMEOUT = 300


def _models(tmp: Path, onnx: bytes | Path) -> Path:
    """A models folder with the real per-window model and the given file as the track mood model."""
    d = tmp / "models"
    d.mkdir()
    shutil.copy2(models_dir() / "music_va.onnx", d / "music_va.onnx")
    if isinstance(onnx, Path):
        shutil.copy2(onnx, d / "music_track.onnx")
    else:
        (d / "music_track.onnx").write_bytes(onnx)
    return d


def _lib(media, root: Path, exts=("ogg", "m4a")) -> list[Path]:
    root.mkdir(parents=True)
    return [Path(shutil.copy2(media.formats[e], root / f"song.{e}")) for e in exts]


def _state(db: Path) -> tuple[list, list]:
    with sqlite3.connect(db) as c:
        return (c.execute("SELECT error FROM tracks WHERE error IS NOT NULL").fetchall(),
                c.execute("SELECT track_id, error FROM analysis").fetchall())


@pytest.mark.parametrize("kind", ["garbage", "wrong model"])
def test_broken_model_is_one_clear_error_and_nothing_is_written_per_track(media, tmp_path, kind):
    lib = tmp_path / "lib"
    _lib(media, lib)
    onnx = os.urandom(4096) if kind == "garbage" else models_dir() / "face_emotion.onnx"
    models = _models(tmp_path, onnx)
    db = tmp_path / "lib.db"
    env = {**os.environ, "MOODPLAYER_MODELS": str(models)}
    out = subprocess.run([*CLI, "index", str(lib), "--db", str(db), "--workers", "2"], env=env,
                         capture_output=True, text=True, timeout=TIMEOUT)
    assert out.returncode == 1
    assert "Traceback" not in out.stderr and "BrokenProcessPool" not in out.stderr
    assert str(models / "music_track.onnx") in out.stderr
    assert ("cannot load" if kind == "garbage" else "not the music mood model") in out.stderr
    assert _state(db) == ([], [])      # no track marked unreadable, no analysis row
    # the model fixed: the same tracks are analysed with no rescan and no user action
    report = analyze_library(db, workers=1)
    assert report.done == report.total == 2 and report.failed == 0


def test_self_test_names_the_broken_model(tmp_path):
    from moodplayer.selftest import FAIL, _timed, check_analysis_workers

    models = _models(tmp_path, b"\x08\x01garbage" * 100)
    work = tmp_path / "work"
    work.mkdir()
    check = _timed("analysis", check_analysis_workers, work, models)
    assert check.status == FAIL
    assert str(models / "music_track.onnx") in check.detail and "cannot load" in check.detail
    assert "BrokenProcessPool" not in check.detail


def test_file_out_of_reach_is_not_stored_and_is_analysed_when_back(media, tmp_path):
    lib = tmp_path / "lib"
    ogg, m4a = _lib(media, lib)
    db = tmp_path / "lib.db"
    conn = store.connect(db)
    scan(conn, lib, workers=1)
    hidden = tmp_path / "unmounted"
    lib.rename(hidden)                    # the folder is gone while the analysis runs
    report = analyze_library(db, workers=1)
    assert report.failed == report.unreachable == 2 and all(str(lib) in e for _, e in report.errors)
    assert _state(db) == ([], [])
    hidden.rename(lib)                    # back, unchanged: the scanner has nothing to re-read
    report = analyze_library(db, workers=1)
    assert report.done == 2 and report.failed == 0
    assert pending_tracks(conn, current_model_version()) == []


def test_fifo_in_place_of_a_track_is_not_opened(media, tmp_path):
    lib = tmp_path / "lib"
    (ogg,) = _lib(media, lib, ("ogg",))
    db = tmp_path / "lib.db"
    scan(store.connect(db), lib, workers=1)
    ogg.unlink()
    os.mkfifo(ogg)                        # opening it would block the worker for ever
    report = analyze_library(db, workers=1)
    assert report.failed == report.unreachable == 1 and "not a regular file" in report.errors[0][1]
    assert _state(db) == ([], [])


def test_a_file_that_fails_is_kept_in_analysis_error_and_retried_once_it_changes(media, tmp_path):
    lib = tmp_path / "lib"
    (ogg,) = _lib(media, lib, ("ogg",))
    db = tmp_path / "lib.db"
    conn = store.connect(db)
    scan(conn, lib, workers=1)
    good, st = ogg.read_bytes(), ogg.stat()
    ogg.write_bytes(b"\0" * len(good))    # damaged behind the scanner's back: same size and mtime
    os.utime(ogg, ns=(st.st_atime_ns, st.st_mtime_ns))
    report = analyze_library(db, workers=1)
    assert report.failed == 1 and report.unreachable == 0
    scan_errors, analysis = _state(db)
    assert scan_errors == [] and len(analysis) == 1 and analysis[0][1]   # in analysis.error only
    assert analyze_library(db, workers=1).total == 0                     # not retried for nothing
    ogg.write_bytes(good)                 # repaired: the scan reads it again, the analysis follows
    assert scan(conn, lib, workers=1).updated == 1
    report = analyze_library(db, workers=1)
    assert report.done == 1 and report.failed == 0
    assert _state(db)[1][0][1] is None


def test_non_utf8_named_track_is_analysed(media, tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    raw = os.fsencode(lib) + b"/\xe9t\xe9 \xff.m4a"
    shutil.copy2(media.formats["m4a"], raw)
    db = tmp_path / "lib.db"
    scan(store.connect(db), lib, workers=1)
    report = analyze_library(db, workers=1)
    assert report.done == 1 and report.failed == 0
    (row,) = store.export_tracks(store.connect(db))
    assert os.fsencode(row["path"]) == raw and row["valence"] is not None


def test_worker_killed_mid_run_gives_a_plain_error_and_keeps_finished_tracks(media, tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    for i in range(6):
        shutil.copy2(media.formats["ogg"], lib / f"song{i}.ogg")
        os.utime(lib / f"song{i}.ogg", ns=(i, i * 10**9))   # distinct files for the move detection
    db = tmp_path / "lib.db"
    scan(store.connect(db), lib, workers=1)
    killed: list[int] = []

    def kill_a_worker(tid: int, result: dict) -> None:
        if not killed:
            pid = _children(os.getpid())[0]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    with pytest.raises(AnalysisError, match="killed by SIGKILL") as err:
        analyze_library(db, workers=2, on_result=kill_a_worker)
    assert "run again" in str(err.value)
    assert killed and len(_state(db)[1]) >= 1          # what finished before is kept


def test_migration_undoes_analysis_errors_copied_into_tracks_error(tmp_path):
    db = tmp_path / "v1.db"
    c = sqlite3.connect(db)
    c.executescript(store.MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
    rows = [(1, "/m/a.ogg", "/m/a.ogg: no such file"), (2, "/m/b.ogg", "cannot decode: bad header"),
            (3, "/m/c.ogg", None)]
    c.executemany("INSERT INTO tracks (id, path, size, mtime_ns, error, added_at, scanned_at) "
                  "VALUES (?, ?, 1, 1, ?, 0, 0)", rows)
    c.executemany("INSERT INTO analysis (track_id, model_version, error, analysed_at) VALUES (?, 'v', ?, 0)",
                  [(1, "/m/a.ogg: no such file"), (3, "/m/c.ogg: model failed")])
    c.commit()
    c.close()
    conn = store.connect(db)
    assert store.schema_version(conn) == store.SCHEMA_VERSION
    errors = dict(conn.execute("SELECT id, error FROM tracks").fetchall())
    assert errors == {1: None, 2: "cannot decode: bad header", 3: None}   # the scan's own error stays
    assert conn.execute("SELECT count(*) FROM analysis").fetchone()[0] == 0
    assert [t for t, _ in pending_tracks(conn, "v")] == [1, 3]


# --- workers die with index ----------------------------------------------------------------------

def _children(pid: int) -> list[int]:
    """The pool's worker processes under ``pid`` (not multiprocessing's resource tracker)."""
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                    out.append(int(child))
            except OSError:
                pass
    return out


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _index_until_analysing(media, tmp_path: Path) -> tuple[subprocess.Popen, list[int], Path]:
    lib = tmp_path / "lib"
    lib.mkdir()
    for t in media.tracks[:12]:
        shutil.copy2(t["path"], lib / t["path"].name)
    db = tmp_path / "lib.db"
    proc = subprocess.Popen([*CLI, "index", str(lib), "--db", str(db), "--workers", "2", "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with sqlite3.connect(db, timeout=5) as c:
                if c.execute("SELECT count(*) FROM analysis").fetchone()[0]:
                    break
        except sqlite3.Error:
            pass
        time.sleep(0.1)
    assert proc.poll() is None, "index ended before it could be stopped"
    workers = _children(proc.pid)
    assert len(workers) >= 2
    return proc, workers, db


def _wait_gone(pids: list[int], seconds: float = 15.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.1)
    return [p for p in pids if _alive(p)]


@pytest.mark.slow
def test_workers_die_with_a_killed_index(media, tmp_path):
    proc, workers, _ = _index_until_analysing(media, tmp_path)
    proc.kill()                           # kill -9 of the parent only, not of its group
    proc.wait(timeout=30)
    assert _wait_gone(workers) == []


@pytest.mark.slow
def test_sigterm_stops_index_cleanly_and_ends_its_workers(media, tmp_path):
    proc, workers, db = _index_until_analysing(media, tmp_path)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM
    assert "stopped by SIGTERM" in err and "Traceback" not in err
    assert _wait_gone(workers) == []
    with sqlite3.connect(db) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert c.execute("SELECT count(*) FROM analysis WHERE valence IS NULL").fetchone()[0] == 0
