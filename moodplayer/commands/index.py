"""``moodplayer index DIR``: scan a music folder into the library."""
from __future__ import annotations

import argparse
import sys

from moodplayer.library.scanner import scan
from moodplayer.library.store import connect
from moodplayer.nativelog import silence_native_stderr
from moodplayer.commands import add_db_argument
from moodplayer.paths import default_db_path
from moodplayer.termprogress import ProgressBar

MAX_LISTED = 20


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("index", help="scan a music folder into the library",
                       description="Scan DIR for music (mp3, flac, ogg, opus, m4a, wav); only new or "
                                   "changed files are read again. Unreadable files are listed at the end.")
    p.add_argument("dir", metavar="DIR", help="music folder to scan")
    add_db_argument(p)
    p.add_argument("--workers", type=int, default=None,
                   help="processes reading and analysing files (default: all cores)")
    p.add_argument("--no-analyze", action="store_true",
                   help="only scan tags; skip the mood analysis (valence/arousal) of new tracks")
    p.add_argument("--nice", type=int, default=10,
                   help="priority drop of the analysis workers, 0..19 (default 10: playback stays smooth)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar or summary")
    return p


def run(args: argparse.Namespace) -> int:
    silence_native_stderr()  # decoders' own notes on broken files; we list the reasons ourselves
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
    if args.no_analyze or report.cancelled:
        return 0
    return _analyze(args)


def _analyze(args: argparse.Namespace) -> int:
    """Mood analysis of every track that has none (or one from an older model)."""
    from moodplayer.analysis.music_model import ModelError
    from moodplayer.analysis.service import analyze_library

    bar = ProgressBar("analysing", "tracks", stream=sys.stderr)
    if args.quiet:
        bar.enabled = False
    try:
        rep = analyze_library(args.db or default_db_path(), workers=args.workers, nice=args.nice, progress=bar)
    except ModelError as exc:
        print(f"moodplayer index: tracks indexed but not analysed: {exc}", file=sys.stderr)
        return 1
    finally:
        bar.close()
    if not args.quiet and rep.total:
        print(f"analysed {rep.done} tracks in {rep.seconds:.1f} s ({rep.rate:.1f} tracks/s, "
              f"{rep.provider}, model {rep.model_version})")
        if rep.failed:
            print(f"{rep.failed} could not be analysed:")
            for path, reason in rep.errors[:MAX_LISTED]:
                print(f"  {reason}")
    return 0
