"""What the user does with the library browser's selection, and the browser's state between runs.

Play / play next / add to queue / play the album by mood go through the mood session's list (the
same list a mood path or a cluster fills), so the queue panel, the pad and the engine all follow;
only analysed tracks can sit in that list (a pick carries its mood), so the others are named, not
dropped silently. The columns shown, their widths, the sort order, the panes' fields and height are
kept by field name in the settings (``Settings.browser_state``).
"""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtWidgets import QMenu, QSplitter, QTableView

from moodplayer.ui.library_data import COLUMNS, SCHEMA

if TYPE_CHECKING:
    from moodplayer.recommend.index import MoodIndex
    from moodplayer.recommend.queue import Pick

FIELD_NAMES = tuple(f.name for f in SCHEMA.columns)


def album_by_mood(index: "MoodIndex", track_ids: Sequence[int], start: tuple[float, float]) -> list["Pick"]:
    """An album's analysed tracks as a mood path: from the one nearest the listener's mood (``start``)
    to the one farthest from it, each step the nearest unused track (recommend.mood_path); tracks
    the path cannot place without stepping back come last, nearest first."""
    from moodplayer.recommend.index import MoodIndex
    from moodplayer.recommend.mood_path import path_between
    from moodplayer.recommend.queue import make_pick

    rows = [index.row_of[int(t)] for t in dict.fromkeys(track_ids) if int(t) in index.row_of]
    if not rows:
        return []

    def sub(values: list) -> list:
        return [values[r] for r in rows] if values else []
    album = MoodIndex(ids=index.ids[rows], paths=sub(index.paths), titles=sub(index.titles),
                      artists=sub(index.artists), durations=sub(index.durations), mood=index.mood[rows],
                      position=index.position[rows], albums=sub(index.albums), rg_gains=sub(index.rg_gains),
                      rg_peaks=sub(index.rg_peaks),
                      moved_by={i: index.moved_by[r] for i, r in enumerate(rows) if r in index.moved_by})
    d_start = np.hypot(*(album.position - np.asarray(start, float)).T)
    first = int(np.argmin(d_start))
    if len(rows) == 1:
        return [make_pick(album, 0, float(d_start[0]), step=(1, 1))]
    last = int(np.argmax(np.hypot(*(album.position - album.position[first]).T)))
    picks = path_between(album, int(album.ids[first]), int(album.ids[last]), len(rows)) if last != first else []
    placed = {p.track_id for p in picks}
    rest = sorted((r for r in range(len(rows)) if int(album.ids[r]) not in placed), key=lambda r: d_start[r])
    picks += [make_pick(album, r, float(d_start[r])) for r in rest]
    return [dataclasses.replace(p, step=(i + 1, len(picks))) for i, p in enumerate(picks)]


