"""A library database that cannot be used gives one plain line naming the file and the reason, in the
CLI (exit status 1), the window (on the mood pad, not "Loading your library…" for ever) and the
self-test; never a traceback, and a database from a newer moodplayer is left byte for byte as it was.

Built from real files: a garbage file, a real SQLite file with a higher user_version, real tmpfs
mounts for a read-only folder and a full disk (we run as root, so chmod would not stop us; the mount
tests skip where mounting is not permitted).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from moodplayer.library import store
from tests._ui import make_window  # noqa: F401  (fixture)

CLI = [sys.executable, "-m", "moodplayer"]
TIMEOUT = 120


def _run(*args: str) -> subprocess.CompletedProcess:
    out = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=TIMEOUT)
    assert "Traceback" not in out.stderr, out.stderr
    return out


def _music(media, root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy2(media.formats["ogg"], root / "song.ogg")
    return root


@pytest.fixture
def garbage_db(tmp_path) -> Path:
    db = tmp_path / "library.db"
    db.write_bytes(os.urandom(8192))
    return db


@pytest.fixture
def newer_db(tmp_path) -> Path:
    """A real SQLite library from 'the future', in rollback-journal mode as a newer version may leave it."""
    db = tmp_path / "newer.db"
    c = sqlite3.connect(db)
    c.executescript("CREATE TABLE tracks (id INTEGER PRIMARY KEY, path TEXT); "
                    "INSERT INTO tracks (path) VALUES ('/music/a.ogg'); PRAGMA user_version = 99;")
    c.close()
    return db


@pytest.fixture
def mount(tmp_path):
    """mount(dir, options) a real tmpfs; skipped where mounting is not permitted."""
    mounted: list[Path] = []

    def do(where: Path, options: str) -> Path:
        where.mkdir(parents=True, exist_ok=True)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True)
        if r.returncode:
            pytest.skip(f"cannot mount a tmpfs here ({r.stderr.decode().strip() or 'not root'})")
        mounted.append(where)
        return where

    yield do
    for m in reversed(mounted):
        subprocess.run(["umount", "-l", str(m)], capture_output=True)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- the CLI ---------------------------------------------------------------------------------------

def test_garbage_file_as_database(media, tmp_path, garbage_db):
    music = _music(media, tmp_path / "music")
    before = _sha(garbage_db)
    for args in (["index", str(music), "--db", str(garbage_db)], ["export", "--db", str(garbage_db)]):
        out = _run(*args)
        assert out.returncode == 1
        assert str(garbage_db) in out.stderr and "not an SQLite database" in out.stderr
        assert len(out.stderr.strip().splitlines()) == 1
    assert _sha(garbage_db) == before


def test_newer_schema_is_refused_and_left_untouched(media, tmp_path, newer_db):
    music = _music(media, tmp_path / "music")
    before = _sha(newer_db)
    assert newer_db.read_bytes()[18] == 1          # file header: 1 = rollback journal, 2 = WAL
    out = _run("index", str(music), "--db", str(newer_db))
    assert out.returncode == 1
    assert str(newer_db) in out.stderr and "newer moodplayer" in out.stderr and "99" in out.stderr
    assert _sha(newer_db) == before                # not even switched to WAL
    assert not Path(f"{newer_db}-wal").exists()
    with pytest.raises(store.SchemaTooNew):
        store.connect(newer_db, readonly=True)


def test_read_only_folder(media, tmp_path, mount):
    music = _music(media, tmp_path / "music")
    ro = mount(tmp_path / "ro", "ro,size=1m")
    out = _run("index", str(music), "--db", str(ro / "library.db"))
    assert out.returncode == 1
    assert str(ro / "library.db") in out.stderr and "read-only file system" in out.stderr


def test_existing_library_on_a_folder_that_became_read_only(media, tmp_path, mount):
    music = _music(media, tmp_path / "music")
    rw = mount(tmp_path / "rw", "size=2m")
    db = rw / "library.db"
    assert _run("index", str(music), "--db", str(db), "--no-analyze").returncode == 0
    subprocess.run(["mount", "-o", "remount,ro", str(rw)], check=True)
    out = _run("index", str(music), "--db", str(db), "--no-analyze")
    assert out.returncode == 1 and str(db) in out.stderr and "read-only" in out.stderr


def test_disk_full_mid_scan(tmp_path, mount):
    from tests.synthlib import make_synthetic_library

    lib = tmp_path / "lib"
    make_synthetic_library(lib, n=400, seed=5)
    small = mount(tmp_path / "small", "size=256k")
    db = small / "library.db"
    out = _run("index", str(lib), "--db", str(db), "--no-analyze", "--workers", "1")
    assert out.returncode == 1
    assert str(db) in out.stderr and "disk is full" in out.stderr
    # what was committed before the disk filled up is intact
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# --- the self-test -----------------------------------------------------------------------------------

def test_self_test_database_check(tmp_path, garbage_db, newer_db, mount):
    from moodplayer.selftest import FAIL, OK, _timed, check_database

    def check(db: Path):
        return _timed("database", check_database, db)

    c = check(garbage_db)
    assert c.status == FAIL and str(garbage_db) in c.detail and "not an SQLite database" in c.detail
    c = check(newer_db)
    assert c.status == FAIL and "newer moodplayer" in c.detail
    assert check(tmp_path / "new" / "library.db").status == OK
    ro = mount(tmp_path / "ro", "ro,size=1m")
    c = check(ro / "library.db")
    assert c.status == FAIL and "Read-only file system" in c.detail
    full = mount(tmp_path / "full", "size=64k")
    fd = os.open(full / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass   # ENOSPC: the disk is full now
    finally:
        os.close(fd)
    c = check(full / "library.db")
    assert c.status == FAIL and "disk is full" in c.detail


# --- the window --------------------------------------------------------------------------------------

def test_window_shows_why_the_library_cannot_be_opened(make_window, qtbot, garbage_db):
    w = make_window(garbage_db)
    with qtbot.waitSignal(w.library.libraryFailed, timeout=60000) as blocker:
        w.library.reload()
    reason = blocker.args[0]
    assert str(garbage_db) in reason and "not an SQLite database" in reason
    assert "Loading your library" not in w.pad.empty_text
    assert "cannot be opened" in w.pad.empty_text and "not an SQLite database" in w.pad.empty_text

