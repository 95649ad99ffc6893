"""The one declaration of a track's fields; every layer derives what it needs from it.

A field is a column of the ``tracks`` table (or an ``analysis`` column shown with a track) with its SQL
type, its key in ``export --json``, its library column title and formatter, and, for a tag, the keys
it is read from in each tag family. From this list come: the columns a schema migration adds (a
field with ``since`` above the released migrations gets its ``ALTER TABLE`` generated), what the
reader fills from the file, the scanner's upserts, ``export``'s JSON and table, the library model's
columns and the rows the mood index and the queue read (by name, never by position).

Adding a tag (say BPM) is one ``Field`` here with ``since`` = the next schema version. Qt-free.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Mapping

# where a field's value comes from
DB = "db"              # the database (row id)
SCAN = "scan"          # the scanner: path, file size, hash, availability, read error
INFO = "info"          # the stream: format, length, rate (tags.py's container info, then the probe)
TAG = "tag"            # a tag in the file, read from ``keys``
ANALYSIS = "analysis"  # the mood analysis (the analysis table)


def plain(value: Any) -> str:
    return "" if value is None else str(value)


def minutes(seconds: Any) -> str:
    """Seconds as m:ss (h:mm:ss from an hour)."""
    if seconds is None or seconds != seconds or seconds < 0:
        return ""
    s = int(round(seconds))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def two_places(value: Any) -> str:
    return "" if value is None else f"{value:.2f}"


def top_mood_of(raw: Any) -> str:
    """The most likely named mood of an analysis' moods JSON."""
    from moodplayer.mood_geometry import top_mood

    if not raw:
        return ""
    try:
        return top_mood(json.loads(raw) if isinstance(raw, str) else raw) or ""
    except (ValueError, TypeError):
        return ""


