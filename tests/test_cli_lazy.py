"""The command line imports only the command being run, and ``--db`` without a command opens the
window on that library."""
from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from moodplayer import cli

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("cv2", "onnxruntime", "PySide6", "sklearn", "sounddevice")


@pytest.fixture(scope="module")
def small_library(media, tmp_path_factory) -> Path:
    from moodplayer.library.scanner import scan
    from moodplayer.library.store import connect

    db = tmp_path_factory.mktemp("cli-lazy") / "library.db"
    conn = connect(db)
    try:
        scan(conn, media.root / "formats", workers=1)
    finally:
        conn.close()
    return db


def _modules_after(argv: list[str], env: dict[str, str] | None = None) -> dict:
    script = (
        "import contextlib, io, json, sys\n"
        "from moodplayer.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    try:\n"
        f"        rc = main({argv!r})\n"
        "    except SystemExit as stop:\n"
        "        rc = stop.code\n"
        f"print(json.dumps({{'rc': rc, 'out': out.getvalue(), 'loaded': [m for m in {HEAVY!r} if m in sys.modules]}}))\n"
    )
    res = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
                         env=env)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout.strip().splitlines()[-1])


def test_export_loads_neither_opencv_nor_onnxruntime(small_library, media):
    got = _modules_after(["export", "--db", str(small_library), "--json"])
    assert got["rc"] == 0 and len(json.loads(got["out"])) == len(media.formats)
    assert got["loaded"] == []
    # --db before the command means that command's --db
    again = _modules_after(["--db", str(small_library), "export", "--json"])
    assert again["rc"] == 0 and json.loads(again["out"]) == json.loads(got["out"])


def test_help_lists_every_command_without_importing_them():
    got = _modules_after(["--help"])
    assert got["rc"] == 0 and got["loaded"] == []
    text = " ".join(got["out"].split())
    for name, summary in cli.COMMANDS.items():
        assert f"{name} {summary}" in text
    assert "without a command: open the window on this library database" in text


def test_summaries_match_each_command_parser():
    """cli.COMMANDS repeats each module's one-line help so --help needs no import: keep them equal."""
    for name, summary in cli.COMMANDS.items():
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(f"moodplayer.commands.{name}").add_parser(sub)
        (action,) = sub._choices_actions
        assert (action.dest, action.help) == (name, summary)


def test_db_without_a_command_opens_the_window_on_that_library(tmp_path):
    db = tmp_path / "elsewhere" / "my library.db"
    db.parent.mkdir()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MOODPLAYER_NO_MPRIS="1",
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_STATE_HOME=str(tmp_path / "state"),
               XDG_DATA_HOME=str(tmp_path / "data"))
    env.pop("MOODPLAYER_DB", None)
    proc = subprocess.Popen([sys.executable, "-m", "moodplayer", "--db", str(db)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        end = time.monotonic() + 90
        while not db.exists() and proc.poll() is None and time.monotonic() < end:
            time.sleep(0.2)
        assert db.exists(), f"the window did not open {db}: {proc.poll()} {proc.stderr.read() if proc.poll() is not None else ''}"
        assert proc.poll() is None   # the window is running
        assert not (tmp_path / "data" / "moodplayer" / "library.db").exists()   # not the default library
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
