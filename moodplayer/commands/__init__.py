"""Headless sub-commands. Each module defines ``add_parser(subparsers)`` and ``run(args) -> int``.

Modules are imported only when the CLI builds its parser, never by the GUI start path.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from moodplayer.paths import default_db_path


def add_db_argument(p: argparse.ArgumentParser) -> None:
    """The ``--db PATH`` option every library command shares."""
    p.add_argument("--db", default=None, help=f"library database (default: {default_db_path()})")


def existing_library(args: argparse.Namespace, command: str) -> Path | None:
    """The library the command should read, or None after telling the user there is none yet."""
    path = Path(args.db or default_db_path())
    if not path.exists():
        print(f"moodplayer {command}: no library at {path} (run `moodplayer index DIR` first)", file=sys.stderr)
        return None
    return path
