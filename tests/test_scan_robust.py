"""The scan on the file systems people really have: non-UTF-8 names, symlink loops, a second link to
an album, FIFOs and devices named like music, and two scans of one library at once.

Every case is built from real files (real folders, symlinks, mkfifo, the real test media) and the
CLI runs under a timeout: a hang is a failure, not a stuck test run.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path


from moodplayer.library import store
from moodplayer.library.scanner import scan

CLI = [sys.executable, "-m", "moodplayer"]
TIMEOUT = 120
BAD_NAME = b"caf\xe9 \xff song"   # Latin-1 bytes: not UTF-8, as old CDs ripped on other systems have


def _index(folder: Path, db: Path, *extra: str) -> subprocess.CompletedProcess:
    out = subprocess.run([*CLI, "index", str(folder), "--db", str(db), "--no-analyze", *extra],
                         capture_output=True, timeout=TIMEOUT)
    assert b"Traceback" not in out.stderr, out.stderr.decode(errors="replace")
    return out


def _paths(db: Path) -> list[str]:
    conn = store.connect(db)
    try:
        return [r[0] for r in conn.execute("SELECT path FROM tracks ORDER BY path")]
    finally:
        conn.close()


# --- names in any bytes -----------------------------------------------------------------------------

def test_non_utf8_names_are_stored_losslessly_and_open_by_their_real_path(media, tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    good = lib / "plain.ogg"
    shutil.copy2(media.formats["ogg"], good)
    odd = {}
    for ext in ("m4a", "flac"):
        raw = os.fsencode(lib) + b"/" + BAD_NAME + b"." + ext.encode()
        shutil.copy2(media.formats[ext], raw)
        odd[ext] = os.fsdecode(raw)
    db = tmp_path / "lib.db"

    out = _index(lib, db)
    assert out.returncode == 0, out.stderr
    assert b"3 music files" in out.stdout and b"3 new" in out.stdout

    conn = store.connect(db)
    rows = {t["path"]: t for t in store.export_tracks(conn)}
    assert set(rows) == {str(good), *odd.values()}            # exactly the names on disk
    for path in odd.values():
        assert os.path.basename(os.fsencode(path)) in os.listdir(os.fsencode(lib)) and os.path.isfile(path)
    assert rows[odd["m4a"]]["error"] is None and rows[odd["m4a"]]["duration"] > 10
    # stored as TEXT, and every byte kept: the row is found again by its bytes
    raw = conn.execute("SELECT typeof(path), CAST(path AS BLOB) FROM tracks WHERE path = CAST(? AS TEXT)",
                       (store.path_param(odd["m4a"]),)).fetchone()
    assert raw[0] == "text" and raw[1] == os.fsencode(odd["m4a"])
    conn.close()

    again = _index(lib, db)   # a rescan knows them: nothing new, nothing gone, no duplicates
    assert again.returncode == 0 and b"0 new" in again.stdout and b"0 gone" in again.stdout
    assert len(_paths(db)) == 3

    # playback and analysis open the file by the path the library hands them
    from moodplayer.analysis.decode import decode_windows
    from moodplayer.playback.decode import open_decoder

    for path in odd.values():
        dec = open_decoder(path)
        try:
            assert len(dec.read(4096)) > 0
        finally:
            dec.close()
        windows, _, duration = decode_windows(path, 2)
        assert len(windows) >= 1 and duration > 10


def test_non_utf8_names_are_shown_with_replacement_characters(media, tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "broken.flac").write_bytes(b"not audio at all" * 64)
    shutil.copy2(lib / "broken.flac", os.fsencode(lib) + b"/" + BAD_NAME + b".flac")
    out = _index(lib, tmp_path / "lib.db")
    assert out.returncode == 0
    text = out.stdout.decode("utf-8")          # the listing is valid UTF-8 whatever the names
    assert "2 files could not be read" in text
    assert "caf\ufffd \ufffd song.flac" in text


# --- links ---------------------------------------------------------------------------------------------

def _album(media, root: Path) -> list[Path]:
    album = root / "Artist" / "Album"
    album.mkdir(parents=True)
    return [Path(shutil.copy2(media.formats[ext], album / f"0{i} - song.{ext}"))
            for i, ext in enumerate(("ogg", "mp3", "opus"), 1)]


def test_symlink_loops_end_and_each_file_is_stored_once(media, tmp_path):
    lib = tmp_path / "lib"
    files = _album(media, lib)
    album = files[0].parent
    (album / "back").symlink_to("..")          # two links back to a parent: loops both ways
    (album / "top").symlink_to("../..")
    (album / "self").symlink_to(".")
    (lib / "Favourites").symlink_to(album)     # a second way into the album
    (lib / "best.ogg").symlink_to(files[0])    # and a second name for one file
    os.link(files[1], lib / "hardlink.mp3")    # a hard link is the same file too
    db = tmp_path / "lib.db"

    out = _index(lib, db)
    assert out.returncode == 0, out.stderr
    assert b"3 music files" in out.stdout
    # each under its plain path (for the hard link, the first by name), never through a link
    assert _paths(db) == sorted(map(str, files))


def test_plain_path_wins_and_an_old_duplicate_row_is_merged_keeping_its_plays(media, tmp_path):
    lib = tmp_path / "lib"
    files = _album(media, lib)
    link = lib / "Favourites"
    link.symlink_to(files[0].parent)
    db = tmp_path / "lib.db"
    conn = store.connect(db)
    assert scan(conn, lib, workers=1).found == 3
    assert sorted(_paths(db)) == sorted(map(str, files))        # never the path through the link
    # a row an older moodplayer stored for the same file through the link, with a play on it
    dup = str(link / files[0].name)
    with conn:
        cols = "size, mtime_ns, quick_hash, format, title, added_at, scanned_at"
        conn.execute(f"INSERT INTO tracks (path, {cols}) SELECT ?, {cols} FROM tracks WHERE path = ?",
                     (dup, str(files[0])))
        dup_id = conn.execute("SELECT id FROM tracks WHERE path = ?", (dup,)).fetchone()[0]
        conn.execute("INSERT INTO plays (track_id, at, completed) VALUES (?, 1.0, 1)", (dup_id,))
    report = scan(conn, lib, workers=1)
    assert report.merged == 1 and report.missing == 0
    assert sorted(_paths(db)) == sorted(map(str, files))
    kept = conn.execute("SELECT id FROM tracks WHERE path = ?", (str(files[0]),)).fetchone()[0]
    assert [tuple(r) for r in conn.execute("SELECT track_id FROM plays")] == [(kept,)]


# --- FIFOs and devices -------------------------------------------------------------------------------

def test_fifos_and_devices_named_like_music_are_skipped(media, tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    shutil.copy2(media.formats["ogg"], lib / "real.ogg")
    os.mkfifo(lib / "pipe.mp3")
    (lib / "zero.flac").symlink_to("/dev/zero")
    (lib / "null.wav").symlink_to("/dev/null")
    db = tmp_path / "lib.db"
    out = _index(lib, db)                      # would block for ever in open() on the FIFO
    assert out.returncode == 0, out.stderr
    assert _paths(db) == [str(lib / "real.ogg")]


def test_a_file_swapped_for_a_fifo_after_the_walk_is_not_opened(tmp_path):
    fifo = tmp_path / "song.mp3"
    os.mkfifo(fifo)
    code = ("import sys; from moodplayer.library.scanner import read_checked; "
            f"print(read_checked([({str(fifo)!r}, 4096, 0)])[0]['error'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "not a regular file" in out.stdout


# --- two scans at once -------------------------------------------------------------------------------

def test_a_scan_that_overlaps_another_finishes_cleanly(media, tmp_path):
    """Scan B runs to the end while scan A has listed the folder but not written a row, as when
    the GUI's start-up rescan meets `moodplayer index`: A then writes paths that B stored."""
    lib = tmp_path / "lib"
    files = _album(media, lib)
    db = tmp_path / "lib.db"
    store.connect(db).close()
    conn_a, conn_b = store.connect(db), store.connect(db)
    inner: list = []

    def meanwhile(done: int, total: int) -> None:
        if not inner:
            inner.append(scan(conn_b, lib, workers=1))

    a = scan(conn_a, lib, workers=1, progress=meanwhile)
    assert inner[0].new == 3 and a.found == 3
    assert sorted(_paths(db)) == sorted(map(str, files))
    assert conn_a.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_two_index_processes_on_one_new_library_both_succeed(media, tmp_path):
    lib = tmp_path / "lib"
    files = _album(media, lib)
    for i in range(40):   # enough files that the two scans overlap
        shutil.copy2(media.formats["ogg"], lib / f"track{i:02d}.ogg")
        os.utime(lib / f"track{i:02d}.ogg", ns=(i, i * 1_000_000_000))
    db = tmp_path / "new.db"   # not there yet: both also race to create the schema
    procs = [subprocess.Popen([*CLI, "index", str(lib), "--db", str(db), "--no-analyze", "-q"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    results = [p.communicate(timeout=TIMEOUT) for p in procs]
    for p, (_, err) in zip(procs, results):
        assert p.returncode == 0, err.decode(errors="replace")
        assert b"UNIQUE" not in err and b"Traceback" not in err
    assert len(_paths(db)) == len(files) + 40
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT count(DISTINCT path) FROM tracks").fetchone()[0] == len(files) + 40


def test_stop_request_ends_a_pooled_scan_without_leftover_work(tmp_path):
    """A stop asked for mid-scan returns promptly and keeps the batches already written."""
    from tests.synthlib import make_synthetic_library

    lib = tmp_path / "lib"
    make_synthetic_library(lib, n=600, seed=3)
    db = tmp_path / "lib.db"
    conn = store.connect(db)
    stop = threading.Event()
    report = scan(conn, lib, workers=2, progress=lambda d, t: stop.set() if d else None,
                  should_stop=stop.is_set)
    assert report.cancelled
    stored = len(_paths(db))
    assert 0 < stored < 600
    assert scan(conn, lib, workers=2).new == 600 - stored    # the next run picks up the rest