def _flag(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _moods(value: Any) -> Any:
    from moodplayer.mood_geometry import canonical_moods

    return canonical_moods(json.loads(value)) if value else None   # old mood names mapped


@dataclass(frozen=True)
class Field:
    name: str                       # column name; the key of rows, records and Tags
    sql: str                        # SQL type and constraints of the column
    source: str = TAG
    json: str | None = ""           # key in ``export --json``; "" = the name, None = not exported
    title: str | None = None        # library column title (None: not a column)
    fmt: Callable[[Any], str] = plain                # a value as the library column shows it
    load: Callable[[Any], Any] | None = None         # database value -> exported value
    parse: str = "text"             # a tag's value: text, number (leading integer), decimal, flag
    keys: Mapping[str, tuple[str, ...]] = field(default_factory=dict)   # tag family -> keys, best first
    listed: bool = False            # a column of ``export``'s table (tab-separated) output
    numeric: bool = False           # right-aligned, sorted as a number
    since: int = 1                  # schema version whose migration adds the column
    table: str = "tracks"
    column: str = ""                # the SQL column when it differs from name (analysis.error)

    @property
    def json_key(self) -> str | None:
        return self.name if self.json == "" else self.json

    @property
    def sql_column(self) -> str:
        return self.column or self.name


def _tag(name: str, sql: str, vorbis: tuple[str, ...], id3: tuple[str, ...], mp4: tuple[str, ...],
         **kw: Any) -> Field:
    return Field(name, sql, TAG, keys={"vorbis": vorbis, "id3": id3, "mp4": mp4}, **kw)


def _gain(scope: str, kind: str) -> Field:
    key = f"replaygain_{scope}_{kind}"
    return _tag(f"rg_{scope}_{kind}", "REAL", (key,), (f"TXXX:{key}",), (f"----:com.apple.iTunes:{key}",),
                parse="decimal")


FIELDS: tuple[Field, ...] = (
    Field("id", "INTEGER PRIMARY KEY", DB),
    Field("path", "TEXT NOT NULL UNIQUE", SCAN, listed=True),
    Field("size", "INTEGER NOT NULL", SCAN, json=None),
    Field("mtime_ns", "INTEGER NOT NULL", SCAN, json=None),
    Field("quick_hash", "TEXT", SCAN, json=None),
    Field("format", "TEXT", INFO),
    _tag("title", "TEXT", ("title",), ("TIT2",), ("\xa9nam",), title="Title", listed=True),
    _tag("artist", "TEXT", ("artist",), ("TPE1",), ("\xa9ART",), title="Artist", listed=True),
    _tag("album", "TEXT", ("album",), ("TALB",), ("\xa9alb",), title="Album", listed=True),
    _tag("album_artist", "TEXT", ("albumartist", "album artist", "album_artist"), ("TPE2",), ("aART",)),
    _tag("track_no", "INTEGER", ("tracknumber",), ("TRCK",), ("trkn",), parse="number"),
    _tag("disc_no", "INTEGER", ("discnumber",), ("TPOS",), ("disk",), parse="number"),
    _tag("year", "INTEGER", ("date", "year", "originaldate"), ("TDRC", "TYER", "TDOR"), ("\xa9day",),
         parse="number"),
    _tag("genre", "TEXT", ("genre",), ("TCON",), ("\xa9gen",)),
    Field("duration", "REAL", INFO, title="Time", fmt=minutes, listed=True, numeric=True),
    Field("sample_rate", "INTEGER", INFO),
    Field("channels", "INTEGER", INFO),
    _gain("track", "gain"), _gain("track", "peak"), _gain("album", "gain"), _gain("album", "peak"),
    _tag("has_cover", "INTEGER NOT NULL DEFAULT 0", ("metadata_block_picture", "coverart"), ("APIC",),
         ("covr",), parse="flag", load=_flag),
    Field("available", "INTEGER NOT NULL DEFAULT 1", SCAN, load=_flag, listed=True),
    Field("error", "TEXT", SCAN, listed=True),
    Field("added_at", "REAL NOT NULL", SCAN, json=None),
    Field("scanned_at", "REAL NOT NULL", SCAN, json=None),
    # the analysis shown with a track (its own table, written by the analysis service)
    Field("valence", "REAL", ANALYSIS, title="Valence", fmt=two_places, listed=True, numeric=True,
          table="analysis"),
    Field("arousal", "REAL", ANALYSIS, title="Arousal", fmt=two_places, listed=True, numeric=True,
          table="analysis"),
    Field("moods", "TEXT", ANALYSIS, title="Mood", fmt=top_mood_of, load=_moods, table="analysis"),
    Field("model_version", "TEXT NOT NULL", ANALYSIS, table="analysis"),
    Field("windows", "TEXT", ANALYSIS, json=None, table="analysis"),   # JSON [[start s, valence, arousal]]
    Field("analysis_error", "TEXT", ANALYSIS, json=None, table="analysis", column="error"),
)


# what playing a track needs (playback.item.QueueItem), so the mood index carries it for its queue
QUEUE_FIELDS = ("id", "path", "title", "artist", "album", "duration", "rg_track_gain", "rg_track_peak")


class TrackSchema:
    """A declaration (``FIELDS``, or a copy with a field added in a test) and what derives from it."""

    def __init__(self, fields: tuple[Field, ...]) -> None:
        names = [f.name for f in fields]
        if len(set(names)) != len(names):
            raise ValueError(f"field declared twice: {sorted({n for n in names if names.count(n) > 1})}")
        self.fields = tuple(fields)
        self.by_name = {f.name: f for f in fields}

    def __getitem__(self, name: str) -> Field:
        return self.by_name[name]

    @cached_property
    def version(self) -> int:
        """The newest schema version a field of this declaration was added in."""
        return max(f.since for f in self.fields)

    @cached_property
    def tracks(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.table == "tracks")

    @cached_property
    def analysis(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.table == "analysis")

    @cached_property
    def from_file(self) -> tuple[str, ...]:
        """Columns the reader fills from one file: tags and stream info (was reader.TAG_COLUMNS)."""
        return tuple(f.name for f in self.tracks if f.source in (TAG, INFO))

    @cached_property
    def tags(self) -> tuple[Field, ...]:
        """Fields read from tag keys."""
        return tuple(f for f in self.tracks if f.source == TAG)

    @cached_property
    def exported(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.json_key is not None)

    @cached_property
    def columns(self) -> tuple[Field, ...]:
        """The library table's columns, in order."""
        return tuple(f for f in self.fields if f.title)

    @cached_property
    def listed(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.listed)

    def migration(self, version: int) -> str:
        """The generated step up to ``version`` (one past the released migrations): its new columns."""
        return "\n".join(f"ALTER TABLE {f.table} ADD COLUMN {f.sql_column} {_addable(f.sql)};"
                         for f in self.fields if f.since == version)

    def select(self, names: tuple[str, ...] | None = None, tracks: str = "t", analysis: str = "a") -> str:
        """A SELECT list of fields (all by default) named by field name, for ``tracks t LEFT JOIN
        analysis a``: rows then read by name (``sqlite3.Row`` / dict) whatever the column order."""
        chosen = self.fields if names is None else tuple(self.by_name[n] for n in names)
        return ", ".join(f"{tracks if f.table == 'tracks' else analysis}.{f.sql_column} AS {f.name}"
                         for f in chosen)

    def record(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """An exported object: JSON keys, loaded values (booleans, parsed moods)."""
        out = {}
        for f in self.exported:
            v = row[f.name]
            out[f.json_key] = f.load(v) if f.load is not None and v is not None else v
        return out


def _addable(sql: str) -> str:
    """SQLite adds a NOT NULL column only with a default; a new column cannot be UNIQUE/PRIMARY KEY."""
    if "NOT NULL" in sql.upper() and "DEFAULT" not in sql.upper():
        raise ValueError(f"a column added to existing rows needs a DEFAULT: {sql}")
    return sql


SCHEMA = TrackSchema(FIELDS)
