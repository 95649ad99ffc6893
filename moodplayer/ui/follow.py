""""Camera sets the mood": glide the pad's target toward the face's mood instead of jumping.

The face reading is already smoothed in time by the vision module; this adds a visual glide (time
constant ``TAU`` seconds) and ignores readings whose confidence is too low to act on, so a face that
turns away leaves the target where it was.

A new reading takes its first step at once (issue 15: camera to pad within 50 ms), not at the glide
timer's next tick; every step integrates the time actually elapsed, so stepping early never makes the
glide faster or jumpier, it only moves the same curve sooner.
"""
from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

if TYPE_CHECKING:
    from moodplayer.vision.pipeline import MoodReading

TAU = 1.2               # seconds for the target to cover ~63 % of the way to the face's mood
MIN_CONFIDENCE = 0.35
EPSILON = 0.002         # closer than this: stop moving (no endless tiny queue rebuilds)
FRAME_MS = 33


class CameraFollower(QObject):
    moved = Signal(float, float)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.enabled = False
        self.goal: tuple[float, float] | None = None
        self.position = (0.5, 0.5)
        self._last = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self._step)

    def set_enabled(self, on: bool, position: tuple[float, float]) -> None:
        self.enabled = bool(on)
        self.position = position
        if not on:
            self._timer.stop()
        elif self.goal is not None:
            self._kick()

    def set_reading(self, reading: "MoodReading | None") -> None:
        ok = reading is not None and reading.valence is not None and reading.confidence >= MIN_CONFIDENCE
        self.goal = (float(reading.valence), float(reading.arousal)) if ok else None
        if self.enabled and self.goal is not None:
            self._kick(now=True)

    def hand_moved(self, position: tuple[float, float]) -> None:
        """The user grabbed the handle: follow from there."""
        self.position = position

    def _kick(self, now: bool = False) -> None:
        """Start gliding; ``now``: take a step at once (a fresh reading) and tick on from here."""
        if not self._timer.isActive():
            self._last = time.monotonic() - FRAME_MS / 1000.0   # the first step is one frame's worth
        if now and not self._step():
            return              # already there (or nothing to follow): no timer
        self._timer.start()     # (re)started: the next tick is a full frame after this step

    def _step(self) -> bool:
        """One glide step; False when there is nothing (more) to do."""
        if not self.enabled or self.goal is None:
            self._timer.stop()
            return False
        now = time.monotonic()
        k = 1.0 - math.exp(-(now - self._last) / TAU)
        self._last = now
        (v, a), (gv, ga) = self.position, self.goal
        if math.hypot(gv - v, ga - a) < EPSILON:
            self._timer.stop()
            return False
        self.position = (v + k * (gv - v), a + k * (ga - a))
        self.moved.emit(*self.position)
        return True
