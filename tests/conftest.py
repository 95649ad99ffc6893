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


# The full tier: modules whose tests analyse real music, open real windows, run the CLI or a
# training step in subprocesses, build venvs or kill processes. `pytest -m "not slow"` (the tier for
# every edit) leaves them out; the full suite (`bash .ci/run`) runs everything. Chosen from
# `pytest --durations=0`: each module below costs about 4 s or more, the rest together about 30 s.
FULL_TIER_MODULES = frozenset({
    "test_analysis_errors", "test_analysis_service", "test_analyze", "test_cli_lazy", "test_db_errors", "test_face_cli",
    "test_face_model", "test_face_train", "test_install_wheel", "test_mood_map", "test_mtcnn",
    "test_music_train", "test_packaging", "test_photo_mood", "test_plain_text", "test_playback_decode",
    "test_probe_real", "test_spectrogram",
    "test_recommend", "test_scan_robust", "test_track_model", "test_ui_browser", "test_ui_camera",
    "test_ui_layout", "test_ui_library", "test_ui_mpris", "test_ui_pad", "test_ui_playback",
    "test_ui_startup", "test_vision_inputs", "test_vision_pipeline",
})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.stem in FULL_TIER_MODULES:
            item.add_marker(pytest.mark.slow)
