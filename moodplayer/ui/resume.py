"""Where the listener left off: the track heard when the window closed and the position in it.

On the next start, once the mood index is loaded, the now-playing bar shows that track at that
position; play (Space, the play button) continues it there, and the mood queue follows as usual.
Nothing plays by itself at start-up.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from moodplayer.ui.workers import track_details_job

if TYPE_CHECKING:
    from moodplayer.recommend.index import MoodIndex
    from moodplayer.ui.now_playing import NowPlaying
    from moodplayer.ui.playback_controller import PlaybackController
    from moodplayer.ui.settings import Settings

RESUME_WHY = "Where you left off · press Space to continue"


class ResumePoint(QObject):
    def __init__(self, settings: "Settings", playback: "PlaybackController", now_playing: "NowPlaying",
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings, self.playback, self.np = settings, playback, now_playing
        self.pending: tuple[int, float] | None = settings.last_track
        self._shown = False
        playback.playingChanged.connect(self._playing)

    def index_loaded(self, index: "MoodIndex") -> None:
        """Show the saved track once the library says it is still there (else forget it)."""
        if self.pending is None or self._shown or self.playback.current_id is not None:
            return
        tid, seconds = self.pending
        row = index.row_of.get(tid)
        if row is None:
            self.pending = None
            return
        self._shown = True
        duration = index.durations[row]
        title = index.titles[row] or index.paths[row].rsplit("/", 1)[-1]
        album = index.albums[row] if row < len(index.albums) else None
        mood = (float(index.mood[row][0]), float(index.mood[row][1]))
        self.np.set_track(tid, title, index.artists[row], album, RESUME_WHY, mood)
        self.np.set_position(seconds, duration)
        self.playback.workers.start(track_details_job(self.playback.db, tid, index.paths[row]),
                                    name="reading the cover", on_result=self._details)

    def _details(self, details: dict) -> None:
        if self.pending is not None and details.get("id") == self.pending[0]:
            self.np.set_details(details.get("windows") or [], details.get("duration"), details.get("cover"))
            self.np.set_position(self.pending[1], details.get("duration"))

    def play_pause(self) -> bool:
        """Continue the saved track where it was left; False when there is none to continue."""
        player = self.playback.player
        if self.pending is None or not self._shown or (player.engine is not None and player.engine.queue):
            return False
        tid, seconds = self.pending
        self.pending = None
        self.playback.play_track(tid, "Where you left off.", at=seconds)
        return True

    def _playing(self, track_id: int | None) -> None:
        if track_id is not None:
            self.pending = None

    def save(self) -> None:
        """On close: the track being heard and how far into it, else what was still waiting."""
        player = self.playback.player
        item = player.current
        if item is not None and item.track_id is not None:
            self.settings.last_track = (int(item.track_id), float(player.elapsed))
        elif self.pending is not None:
            self.settings.last_track = self.pending
        else:
            self.settings.last_track = None
