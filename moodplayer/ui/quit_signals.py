"""SIGTERM (a logout, ``kill``, a service manager) and SIGINT close the window as its close button
would: settings, pane sizes and the last track are saved, workers and the audio device stopped.

Python runs a signal handler only between bytecodes, and Qt's event loop runs in C++: the C-level
handler writes to a socket (``signal.set_wakeup_fd``) that a QSocketNotifier watches, which wakes
the loop and runs the close in the GUI thread.
"""
from __future__ import annotations

import signal
import socket
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier
from PySide6.QtWidgets import QApplication, QWidget


class QuitOnSignal(QObject):
    def __init__(self, window: QWidget, signals: tuple[int, ...] = (signal.SIGTERM, signal.SIGINT)) -> None:
        super().__init__(window)
        self.window = window
        self._rx, self._tx = socket.socketpair()
        self._rx.setblocking(False)
        self._tx.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._tx.fileno())
        self._previous = {s: signal.signal(s, self._noted) for s in signals}
        self._notifier = QSocketNotifier(self._rx.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._wake)
        self.received: list[int] = []

    def _noted(self, signum: int, frame: Any) -> None:
        self.received.append(signum)

    def _wake(self, *_: Any) -> None:
        try:
            while self._rx.recv(64):
                pass
        except (BlockingIOError, InterruptedError):
            pass
        if self.received:
            self.window.close()       # closeEvent saves everything, as a click on the close button
            QApplication.quit()

    def restore(self) -> None:
        """Put back the previous handlers (tests start and stop several windows in one process)."""
        for s, h in self._previous.items():
            signal.signal(s, h)
        signal.set_wakeup_fd(self._previous_fd)
        self._notifier.setEnabled(False)
        self._rx.close()
        self._tx.close()


def quit_on_signals(window: QWidget) -> QuitOnSignal:
    """Install the handlers for the life of the window (main thread only)."""
    return QuitOnSignal(window)
