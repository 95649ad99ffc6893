"""Small pieces of the main window kept out of its module: the first-paint hook, the card frame
every pane sits in, and the menus (one call adds an action with its shortcut)."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFrame, QMainWindow, QMenu, QSplitter, QVBoxLayout, QWidget


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


def main_sizes(width: int) -> list[int]:
    """Library, pad and side widths for a main splitter ``width`` px wide, before the user sizes them.

    The library gets the most (its panes and Title + Artist readable at 1024x700), the side enough
    for the queue's titles and the camera's buttons, the pad the rest: it shrinks to a square that
    fits (the window has spare height for it, not spare width)."""
    side = max(280, min(380, round(0.25 * width)))
    pad = max(290, min(520, round(0.30 * width)))
    return [max(200, width - side - pad), pad, side]


class AutoSizes(QObject):
    """Sizes the main splitter by :func:`main_sizes` on each resize, until the user drags a handle
    (or sizes saved from an earlier run are restored): from then on their sizes are kept."""

    def __init__(self, splitter: QSplitter) -> None:
        super().__init__(splitter)
        self.splitter, self.user = splitter, False
        splitter.splitterMoved.connect(self._moved)
        splitter.installEventFilter(self)

    def _moved(self, *_: object) -> None:
        self.user = True

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and not self.user:
            handles = self.splitter.handleWidth() * (self.splitter.count() - 1)
            self.splitter.setSizes(main_sizes(self.splitter.width() - handles))
        return False


class SquareFit(QObject):
    """Keeps ``widget`` no taller than it is wide (the pad draws a square), so the spare height of
    its column goes around the pad and the buttons under it, not between them."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        widget.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and isinstance(obj, QWidget):
            obj.setMaximumHeight(max(obj.minimumHeight(), obj.width()))
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


def pad_column(pad: QWidget, controls: QWidget) -> QFrame:
    """The pad with the path and cluster buttons under it: the pad's column has height to spare
    beside the library, the queue's has none. The pair sits in the middle of the column."""
    frame = card(pad, controls, name="padCard")
    lay = frame.layout()
    lay.setContentsMargins(4, 0, 4, 4)
    lay.setSpacing(8)
    lay.insertStretch(0, 1)
    lay.addStretch(1)
    frame._square = SquareFit(pad)   # type: ignore[attr-defined]
    return frame
