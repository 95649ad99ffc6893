"""The library pane of the main window: its title with the track count, the search box and the table.

Kept apart from the window's layout so the library view can grow (filters, columns) without the
window changing: the window puts whatever this returns in the left-hand pane and reads ``search``,
``table`` and ``library_label`` from itself.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QLineEdit,
                               QTableView, QVBoxLayout, QWidget)

from moodplayer.ui.library_model import ALBUM, ARTIST, AROUSAL, MOOD, TIME, TITLE, VALENCE
from moodplayer.ui.window_parts import card


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
    window.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    window.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    window.table.setShowGrid(False)
    window.table.setWordWrap(False)
    window.table.verticalHeader().hide()
    window.table.verticalHeader().setDefaultSectionSize(26)
    window.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    header = window.table.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionsMovable(True)
    for col, width in ((TITLE, 240), (ARTIST, 150), (ALBUM, 160), (TIME, 56), (VALENCE, 0), (AROUSAL, 0),
                       (MOOD, 96)):
        window.table.setColumnWidth(col, max(width, _header_width(window.table, col)))
    window.library_label = QLabel("Library")
    window.library_label.setObjectName("sectionTitle")
    # title above the search box (not beside it): both keep their full width in a narrow pane
    head = QVBoxLayout()
    head.setSpacing(8)
    head.addWidget(window.library_label)
    head.addWidget(window.search)
    lib = QWidget()
    lib_lay = QVBoxLayout(lib)
    lib_lay.setContentsMargins(12, 10, 12, 6)
    lib_lay.addLayout(head)
    lib_lay.addWidget(window.table, 1)
    return card(lib)


def _header_width(table: QTableView, col: int) -> int:
    """A column wide enough for its header text and the sort arrow beside it (no "Vale…")."""
    text = str(table.model().headerData(col, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) or "")
    return table.horizontalHeader().fontMetrics().horizontalAdvance(text) + 12 + 22 + 6
