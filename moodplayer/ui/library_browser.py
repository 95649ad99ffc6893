"""The library browser's filter panes (as Quod Libet's paned browser): three lists side by side, each
grouping the library by a field the user picks (artist, album artist, album, genre, year, mood).

Each pane lists the values found among the tracks the search and the panes to its left let through,
with their counts (as Quod Libet and Rhythmbox, typing in the search narrows the panes);
selecting values (several with Ctrl/Shift) narrows the panes to its right and the table. All of it is
numpy over the codes ``library_data.prepare`` made in the loader's worker: a pane's counts are one
``bincount``, its filter one ``isin``, so a click answers in milliseconds at 100,000 tracks.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QListView, QVBoxLayout,
                               QWidget)

from moodplayer.display import terminal_safe
from moodplayer.ui.library_data import FACETS, Facet, LibraryData

DEFAULT_FIELDS = ("artist", "album", "mood")
_Index = QModelIndex | QPersistentModelIndex


def unknown_label(key: str) -> str:
    return {"year": "No year", "mood": "Not analysed"}.get(key, f"Unknown {FACETS[key].lower()}")


class FacetModel(QAbstractListModel):
    """A pane's rows: "All (n)" then each value present with its count (``codes`` in the same order)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.key = DEFAULT_FIELDS[0]
        self.codes = np.zeros(0, np.int64)    # facet code of row 1.. (row 0 is "All")
        self.counts = np.zeros(0, np.int64)
        self.labels: list[str] = []
        self.total = 0

    def fill(self, key: str, facet: Facet | None, mask: np.ndarray | None) -> None:
        self.beginResetModel()
        self.key = key
        if facet is None or not len(facet.codes):
            self.codes, self.counts, self.labels, self.total = np.zeros(0, np.int64), np.zeros(0, np.int64), [], 0
        else:
            codes = facet.codes if mask is None else facet.codes[mask]
            counts = np.bincount(codes, minlength=len(facet.labels))
            self.codes = np.flatnonzero(counts)
            self.counts = counts[self.codes]
            self.labels = [facet.labels[c] for c in self.codes]
            self.total = int(len(codes))
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.codes) + 1

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row = index.row()
        if role == Qt.ItemDataRole.DisplayRole:
            if row == 0:
                return f"All {FACETS[self.key].lower()}s ({len(self.codes):,})" if self.key != "mood" \
                    else f"All moods ({len(self.codes):,})"
            label = self.labels[row - 1] or unknown_label(self.key)
            return f"{terminal_safe(label)} ({int(self.counts[row - 1]):,})"
        if role == Qt.ItemDataRole.ToolTipRole and row > 0:
            return f"{int(self.counts[row - 1]):,} tracks"
        return None


class FacetPane(QWidget):
    """A field chooser over a multi-select list of that field's values."""

    changed = Signal()

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        for k, title in FACETS.items():
            self.combo.addItem(title, k)
        self.combo.setCurrentIndex(list(FACETS).index(key))
        self.combo.setToolTip("Group the library by")
        # narrow panes: a combo sized to its longest item would push the window wider than 1024 px
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(3)
        self.model = FacetModel(self)
        self.model.key = key
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setMinimumWidth(40)
        self.view.setUniformItemSizes(True)      # no per-row size queries: 20,000 albums scroll freely
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setFocusPolicy(Qt.FocusPolicy.ClickFocus)   # Space keeps playing/pausing at start-up
        self.combo.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.chosen: list[str] = []             # selected labels: kept across reloads and re-groupings
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        lay.addWidget(self.combo)
        lay.addWidget(self.view, 1)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.combo.currentIndexChanged.connect(self._regrouped)

    @property
    def key(self) -> str:
        return str(self.combo.currentData())

    def set_key(self, key: str) -> None:
        if key in FACETS:
            self.combo.setCurrentIndex(list(FACETS).index(key))

    def _regrouped(self) -> None:
        self.chosen = []
        self.changed.emit()

    def _selection_changed(self) -> None:
        rows = sorted(i.row() for i in self.view.selectionModel().selectedRows())
        self.chosen = [] if not rows or 0 in rows else [self.model.labels[r - 1] for r in rows]
        self.changed.emit()

    def fill(self, facet: Facet | None, mask: np.ndarray | None) -> None:
        """Show the values among ``mask``'s rows, re-selecting the chosen ones still there."""
        sel = self.view.selectionModel()
        sel.blockSignals(True)
        try:
            self.model.fill(self.key, facet, mask)
            present = {label: i + 1 for i, label in enumerate(self.model.labels)}
            self.chosen = [c for c in self.chosen if c in present]
            sel.clearSelection()
            for label in self.chosen:
                sel.select(self.model.index(present[label]), sel.SelectionFlag.Select)
        finally:
            sel.blockSignals(False)
        self.view.viewport().update()

    def select_labels(self, labels: Sequence[str]) -> None:
        """Select these values (as a click would): the panes to the right and the table follow."""
        present = {label: i + 1 for i, label in enumerate(self.model.labels)}
        sel = self.view.selectionModel()
        sel.blockSignals(True)
        sel.clearSelection()
        for label in labels:
            if label in present:
                sel.select(self.model.index(present[label]), sel.SelectionFlag.Select)
        sel.blockSignals(False)
        self._selection_changed()

    def mask(self, facet: Facet | None) -> np.ndarray | None:
        """Rows whose value is one of the chosen (None: nothing chosen, every row passes)."""
        if facet is None or not self.chosen:
            return None
        code_of = {label: c for c, label in zip(self.model.codes, self.model.labels)}
        return np.isin(facet.codes, [code_of[c] for c in self.chosen if c in code_of])


class LibraryBrowser(QWidget):
    """The row of panes; it feeds the table model the rows they let through."""

    def __init__(self, model: "object", fields: Sequence[str] = DEFAULT_FIELDS,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("libraryBrowser")
        self.model = model
        keys = (list(fields) + list(DEFAULT_FIELDS))[:len(DEFAULT_FIELDS)]
        self.panes = [FacetPane(k if k in FACETS else d) for k, d in zip(keys, DEFAULT_FIELDS)]
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        for pane in self.panes:
            lay.addWidget(pane, 1)
            pane.changed.connect(lambda p=pane: self.refresh(after=p))
        model.libraryChanged.connect(self.refresh)
        model.searchChanged.connect(self.refresh)   # the panes list only what the search matches

    @property
    def fields(self) -> list[str]:
        return [p.key for p in self.panes]

    def set_fields(self, fields: Sequence[str]) -> None:
        for pane, key in zip(self.panes, fields):
            pane.blockSignals(True)
            pane.set_key(key)
            pane.blockSignals(False)
        self.refresh()

    def refresh(self, after: FacetPane | None = None) -> None:
        """Cascade: each pane shows what the search and the panes before it let through; the table
        gets the rest. ``after``: the pane the user just changed (it and those before it keep their
        lists)."""
        data: LibraryData = self.model.data_
        mask = self.model.search_mask()
        if mask is not None and len(mask) != len(data):
            mask = None
        start = self.panes.index(after) + 1 if after in self.panes else 0
        for i, pane in enumerate(self.panes):
            facet = data.facets.get(pane.key)
            if i >= start or pane.model.key != pane.key:   # after the changed pane, or regrouped
                pane.fill(facet, mask)
            m = pane.mask(facet)
            if m is not None:
                mask = m if mask is None else mask & m
        self.model.set_filter(mask)

    def clear(self) -> None:
        """Every pane back to "All"."""
        for pane in self.panes:
            pane.chosen = []
        self.refresh()