class BrowserActions(QObject):
    """The table's and the header's context menus, and the browser's saved state."""

    def __init__(self, window: Any, table: QTableView, browser: Any, split: QSplitter) -> None:
        super().__init__(table)
        self.w, self.table, self.browser, self.split = window, table, browser, split
        self.model = table.model()
        self.user_split = False
        self.saved_split: int | None = None   # the panes' saved height, applied at the first resize
        self._restoring = False
        header = table.horizontalHeader()
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._table_menu)
        for sig in (header.sectionResized, header.sectionMoved, header.sortIndicatorChanged):
            sig.connect(lambda *_: self._changed())
        for pane in browser.panes:
            pane.combo.currentIndexChanged.connect(lambda *_: self._changed())
        split.splitterMoved.connect(self._split_moved)

    # -- the selection ----------------------------------------------------------------------------
    def selected_ids(self) -> list[int]:
        """Selected tracks in the table's order."""
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [int(self.model.track_id(r)) for r in rows]

    def _picks(self, ids: Sequence[int]) -> tuple[list["Pick"], int]:
        """Queue picks for the analysed ones among ``ids`` (and how many are not analysed)."""
        from moodplayer.recommend.queue import make_pick

        index, target = self.w.session.index, self.w.session.target
        picks = []
        for t in ids:
            r = index.row_of.get(int(t)) if index is not None else None
            if r is not None:
                picks.append(make_pick(index, r, float(np.hypot(*(index.position[r] - np.asarray(target))))))
        return picks, len(ids) - len(picks)

    def _say(self, text: str, missing: int) -> None:
        if missing:
            text += (f"; {missing} not analysed yet (they join the queue once their mood is known)"
                     if missing > 1 else "; 1 is not analysed yet (it joins the queue once its mood is known)")
        self.w.show_message(text)

    def play(self, ids: Sequence[int] | None = None) -> None:
        """Play the first selected track now; the rest of the selection follows it."""
        ids = list(self.selected_ids() if ids is None else ids)
        if not ids:
            return
        picks, missing = self._picks(ids[1:])
        s = self.w.session
        s.start_list(picks, "your selection", s.target)
        self.w.playback.play_track(ids[0], "You picked it from the library.")
        self._say(f"Playing {len(picks) + 1} track{'s' if picks else ''}", missing)

    def enqueue(self, ids: Sequence[int] | None = None, *, next_: bool = False) -> int:
        """Put the selection in the current list: right after the track playing (``next_``) or at the
        end; in the plain mood queue the selection plays next and the mood queue resumes after it."""
        ids = list(self.selected_ids() if ids is None else ids)
        picks, missing = self._picks(ids)
        if not picks:
            self._say("Nothing queued", missing)
            return 0
        s = self.w.session
        chosen = {p.track_id for p in picks}
        existing = [p for p in s.path if p.track_id not in chosen]
        new = picks + existing if next_ else existing + picks
        s.start_list(new, s.list_name if s.path else "your picks", s.target)
        n = len(picks)
        self._say(f"{n} track{'s' if n != 1 else ''} {'will play next' if next_ else 'added to the queue'}",
                  missing)
        return n

    def album_ids(self, ids: Sequence[int]) -> tuple[list[int], str]:
        """Every track of the albums of ``ids`` (by album and album artist), in library order."""
        d = self.model.data_
        rows = [d.row_of[t] for t in ids if t in d.row_of]
        if not rows:
            return [], ""
        facet_album, facet_aa = d.facets["album"], d.facets["album_artist"]
        mask = np.zeros(len(d), bool)
        for r in rows:
            if d.album[r]:
                mask |= (facet_album.codes == facet_album.codes[r]) & (facet_aa.codes == facet_aa.codes[r])
            else:
                mask[r] = True
        order = d.base[mask[d.base]]
        name = d.album[rows[0]] or "these tracks"
        return [int(d.id[r]) for r in order], name

    def play_album_by_mood(self, ids: Sequence[int] | None = None) -> int:
        """The selected tracks' album, ordered along a mood path from where the listener is now."""
        ids = list(self.selected_ids() if ids is None else ids)
        album, name = self.album_ids(ids)
        s = self.w.session
        if s.index is None or not album:
            self.w.show_message("No analysed tracks on that album yet.")
            return 0
        picks = album_by_mood(s.index, album, s.target)
        if not picks:
            self.w.show_message(f"{name}: no analysed tracks yet.")
            return 0
        s.start_list(picks, f"{name} by mood", s.target)
        self.w.playback.play_track(picks[0].track_id)
        self._say(f"{name} by mood: {len(picks)} tracks", len(album) - len(picks))
        return len(picks)

    def _table_menu(self, pos: QPoint) -> None:
        if not self.selected_ids():
            return
        menu = QMenu(self.table)
        menu.addAction("Play", self.play)
        menu.addAction("Play next", lambda: self.enqueue(next_=True))
        menu.addAction("Add to queue", self.enqueue)
        menu.addAction("Play this album by mood", self.play_album_by_mood)
        menu.addSeparator()
        menu.addAction("Show all (clear filters)", self.browser.clear)
        menu.popup(self.table.viewport().mapToGlobal(pos))

    # -- columns ----------------------------------------------------------------------------------
    def set_column_shown(self, col: int, shown: bool) -> None:
        header = self.table.horizontalHeader()
        if not shown and header.count() - header.hiddenSectionCount() <= 1:
            return   # the last column stays
        header.setSectionHidden(col, not shown)
        if shown and header.sectionSize(col) < 30:
            header.resizeSection(col, 90)

    def _header_menu(self, pos: QPoint) -> None:
        header = self.table.horizontalHeader()
        menu = QMenu(header)
        for col, title in enumerate(COLUMNS):
            act = menu.addAction(title)
            act.setCheckable(True)
            act.setChecked(not header.isSectionHidden(col))
            act.toggled.connect(lambda on, c=col: self.set_column_shown(c, on))
        menu.popup(header.mapToGlobal(pos))

    # -- state between runs -----------------------------------------------------------------------
    def _changed(self) -> None:
        if not self._restoring:   # a few dozen bytes into QSettings' memory; written out on sync/close
            self.save()

    def _split_moved(self, *_: Any) -> None:
        self.user_split = True
        self._changed()

    def state(self) -> dict[str, Any]:
        header = self.table.horizontalHeader()
        sort = self.model.sort_state
        st: dict[str, Any] = {
            "sort": None if sort is None else [FIELD_NAMES[sort[0]], bool(sort[1])],
            "hidden": [n for c, n in enumerate(FIELD_NAMES) if header.isSectionHidden(c)],
            "widths": {n: header.sectionSize(c) for c, n in enumerate(FIELD_NAMES) if not header.isSectionHidden(c)},
            "order": [FIELD_NAMES[header.logicalIndex(v)] for v in range(header.count())],
            "panes": self.browser.fields,
        }
        if self.user_split:
            st["split"] = self.split.sizes()[0]
        return st

    def save(self) -> None:
        self.w.settings.browser_state = self.state()

    def restore(self) -> None:
        st = self.w.settings.browser_state
        header = self.table.horizontalHeader()
        self._restoring = True
        try:
            for name, width in (st.get("widths") or {}).items():
                if name in FIELD_NAMES and isinstance(width, int) and width > 0:
                    header.resizeSection(FIELD_NAMES.index(name), width)
            for name in st.get("hidden") or []:
                if name in FIELD_NAMES:
                    self.set_column_shown(FIELD_NAMES.index(name), False)
            for v, name in enumerate(n for n in st.get("order") or [] if n in FIELD_NAMES):
                header.moveSection(header.visualIndex(FIELD_NAMES.index(name)), v)
            sort = st.get("sort")
            if isinstance(sort, list) and len(sort) == 2 and sort[0] in FIELD_NAMES:
                self.table.sortByColumn(FIELD_NAMES.index(sort[0]), Qt.SortOrder.DescendingOrder if sort[1]
                                        else Qt.SortOrder.AscendingOrder)
            panes = st.get("panes")
            if isinstance(panes, list):
                self.browser.set_fields([str(p) for p in panes])
            if isinstance(st.get("split"), int):
                self.user_split = True
                self.saved_split = max(0, st["split"])
        finally:
            self._restoring = False
