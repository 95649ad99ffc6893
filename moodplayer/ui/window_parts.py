"""Small pieces of the main window kept out of its module: the first-paint hook, the card frame
every pane sits in, and the menus (one call adds an action with its shortcut)."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFrame, QMainWindow, QMenu, QVBoxLayout, QWidget


class FirstPaint(QObject):
    """Calls ``fn`` once, right after ``widget`` receives its first paint event."""

    def __init__(self, widget: QWidget, fn: Callable[[], None]) -> None:
        super().__init__(widget)
        self.fn, self.done = fn, False
        widget.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if not self.done and event.type() == QEvent.Type.Paint:
            self.done = True
            self.fn()
        return False


def card(*widgets: QWidget, name: str = "card") -> QFrame:
    """A rounded panel (styled by its object name) holding ``widgets`` one above the other."""
    frame = QFrame()
    frame.setObjectName(name)
    lay = QVBoxLayout(frame)
    lay.setContentsMargins(0, 0, 0, 0)
    for w in widgets:
        lay.addWidget(w)
    return frame


class WindowMenus:
    """The window's menu bar: menus by name, actions by name.

        window.menus.add("File", "photo", "Mood from a &photo…", window.read_photo, "Ctrl+P")
    """

    def __init__(self, window: QMainWindow, names: tuple[str, ...] = ("File", "View")) -> None:
        self.window = window
        bar = window.menuBar()
        self.menus: dict[str, QMenu] = {n: bar.addMenu(f"&{n}") for n in names}
        self.actions: dict[str, QAction] = {}

    def add(self, menu: str, name: str, text: str, fn: Callable[..., object], shortcut: str | None = None,
            checkable: bool = False) -> QAction:
        """A menu action; its shortcut works anywhere in the window. A checkable action calls
        ``fn(checked)``, any other ``fn()``."""
        if menu not in self.menus:
            self.menus[menu] = self.window.menuBar().addMenu(f"&{menu}")
        action = QAction(text, self.window)
        action.setCheckable(checkable)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda checked=False: fn(checked) if checkable else fn())
        self.menus[menu].addAction(action)
        self.actions[name] = action
        return action

    def __getitem__(self, menu: str) -> QMenu:
        return self.menus[menu]

    def separator(self, menu: str) -> None:
        self.menus[menu].addSeparator()
