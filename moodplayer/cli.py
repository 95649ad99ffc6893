"""The ``moodplayer`` entry point: no arguments opens the GUI, a sub-command runs headless."""
from __future__ import annotations

import argparse
import importlib
import sys

from moodplayer import __version__

# Sub-command modules under moodplayer.commands, in the order --help lists them.
COMMANDS: tuple[str, ...] = (
    "index",
    "export",
    "analyze",
    "recommend",
    "play",
    "face", "camera",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="moodplayer",
        description="Play your own music library by mood. Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"moodplayer {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="check this installation (models, decoders, audio, camera, database) and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"moodplayer.commands.{name}")
        p = module.add_parser(sub)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--self-test" in argv:  # before the GUI/command split: it takes its own options (--db, --qt)
        from moodplayer.selftest import main as self_test

        return self_test([a for a in argv if a != "--self-test"])
    if not argv or all(a.startswith("-") and a not in ("-h", "--help", "--version") for a in argv):
        from moodplayer.ui.app import run_gui  # Qt only when the window is wanted

        return run_gui(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
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
