"""The ``moodplayer`` entry point: no command opens the GUI, a sub-command runs headless.

Only the module of the command being run is imported (``export`` must not pay for OpenCV or
onnxruntime); ``--help`` lists the commands from the one-line summaries below.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from moodplayer import __version__

# Sub-command modules under moodplayer.commands with their --help summary, in the order listed.
# Each module's add_parser() uses the same summary (tests/test_cli_lazy.py checks they agree).
COMMANDS: dict[str, str] = {
    "index": "scan a music folder into the library",
    "export": "print every track of the library",
    "analyze": "estimate the mood (valence/arousal) of audio files",
    "recommend": "list the tracks for a mood",
    "play": "play the tracks for a mood",
    "map": "draw the library's mood map as a PNG",
    "face": "read facial expressions in images or videos",
    "camera": "print the live mood read from the webcam",
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; ``command``'s module is imported and adds its full options, the others are
    listed by name and summary only."""
    from moodplayer.paths import default_db_path  # stdlib only

    parser = argparse.ArgumentParser(
        prog="moodplayer", usage="moodplayer [-h] [--version] [--self-test] [--db PATH] [COMMAND ...]",
        description="Play your own music library by mood. Without a command, opens the window.",
        epilog="Run `moodplayer COMMAND --help` for a command's options.")
    parser.add_argument("--version", action="version", version=f"moodplayer {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="check this installation (models, decoders, audio, camera, database) and exit")
    parser.add_argument("--db", dest="gui_db", metavar="PATH", default=None,
                        help="without a command: open the window on this library database (created if "
                             f"missing; default: {default_db_path()}); before a command: that command's --db")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, summary in COMMANDS.items():
        if name == command:
            module = importlib.import_module(f"moodplayer.commands.{name}")
            module.add_parser(sub).set_defaults(_run=module.run)
        else:
            sub.add_parser(name, help=summary, add_help=False)
    return parser


def _command_in(argv: list[str]) -> str | None:
    """The first word that is not an option (nor --db's value): the command, if any."""
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            return argv[i + 1] if i + 1 < len(argv) else None
        if a == "--db":
            i += 2
            continue
        if not a.startswith("-"):
            return a
        i += 1
    return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from moodplayer.logsetup import start_process

    start_process()   # log file (+ stderr from a terminal); native decoder chatter silenced, once
    if "--self-test" in argv:  # before the GUI/command split: it takes its own options (--db, --qt)
        from moodplayer.selftest import main as self_test

        return self_test([a for a in argv if a != "--self-test"])
    command = _command_in(argv)
    parser = build_parser(command if command in COMMANDS else None)
    if command is None:
        args, qt_args = parser.parse_known_args(argv)   # the rest (-reverse, --style=fusion...) is Qt's
        from moodplayer.ui.app import run_gui  # Qt only when the window is wanted

        return run_gui(qt_args, db=args.gui_db)
    args = parser.parse_args(argv)   # an unknown command ends here with argparse's "invalid choice"
    if args.gui_db and getattr(args, "db", "absent") is None:
        args.db = args.gui_db   # `moodplayer --db X export` means `moodplayer export --db X`
    from moodplayer.library.store import LibraryError  # stdlib only: cheap

    try:
        return int(args._run(args) or 0)
    except LibraryError as exc:  # a database that cannot be used: one plain line, never a traceback
        from moodplayer.display import terminal_safe

        print(f"moodplayer {args.command}: {terminal_safe(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
