"""``moodplayer index DIR``: scan a music folder into the library, then analyse the new tracks.

Every failure ends in one plain line naming the file and the reason, never a traceback: exit status
2 for a folder that is not there, 1 when the library database, the music model or a worker process
fails. SIGTERM or Ctrl+C stops cleanly: finished work is kept, workers are ended, the status is
128 + the signal number, and a re-run goes on where this one stopped.
"""
from __future__ import annotations

import argparse
import signal
import sys
import threading
from contextlib import contextmanager
from typing import Iterator

from moodplayer.commands import add_db_argument
from moodplayer.display import display_path, terminal_safe
from moodplayer.library.scanner import ScanError, scan
from moodplayer.library.store import LibraryError, connect
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


def _fail(message: object) -> int:
    print(f"moodplayer index: {terminal_safe(message)}", file=sys.stderr)
    return 1


@contextmanager
def _stop_on_signals() -> Iterator[threading.Event]:
    """SIGTERM and the first Ctrl+C ask the run to stop after the work in flight; a second Ctrl+C
    leaves at once (KeyboardInterrupt). The signal's number is kept on the event."""
    stop = threading.Event()
    stop.signum = 0  # type: ignore[attr-defined]

    def handler(signum: int, frame: object) -> None:
        if stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        stop.signum = signum  # type: ignore[attr-defined]
        stop.set()

    saved = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for s, h in saved.items():
            signal.signal(s, h)


def run(args: argparse.Namespace) -> int:
    # the decoders' own notes on broken files were silenced at start (cli.main); we list the reasons
    with _stop_on_signals() as stop:
        code = _scan(args, stop)
        if code is None and not args.no_analyze and not stop.is_set():
            code = _analyze(args, stop)
    if stop.is_set():
        name = signal.Signals(stop.signum).name  # type: ignore[attr-defined]
        print(f"moodplayer index: stopped by {name}; finished work is kept, run it again to continue",
              file=sys.stderr)
        return 128 + stop.signum  # type: ignore[attr-defined]
    return code or 0


def _scan(args: argparse.Namespace, stop: threading.Event) -> int | None:
    """Scan DIR; None to go on to the analysis, else the exit status."""
    try:
        conn = connect(args.db or default_db_path())
    except LibraryError as exc:
        return _fail(exc)
    bar = ProgressBar("scanning", "files", stream=sys.stderr)
    bar.enabled = bar.enabled and not args.quiet
    try:
        report = scan(conn, args.dir, workers=args.workers, progress=bar, should_stop=stop.is_set)
    except NotADirectoryError as exc:
        print(f"moodplayer index: {terminal_safe(exc)}", file=sys.stderr)
        return 2
    except (LibraryError, ScanError) as exc:
        return _fail(exc)
    finally:
        bar.close()
        conn.close()
    if not args.quiet:
        rate = report.read / report.seconds if report.seconds else 0.0
        merged = f", {report.merged} duplicate rows merged" if report.merged else ""
        print(f"{report.found} music files in {display_path(report.root)}: {report.new} new, "
              f"{report.updated} changed, {report.moved} moved, {report.unchanged} unchanged, "
              f"{report.missing} gone{merged} ({report.seconds:.2f} s, {rate:,.0f} files/s read)")
        if report.errors:
            n = len(report.errors)
            print(f"{n} file{'s' if n != 1 else ''} could not be read:")
            for path, reason in report.errors[:MAX_LISTED]:
                print(f"  {terminal_safe(display_path(path))}: {terminal_safe(reason)}")
            if n > MAX_LISTED:
                print(f"  ... and {n - MAX_LISTED} more (see `moodplayer export --json`)")
    return None


def _analyze(args: argparse.Namespace, stop: threading.Event) -> int:
    """Mood analysis of every track that has none (or one from an older model)."""
    from moodplayer.analysis.music_model import ModelError
    from moodplayer.analysis.service import AnalysisError, analyze_library

    bar = ProgressBar("analysing", "tracks", stream=sys.stderr)
    bar.enabled = bar.enabled and not args.quiet
    try:
        rep = analyze_library(args.db or default_db_path(), workers=args.workers, nice=args.nice,
                              progress=bar, should_stop=stop.is_set)
    except ModelError as exc:
        return _fail(f"tracks indexed but not analysed: {exc}")
    except (AnalysisError, LibraryError) as exc:
        return _fail(exc)
    finally:
        bar.close()
    if not args.quiet and rep.total:
        print(f"analysed {rep.done} tracks in {rep.seconds:.1f} s ({rep.rate:.1f} tracks/s, "
              f"{rep.provider}, model {rep.model_version})")
        if rep.failed:
            print(f"{rep.failed} could not be analysed"
                  + (f" ({rep.unreachable} not reachable now: tried again next run)" if rep.unreachable else "")
                  + ":")
            for _path, reason in rep.errors[:MAX_LISTED]:
                print(f"  {terminal_safe(reason)}")
    return 0
