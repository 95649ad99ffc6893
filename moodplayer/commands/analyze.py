"""``moodplayer analyze FILE...``: valence, arousal, timeline and moods of audio files, headless."""
from __future__ import annotations

import argparse
import json
import sys

from moodplayer.analysis.analyze import DEFAULT_WINDOWS
from moodplayer.display import terminal_safe


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("analyze", help="estimate the mood (valence/arousal) of audio files",
                       description="Decode a few windows of each file, run the music emotion model and "
                                   "print valence and arousal (0..1), the per-window timeline and a mood "
                                   "distribution. Exit status 0 only if every file was analysed.")
    p.add_argument("files", nargs="+", metavar="FILE", help="audio files (wav, flac, mp3, ogg, opus, m4a, ...)")
    p.add_argument("--json", action="store_true", help="print a JSON list (one object per file)")
    p.add_argument("--windows", type=int, default=DEFAULT_WINDOWS,
                   help=f"windows per track, spread evenly (default {DEFAULT_WINDOWS})")
    return p


def _clock(seconds: float) -> str:
    m, s = divmod(int(round(seconds)), 60)
    return f"{m}:{s:02d}"


def _bar(x: float, width: int = 10) -> str:
    n = int(round(max(0.0, min(1.0, x)) * width))
    return "#" * n + "." * (width - n)


def format_result(r: dict) -> str:
    """Human-readable block for one analysis result (or its error)."""
    name = terminal_safe(r["path"])  # one line, whatever the file is called
    if "error" in r:
        return f"{name}\n  error: {terminal_safe(r['error'])}"
    moods = sorted(r["moods"].items(), key=lambda kv: -kv[1])
    lines = [
        name,
        f"  valence {r['valence']:.2f} [{_bar(r['valence'])}]  arousal {r['arousal']:.2f} [{_bar(r['arousal'])}]"
        f"  ({len(r['windows'])} windows over {_clock(r['duration'])}, {r['model_version']})",
        "  moods    " + "  ".join(f"{m} {p * 100:.0f}%" for m, p in moods),
        "  timeline " + "  ".join(f"{_clock(w['start'])} v{w['valence']:.2f} a{w['arousal']:.2f}"
                                  for w in r["windows"]),
    ]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from moodplayer.analysis.analyze import analyze_file
    from moodplayer.analysis.mood_model import ModelError, MoodModel

    try:
        model = MoodModel()
    except ModelError as exc:
        print(f"moodplayer analyze: {exc}", file=sys.stderr)
        return 2
    results = []
    for path in args.files:
        r = analyze_file(path, model, n_windows=max(1, args.windows))
        results.append(r)
        if not args.json:
            print(format_result(r), flush=True)
    if args.json:
        json.dump(results, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    return 0 if all("error" not in r for r in results) else 1
