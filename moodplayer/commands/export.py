"""``moodplayer export``: print the whole library, for scripts and tests."""
from __future__ import annotations

import argparse
import json
import sys

from moodplayer.display import terminal_safe
from moodplayer.library.store import connect, export_tracks
from moodplayer.commands import add_db_argument, existing_library


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
    if args.json:
        json.dump(tracks, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    cols = ("path", "title", "artist", "album", "duration", "available", "valence", "arousal", "error")
    print("\t".join(cols))
    for t in tracks:
        print("\t".join(_cell(t[c]) for c in cols))
    return 0


def _cell(value: object) -> str:
    """One tab-separated cell: tags and names are untrusted, so escape sequences, tabs and newlines
    are shown escaped (a title must not drive the terminal or split the row)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}"
    return terminal_safe(value)
