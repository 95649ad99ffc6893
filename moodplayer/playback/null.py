"""An output without a sound device: the engine's callback is called by us instead of by PortAudio.

Everything before the output stays the real thing (decoder thread, resampler, timeline, gapless joins,
positions, the plays table); only who asks for the next block differs. Three ways to ask:

* ``NullOutput()``: a thread asks once per block period, in real time (silence while paused, like a
  sound card); ``speed=4.0`` asks four times as often.
* ``NullOutput(speed=None)``: as fast as the engine has a full block ready; it never starves and rests
  while paused, so a test hears every sample of a queue in a fraction of its length.
* ``NullOutput(manual=True)``: no thread; ``pump(n)`` runs n blocks on the caller's thread.

``unavailable="why"`` makes opening fail like a machine without audio; ``disconnect()`` ends a running
stream like an unplugged device (the engine then reports "no-device" and reopens on the next play).
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

import numpy as np

from moodplayer.playback.device import Callback, NoDevice

log = logging.getLogger(__name__)


class _Status:
    """What PortAudio passes as ``status``: a null output never underflows."""

    output_underflow = False


_STATUS = _Status()
_IDLE_S = 0.002          # unpaced: how long to rest when the engine has no full block yet
_MAX_LAG_S = 0.5         # real time: beyond this much behind, skip ahead instead of rushing to catch up


class NullOutput:
    """An ``OpenOutput`` (see device.py) and the stream it returns, in one object."""

    def __init__(self, samplerate: int = 48000, channels: int = 2, blocksize: int = 1024, *,
                 speed: float | None = 1.0, manual: bool = False, unavailable: str | None = None) -> None:
        if speed is not None and speed <= 0:
            raise ValueError(f"speed must be positive or None (as fast as ready), not {speed}")
        self.samplerate, self.channels, self.blocksize = int(samplerate), int(channels), int(blocksize)
        self.speed, self.manual, self.unavailable = speed, manual, unavailable
        self.blocks = 0                  # callbacks run since construction
        self.opened = 0                  # how many times the engine opened this output
        self._callback: Callback | None = None
        self._finished: Callable[[], None] | None = None
        self._ready: Callable[[int], bool] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()    # one block at a time (pump vs. disconnect)

    # -- OpenOutput ---------------------------------------------------------------------------------
    def __call__(self, callback: Callback, *, device: int | str | None = None, blocksize: int = 0,
                 latency: str | float = "high", finished: Callable[[], None] | None = None,
                 ready: Callable[[int], bool] | None = None) -> tuple["NullOutput", int, int]:
        if self.unavailable is not None:
            raise NoDevice(self.unavailable)
        if self.active:
            raise NoDevice("the null output is already open")
        if blocksize:
            self.blocksize = int(blocksize)
        self._callback, self._finished, self._ready = callback, finished, ready
        self._stop.clear()
        self.opened += 1
        if not self.manual:
            self._thread = threading.Thread(target=self._run, name="moodplayer-null-output", daemon=True)
            self._thread.start()
        return self, self.samplerate, self.channels

    @property
    def active(self) -> bool:
        return self._callback is not None and not self._stop.is_set()

    # -- Stream -------------------------------------------------------------------------------------
    def abort(self) -> None:
        self._halt()

    def close(self) -> None:
        self._halt()

    def disconnect(self) -> None:
        """End the stream as a device that goes away does: the engine's ``finished`` is told."""
        finished = self._finished
        self._halt()
        if finished is not None:
            finished()

    def _halt(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(5.0)
        with self._lock:
            self._callback = None

    # -- driving the callback -----------------------------------------------------------------------
    def pump(self, blocks: int, *, wait: bool = True, timeout: float = 10.0) -> int:
        """Manual mode: run ``blocks`` callbacks here, each once the engine has a full block (or has
        ended); returns how many ran before ``timeout`` seconds passed without one being ready.
        ``wait=False`` calls back at once, as a sound card does (silence while paused or buffering)."""
        if not self.manual:
            raise RuntimeError("pump() drives a NullOutput(manual=True); this one runs its own thread")
        done = 0
        for _ in range(int(blocks)):
            if (wait and not self._wait_ready(timeout)) or not self._block():
                break
            done += 1
        return done

    def _wait_ready(self, timeout: float) -> bool:
        end = time.monotonic() + timeout
        while self.active:
            ready = self._ready
            if ready is None or ready(self.blocksize):
                return True
            if time.monotonic() >= end:
                return False
            self._stop.wait(_IDLE_S)
        return False

    def _block(self) -> bool:
        with self._lock:
            callback = self._callback
            if callback is None:
                return False
            out = np.empty((self.blocksize, self.channels), np.float32)
            try:
                callback(out, self.blocksize, None, _STATUS)
            except Exception:   # as PortAudio does: a failing callback ends the stream
                log.exception("the audio callback failed; the null output stops")
                self._stop.set()
                self._callback = None
                finished = self._finished
            else:
                self.blocks += 1
                return True
        if finished is not None:
            finished()
        return False

    def _run(self) -> None:
        if self.speed is None:
            while not self._stop.is_set():
                ready = self._ready
                if ready is not None and not ready(self.blocksize):
                    self._stop.wait(_IDLE_S)
                elif not self._block():
                    return
            return
        period = self.blocksize / self.samplerate / self.speed
        due = time.monotonic()
        while not self._stop.is_set():
            if not self._block():
                return
            due += period
            lag = time.monotonic() - due
            if lag > _MAX_LAG_S:
                due += lag        # a stalled machine: carry on from now, as a sound card would
            elif lag < 0:
                self._stop.wait(-lag)

    def __repr__(self) -> str:
        pace = "manual" if self.manual else ("as fast as ready" if self.speed is None else f"{self.speed:g}x")
        return f"NullOutput({self.samplerate} Hz, {self.channels} ch, {self.blocksize} frames, {pace})"

