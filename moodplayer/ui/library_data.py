"""The library as column lists, loaded with one query (runs in a worker; no Qt, no numpy).

Column lists rather than one object per row: 100,000 rows load in a fraction of a second and the
table model indexes them directly. The default order (artist, album, disc, track) is computed here in
the worker; the top mood is parsed from its JSON only when a row is shown or the column is sorted.
"""
from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field
from typing import Any

_SQL = """
    SELECT t.id, t.path, t.title, t.artist, t.album, t.duration, t.available, t.error,
           t.rg_track_gain, t.rg_track_peak, a.valence, a.arousal, a.error, a.moods,
           t.disc_no, t.track_no
    FROM tracks t LEFT JOIN analysis a ON a.track_id = t.id
"""

# table columns (the model's order); sort orders are computed here so a worker can prepare them
COLUMNS = ("Title", "Artist", "Album", "Time", "Valence", "Arousal", "Mood")
TITLE, ARTIST, ALBUM, TIME, VALENCE, AROUSAL, MOOD = range(len(COLUMNS))

FIELDS = ("id", "path", "title", "artist", "album", "duration", "available", "error",
          "rg_gain", "rg_peak", "valence", "arousal", "analysis_error", "moods_json")


@dataclass
class LibraryData:
    """One list per column, all the same length; ``row_of`` maps track id -> row."""

    id: list[int] = field(default_factory=list)
    path: list[str] = field(default_factory=list)
    title: list[str | None] = field(default_factory=list)
    artist: list[str | None] = field(default_factory=list)
    album: list[str | None] = field(default_factory=list)
    duration: list[float | None] = field(default_factory=list)
    available: list[int] = field(default_factory=list)
    error: list[str | None] = field(default_factory=list)
    rg_gain: list[float | None] = field(default_factory=list)
    rg_peak: list[float | None] = field(default_factory=list)
    valence: list[float | None] = field(default_factory=list)
    arousal: list[float | None] = field(default_factory=list)
    analysis_error: list[str | None] = field(default_factory=list)
    moods_json: list[str | None] = field(default_factory=list)
    mood: list[str | None | bool] = field(default_factory=list)   # False = not parsed yet
    order: list[int] = field(default_factory=list)      # rows in artist/album/disc/track order
    row_of: dict[int, int] = field(default_factory=dict)
    haystack: list[str] = field(default_factory=list)   # casefolded "title artist album file" for search
    seconds: float = 0.0
    orders: dict[int, list[int]] = field(default_factory=dict)   # column -> rows in ascending order

    def __len__(self) -> int:
        return len(self.id)

    def display_title(self, row: int) -> str:
        title = self.title[row]
        if title:
            return title
        return self.path[row].rsplit(os.sep, 1)[-1]

    def top_mood(self, row: int) -> str | None:
        """The track's most likely named mood, parsed from the analysis JSON on first use."""
        m = self.mood[row]
        if m is False:
            m = None
            raw = self.moods_json[row]
            if raw:
                try:
                    d = json.loads(raw)
                    m = max(d, key=d.get) if d else None
                except (ValueError, TypeError):
                    m = None
            self.mood[row] = m
        return m

    def sort_order(self, col: int) -> list[int]:
        """Rows in ascending order of a column (unknown values last), computed once per column.

        Keys are looked up through a Python lambda, not a C getter, so a worker sorting here still
        hands the GIL to the GUI thread every few milliseconds.
        """
        order = self.orders.get(col)
        if order is not None:
            return order
        n = len(self.id)
        if col == TITLE:
            keys: list[Any] = [self.display_title(i).casefold() for i in range(n)]
        elif col in (ARTIST, ALBUM):
            keys = [(s or "\uffff").casefold() for s in (self.artist if col == ARTIST else self.album)]
        elif col == MOOD:
            keys = [self.top_mood(i) or "\uffff" for i in range(n)]
        else:
            src = {TIME: self.duration, VALENCE: self.valence, AROUSAL: self.arousal}[col]
            keys = [(v is None, v or 0.0) for v in src]
        order = self.orders[col] = sorted(range(n), key=lambda i: keys[i])
        return order

    def record(self, row: int) -> dict[str, Any]:
        d = {name: getattr(self, name)[row] for name in FIELDS}
        d["mood"] = self.top_mood(row)
        return d


def load_library(conn: sqlite3.Connection, sort_column: int | None = None) -> LibraryData:
    """Every track with its analysis, in artist/album/track order (plus ``sort_column``'s order)."""
    import time

    t0 = time.perf_counter()
    rows = conn.execute(_SQL).fetchall()
    # one comprehension per column rather than zip(*rows): bytecode lets the GUI thread take the GIL
    cols = [[r[k] for r in rows] for k in range(len(FIELDS) + 2)]
    data = LibraryData(**dict(zip(FIELDS, cols)))
    data.mood = [False] * len(rows)
    for i in range(len(rows)):   # parse the mood JSON here, in the worker, not when the GUI sorts or paints
        data.top_mood(i)
    disc, track = cols[len(FIELDS)], cols[len(FIELDS) + 1]
    artist_key = [(a or "\uffff").casefold() for a in data.artist]   # untagged artists sort last
    album_key = [(a or "").casefold() for a in data.album]
    data.order = sorted(range(len(rows)), key=lambda i: (artist_key[i], album_key[i], disc[i] or 0,
                                                          track[i] or 0, data.path[i]))
    data.row_of = {tid: i for i, tid in enumerate(data.id)}
    data.haystack = [
        f"{t or ''}\x00{a or ''}\x00{al or ''}\x00{p.rsplit(os.sep, 1)[-1]}".casefold()
        for t, a, al, p in zip(data.title, data.artist, data.album, data.path)
    ]
    if sort_column is not None and 0 <= sort_column < len(COLUMNS):
        data.sort_order(sort_column)
    data.seconds = time.perf_counter() - t0
    return data


def track_details(conn: sqlite3.Connection, track_id: int) -> dict[str, Any] | None:
    """What the now-playing panel shows beyond the table: album, year, mood timeline, moods."""
    r = conn.execute(
        """SELECT t.id, t.path, t.title, t.artist, t.album, t.year, t.duration, t.has_cover,
                  a.valence, a.arousal, a.windows, a.moods
           FROM tracks t LEFT JOIN analysis a ON a.track_id = t.id WHERE t.id = ?""", (int(track_id),)).fetchone()
    if r is None:
        return None
    d = dict(zip(("id", "path", "title", "artist", "album", "year", "duration", "has_cover", "valence",
                  "arousal", "windows", "moods"), tuple(r)))
    try:
        d["windows"] = [tuple(map(float, w[:3])) for w in json.loads(d["windows"])] if d["windows"] else []
    except (ValueError, TypeError):
        d["windows"] = []
    try:
        d["moods"] = json.loads(d["moods"]) if d["moods"] else None
    except ValueError:
        d["moods"] = None
    return d
