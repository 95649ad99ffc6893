"""The library index on real music: tags of every format, incremental rescans, moves, corrupt files."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from moodplayer.library import store
from moodplayer.library.scanner import scan
from moodplayer.library.tags import read_tags

CLI = [sys.executable, "-m", "moodplayer"]


def _rows(conn: sqlite3.Connection) -> dict[str, dict]:
    return {t["path"]: t for t in store.export_tracks(conn)}


@pytest.mark.parametrize("ext", ["wav", "flac", "mp3", "ogg", "opus", "m4a"])
def test_tags_of_every_format(media, ext):
    expected = media.expected_tags
    t = read_tags(media.formats[ext])
    assert t.format == ext
    assert t.title == expected["title"]
    assert t.artist == expected["artist"]
    assert t.album == expected["album"]
    assert t.album_artist == expected["album_artist"]
    assert t.track_no == int(str(expected["track"]).split("/")[0])
    assert t.disc_no == int(str(expected["disc"]).split("/")[0])
    assert t.year == int(str(expected["year"])[:4])
    assert t.genre == expected["genre"]
    assert t.has_cover, f"{ext}: embedded cover art not seen"
    assert t.rg_track_gain == pytest.approx(float(str(expected["replaygain_track_gain"]).split()[0]), abs=0.01)
    assert t.rg_album_gain == pytest.approx(float(str(expected["replaygain_album_gain"]).split()[0]), abs=0.01)
    assert t.duration and t.duration > 5


def test_index_and_export_real_music(media, tmp_path):
    lib = tmp_path / "music"
    for ext, src in media.formats.items():
        dst = lib / "formats" / src.name
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
    for t in media.tracks[:4]:
        dst = lib / t["package"] / t["path"].name
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(t["path"], dst)
    db = tmp_path / "lib.db"
    out = subprocess.run([*CLI, "index", str(lib), "--db", str(db), "--no-analyze"], capture_output=True,
                         text=True, check=True)
    assert "10 new" in out.stdout and "could not be read" not in out.stdout
    data = json.loads(subprocess.run([*CLI, "export", "--db", str(db), "--json"], capture_output=True,
                                     text=True, check=True).stdout)
    assert len(data) == 10
    for item in data:
        for key in ("path", "title", "artist", "album", "duration", "available", "error", "valence", "arousal"):
            assert key in item
        assert item["available"] is True and item["error"] is None
        assert item["valence"] is None and item["arousal"] is None  # not analysed yet
        assert item["title"]
        assert item["duration"] > 5


def _copy_tracks(media, dest: Path, n: int) -> list[Path]:
    out = []
    for t in media.tracks[:n]:
        p = dest / t["package"] / t["path"].name
        p.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(t["path"], p)
        out.append(p)
    return out


def test_incremental_rescan_touch_delete_move(media, tmp_path):
    lib = tmp_path / "music"
    files = _copy_tracks(media, lib, 6)
    conn = store.connect(tmp_path / "lib.db")
    first = scan(conn, lib, workers=1)
    assert (first.new, first.read) == (6, 6)

    again = scan(conn, lib, workers=1)
    assert again.read == 0 and again.unchanged == 6

    # touch one: only it is read again
    st = files[0].stat()
    os.utime(files[0], ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000_000))
    touched = scan(conn, lib, workers=1)
    assert (touched.updated, touched.unchanged, touched.new) == (1, 5, 0)

    # an analysis to keep across a move (values are what the store holds, not model output)
    moved_src = files[1]
    track_id = conn.execute("SELECT id FROM tracks WHERE path = ?", (str(moved_src),)).fetchone()[0]
    with conn:
        conn.execute("INSERT INTO analysis (track_id, model_version, valence, arousal, analysed_at) "
                     "VALUES (?, 'test', 0.25, 0.75, 0)", (track_id,))

    # delete one: unavailable, row kept
    files[2].unlink()
    # move one into another folder
    moved_dst = lib / "elsewhere" / "renamed.ogg"
    moved_dst.parent.mkdir()
    shutil.move(moved_src, moved_dst.with_suffix(moved_src.suffix))
    moved_dst = moved_dst.with_suffix(moved_src.suffix)
    r = scan(conn, lib, workers=1)
    assert (r.moved, r.missing, r.new) == (1, 1, 0)
    rows = _rows(conn)
    assert rows[str(files[2])]["available"] is False
    assert str(moved_src) not in rows
    m = rows[str(moved_dst)]
    assert m["id"] == track_id and m["valence"] == 0.25 and m["arousal"] == 0.75 and m["available"]

    # the deleted file comes back: available again, same row
    shutil.copy2(media.tracks[2]["path"], files[2])
    back = scan(conn, lib, workers=1)
    assert _rows(conn)[str(files[2])]["available"] is True
    assert back.new == 0


def test_corrupt_corpus_is_recorded_not_fatal(media, tmp_path):
    lib = tmp_path / "bad"
    lib.mkdir()
    for i, c in enumerate(media.corrupt):
        shutil.copy2(c["path"], lib / f"{i:02d}-{c['path'].name}")
    good = lib / media.formats["ogg"].name
    shutil.copy2(media.formats["ogg"], good)
    db = tmp_path / "lib.db"
    out = subprocess.run([*CLI, "index", str(lib), "--db", str(db), "--no-analyze"], capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr
    n_bad = len(media.corrupt)
    assert f"{n_bad} files could not be read" in out.stdout
    rows = _rows(store.connect(db))
    assert rows[str(good)]["error"] is None
    undetected = []
    for i, c in enumerate(media.corrupt):
        row = rows[str(lib / f"{i:02d}-{c['path'].name}")]
        if not row["error"]:
            undetected.append(c["kind"])
        else:
            assert len(row["error"]) > 8  # a reason, not a code
    assert not undetected, f"corrupt files indexed as playable: {undetected}"


def test_schema_version_and_migration_path(tmp_path):
    db = tmp_path / "lib.db"
    conn = store.connect(db)
    assert store.schema_version(conn) == store.SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    # reopening migrates nothing and keeps data
    conn = store.connect(db)
    assert store.migrate(conn) == store.SCHEMA_VERSION
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    with pytest.raises(store.SchemaTooNew):
        store.connect(db)


def test_opening_a_library_another_opener_is_switching_to_wal_waits(tmp_path):
    """While another connection holds the write lock of a library still in rollback mode (as the
    first of two processes creating one library does while it switches to WAL), SQLite answers the
    WAL pragma at once with "database is locked", busy timeout or not; connect waits instead."""
    import threading

    db = tmp_path / "new.db"
    first = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    first.execute("BEGIN IMMEDIATE")
    threading.Timer(0.3, first.rollback).start()
    conn = store.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.schema_version(conn) == store.SCHEMA_VERSION
    conn.close()
    first.close()


def test_missing_folder_is_a_clear_error(tmp_path):
    out = subprocess.run([*CLI, "index", str(tmp_path / "nope"), "--db", str(tmp_path / "x.db")],
                         capture_output=True, text=True)
    assert out.returncode == 2 and "not a folder" in out.stderr
