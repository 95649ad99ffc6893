"""The library pane of the main window: its title with the track count, the search box, the browser's
filter panes (library_browser) over the table, and the selection's actions (library_actions).

Kept apart from the window's layout so the library view can grow without the window changing: the
window puts whatever this returns in the left-hand pane and reads ``search``, ``table``,
``library_label``, ``browser`` and ``browser_actions`` from itself.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton,
                               QSplitter, QTableView, QVBoxLayout, QWidget)

from moodplayer.ui.library_actions import BrowserActions
from moodplayer.ui.library_browser import LibraryBrowser
from moodplayer.ui.library_model import ALBUM, ARTIST, AROUSAL, MOOD, TIME, TITLE, VALENCE
from moodplayer.ui.window_parts import card

ROW_PX = 25
TABLE_ROWS_FIRST = 11      # the panes only take the height the table does not need for this many rows
PANES_MIN, PANES_MAX = 72, 200    # at least a chooser and three values; at most ten values
FIRST_HIDDEN = (VALENCE, AROUSAL)  # on the first run (the Mood column says it in words): right-click shows them


def build_library_pane(window: Any) -> QWidget:
    """The library pane: its title with the track count, the search box, the table."""
    window.search = QLineEdit()
    window.search.setObjectName("search")
    window.search.setPlaceholderText("Search  (Ctrl+F)")
    window.search.setClearButtonEnabled(True)
    window.search.setMinimumWidth(140)
    # a click or Ctrl+F puts the cursor here; the start-up focus and Tab do not (Space must play)
    window.search.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
    window.table = QTableView()
    window.table.setObjectName("libraryTable")
    window.table.setModel(window.model)
    # no sort indicator: the library's own artist/album/track order until a header is clicked
    window.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    window.table.setSortingEnabled(True)
    window.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    window.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    window.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    window.table.setShowGrid(False)
    window.table.setWordWrap(False)
    window.table.verticalHeader().hide()
    window.table.verticalHeader().setDefaultSectionSize(ROW_PX)
    window.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    header = window.table.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionsMovable(True)
    # Title and Artist fit side by side in the pane at 1024x700; the rest scroll in beside them
    for col, width in ((TITLE, 168), (ARTIST, 150), (ALBUM, 170), (TIME, 56), (VALENCE, 0), (AROUSAL, 0),
                       (MOOD, 96)):
        window.table.setColumnWidth(col, max(width, _header_width(window.table, col)))
    window.library_label = QLabel("Library")
    window.library_label.setObjectName("sectionTitle")
    # title above the search box (not beside it): both keep their full width in a narrow pane
    window.browser = LibraryBrowser(window.model, parent=None)
    for pane in window.browser.panes:      # long names end in "…": no sideways scroll
        pane.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        pane.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        pane.view.setMinimumHeight(36)     # folded to a compact strip when the window is short
    split = window.library_split = QSplitter(Qt.Orientation.Vertical)
    split.setObjectName("librarySplitter")
    split.addWidget(window.browser)
    split.addWidget(window.table)
    split.setCollapsible(0, True)
    split.setCollapsible(1, False)
    split.setStretchFactor(0, 0)
    split.setStretchFactor(1, 1)
    window.browser_actions = BrowserActions(window, window.table, window.browser, split)
    browse = window.browse_button = QPushButton("Browse")
    browse.setObjectName("browseButton")
    browse.setCheckable(True)
    browse.setToolTip("Show or hide the filter panes (artist, album, mood, genre, year…)")
    browse.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
    browse.toggled.connect(lambda on: _show_panes(window, on))
    split.splitterMoved.connect(lambda *_: _sync_browse(window))
    window._library_split_filter = _AutoSplit(window)
    split.installEventFilter(window._library_split_filter)
    # title above the search box (not beside it): both keep their full width in a narrow pane
    head = QVBoxLayout()
    head.setSpacing(8)
    head.addWidget(window.library_label)
    row = QHBoxLayout()
    row.setSpacing(6)
    row.addWidget(window.search, 1)
    row.addWidget(browse)
    head.addLayout(row)
    lib = QWidget()
    lib_lay = QVBoxLayout(lib)
    lib_lay.setContentsMargins(12, 10, 12, 6)
    lib_lay.addLayout(head)
    lib_lay.addWidget(split, 1)
    if "hidden" not in window.settings.browser_state:
        for col in FIRST_HIDDEN:
            header.setSectionHidden(col, True)
    window.browser_actions.restore()
    return card(lib)


def auto_panes_height(split_height: int) -> int:
    """The panes' height before the user sizes them: what is left once the table has room for
    TABLE_ROWS_FIRST rows (so at 1024x700 the table keeps its rows and the panes start folded)."""
    spare = split_height - (TABLE_ROWS_FIRST + 1) * ROW_PX - 8
    return 0 if spare < PANES_MIN else min(PANES_MAX, spare)


def _show_panes(window: Any, on: bool) -> None:
    split, actions = window.library_split, window.browser_actions
    if on == (split.sizes()[0] > 0):
        return
    h = split.height()
    panes = min(PANES_MAX, max(PANES_MIN, h // 3)) if on else 0
    split.setSizes([panes, max(1, h - panes)])
    actions.user_split = True
    actions._changed()


def _sync_browse(window: Any) -> None:
    window.browse_button.blockSignals(True)
    window.browse_button.setChecked(window.library_split.sizes()[0] > 0)
    window.browse_button.blockSignals(False)


class _AutoSplit(QObject):
    """Sizes the panes on a resize until the user sizes them (then their saved height, once)."""

    def __init__(self, window: Any) -> None:
        super().__init__(window.library_split)
        self.w = window

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            split, actions = self.w.library_split, self.w.browser_actions
            h = split.height()
            if h > 0 and actions.saved_split is not None:
                panes, actions.saved_split = min(actions.saved_split, max(0, h - 3 * ROW_PX)), None
                split.setSizes([panes, h - panes])
            elif h > 0 and not actions.user_split:
                panes = auto_panes_height(h)
                split.setSizes([panes, h - panes])
            _sync_browse(self.w)
        return False


def _header_width(table: QTableView, col: int) -> int:
    """A column wide enough for its header text and the sort arrow beside it (no "Vale…")."""
    text = str(table.model().headerData(col, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) or "")
    return table.horizontalHeader().fontMetrics().horizontalAdvance(text) + 12 + 22 + 6
