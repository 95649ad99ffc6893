"""The library table: a QAbstractTableModel over column lists, with its own search and sort.

Why not QSortFilterProxyModel: its filterAcceptsRow/lessThan are Python calls per row (100,000 per
keystroke). Here ``visible`` is a numpy array of data rows: a search is one list comprehension over
prepared casefolded strings (its mask cached per query), the browser's panes hand in a boolean mask,
and a sort is one stable ``argsort`` of the column's prepared key (ties keep the library order).
"""
from __future__ import annotations

from itertools import repeat
from operator import contains

import numpy as np

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QIcon

from moodplayer.display import display_path, terminal_safe, tooltip_html
from moodplayer.ui import theme
from moodplayer.ui.library_data import (ALBUM, AROUSAL, ARTIST, COLUMNS, MOOD, TIME, TITLE, VALENCE,  # noqa: F401
                                        LibraryData)
TRACK_ID_ROLE = Qt.ItemDataRole.UserRole + 1
_Index = QModelIndex | QPersistentModelIndex


def format_duration(seconds: float | None) -> str:
    if seconds is None or seconds != seconds or seconds < 0:
        return ""
    s = int(round(seconds))
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class LibraryModel(QAbstractTableModel):
    """Rows of a LibraryData; ``visible`` holds the data rows shown, in display order."""

    filtered = Signal(int, int)   # shown, total
    libraryChanged = Signal()     # new rows swapped in (the browser recomputes its panes)
    searchChanged = Signal()      # the search words changed (the browser's panes follow them)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data_ = LibraryData()
        self.visible: np.ndarray = np.zeros(0, np.int64)
        self._query: list[str] = []
        self._sort: tuple[int, bool] | None = None      # (column, descending); None = library order
        self._order_cache: tuple[object, np.ndarray] | None = None
        self._search_cache: tuple[object, np.ndarray | None] | None = None
        self._filter: np.ndarray | None = None          # the browser's panes: rows they let through
        self._stale = False                             # the search changed, rows not yet recomputed
        self._icons: dict[str, QIcon] = {}
        self._muted = QColor(theme.MUTED)
        self._warn = QColor(theme.WARNING)
        self.playing_id: int | None = None

    # -- data in ----------------------------------------------------------------------------------
    def set_library(self, data: LibraryData) -> None:
        """Swap in freshly loaded rows, keeping the search and the sort (the browser's mask is
        rebuilt by the browser on ``libraryChanged``)."""
        if not data.facets and len(data):
            from moodplayer.ui.library_data import prepare

            prepare(data)   # a LibraryData made by hand (tests): the loader prepares in its worker
        self.beginResetModel()
        self.data_ = data
        self._filter = None
        self.visible = self._compute_visible()
        self.endResetModel()
        self.libraryChanged.emit()
        self.filtered.emit(len(self.visible), len(self.data_))

    def set_search(self, text: str) -> None:
        words = text.casefold().split()
        if words == self._query:
            return
        self._query = words
        self._stale = True
        self.searchChanged.emit()   # a browser narrows its panes and hands in their mask (set_filter)
        if self._stale:
            self._refilter()

    def set_filter(self, mask: np.ndarray | None) -> None:
        """Rows the browser's panes let through (a bool per data row), or None for all."""
        self._filter = mask
        self._refilter()

    def _refilter(self) -> None:
        self._stale = False
        self.beginResetModel()
        self.visible = self._compute_visible()
        self.endResetModel()
        self.filtered.emit(len(self.visible), len(self.data_))

    def set_playing(self, track_id: int | None) -> None:
        """Bold the row of the track being heard."""
        old, self.playing_id = self.playing_id, track_id
        for tid in (old, track_id):
            row = self.row_of_track(tid) if tid is not None else None
            if row is not None:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    # -- search and sort --------------------------------------------------------------------------
    @property
    def sort_column(self) -> int | None:
        return None if self._sort is None else self._sort[0]

    @property
    def sort_state(self) -> tuple[int, bool] | None:
        """(column, descending) or None for the library's own order."""
        return self._sort

    def _order(self) -> np.ndarray:
        key = (id(self.data_), self._sort)
        if self._order_cache is not None and self._order_cache[0] == key:
            return self._order_cache[1]
        d = self.data_
        base = d.base if len(d.base) == len(d) else np.arange(len(d), dtype=np.int64)
        if self._sort is None or self._sort[0] not in d.ranks:
            order = base
        else:
            col, desc = self._sort
            rank = d.ranks[col][base]
            order = base[np.argsort(-rank if desc else rank, kind="stable")]   # NaN (unknown) last both ways
        self._order_cache = (key, order)
        return order

    def search_mask(self) -> np.ndarray | None:
        """Rows whose text (title, artist, album, file name, mood words) holds every search word."""
        words = self._query
        if not words:
            return None
        key = (id(self.data_), tuple(words))
        if self._search_cache is not None and self._search_cache[0] == key:
            return self._search_cache[1]
        hay = self.data_.haystack
        # ``contains(h, w)`` mapped in C: no bytecode per row (100,000 rows in a few milliseconds)
        mask = np.fromiter(map(contains, hay, repeat(words[0])), bool, len(hay))
        for w in words[1:]:   # each further word only over the rows the ones before it kept
            rows = np.flatnonzero(mask)
            kept = np.fromiter(map(contains, map(hay.__getitem__, rows.tolist()), repeat(w)), bool, len(rows))
            mask[rows[~kept]] = False
        self._search_cache = (key, mask)
        return mask

    def _compute_visible(self) -> np.ndarray:
        order = self._order()
        masks = [m for m in (self.search_mask(), self._filter) if m is not None and len(m) == len(self.data_)]
        if not masks:
            return order
        mask = masks[0] if len(masks) == 1 else masks[0] & masks[1]
        return order[mask[order]]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            self.layoutAboutToBeChanged.emit()
            self._sort = None
            self.visible = self._compute_visible()
            self.layoutChanged.emit()
            return
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order == Qt.SortOrder.DescendingOrder)
        self.visible = self._compute_visible()
        self.layoutChanged.emit()

    # -- lookups ------------------------------------------------------------------------------------
    def track_id(self, row: int) -> int:
        return self.data_.id[int(self.visible[row])]

    def data_row(self, row: int) -> int:
        """The LibraryData row behind a visible row."""
        return int(self.visible[row])

    def row_of_track(self, track_id: int) -> int | None:
        """Visible row of a track id, or None when filtered out or unknown."""
        r = self.data_.row_of.get(track_id)
        if r is None:
            return None
        hit = np.flatnonzero(self.visible == r)
        return int(hit[0]) if len(hit) else None

    # -- QAbstractTableModel ------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.visible)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight if section in (TIME, VALENCE, AROUSAL)
                       else Qt.AlignmentFlag.AlignLeft) | int(Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        d, r, col = self.data_, int(self.visible[index.row()]), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(d, r, col)
        if role == TRACK_ID_ROLE:
            return d.id[r]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(d, r)
        if role == Qt.ItemDataRole.ForegroundRole:
            if not d.available[r] or d.error[r]:
                return self._muted
            if col == MOOD and d.analysis_error[r]:
                return self._warn
            return None
        if role == Qt.ItemDataRole.DecorationRole:
            if col == TITLE:
                if d.error[r]:
                    return self._icon("error")
                if not d.available[r]:
                    return self._icon("missing")
            if col == MOOD:
                mood = d.top_mood(r)
                return self._icon(mood) if mood else None
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (TIME, VALENCE, AROUSAL):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and d.id[r] == self.playing_id:
            from PySide6.QtGui import QFont

            f = QFont()
            f.setBold(True)
            return f
        return None

    @staticmethod
    def _display(d: LibraryData, r: int, col: int) -> str:
        # tags and file names are untrusted: one printable line each (a newline would split the row)
        if col == TITLE:
            return terminal_safe(d.display_title(r))
        if col == ARTIST:
            return terminal_safe(d.artist[r] or "")
        if col == ALBUM:
            return terminal_safe(d.album[r] or "")
        if col == TIME:
            return format_duration(d.duration[r])
        if col in (VALENCE, AROUSAL):
            v = (d.valence if col == VALENCE else d.arousal)[r]
            return "" if v is None else f"{v:.2f}"
        if col == MOOD:
            if d.analysis_error[r]:
                return "not analysed"
            return d.top_mood(r) or ""
        return terminal_safe(d.text(r, col))   # any other declared column (library/fields.py)

    @staticmethod
    def _tooltip(d: LibraryData, r: int) -> str:
        """The path and what is wrong, escaped: Qt renders tooltips as HTML when they look like it."""
        lines = [display_path(d.path[r])]
        if not d.available[r]:
            lines.append("File not found: it was moved or deleted since the last scan.")
        if d.error[r]:
            lines.append(f"Cannot be played: {d.error[r]}")
        elif d.analysis_error[r]:
            lines.append(f"Mood analysis failed: {d.analysis_error[r]}")
        elif d.valence[r] is None:
            lines.append("Mood not analysed yet.")
        return tooltip_html(*lines)

    def _icon(self, key: str) -> QIcon:
        icon = self._icons.get(key)
        if icon is None:
            if key in theme.MOOD_COLOURS:
                icon = theme.dot_icon(theme.MOOD_COLOURS[key])
            else:
                from PySide6.QtWidgets import QApplication, QStyle

                sp = (QStyle.StandardPixmap.SP_MessageBoxWarning if key == "error"
                      else QStyle.StandardPixmap.SP_FileDialogDetailedView)
                icon = QApplication.style().standardIcon(sp)
            self._icons[key] = icon
        return icon
