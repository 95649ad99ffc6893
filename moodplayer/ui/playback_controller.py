"""What happens when the user plays, skips or likes: the mood queue goes to the engine, the engine's
news goes to the now-playing bar, the table and the pad, and likes/skips go to the feedback table."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from PySide6.QtCore import QObject, Signal

from moodplayer.ui.library_model import LibraryModel
from moodplayer.ui.mood_session import MoodSession
from moodplayer.ui.now_playing import NowPlaying
from moodplayer.ui.player import Player
from moodplayer.ui.workers import Workers, track_details_job

SKIP_BEFORE = 0.5     # "next" before half the track counts as a skip at the current mood


def short_why(pick: Any) -> str:
    """The now-playing line: where the track sits and how close it is (the full sentence is the tooltip)."""
    from moodplayer.recommend.regions import region_phrase

    step = f"Step {pick.step[0]} of {pick.step[1]} · " if pick.step else ""
    moved = f" · placed by your {pick.moved_by}" if pick.moved_by else ""
    return f"{step}{region_phrase(pick.valence, pick.arousal).capitalize()} · {pick.distance:.2f} from your target{moved}"


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
        self._position = (0.0, None)
        player.trackChanged.connect(self._track_changed)
        player.position.connect(self._on_position)
        player.stateChanged.connect(self._state_changed)
        player.error.connect(lambda path, msg: self.message.emit(f"Skipped {Path(path).name}: {msg}"))
        session.pushQueue.connect(self._push)
        now_playing.playPauseClicked.connect(self.play_pause)
        now_playing.nextClicked.connect(self.next)
        now_playing.previousClicked.connect(player.previous)
        now_playing.seekRequested.connect(player.seek)
        now_playing.volumeChanged.connect(player.set_volume)
        now_playing.likeClicked.connect(self.like)

    # -- building engine items ------------------------------------------------------------------------
    def item(self, track_id: int) -> Any:
        from moodplayer.playback.item import QueueItem

        d = self.library.data_
        row = d.row_of.get(int(track_id))
        if row is None:
            return None
        return QueueItem(path=d.path[row], track_id=int(track_id), title=d.display_title(row), artist=d.artist[row],
                         duration=d.duration[row], rg_gain_db=d.rg_gain[row], rg_peak=d.rg_peak[row])

    def _items(self, picks: Sequence[Any]) -> list[Any]:
        out = []
        for p in picks:
            self.why[p.track_id] = (short_why(p), p.why)
            it = self.item(p.track_id)
            if it is not None:
                out.append(it)
        return out

    # -- commands ---------------------------------------------------------------------------------------
    def play_track(self, track_id: int, why: str | None = None) -> None:
        """Play this track now; the mood queue follows it. Without ``why``, a queued track keeps the
        reason it was queued for."""
        first = self.item(track_id)
        if first is None:
            self.message.emit("That track is not in the library any more.")
            return
        d = self.library.data_
        row = d.row_of[int(track_id)]
        if not d.available[row]:
            self.message.emit(f"{first.path}: file not found (moved or deleted?)")
            return
        pick = next((p for p in self.session.picks if p.track_id == int(track_id)), None)
        if why is None and pick is not None:
            self.why[int(track_id)] = (short_why(pick), pick.why)
        else:
            self.why[int(track_id)] = (why or "You picked it.",) * 2
        rest = self._items([p for p in self.session.picks if p.track_id != int(track_id)])
        self.player.play_items([first, *rest], 0)

    def play_pause(self) -> None:
        if self.player.toggle():
            return
        items = self._items(self.session.picks)
        if not items:
            self.message.emit("Nothing to play yet: add a music folder (its tracks join the pad once analysed).")
            return
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

        def job(task: Any) -> None:
            from moodplayer.library.store import connect
            from moodplayer.recommend.feedback import record_feedback

            conn = connect(db)
            try:
                record_feedback(conn, int(track_id), kind, v, a)
            finally:
                conn.close()
        self.workers.start(job, name=f"recording a {kind}", on_error=self.message.emit,
                           on_result=lambda _: self.feedbackRecorded.emit())

    def _push(self, picks: list[Any]) -> None:
        """A new order for what comes next; only while something is loaded (else the panel shows it)."""
        if self.player.engine is not None and self.player.state in ("playing", "paused"):
            self.player.replace_upcoming(self._items(picks))

    # -- engine news ------------------------------------------------------------------------------------
    def _track_changed(self, index: int, item: Any) -> None:
        tid = getattr(item, "track_id", None)
        self.current_id = tid
        d = self.library.data_
        row = d.row_of.get(tid) if tid is not None else None
        album = d.album[row] if row is not None else None
        mood = (d.valence[row], d.arousal[row]) if row is not None else (None, None)
        title = item.title or Path(item.path).name
        short, full = self.why.get(tid, ("", "")) if tid is not None else ("", "")
        self.np.set_track(tid, title, item.artist, album, short, mood, full)
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

    def _on_position(self, seconds: float, duration: Any) -> None:
        self._position = (seconds, duration)
        self.np.set_position(seconds, duration)

    def _state_changed(self, state: str, message: str) -> None:
        self.np.set_playing(state == "playing")
        if state == "no-device":
            self.message.emit(f"No sound: {message}" if message else "No audio output device.")
        if state == "stopped" and self.player.current is None:
            self.current_id = None
            self.library.set_playing(None)
            self.playingChanged.emit(None)
