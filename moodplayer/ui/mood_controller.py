"""Where the target comes from: the hand on the pad, the face on the camera, or a mood path.

Joins the pad, the camera panel, the glide that follows the face, the mood session (queue) and the
target read-out, so the window only has to build them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel

from moodplayer.recommend.regions import region_phrase
from moodplayer.ui import theme
from moodplayer.ui.camera_panel import EMOTION_WORDS, CameraPanel
from moodplayer.ui.follow import MIN_CONFIDENCE, CameraFollower
from moodplayer.ui.mood_pad import MoodPad
from moodplayer.ui.mood_session import CALM_TARGET, LIFT_TARGET, MoodSession
from moodplayer.ui.queue_panel import QueuePanel
from moodplayer.ui.settings import Settings

if TYPE_CHECKING:
    from moodplayer.recommend.queue import Pick
    from moodplayer.vision.pipeline import MoodReading


class MoodController(QObject):
    message = Signal(str)
    pathStarted = Signal()

    def __init__(self, pad: MoodPad, camera: CameraPanel, queue: QueuePanel, session: MoodSession,
                 target_label: QLabel, settings: Settings, play: Callable[[int], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pad, self.camera, self.queue, self.session = pad, camera, queue, session
        self.target_label, self.settings = target_label, settings
        self.follower = CameraFollower(self)
        session.set_target(*pad.target, push=False)   # the last target, restored from settings
        self.show_target(*pad.target)
        pad.targetChanged.connect(self._pad_moved)
        pad.targetCommitted.connect(lambda v, a: session.commit())
        pad.trackActivated.connect(play)
        session.queueChanged.connect(self._queue_changed)
        session.pathChanged.connect(pad.set_path)
        queue.trackActivated.connect(play)
        queue.liftRequested.connect(lambda: self.path_to(LIFT_TARGET))
        queue.calmRequested.connect(lambda: self.path_to(CALM_TARGET))
        camera.moodRead.connect(self._camera_read)
        camera.followChanged.connect(self._follow_changed)
        self.follower.moved.connect(self._camera_moved)
        # restore the mode without turning the camera on: the camera starts only when asked to
        camera.follow.blockSignals(True)
        camera.follow.setChecked(settings.camera_follow)
        camera.follow.blockSignals(False)
        self.follower.set_enabled(settings.camera_follow, pad.target)

    def _pad_moved(self, v: float, a: float) -> None:
        if self.camera.follow.isChecked():
            self.camera.follow.setChecked(False)   # the hand on the pad wins over the camera
            self.message.emit("You took the pad: the camera no longer sets the mood.")
        self.follower.hand_moved((v, a))
        self.session.set_target(v, a)
        self.show_target(v, a)

    def _camera_moved(self, v: float, a: float) -> None:
        self.pad.set_target(v, a)
        self.session.set_target(v, a)
        self.show_target(v, a)

    def show_target(self, v: float, a: float) -> None:
        colour = theme.mood_colour(v, a).name()
        self.target_label.setText(f"<span style='color:{colour}'>●</span>&nbsp; {region_phrase(v, a)}"
                                  f"<span style='color:{theme.MUTED}'>&nbsp;&nbsp;valence {v:.2f} · arousal {a:.2f}</span>")

    def _queue_changed(self, picks: list["Pick"]) -> None:
        self.queue.set_picks(picks, path=self.session.list_name if self.session.path else "")
        # the pad numbers a path's dots as the queue does: by step, which stays put as steps are heard
        self.pad.set_queue([p.track_id for p in picks],
                           [p.step[0] if p.step else i + 1 for i, p in enumerate(picks)])

    def path_to(self, destination: tuple[float, float]) -> int:
        """A mood path from where the listener is (the face, if it is read with confidence) to there."""
        start = self.pad.target
        r = self.camera.last_reading
        if r is not None and r.valence is not None and r.confidence >= MIN_CONFIDENCE:
            start = (r.valence, r.arousal)   # meet the listener where the face says they are
        n = self.session.start_path(destination, start=start)
        if not n:
            self.message.emit("No analysed tracks to build a mood path from yet.")
            return 0
        self.camera.follow.setChecked(False)
        self.pad.set_target(*destination)
        self.show_target(*destination)
        self.follower.hand_moved(destination)
        self.pathStarted.emit()
        return n

    def _camera_read(self, reading: "MoodReading | None") -> None:
        if reading is None or reading.valence is None:
            self.pad.set_camera(None, None)
        else:
            self.pad.set_camera(reading.valence, reading.arousal, reading.confidence,
                                f"you · {EMOTION_WORDS.get(reading.emotion or '', '')}".rstrip(" ·"))
        self.follower.set_reading(reading)

    def _follow_changed(self, on: bool) -> None:
        self.settings.camera_follow = on
        self.follower.set_enabled(on, self.pad.target)
        if on and not self.camera.running:
            self.camera.start()
