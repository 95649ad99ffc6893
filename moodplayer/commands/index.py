"""``moodplayer index DIR``: scan a music folder into the library."""
from __future__ import annotations

import argparse
import sys

from moodplayer.library.scanner import scan
from moodplayer.library.store import connect
from moodplayer.paths import default_db_path
from moodplayer.termprogress import ProgressBar

MAX_LISTED = 20


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("index", help="scan a music folder into the library",
                       description="Scan DIR for music (mp3, flac, ogg, opus, m4a, wav); only new or "
                                   "changed files are read again. Unreadable files are listed at the end.")
    p.add_argument("dir", metavar="DIR", help="music folder to scan")
    p.add_argument("--db", default=None, help=f"library database (default: {default_db_path()})")
    p.add_argument("--workers", type=int, default=None, help="processes reading files (default: all cores)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar or summary")
    return p


def run(args: argparse.Namespace) -> int:
    conn = connect(args.db or default_db_path())
    bar = ProgressBar("scanning", "files", stream=sys.stderr)
    if args.quiet:
        bar.enabled = False
    try:
        report = scan(conn, args.dir, workers=args.workers, progress=bar)
    except NotADirectoryError as exc:
        print(f"moodplayer index: {exc}", file=sys.stderr)
        return 2
    finally:
        bar.close()
        conn.close()
    if not args.quiet:
        rate = report.read / report.seconds if report.seconds else 0.0
        print(f"{report.found} music files in {report.root}: {report.new} new, {report.updated} changed, "
              f"{report.moved} moved, {report.unchanged} unchanged, {report.missing} gone "
              f"({report.seconds:.2f} s, {rate:,.0f} files/s read)")
        if report.errors:
            n = len(report.errors)
            print(f"{n} file{'s' if n != 1 else ''} could not be read:")
            for path, reason in report.errors[:MAX_LISTED]:
                print(f"  {path}: {reason}")
            if n > MAX_LISTED:
                print(f"  ... and {n - MAX_LISTED} more (see `moodplayer export --json`)")
    return 0
