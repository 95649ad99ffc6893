"""What happens when the user plays, skips or likes: the mood queue goes to the engine, the engine's
news goes to the now-playing bar, the table and the pad, and likes/skips go to the feedback table.

Tracks to play come from the core (``playback.tracks.TrackCatalog``: the mood index the queue was
built from, else the library database), never from the table, which loads in another worker and may
not be there yet. A track that cannot be played is logged and said in the status bar, never dropped
without a word.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from PySide6.QtCore import QObject, Signal

from moodplayer.playback.item import QueueItem
from moodplayer.playback.tracks import TrackCatalog, Unplayable
from moodplayer.ui.library_model import LibraryModel
from moodplayer.ui.mood_session import MoodSession
from moodplayer.ui.now_playing import NowPlaying
from moodplayer.ui.player import Player
from moodplayer.ui.workers import Task, Workers, track_details_job

if TYPE_CHECKING:
    from moodplayer.recommend.index import MoodIndex
    from moodplayer.recommend.queue import Pick

log = logging.getLogger(__name__)

SKIP_BEFORE = 0.5     # "next" before half the track counts as a skip at the current mood


def short_why(pick: "Pick") -> str:
    """The now-playing line: where the track sits and how close it is (the full sentence is the tooltip)."""
    from moodplayer.recommend.regions import region_phrase

    step = f"Step {pick.step[0]} of {pick.step[1]} · " if pick.step else ""
    moved = f" · placed by your {pick.moved_by}" if pick.moved_by else ""
    return f"{step}{region_phrase(pick.valence, pick.arousal).capitalize()} · {pick.distance:.2f} from your target{moved}"


def unplayable_message(bad: Sequence[Unplayable]) -> str:
    """One status-bar line for the tracks that could not be queued."""
    if len(bad) == 1:
        return f"Cannot play {bad[0]}"
    return f"{len(bad)} tracks cannot be played (first: {bad[0]})"


class PlaybackController(QObject):
    message = Signal(str)
    playingChanged = Signal(object)      # track id now heard, or None
    feedbackRecorded = Signal()

    def __init__(self, db: Path, player: Player, session: MoodSession, library: LibraryModel,
                 now_playing: NowPlaying, workers: Workers, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db, self.player, self.session, self.library = Path(db), player, session, library
        self.np, self.workers = now_playing, workers
        self.why: dict[int, tuple[str, str]] = {}     # track id -> (short line, full sentence)
        self.current_id: int | None = None
        self.current_item: QueueItem | None = None
        self.tracks = TrackCatalog(self.db, session.index)
        self._position: tuple[float, float | None] = (0.0, None)
        player.trackChanged.connect(self._track_changed)
        player.position.connect(self._on_position)
        player.stateChanged.connect(self._state_changed)
        player.error.connect(lambda path, msg: self.message.emit(f"Skipped {Path(path).name}: {msg}"))
        session.pushQueue.connect(self._push)
        session.indexChanged.connect(self._index_changed)
        now_playing.playPauseClicked.connect(self.play_pause)
        now_playing.nextClicked.connect(self.next)
        now_playing.previousClicked.connect(player.previous)
        now_playing.seekRequested.connect(player.seek)
        now_playing.volumeChanged.connect(player.set_volume)
        now_playing.likeClicked.connect(self.like)

    # -- building engine items ------------------------------------------------------------------------
    def _index_changed(self, index: "MoodIndex | None") -> None:
        self.tracks.set_index(index)

    def item(self, track_id: int) -> QueueItem | None:
        """The engine's item for a track (None, reported, when it cannot be played)."""
        got = self.tracks.item(track_id)
        if isinstance(got, Unplayable):
            self._report([got])
            return None
        return got

    def _items(self, picks: Sequence["Pick"]) -> list[QueueItem]:
        for p in picks:
            self.why[p.track_id] = (short_why(p), p.why)
        items, bad = self.tracks.resolve(p.track_id for p in picks)
        if bad:
            self._report(bad)
        return items

    def _report(self, bad: Sequence[Unplayable]) -> None:
        for u in bad:
            log.warning("cannot play %s", u)
        self.message.emit(unplayable_message(bad))

    # -- commands ---------------------------------------------------------------------------------------
    def play_track(self, track_id: int, why: str | None = None, at: float = 0.0) -> None:
        """Play this track now (``at`` seconds in); the mood queue follows it. Without ``why``, a
        queued track keeps the reason it was queued for."""
        first = self.item(track_id)
        if first is None:
            return
        pick = next((p for p in self.session.picks if p.track_id == int(track_id)), None)
        if why is None and pick is not None:
            self.why[int(track_id)] = (short_why(pick), pick.why)
        else:
            self.why[int(track_id)] = (why or "You picked it.",) * 2
        rest = self._items([p for p in self.session.picks if p.track_id != int(track_id)])
        self.player.play_items([first, *rest], 0, at)

    def play_pause(self) -> None:
        if self.player.toggle():
            return
        if not self.session.picks:
            self.message.emit("Nothing to play yet: add a music folder (its tracks join the pad once analysed).")
            return
        items = self._items(self.session.picks)
        if items:
            self.player.play_items(items, 0)

    def next(self) -> None:
        seconds, duration = self._position
        if self.current_id is not None and duration and seconds < SKIP_BEFORE * duration:
            self._feedback("skip")
        self.player.next()

    def like(self) -> None:
        if self.current_id is not None:
            self._feedback("like")
            self.message.emit("Liked here: it will come up near this mood more.")

    def _feedback(self, kind: str) -> None:
        track_id, (v, a) = self.current_id, self.session.target
        db = self.db

        def job(task: Task) -> None:
            from moodplayer.library.store import connect
            from moodplayer.recommend.feedback import record_feedback

            conn = connect(db)
            try:
                record_feedback(conn, int(track_id), kind, v, a)
            finally:
                conn.close()
        self.workers.start(job, name=f"recording a {kind}",
                           on_error=lambda exc: self.message.emit(f"recording a {kind}: {exc}"),
                           on_result=lambda _: self.feedbackRecorded.emit())

    def _push(self, picks: list["Pick"]) -> None:
        """A new order for what comes next; only while something is loaded (else the panel shows it)."""
        if self.player.engine is not None and self.player.state in ("playing", "paused"):
            self.player.replace_upcoming(self._items(picks))

    # -- engine news ------------------------------------------------------------------------------------
    @property
    def current_title(self) -> str | None:
        """The title of the track being heard (for the window title), None when nothing plays."""
        item = self.current_item
        if item is None:
            return None
        return item.title or Path(item.path).name

    def _track_changed(self, index: int, item: QueueItem) -> None:
        tid = item.track_id
        self.current_id, self.current_item = tid, item
        mood: tuple[float | None, float | None] = (None, None)
        mi = self.session.index
        row = mi.row_of.get(tid) if mi is not None and tid is not None else None
        if row is not None:
            mood = (float(mi.mood[row][0]), float(mi.mood[row][1]))
        title = item.title or Path(item.path).name
        short, full = self.why.get(tid, ("", "")) if tid is not None else ("", "")
        self.np.set_track(tid, title, item.artist, item.album, short, mood, full)
        self.np.set_playing(True)
        self.library.set_playing(tid)
        self.playingChanged.emit(tid)
        self.session.track_started(tid)
        self.workers.start(track_details_job(self.db, tid, item.path), name="reading the cover",
                           on_result=self._details)

    def _details(self, details: dict[str, Any]) -> None:
        if details.get("id") != self.current_id:
            return   # the track changed again meanwhile
        self.np.set_details(details.get("windows") or [], details.get("duration"), details.get("cover"))

    def _on_position(self, seconds: float, duration: float | None) -> None:
        self._position = (seconds, duration)
        self.np.set_position(seconds, duration)

    def _state_changed(self, state: str, message: str) -> None:
        self.np.set_playing(state == "playing")
        if state == "no-device":
            from moodplayer.no_sound import STATUS_LINE

            log.warning("no sound output: %s", message)
            self.message.emit(STATUS_LINE)
        if state == "stopped" and self.player.current is None:
            self.current_id, self.current_item = None, None
            self.library.set_playing(None)
            self.playingChanged.emit(None)
