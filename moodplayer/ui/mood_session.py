"""The mood queue behind the window: a target point, the KNN queue for it, or a mood path.

Re-ordering is cheap (``build_queue`` on the KD-tree, well under a millisecond), so it runs on every
pad movement; handing the new order to the audio engine is debounced, because each hand-over drops
audio the decoder had already prepared for the next track.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

if TYPE_CHECKING:
    import numpy as np

    from moodplayer.recommend.index import MoodIndex
    from moodplayer.recommend.queue import Pick

QUEUE_LENGTH = 20
PUSH_DELAY_MS = 350
PATH_STEPS = 6
# where "lift me up" and "wind down" lead (valence, arousal)
LIFT_TARGET = (0.82, 0.72)
CALM_TARGET = (0.68, 0.22)


class MoodSession(QObject):
    queueChanged = Signal(list)          # list[Pick]: the upcoming tracks, nearest / next step first
    pushQueue = Signal(list)             # debounced: the picks the engine should play next
    indexChanged = Signal(object)        # the MoodIndex (or None)
    pathChanged = Signal(list)           # [(valence, arousal), ...] of the path, [] for none

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.index: MoodIndex | None = None
        self.target = (0.5, 0.5)
        self.picks: list[Pick] = []
        self.path: list[Pick] = []           # remaining mood-path (or cluster) picks (empty: plain KNN)
        self.list_name = ""                  # what the remaining picks are: "mood path", "cluster 2 · …"
        self.path_points: list[tuple[float, float]] = []
        self.played: set[int] = set()       # recently played + heard this session: not queued again
        self.current_id: int | None = None
        self.length = QUEUE_LENGTH
        self._mask: np.ndarray | None = None
        self._push = QTimer(self)
        self._push.setSingleShot(True)
        self._push.setInterval(PUSH_DELAY_MS)
        self._push.timeout.connect(lambda: self.pushQueue.emit(list(self.picks)))

    # -- inputs -----------------------------------------------------------------------------------
    def set_index(self, index: "MoodIndex | None", recently_played: set[int] | None = None) -> None:
        self.index = index
        if recently_played is not None:
            self.played |= set(recently_played)
        self._mask = None
        if self.path:   # a path survives a reload, minus tracks that left the library
            self.path = [p for p in self.path if index is not None and p.track_id in index.row_of]
        self.indexChanged.emit(index)
        self._rebuild(push=True)

    def set_target(self, valence: float, arousal: float, *, push: bool = True) -> None:
        """Moving the target by hand (or by the camera) leaves any mood path."""
        self.target = (float(valence), float(arousal))
        if self.path:
            self.path, self.path_points, self.list_name = [], [], ""
            self.pathChanged.emit([])
        self._rebuild(push=push)

    def commit(self) -> None:
        """The drag ended: hand the queue to the engine now rather than after the debounce."""
        if self._push.isActive():
            self._push.stop()
        self.pushQueue.emit(list(self.picks))

    def track_started(self, track_id: int | None) -> None:
        """The engine moved on (gapless or by a skip): never queue that track again this session."""
        self.current_id = track_id
        if track_id is None:
            return
        if track_id not in self.played:
            self.played.add(track_id)
            self._mask = None
        if self.path:
            self.path = [p for p in self.path if p.track_id != track_id]
            if not self.path:   # the path is over: its drawing goes, the queue follows the target again
                self.path_points, self.list_name = [], ""
                self.pathChanged.emit([])
        self._rebuild(push=True)

    def start_path(self, destination: tuple[float, float], steps: int = PATH_STEPS,
                   start: tuple[float, float] | None = None) -> int:
        """Iso principle: from ``start`` (the current target or the face's mood) to ``destination``;
        returns the number of tracks on the path (0 when the library has none analysed)."""
        if self.index is None or not len(self.index):
            return 0
        from moodplayer.recommend.mood_path import mood_path

        start = start or self.target
        exclude = self.played | ({self.current_id} if self.current_id is not None else set())
        self.path = mood_path(self.index, start, destination, steps, exclude=exclude)
        self.path_points = [start, destination]
        self.list_name = "mood path"
        self.target = (float(destination[0]), float(destination[1]))
        self.pathChanged.emit(list(self.path_points))
        self._rebuild(push=False)
        self.commit()
        return len(self.path)

    def start_list(self, picks: list["Pick"], name: str, target: tuple[float, float]) -> int:
        """Queue exactly these picks (a mood cluster's tracks) until they are heard or the target
        is moved by hand; ``target`` is where the pad's handle goes (the cluster's centre)."""
        self.path = [p for p in picks if p.track_id != self.current_id]
        self.path_points, self.list_name = [], name
        self.target = (float(target[0]), float(target[1]))
        self.pathChanged.emit([])
        self._rebuild(push=False)
        self.commit()
        return len(self.path)

    # -- queue --------------------------------------------------------------------------------------
    def _exclusion(self) -> "np.ndarray | None":
        if self._mask is None and self.index is not None:
            ids = set(self.played)
            if self.current_id is not None:
                ids.add(self.current_id)
            self._mask = self.index.exclusion_mask(ids)
        return self._mask

    def _rebuild(self, push: bool) -> None:
        if self.index is None or not len(self.index):
            self.picks = []
        elif self.path:
            self.picks = list(self.path)
        else:
            from moodplayer.recommend.queue import build_queue

            self.picks = build_queue(self.index, self.target[0], self.target[1], self.length,
                                     exclude=self._exclusion())
            if not self.picks and self.played:
                # everything was heard: start over rather than fall silent
                self.played.clear()
                self._mask = None
                self.picks = build_queue(self.index, self.target[0], self.target[1], self.length)
        self.queueChanged.emit(list(self.picks))
        if push:
            self._push.start()
