"""``moodplayer play``: play the mood queue from the terminal (Ctrl-C stops)."""
from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from moodplayer.commands.recommend import _unit
from moodplayer.display import terminal_safe
from moodplayer.commands import add_db_argument, existing_library


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("play", help="play the tracks for a mood",
                       description="Play the analysed tracks nearest a mood, gaplessly, on the default "
                                   "audio output. Prints a line per track; Ctrl-C stops.")
    p.add_argument("--valence", "-v", type=_unit, required=True, help="0 = negative .. 1 = positive")
    p.add_argument("--arousal", "-a", type=_unit, required=True, help="0 = calm .. 1 = energetic")
    p.add_argument("-n", type=int, default=20, help="tracks to queue (default 20)")
    p.add_argument("--volume", type=float, default=1.0, help="0..1 (default 1)")
    p.add_argument("--device", default=None, help="output device name or number (default: the system's)")
    add_db_argument(p)
    return p


def run(args: argparse.Namespace) -> int:
    from moodplayer.library.store import connect
    from moodplayer.playback.engine import AudioEngine
    from moodplayer.playback.item import QueueItem
    from moodplayer.recommend.index import MoodIndex
    from moodplayer.recommend.queue import build_queue, recently_played

    path = existing_library(args, "play")
    if path is None:
        return 2
    conn = connect(path)
    try:
        picks = build_queue(MoodIndex.from_db(conn), args.valence, args.arousal, args.n,
                            exclude=recently_played(conn))
        items = QueueItem.many_from_db(conn, [p.track_id for p in picks])
    finally:
        conn.close()
    if not items:
        print(f"moodplayer play: no analysed tracks in {path} yet", file=sys.stderr)
        return 1
    device = int(args.device) if args.device and args.device.isdigit() else args.device
    engine = AudioEngine(device=device, db_path=path)
    done = threading.Event()
    why = {p.track_id: p.why for p in picks}

    def now_playing(index: int, item: QueueItem) -> None:
        line = f"{item.artist or '?'} - {item.title or Path(item.path).name}   ({why.get(item.track_id, '')})"
        print(f"[{index + 1}/{len(items)}] {terminal_safe(line)}", flush=True)

    def state(new: str, message: str | None) -> None:
        if new in ("stopped", "no-device"):
            done.set()

    engine.on("track_changed", now_playing)
    engine.on("state_changed", state)
    engine.on("error", lambda item, message: print(f"skipped {terminal_safe(item.path)}: {terminal_safe(message)}",
                                                   file=sys.stderr))
    try:
        engine.volume = args.volume
        engine.set_queue(items)
        engine.play()
        while not done.wait(0.5):
            pass
        if engine.state == "no-device":
            print(f"moodplayer play: {terminal_safe(engine.message)}", file=sys.stderr)
            return 1
    finally:
        engine.close()
    return 0
