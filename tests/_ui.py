"""Fixtures for the GUI tests: real libraries (the scanner over the test media, the real music model
for the analysis) and a factory for the real main window with isolated settings.

    from tests._ui import analysed_db, library_db, make_window, scanned_library  # noqa: F401

The analysed library takes a minute to build on two cores, so it is cached next to the test media,
keyed by the media spec and the model file's hash; each test gets its own copy of the database.
"""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import Any, Callable

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]


def _scan_all(media: Any, db: Path) -> None:
    """Index the test media (real tracks, six formats, the corrupt corpus) with the real scanner."""
    from moodplayer.library.scanner import scan
    from moodplayer.library.store import connect
    from moodplayer.nativelog import silence_native_stderr

    silence_native_stderr()   # decoders' own notes on the corrupt corpus; the scan records the reasons
    conn = connect(db)
    try:
        for sub in ("tracks", "formats", "corrupt"):
            scan(conn, media.root / sub, workers=1)
    finally:
        conn.close()


@pytest.fixture(scope="session")
def scanned_library(media, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("ui-scanned") / "library.db"
    _scan_all(media, db)
    return db


def _model_file() -> Path:
    from moodplayer.paths import models_dir

    return models_dir() / "music_va.onnx"


@pytest.fixture(scope="session")
def analysed_library(media, tmp_path_factory) -> Path:
    """The test media scanned and analysed by the shipped music model (skips without the model)."""
    model = _model_file()
    if not model.is_file():
        pytest.skip(f"{model} is not there yet: the pad and queue tests need the real music model")
    from moodplayer.library.store import SCHEMA_VERSION
    from tests.media import spec_hash

    key = hashlib.sha256(model.read_bytes()).hexdigest()[:12] + "-" + spec_hash() + f"-s{SCHEMA_VERSION}"
    cache = media.root.parent / "ui-tests" / f"analysed-{key}.db"
    if not cache.is_file():
        from moodplayer.analysis.service import analyze_library

        build = tmp_path_factory.mktemp("ui-analysed") / "library.db"
        _scan_all(media, build)
        report = analyze_library(build, workers=min(2, os.cpu_count() or 1))
        assert report.done == report.total, f"analysis incomplete: {report}"
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        _checkpoint_copy(build, tmp)
        tmp.replace(cache)
    return cache


def _checkpoint_copy(src: Path, dst: Path) -> None:
    """Copy a WAL database as one self-contained file."""
    import sqlite3

    conn = sqlite3.connect(src)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        out = sqlite3.connect(dst)
        try:
            conn.backup(out)
        finally:
            out.close()
    finally:
        conn.close()


@pytest.fixture
def library_db(scanned_library, tmp_path) -> Path:
    """A private copy of the scanned (not analysed) library."""
    dst = tmp_path / "library.db"
    _checkpoint_copy(scanned_library, dst)
    return dst


@pytest.fixture
def analysed_db(analysed_library, tmp_path) -> Path:
    """A private copy of the analysed library (tests write plays and feedback into it)."""
    dst = tmp_path / "analysed.db"
    shutil.copyfile(analysed_library, dst)
    return dst


@pytest.fixture
def make_window(qtbot, tmp_path) -> Callable[..., Any]:
    """make(db, engine_factory=None, camera_source=None) -> a shown MainWindow with its own settings."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from moodplayer.ui import theme
    from moodplayer.ui.compat import guard_none_refcount
    from moodplayer.ui.main_window import MainWindow
    from moodplayer.ui.settings import Settings

    guard_none_refcount()
    theme.apply(QApplication.instance())
    windows: list[Any] = []

    def make(db: Path, engine_factory: Callable[[], Any] | None = None,
             camera_source: int | str | None = None, size: tuple[int, int] = (1280, 860)) -> Any:
        settings = Settings(QSettings(str(tmp_path / f"settings-{len(windows)}.ini"), QSettings.Format.IniFormat))
        w = MainWindow(db, settings, engine_factory=engine_factory, camera_source=camera_source)
        w.resize(*size)
        w.show()
        qtbot.waitExposed(w)
        windows.append(w)
        return w

    yield make
    for w in windows:
        w.close()


def load(window: Any, qtbot: Any, index: bool = True, timeout: int = 60000) -> None:
    """Load the library (and the mood index) through the window's own workers and wait for both."""
    signals = [window.library.libraryLoaded] + ([window.library.indexLoaded] if index else [])
    with qtbot.waitSignals(signals, timeout=timeout):
        window.library.reload()
