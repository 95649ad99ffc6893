"""``moodplayer export``: print the whole library, for scripts and tests."""
from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from moodplayer.commands import add_db_argument, existing_library
from moodplayer.display import terminal_safe
from moodplayer.library.fields import SCHEMA, TrackSchema
from moodplayer.library.store import connect, export_tracks


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("export", help="print every track of the library",
                       description="Print every track with its tags, availability, read error and "
                                   "mood (valence/arousal, null until analysed).")
    add_db_argument(p)
    p.add_argument("--json", action="store_true", help="a JSON list of objects (default: tab-separated)")
    return p


def run(args: argparse.Namespace) -> int:
    path = existing_library(args, "export")
    if path is None:
        return 2
    conn = connect(path)
    try:
        tracks = export_tracks(conn)
    finally:
        conn.close()
    write(tracks, sys.stdout, as_json=args.json)
    return 0


def write(tracks: list[dict], out: TextIO, *, as_json: bool, schema: TrackSchema = SCHEMA) -> None:
    """The exported tracks as JSON, or as a table of the declaration's listed fields."""
    if as_json:
        json.dump(tracks, out, ensure_ascii=False, indent=1)
        out.write("\n")
        return
    cols = [f.json_key for f in schema.listed]
    out.write("\t".join(cols) + "\n")
    for t in tracks:
        out.write("\t".join(_cell(t[c]) for c in cols) + "\n")


def _cell(value: object) -> str:
    """One tab-separated cell: tags and names are untrusted, so escape sequences, tabs and newlines
    are shown escaped (a title must not drive the terminal or split the row)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}"
    return terminal_safe(value)
