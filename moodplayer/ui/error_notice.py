"""The window's error line: a short message in the status bar and a "Details…" button.

A failed scan or analysis must neither vanish nor pop a dialog over the music: the line stays until
it is dismissed or replaced, and the button opens a message box whose details name the file and the
reason (and, for a bug, the traceback the log file also has).
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QWidget

MAX_WIDTH = 560


class ErrorNotice(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorNotice")
        self.short, self.details = "", ""
        self.label = QLabel("")
        self.label.setObjectName("errorText")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.details_button = QPushButton("Details…")
        self.details_button.setObjectName("errorDetails")
        self.dismiss_button = QPushButton("✕")
        self.dismiss_button.setObjectName("errorDismiss")
        self.dismiss_button.setToolTip("Dismiss")
        self.dismiss_button.setFlat(True)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 6, 0)
        lay.addWidget(self.label)
        lay.addWidget(self.details_button)
        lay.addWidget(self.dismiss_button)
        self.details_button.clicked.connect(self.open_details)
        self.dismiss_button.clicked.connect(self.hide)
        self.box: QMessageBox | None = None
        self.hide()

    def show_problem(self, short: str, details: str) -> None:
        """Show ``short`` (elided to fit; the tooltip has it whole) until dismissed or replaced."""
        self.short, self.details = short, details
        self.label.setText(self.label.fontMetrics().elidedText(short, Qt.TextElideMode.ElideRight, MAX_WIDTH))
        self.label.setToolTip(short)
        self.show()

    def open_details(self) -> QMessageBox:
        """The message box with the short line and, under "Show Details…", the file and the reason."""
        box = QMessageBox(QMessageBox.Icon.Warning, "moodplayer", self.short, QMessageBox.StandardButton.Close,
                          self.window())
        box.setDetailedText(self.details)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.box = box
        return box
