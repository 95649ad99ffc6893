"""The library table: a QAbstractTableModel over column lists, with its own search and sort.

Why not QSortFilterProxyModel: its filterAcceptsRow/lessThan are Python calls per row (100,000 per
keystroke); here a search is one list comprehension over prepared casefolded strings (tens of ms) and a
sort order is computed once per column and cached (descending is the same list reversed).
"""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

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


def _dot(colour: str, size: int = 10) -> QIcon:
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(colour))
    p.drawEllipse(1, 1, size - 2, size - 2)
    p.end()
    return QIcon(pix)


class LibraryModel(QAbstractTableModel):
    """Rows of a LibraryData; ``visible`` holds the data rows shown, in display order."""

    filtered = Signal(int, int)   # shown, total

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data_ = LibraryData()
        self.visible: list[int] = []
        self._query: list[str] = []
        self._sort: tuple[int, bool] | None = None      # (column, descending); None = library order
        self._icons: dict[str, QIcon] = {}
        self._muted = QColor(theme.MUTED)
        self._warn = QColor(theme.WARNING)
        self.playing_id: int | None = None

    # -- data in ----------------------------------------------------------------------------------
    def set_library(self, data: LibraryData) -> None:
        """Swap in freshly loaded rows, keeping the search and the sort."""
        self.beginResetModel()
        self.data_ = data
        self.visible = self._compute_visible()
        self.endResetModel()
        self.filtered.emit(len(self.visible), len(self.data_))

    def set_search(self, text: str) -> None:
        words = text.casefold().split()
        if words == self._query:
            return
        self.beginResetModel()
        self._query = words
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
        """The column the table is sorted by (the loader prepares its order off the GUI thread)."""
        return None if self._sort is None else self._sort[0]

    def _order(self) -> list[int]:
        if self._sort is None:
            return self.data_.order or list(range(len(self.data_)))
        col, desc = self._sort
        order = self.data_.sort_order(col)
        return order[::-1] if desc else order

    def _compute_visible(self) -> list[int]:
        order = self._order()
        words = self._query
        if not words:
            return list(order)
        hay = self.data_.haystack
        if len(words) == 1:
            w = words[0]
            return [r for r in order if w in hay[r]]
        return [r for r in order if all(w in hay[r] for w in words)]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order == Qt.SortOrder.DescendingOrder)
        self.visible = self._compute_visible()
        self.layoutChanged.emit()

    # -- lookups ------------------------------------------------------------------------------------
    def track_id(self, row: int) -> int:
        return self.data_.id[self.visible[row]]

    def row_of_track(self, track_id: int) -> int | None:
        """Visible row of a track id, or None when filtered out or unknown (linear in visible rows)."""
        r = self.data_.row_of.get(track_id)
        if r is None:
            return None
        try:
            return self.visible.index(r)
        except ValueError:
            return None

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
        d, r, col = self.data_, self.visible[index.row()], index.column()
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
                icon = _dot(theme.MOOD_COLOURS[key])
            else:
                from PySide6.QtWidgets import QApplication, QStyle

                sp = (QStyle.StandardPixmap.SP_MessageBoxWarning if key == "error"
                      else QStyle.StandardPixmap.SP_FileDialogDetailedView)
                icon = QApplication.style().standardIcon(sp)
            self._icons[key] = icon
        return icon
