"""Shared pytest setup: offscreen Qt and the real test media (built once into a cache outside the repo)."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.media import Media, ensure  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _private_log_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The app's log file (under $XDG_STATE_HOME) goes to a temporary folder, for the commands and
    windows the tests start too, never into the real home."""
    os.environ["XDG_STATE_HOME"] = str(tmp_path_factory.mktemp("xdg-state"))
    os.environ.pop("MOODPLAYER_LOG_FILE", None)


@pytest.fixture(scope="session")
def media() -> Media:
    """Real recordings, six tagged formats and a corrupt corpus; builds the cache on first use."""
    # Progress goes to the real stderr: a first build takes about a minute and should say why.
    return ensure(log=lambda msg: print(f"[test media] {msg}", file=sys.__stderr__, flush=True))


@pytest.fixture
def media_copy(media: Media, tmp_path: Path) -> Callable[..., list[Path]]:
    """copy(paths=None, subdir="media") -> fresh copies under tmp_path, for tests that modify files."""
    def copy(paths: list[Path] | None = None, subdir: str = "media") -> list[Path]:
        return media.copy_into(tmp_path / subdir, paths)
    return copy


@pytest.fixture
def sync_tasks():
    """The window's background tasks run synchronously in the calling thread (as Picard's tests swap
    their thread pool): a controller's chain of loads, scans and errors ends inside the call."""
    from moodplayer.ui import tasks

    previous = tasks.set_runner(tasks.run_now)
    try:
        yield tasks.run_now
    finally:
        tasks.set_runner(previous)
