"""The audio engine seen from the GUI: engine callbacks become Qt signals, slow calls leave the GUI thread.

The engine's listeners run on its dispatcher thread; emitting a signal there queues the call to the
GUI thread. Opening the device (PortAudio start-up, a JACK/Pulse handshake) can take a moment, so the
first play opens it on a pool thread and carries out the request when it is ready.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from PySide6.QtCore import QObject, QThreadPool, Signal

from moodplayer.playback.item import QueueItem
from moodplayer.ui.tasks import run_in_background
from moodplayer.ui.workers import Task

if TYPE_CHECKING:
    from moodplayer.playback.engine import AudioEngine

EngineFactory = Callable[[], "AudioEngine"]


class Player(QObject):
    trackChanged = Signal(int, object)       # queue index, QueueItem
    position = Signal(float, object)         # seconds, duration (None when unknown)
    stateChanged = Signal(str, str)          # "stopped" | "playing" | "paused" | "no-device", message
    error = Signal(str, str)                 # path, message
    _opened = Signal(bool)

    def __init__(self, engine_factory: EngineFactory, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._factory = engine_factory
        self.engine: AudioEngine | None = None
        self._open_state = "closed"          # closed | opening | open | failed
        self._pending: list[Callable[[], None]] = []
        self._task: Task | None = None
        self.state = "stopped"
        self._volume = 1.0
        self._opened.connect(self._on_opened)

    # -- lifecycle ----------------------------------------------------------------------------------
    def _ensure_engine(self) -> "AudioEngine":
        if self.engine is None:
            self.engine = self._factory()
            self.engine.volume = self._volume
            self.engine.on("track_changed", lambda i, item: self.trackChanged.emit(int(i), item))
            self.engine.on("position", lambda s, d: self.position.emit(float(s), d))
            self.engine.on("state_changed", self._engine_state)
            self.engine.on("error", lambda item, msg: self.error.emit(str(item.path), str(msg)))
        return self.engine

    def _engine_state(self, state: str, message: str | None) -> None:
        self.state = state
        self.stateChanged.emit(state, message or "")

    def open_async(self) -> None:
        """Open the output device on a pool thread (done before the first play, off the start path)."""
        if self._open_state in ("opening", "open"):
            return
        self._open_state = "opening"
        engine = self._ensure_engine()

        def job(task: Task) -> bool:
            return bool(engine.open())

        self._task = Task(job, "audio device")
        self._task.signals.result.connect(lambda ok: self._opened.emit(bool(ok)))
        self._task.signals.error.connect(lambda msg: self._opened.emit(False))
        run_in_background(self._task)

    def _on_opened(self, ok: bool) -> None:
        if self.engine is None:              # closed while the device was opening: nothing to carry out
            self._pending = []
            return
        self._open_state = "open" if ok else "failed"
        pending, self._pending = self._pending, []
        if ok:
            for fn in pending:
                fn()
        else:
            msg = getattr(self.engine, "message", None) or "no audio output"
            self.stateChanged.emit("no-device", msg)

    def _when_open(self, fn: Callable[[], None]) -> None:
        if self._open_state == "open":
            fn()
            return
        self._pending.append(fn)
        if self._open_state in ("closed", "failed"):
            self._open_state = "closed"
            self.open_async()

    def close(self) -> None:
        if self._open_state == "opening":   # let a device still opening finish, then close it too
            QThreadPool.globalInstance().waitForDone(5000)
        if self.engine is not None:
            self.engine.close()
            self.engine = None
        self._pending = []
        self._open_state = "closed"

    # -- commands -----------------------------------------------------------------------------------
    def play_items(self, items: Sequence[QueueItem], start: int = 0, at: float = 0.0) -> None:
        """Replace the queue with ``items`` and play from ``start``, ``at`` seconds into it."""
        items = list(items)

        def go() -> None:
            self.engine.set_queue(items, start)
            self.engine.play(start, at)
        self._when_open(go)

    def replace_upcoming(self, items: Sequence[QueueItem]) -> None:
        items = list(items)
        if self.engine is None:
            return
        self._when_open(lambda: self.engine.replace_upcoming(items))

    def toggle(self) -> bool:
        """Play/pause; False when there is nothing to resume (the caller starts the mood queue)."""
        if self.engine is None or not self.engine.queue:
            return False
        self._when_open(self.engine.toggle)
        return True

    def stop(self) -> None:
        if self.engine is not None:
            self._when_open(self.engine.stop)

    def next(self) -> None:
        if self.engine is not None:
            self._when_open(self.engine.next)

    def previous(self) -> None:
        if self.engine is not None:
            self._when_open(self.engine.previous)

    def seek(self, seconds: float) -> None:
        """Seek within the track being heard; a point past its end becomes its last second (seeking
        past the end is an error for some decoders, which would skip the track)."""
        if self.engine is None:
            return
        duration = self.engine.duration
        if duration:
            seconds = min(float(seconds), max(0.0, duration - 1.0))
        self._when_open(lambda: self.engine.seek(max(0.0, seconds)))

    def seek_relative(self, delta: float) -> None:
        if self.engine is not None and self.engine.current is not None:
            self.seek(max(0.0, self.engine.position + delta))

    def set_volume(self, volume: float) -> None:
        self._volume = max(0.0, min(1.0, float(volume)))
        if self.engine is not None:
            self.engine.volume = self._volume

    @property
    def volume(self) -> float:
        return self._volume

    @property
    def elapsed(self) -> float:
        """Seconds into the track being heard (0 when nothing is loaded)."""
        return 0.0 if self.engine is None else float(self.engine.position)

    @property
    def current(self) -> QueueItem | None:
        return None if self.engine is None else self.engine.current


def default_engine_factory(device: str | int | None, db_path: Path, blocksize: int = 0) -> EngineFactory:
    def make() -> "AudioEngine":
        from moodplayer.playback.engine import AudioEngine

        return AudioEngine(device=device, db_path=db_path, blocksize=blocksize)
    return make
