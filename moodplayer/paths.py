"""Where moodplayer keeps its data, without Qt (the GUI and the CLI must agree on the same file)."""
from __future__ import annotations

import os
import sys
from importlib import resources
from pathlib import Path

APP = "moodplayer"


def data_dir() -> Path:
    """Per-user data directory: $XDG_DATA_HOME/moodplayer on Linux, the platform's usual place elsewhere."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / APP


def default_db_path() -> Path:
    """The library database; MOODPLAYER_DB overrides it (tests, portable installs)."""
    override = os.environ.get("MOODPLAYER_DB")
    return Path(override) if override else data_dir() / "library.db"


def models_dir() -> Path:
    """The shipped ONNX models: the package moodplayer.models; MOODPLAYER_MODELS overrides (tests, new models).

    pyproject.toml installs the repository's models/ as that package, so one lookup serves a wheel,
    an editable install and the PyInstaller bundle (which ships it as moodplayer/models). A source
    tree run without any install falls back to models/ beside the package.
    """
    override = os.environ.get("MOODPLAYER_MODELS")
    if override:
        return Path(override)
    try:
        found = resources.files("moodplayer.models")
    except ModuleNotFoundError:
        found = None
    if isinstance(found, Path) and found.is_dir():
        return found
    return Path(__file__).resolve().parent.parent / "models"
