"""Start the desktop window. Qt is imported here and only here on the start path."""
from __future__ import annotations

import sys


def run_gui(argv: list[str] | None = None) -> int:
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication.instance() or QApplication([sys.argv[0], *(argv or [])])
    app.setApplicationName("moodplayer")
    app.setOrganizationName("moodplayer")
    win = QMainWindow()
    win.setWindowTitle("moodplayer")
    label = QLabel("moodplayer — index your music with `moodplayer index DIR`.\nThe mood window is coming.")
    label.setMargin(24)
    win.setCentralWidget(label)
    win.resize(640, 360)
    win.show()
    return app.exec()
