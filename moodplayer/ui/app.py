"""Start the desktop window. Qt is imported here and only here on the start path.

The start path is kept to Qt + the window's own modules (numpy is the heaviest import): the library,
the mood index (scikit-learn), the audio device (PortAudio) and the face model (onnxruntime) are
loaded by workers after the window is on screen.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

SWITCH_INTERVAL_S = 0.001


def build_window(argv: list[str] | None = None, *, db: str | Path | None = None,
                 engine_factory: Any = None, camera_source: int | str | None = None) -> tuple[Any, Any]:
    """The QApplication (created if needed) and a MainWindow, not yet shown."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from moodplayer.ui.compat import guard_none_refcount

    QCoreApplication.setOrganizationName("moodplayer")
    QCoreApplication.setApplicationName("moodplayer")
    app = QApplication.instance() or QApplication([sys.argv[0], *(argv or [])])
    app.setApplicationDisplayName("moodplayer")
    app.setDesktopFileName("moodplayer")
    guard_none_refcount()
    # Workers run Python too (loading rows, building the index); every callback from Qt into Python
    # must win the GIL back from them. A 1 ms switch interval (default 5 ms) bounds each such wait.
    sys.setswitchinterval(SWITCH_INTERVAL_S)

    from moodplayer.paths import default_db_path
    from moodplayer.ui import theme
    from moodplayer.ui.main_window import MainWindow
    from moodplayer.ui.settings import Settings

    theme.apply(app)
    window = MainWindow(Path(db) if db else default_db_path(), Settings(), engine_factory=engine_factory,
                        camera_source=camera_source)
    return app, window


def run_gui(argv: list[str] | None = None, *, db: str | Path | None = None) -> int:
    """The ``moodplayer`` command without a sub-command: open the window (on ``db``, else the default
    library) and run until it closes."""
    from PySide6.QtCore import QTimer

    from moodplayer.logsetup import start_process

    start_process()   # idempotent: the CLI did it already when it started us
    route_qt_messages()
    app, window = build_window(argv, db=db)
    window.show()
    from moodplayer.ui.quit_signals import quit_on_signals

    window.quit_signals = quit_on_signals(window)   # SIGTERM/SIGINT close it like its close button
    window.start_after_first_paint()       # the background work begins once the pad is on screen
    if sys.platform.startswith("linux") and os.environ.get("MOODPLAYER_NO_MPRIS") != "1":
        QTimer.singleShot(500, lambda: _start_mpris(window))
    return app.exec()


def route_qt_messages() -> None:
    """Qt's own warnings go through logging: into the log file, and onto stderr from a terminal (fd 2,
    where Qt would print them, is silenced for the decoders' sake)."""
    import logging

    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    log = logging.getLogger("moodplayer.qt")
    levels = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
              QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
              QtMsgType.QtFatalMsg: logging.CRITICAL}

    def handler(kind: Any, context: Any, message: str) -> None:
        log.log(levels.get(kind, logging.WARNING), "%s", message)

    qInstallMessageHandler(handler)


def _start_mpris(window: Any) -> None:
    from moodplayer.ui.mpris import register

    window.mpris = register(window)
