"""The UI's error handling without a window: the library controller over the synchronous task runner
(tests/conftest.py's ``sync_tasks``), exceptions decided by type, and the window's error line.

Real files throughout: the test media, a real SQLite library, a database file of random bytes, a
models folder without a model.
"""
from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests._ui import make_window  # noqa: F401


def _controller(db: Path):
    from moodplayer.ui.library_controller import LibraryController
    from moodplayer.ui.workers import Workers

    workers = Workers()
    ctl = LibraryController(db, workers)
    seen: dict[str, list] = {"scan": [], "problem": [], "loaded": [], "failed": [], "threads": set()}
    ctl.scanFinished.connect(seen["scan"].append)
    ctl.problem.connect(lambda short, details: seen["problem"].append((short, details)))
    ctl.libraryLoaded.connect(seen["loaded"].append)
    ctl.libraryFailed.connect(seen["failed"].append)
    ctl.busyChanged.connect(lambda *a: seen["threads"].add(threading.get_ident()))
    return ctl, workers, seen


def test_scan_then_missing_model_runs_to_the_end_inside_the_call(qapp, sync_tasks, media, tmp_path, monkeypatch):
    models = tmp_path / "no-models"
    models.mkdir()
    monkeypatch.setenv("MOODPLAYER_MODELS", str(models))
    ctl, workers, seen = _controller(tmp_path / "library.db")
    ctl.add_folder(media.root / "formats")
    # synchronous: scan, reloads and the failed analysis all happened before add_folder returned
    assert not ctl.busy and workers.busy == 0
    assert seen["threads"] == {threading.get_ident()}
    (report,) = seen["scan"]
    assert report.found == len(media.formats) and not report.errors
    assert len(seen["loaded"][-1]) == len(media.formats)
    (short, details), = seen["problem"]
    assert short == "No music model installed: tracks are listed but not placed on the pad."
    assert details.startswith("While analysing moods:\n")
    assert f"{models}/" in details                                          # the file...
    assert "not found" in details or "No such file" in details             # ...and the reason
    assert "Traceback" not in details                                       # a plain error: no traceback


def test_unusable_database_fails_the_load_with_file_and_reason(qapp, sync_tasks, tmp_path):
    db = tmp_path / "library.db"
    db.write_bytes(os.urandom(8192))
    ctl, _, seen = _controller(db)
    ctl.reload_library()
    assert seen["failed"] == [ctl.failed] and str(db) in ctl.failed and "not an SQLite database" in ctl.failed
    (short, details), = seen["problem"]
    assert short == "The library database cannot be used."
    assert str(db) in details and "not an SQLite database" in details


def test_a_bug_in_a_task_is_logged_with_its_traceback_and_described(qapp, sync_tasks, caplog):
    from moodplayer.ui.problems import describe
    from moodplayer.ui.workers import Workers

    def broken(task):
        return 1 / 0

    def plain(task):
        raise FileNotFoundError(2, "No such file or directory", "/nowhere/song.flac")

    errors: list[BaseException] = []
    workers = Workers()
    with caplog.at_level(logging.INFO, logger="moodplayer"):
        workers.start(broken, name="sorting the queue", on_error=errors.append)
        workers.start(plain, name="reading a cover", on_error=errors.append)
    bug, missing = errors
    assert isinstance(bug, ZeroDivisionError) and isinstance(missing, FileNotFoundError)
    by_msg = {r.getMessage(): r for r in caplog.records}
    assert by_msg["sorting the queue failed"].exc_info[1] is bug                 # the traceback is logged
    record = by_msg["reading a cover: [Errno 2] No such file or directory: '/nowhere/song.flac'"]
    assert record.levelno == logging.WARNING and record.exc_info is None         # one line says it all

    p = describe(bug, "sorting the queue", Path("/tmp/moodplayer.log"))
    assert p.short == "Something went wrong while sorting the queue (ZeroDivisionError)."
    assert "ZeroDivisionError: division by zero" in p.details and "in broken" in p.details
    assert p.details.endswith("The log file has the full record: /tmp/moodplayer.log")
    p = describe(missing, "reading a cover")
    assert p.short.startswith("Reading a cover stopped: ") and "/nowhere/song.flac" in p.short
    assert "Traceback" not in p.details


def test_window_error_line_opens_the_details(make_window, qtbot, tmp_path):
    db = tmp_path / "library.db"
    db.write_bytes(os.urandom(8192))
    w = make_window(db)
    with qtbot.waitSignal(w.library.problem, timeout=60000):
        w.library.reload_library()
    assert w.errors.isVisible() and w.errors.short == "The library database cannot be used."
    qtbot.mouseClick(w.errors.details_button, Qt.MouseButton.LeftButton)
    box = w.errors.box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert box.text() == "The library database cannot be used."
    assert str(db) in box.detailedText() and "not an SQLite database" in box.detailedText()
    box.close()
    qtbot.mouseClick(w.errors.dismiss_button, Qt.MouseButton.LeftButton)
    assert not w.errors.isVisible()
