"""A track's fields are declared once (moodplayer/library/fields.py) and every layer follows.

The proof: a throw-away ``bpm`` field added to a copy of the declaration, and nothing else, gets its
column in the database (existing libraries migrated, their rows kept), is read from real files' tags
by the scanner, and shows in ``export --json``, ``export``'s table and the library model.
"""
from __future__ import annotations

import io
import json
import shutil
from dataclasses import replace

import mutagen
import pytest
from mutagen.id3 import TBPM

from moodplayer.commands import export
from moodplayer.library import store
from moodplayer.library.fields import FIELDS, SCHEMA, Field, TrackSchema
from moodplayer.library.scanner import scan
from moodplayer.ui.library_data import COLUMNS, load_library

BPM = Field("bpm", "INTEGER", keys={"vorbis": ("bpm",), "id3": ("TBPM",), "mp4": ("tmpo",)}, parse="number",
            title="BPM", numeric=True, listed=True, since=store.SCHEMA_VERSION + 1)
WITH_BPM = TrackSchema((*FIELDS, BPM))


@pytest.fixture
def tagged(media, tmp_path):
    """Real files of three tag families, tagged with a tempo the way taggers write it."""
    lib = tmp_path / "music"
    lib.mkdir()
    paths = {ext: lib / media.formats[ext].name for ext in ("flac", "mp3", "m4a", "wav")}
    for ext, p in paths.items():
        shutil.copy2(media.formats[ext], p)
    f = mutagen.File(paths["flac"])
    f["bpm"] = "120"
    f.save()
    f = mutagen.File(paths["mp3"])
    f.tags.add(TBPM(encoding=3, text=["96"]))
    f.save()
    f = mutagen.File(paths["m4a"])
    f["tmpo"] = [140]
    f.save()
    return lib, {paths["flac"]: 120, paths["mp3"]: 96, paths["m4a"]: 140, paths["wav"]: None}


def test_the_declaration_is_the_released_schema(tmp_path):
    """The released migrations stay as they are; the declaration describes exactly what they create."""
    conn = store.connect(tmp_path / "lib.db")
    for table, fields in (("tracks", SCHEMA.tracks), ("analysis", SCHEMA.analysis)):
        have = [(r["name"], r["type"]) for r in conn.execute(f"PRAGMA table_info({table})")]
        declared = [(f.sql_column, f.sql.split()[0]) for f in fields]
        assert set(declared) <= set(have), (table, set(declared) - set(have))
    tracks = [r["name"] for r in conn.execute("PRAGMA table_info(tracks)")]
    assert tracks == [f.name for f in SCHEMA.tracks]
    assert store.SCHEMA_VERSION == len(store.MIGRATIONS) >= max(f.since for f in FIELDS)


def test_a_field_added_to_the_declaration_reaches_every_layer(tagged, tmp_path):
    lib, expected = tagged
    conn = store.connect(tmp_path / "lib.db", schema=WITH_BPM)
    assert store.schema_version(conn) == store.SCHEMA_VERSION + 1
    report = scan(conn, lib, workers=1, schema=WITH_BPM)
    assert report.new == 4 and not report.errors

    stored = {r["path"]: r["bpm"] for r in conn.execute("SELECT path, bpm FROM tracks")}
    assert stored == {str(p): v for p, v in expected.items()}

    exported = store.export_tracks(conn, WITH_BPM)
    assert {t["path"]: t["bpm"] for t in exported} == stored
    out = io.StringIO()
    export.write(exported, out, as_json=True, schema=WITH_BPM)
    assert {t["path"]: t["bpm"] for t in json.loads(out.getvalue())} == stored
    out = io.StringIO()
    export.write(exported, out, as_json=False, schema=WITH_BPM)
    header, *rows = out.getvalue().splitlines()
    col = header.split("\t").index("bpm")
    assert sorted(r.split("\t")[col] for r in rows) == ["", "120", "140", "96"]

    data = load_library(conn, schema=WITH_BPM)
    bpm_col = [f.title for f in data.columns].index("BPM")
    assert [f.title for f in data.columns][:len(COLUMNS)] == list(COLUMNS)   # the others keep their places
    shown = {data.path[r]: data.text(r, bpm_col) for r in range(len(data))}
    assert shown == {str(p): "" if v is None else str(v) for p, v in expected.items()}
    by_bpm = [data.bpm[r] for r in data.sort_order(bpm_col)]
    assert by_bpm == [96, 120, 140, None]   # numeric order, unknown last
    conn.close()


def test_a_release_library_is_migrated_and_keeps_its_rows(tagged, tmp_path):
    """A library written by the current release (schema 2) opened by a declaration with a new field."""
    lib, expected = tagged
    db = tmp_path / "lib.db"
    conn = store.connect(db)                     # the release's schema
    scan(conn, lib, workers=1)
    conn.execute("INSERT INTO analysis (track_id, model_version, valence, arousal, analysed_at) "
                 "SELECT id, 'm1', 0.25, 0.75, 0 FROM tracks")
    conn.execute("INSERT INTO plays (track_id, at) SELECT id, 1 FROM tracks")
    conn.commit()
    before = store.export_tracks(conn)
    conn.close()

    conn = store.connect(db, schema=WITH_BPM)
    assert store.schema_version(conn) == store.SCHEMA_VERSION + 1
    after = store.export_tracks(conn, WITH_BPM)
    assert [{k: v for k, v in t.items() if k != "bpm"} for t in after] == before
    assert all(t["bpm"] is None for t in after)  # not read yet: unchanged files are not re-read
    assert conn.execute("SELECT count(*) FROM plays").fetchone()[0] == len(expected)
    conn.close()

    # the release itself refuses the newer library and leaves it alone
    with pytest.raises(store.SchemaTooNew):
        store.connect(db)


def test_a_new_not_null_column_needs_a_default():
    bad = TrackSchema((*FIELDS, replace(BPM, sql="INTEGER NOT NULL")))
    with pytest.raises(ValueError, match="DEFAULT"):
        bad.migration(store.SCHEMA_VERSION + 1)
    with pytest.raises(ValueError, match="declared twice"):
        TrackSchema((*FIELDS, BPM, BPM))


def test_rows_are_read_by_name_whatever_the_column_order(media, tmp_path):
    """The same library with its columns in another physical order reads the same."""
    lib = tmp_path / "music"
    lib.mkdir()
    shutil.copy2(media.formats["flac"], lib)
    conn = store.connect(tmp_path / "a.db")
    scan(conn, lib, workers=1)
    reference = store.export_tracks(conn)
    order = reversed([r["name"] for r in conn.execute("PRAGMA table_info(tracks)")])
    conn.execute(f"ATTACH DATABASE '{tmp_path / 'b.db'}' AS b")
    conn.execute(f"CREATE TABLE b.tracks AS SELECT {', '.join(order)} FROM main.tracks")
    conn.execute("CREATE TABLE b.analysis AS SELECT * FROM main.analysis")
    conn.commit()
    rows = conn.execute(f"SELECT {SCHEMA.select()} FROM b.tracks t LEFT JOIN b.analysis a "
                        "ON a.track_id = t.id").fetchall()
    assert [SCHEMA.record(r) for r in rows] == reference
