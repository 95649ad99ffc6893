"""The audio engine: an output stream fed by a decoder thread through a bounded timeline.

Threads: the PortAudio callback only copies frames (and counts); the decoder thread opens, decodes,
resamples and writes; the event thread runs listeners and database writes. Commands (seek, next,
replace the upcoming tracks) bump a generation number under the lock: the decoder drops whatever it
was doing for an older generation, so no stale audio can slip in after a seek.

The output is PortAudio (``device.open_output``) unless ``output=`` names another opener, such as
``null.NullOutput`` (no sound device: headless runs and the fast tests).
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from moodplayer.playback.decode import DecodeError
from moodplayer.playback.device import NoDevice, OpenOutput, Stream, open_output
from moodplayer.playback.events import EventHub
from moodplayer.playback.history import PlayHistory
from moodplayer.playback.item import QueueItem
from moodplayer.playback.source import TrackSource
from moodplayer.playback.timeline import Segment, Timeline

PRIME_S = 0.25          # audio buffered after a seek/jump before the callback starts reading
RESTART_S = 3.0         # "previous" within this much of a track's start goes to the track before


class AudioEngine:
    """Gapless player of a replaceable queue of QueueItems; see ``events.EVENTS`` for the callbacks."""

    def __init__(self, *, device: int | str | None = None, blocksize: int = 0, latency: str | float = "high",
                 buffer_s: float = 3.0, db_path: str | Path | None = None, preamp_db: float = 0.0,
                 output: OpenOutput | None = None) -> None:
        self.device, self.blocksize, self.latency = device, blocksize, latency
        self.output: OpenOutput = output or open_output
        self.buffer_s, self.db_path, self.preamp_db = buffer_s, db_path, preamp_db
        self.state, self.message = "stopped", None
        self.samplerate, self.channels = 0, 0
        self.tap: Callable[[np.ndarray], None] | None = None   # sees every block sent to the device
        # underruns: the device reported an output underflow while music played (audible dropouts);
        # underruns_idle: the same while silent (stream start, paused, stopped); starved: the decoder
        # had not buffered enough for a block mid-track (our own fault, not the system's).
        self.stats = {"frames_delivered": 0, "underruns": 0, "underruns_idle": 0, "starved": 0, "callbacks": 0}
        self._queue: list[QueueItem] = []
        self._cond = threading.Condition()
        self._gen = 0
        self._job: tuple[int, float] | None = None    # (queue index, start seconds) for the decoder
        self._decoding: int | None = None             # queue index the decoder has open
        self._priming = False
        self._heard: int | None = None                # queue index of the track being heard
        self._cursor = 0                              # where play() starts when nothing is heard
        self._position = 0.0
        self._duration: float | None = None
        self._volume = self._applied_volume = 1.0
        self._stream: Stream | None = None
        self._timeline: Timeline | None = None
        self._closing = False
        self.events = EventHub(on_tick=self._tick)
        self._history = (PlayHistory(db_path, lambda msg: self.events.post("error", QueueItem(str(db_path)), msg))
                         if db_path is not None else None)
        self.on = self.events.on
        self._feeder: threading.Thread | None = None

    # -- device ---------------------------------------------------------------------------------
    def open(self) -> bool:
        """Open the output device (play() does this on demand). False and state "no-device" on failure."""
        if self._stream is not None:
            return True
        try:
            stream, rate, channels = self.output(self._callback, device=self.device, blocksize=self.blocksize,
                                                 latency=self.latency, finished=self._stream_finished,
                                                 ready=self._ready)
        except NoDevice as exc:
            self._set_state("no-device", str(exc))
            return False
        with self._cond:
            self._stream, self.samplerate, self.channels = stream, rate, channels
            self._timeline = Timeline(max(int(self.buffer_s * rate), rate // 2), channels, rate)
        if self._feeder is None:
            self._feeder = threading.Thread(target=self._feed_loop, name="moodplayer-decoder", daemon=True)
            self._feeder.start()
        if self.state == "no-device":
            self._set_state("stopped", None)
        return True

    def close(self) -> None:
        """Stop, release the device and the threads. The engine cannot be used afterwards."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        if self._feeder is not None:
            self._feeder.join(5.0)
        if self._stream is not None:
            try:
                self._stream.abort()
                self._stream.close()
            except Exception:
                pass
            self._stream = None
        self.events.close()

    def _stream_finished(self) -> None:
        """PortAudio ended the stream on its own (device unplugged, server gone)."""
        if not self._closing:
            self._set_state("no-device", "the audio device stopped (disconnected?)")
            self.events.call_soon(self._drop_stream)

    def _drop_stream(self) -> None:
        """Forget the dead stream so the next play() opens a device again (rate may differ)."""
        with self._cond:
            stream, self._stream = self._stream, None
            self._gen += 1
            self._job, self._decoding, self._heard, self._priming = None, None, None, False
            if self._timeline is not None:
                self._timeline.clear()
            self._cond.notify_all()
        if stream is not None:
            try:
                stream.close()
            except Exception:
                pass

    # -- queue ----------------------------------------------------------------------------------
    @property
    def queue(self) -> list[QueueItem]:
        with self._cond:
            return list(self._queue)

    @property
    def current_index(self) -> int | None:
        return self._heard

    @property
    def current(self) -> QueueItem | None:
        with self._cond:
            i = self._heard
            return self._queue[i] if i is not None and i < len(self._queue) else None

    def set_queue(self, items: Sequence[QueueItem | str | Path], start: int = 0) -> None:
        """Replace the whole queue; playback stops (call play() to start at ``start``)."""
        self.stop()
        with self._cond:
            self._queue = [_as_item(x) for x in items]
            self._cursor = start

    def replace_upcoming(self, items: Sequence[QueueItem | str | Path]) -> None:
        """Keep the track being heard, replace everything after it: a mood change never interrupts the
        current song. Audio already decoded for the old next track is dropped from the buffer."""
        new = [_as_item(x) for x in items]
        with self._cond:
            cur = self._heard
            if cur is None and self.state in ("playing", "paused"):
                cur = self._cursor   # started but still buffering: that track stays
            if cur is None:
                self._queue, self._cursor = new, 0
                return
            self._queue = self._queue[: cur + 1] + new
            if self._decoding is None or self._decoding > cur:
                # The decoder already moved past the current track: drop what it made of the old next.
                self._timeline.truncate_after(cur)
                self._gen += 1
                self._job, self._decoding = (cur + 1, 0.0), None
            self._cond.notify_all()

    # -- transport ------------------------------------------------------------------------------
    def play(self, index: int | None = None, start_s: float = 0.0) -> None:
        """Resume when paused; else start at ``index`` (default: where the queue cursor is),
        ``start_s`` seconds into it (where the listener left off last time)."""
        if not self.open():
            return
        with self._cond:
            if index is None and self.state == "paused":
                self._set_state_locked("playing")
                return
            if index is None and self.state == "playing":
                return
            if index is None:
                index = self._heard if self._heard is not None else self._cursor
            if not 0 <= index < len(self._queue):
                return
        self._jump(index, max(0.0, float(start_s)))

    def pause(self) -> None:
        with self._cond:
            if self.state == "playing":
                self._set_state_locked("paused")

    def toggle(self) -> None:
        self.pause() if self.state == "playing" else self.play()

    def stop(self) -> None:
        with self._cond:
            if self._timeline is not None:
                self._timeline.clear()
            self._gen += 1
            self._job, self._decoding, self._heard, self._priming = None, None, None, False
            self._position = 0.0
            if self.state in ("playing", "paused"):
                self._set_state_locked("stopped")
            self._cond.notify_all()

    def seek(self, seconds: float) -> None:
        """Jump within the track being heard (a paused engine stays paused)."""
        with self._cond:
            i = self._heard
        if i is not None:
            self._jump(i, max(0.0, float(seconds)), keep_paused=True)

    def next(self) -> None:
        with self._cond:
            i = self._heard if self._heard is not None else self._cursor
            if self.state not in ("playing", "paused"):
                self._cursor = min(i + 1, max(0, len(self._queue) - 1))
                return
        if i + 1 < len(self._queue):
            self._jump(i + 1, 0.0)
        else:
            self.stop()

    def previous(self) -> None:
        with self._cond:
            i = self._heard
        if i is None:
            return
        self._jump(i if self._position > RESTART_S or i == 0 else i - 1, 0.0)

    @property
    def volume(self) -> float:
        return self._volume

    @volume.setter
    def volume(self, value: float) -> None:
        self._volume = float(min(1.0, max(0.0, value)))

    @property
    def position(self) -> float:
        """Seconds into the track being heard (as handed to the device)."""
        return self._position

    @property
    def duration(self) -> float | None:
        return self._duration

    def _jump(self, index: int, start_s: float, keep_paused: bool = False) -> None:
        with self._cond:
            if self._timeline is None:
                return
            self._timeline.clear()
            self._gen += 1
            self._job, self._decoding = (index, start_s), None
            self._priming = True
            if self._heard != index:
                self._heard = None
            self._position = start_s
            self._cursor = index
            if self.state != "playing" and not (keep_paused and self.state == "paused"):
                self._set_state_locked("playing")
            self._cond.notify_all()

    # -- audio callback (PortAudio thread) ------------------------------------------------------
    def _ready(self, frames: int) -> bool:
        """Whether the callback could fill ``frames`` without a gap now. A sound card cannot wait for
        this; the null output's "as fast as ready" mode does, so it never starves."""
        with self._cond:
            tl = self._timeline
            if tl is None or self.state != "playing" or self._priming:
                return False
            return tl.buffered() >= frames or tl.finished

    def _callback(self, outdata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        st = self.stats
        st["callbacks"] += 1
        ended = False
        with self._cond:
            tl = self._timeline
            silent = self.state != "playing" or self._priming or tl is None
            if status.output_underflow:
                st["underruns_idle" if silent else "underruns"] += 1
            if silent:
                outdata.fill(0.0)
                n, done = 0, []
            else:
                n, done = tl.read_into(outdata)
                st["frames_delivered"] += n
                ended = tl.at_end()
                if n < frames and not ended:
                    st["starved"] += 1
                self._after_read(tl, done)
                if ended:
                    self._heard, self._cursor, self._job = None, 0, None
                    self._set_state_locked("stopped")
                self._cond.notify_all()
        v0, v1 = self._applied_volume, self._volume
        if v0 != v1:
            outdata *= np.linspace(v0, v1, frames, dtype=np.float32)[:, None]
            self._applied_volume = v1
        elif v1 != 1.0:
            outdata *= np.float32(v1)
        if self.tap is not None:
            self.tap(outdata)

    def _after_read(self, tl: Timeline, done: list[Segment]) -> None:
        history = self._history
        for seg in done:
            if seg.completed and history is not None:
                self.events.call_soon(lambda q=seg.qindex: history.completed(q))
        seg, pos = tl.position()
        if seg is None:
            return
        self._position, self._duration = pos, seg.duration_s
        if seg.qindex != self._heard and tl.read_abs > seg.start:
            self._heard = seg.qindex
            self.events.post("track_changed", seg.qindex, seg.item)
            if history is not None:
                self.events.call_soon(lambda s=seg: history.started(s.qindex, s.item))

    # -- decoder thread -------------------------------------------------------------------------
    def _feed_loop(self) -> None:
        source: TrackSource | None = None
        gen, qindex = -1, -1
        while True:
            with self._cond:
                while not self._closing and not self._feeder_has_work(gen, source):
                    self._cond.wait(0.5)
                if self._closing:
                    break
                if self._gen != gen:
                    gen = self._gen
                    if source is not None:
                        source.close()
                        source = None
                if source is None:
                    job, self._job = self._job, None
                    if job is None:
                        continue
                    qindex, start_s = job
                    if qindex >= len(self._queue):
                        self._timeline.finished = True
                        self._priming = False
                        self._decoding = None
                        continue
                    item = self._queue[qindex]
                    self._decoding = qindex
            if source is None:
                source = self._open(item, qindex, start_s, gen)
                continue
            self._feed_once(source, qindex, gen)
            if source.done:
                source.close()
                source = None
        if source is not None:
            source.close()

    def _feeder_has_work(self, gen: int, source: TrackSource | None) -> bool:
        if self._gen != gen:
            return True
        if source is None:
            return self._job is not None
        return self._timeline.free() >= source.max_out

    def _open(self, item: QueueItem, qindex: int, start_s: float, gen: int) -> TrackSource | None:
        try:
            src = TrackSource(item, self.samplerate, self.channels, start_s, self.preamp_db)
        except DecodeError as exc:
            self._skip(item, qindex, str(exc), gen)
            return None
        except Exception as exc:  # a decoder bug must not kill the player thread
            self._skip(item, qindex, f"{item.path}: unexpected {exc.__class__.__name__}: {exc}", gen)
            return None
        with self._cond:
            if self._gen != gen:
                src.close()
                return None
            self._timeline.begin(qindex, item, start_s, src.duration_s)
        return src

    def _feed_once(self, source: TrackSource, qindex: int, gen: int) -> None:
        failed = None
        try:
            block = source.read()
        except Exception as exc:
            failed = str(exc) if isinstance(exc, DecodeError) else f"{source.item.path}: {exc}"
            block, source.done = np.zeros((0, self.channels), np.float32), True
        with self._cond:
            if self._gen != gen:
                return
            tl = self._timeline
            tl.write(block)
            if source.done:
                tl.end(completed=failed is None)
                self._job, self._decoding = (qindex + 1, 0.0), None
            if self._priming and tl.buffered() >= PRIME_S * self.samplerate:
                self._priming = False
        if failed:
            self._report_error(source.item, failed)

    def _skip(self, item: QueueItem, qindex: int, message: str, gen: int) -> None:
        with self._cond:
            if self._gen == gen:
                self._job, self._decoding = (qindex + 1, 0.0), None
        self._report_error(item, message)

    # -- events, state, database ----------------------------------------------------------------
    def _report_error(self, item: QueueItem, message: str) -> None:
        self.events.post("error", item, message)
        if self._history is not None:
            self.events.call_soon(lambda: self._history.failed(item, message))

    def _tick(self) -> None:
        if self.state == "playing" and self._heard is not None:
            self.events.post("position", self._position, self._duration)

    def _set_state(self, state: str, message: str | None) -> None:
        with self._cond:
            self._set_state_locked(state, message)

    def _set_state_locked(self, state: str, message: str | None = None) -> None:
        if state != self.state or message != self.message:
            self.state, self.message = state, message
            self.events.post("state_changed", state, message)


def _as_item(x: QueueItem | str | Path) -> QueueItem:
    return x if isinstance(x, QueueItem) else QueueItem.from_path(x)
