"""Engine events to plain-callback listeners, delivered on one dispatcher thread.

The audio callback and the decoder thread only ``post``; listeners (the GUI wraps them in Qt signals,
the CLI prints) run on the dispatcher, so a slow listener can never cause an audio dropout.
"""
from __future__ import annotations

import queue
import sys
import threading
import traceback
from typing import Any, Callable

EVENTS = ("track_changed", "position", "state_changed", "error")
# track_changed(index: int, item: QueueItem)      the track now heard (gapless joins included)
# position(seconds: float, duration: float|None)  a few times a second while playing
# state_changed(state: str, message: str|None)    "stopped" | "playing" | "paused" | "no-device"
# error(item: QueueItem, message: str)            a file failed to open or to decode; it was skipped


class EventHub:
    def __init__(self, tick_s: float = 0.25, on_tick: Callable[[], None] | None = None) -> None:
        self._listeners: dict[str, list[Callable[..., Any]]] = {name: [] for name in EVENTS}
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._tick_s, self._on_tick = tick_s, on_tick
        self._thread = threading.Thread(target=self._run, name="moodplayer-events", daemon=True)
        self._thread.start()

    def on(self, name: str, fn: Callable[..., Any]) -> None:
        if name not in self._listeners:
            raise ValueError(f"unknown engine event {name!r}; known: {', '.join(EVENTS)}")
        self._listeners[name].append(fn)

    def off(self, name: str, fn: Callable[..., Any]) -> None:
        self._listeners[name].remove(fn)

    def post(self, name: str, *args: Any) -> None:
        """Thread-safe and non-blocking (SimpleQueue.put), so safe from the audio callback."""
        self._queue.put((name, args))

    def call_soon(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the dispatcher thread (database writes, stream restarts)."""
        self._queue.put((None, fn))

    def close(self, timeout: float = 2.0) -> None:
        self._queue.put(("__close__", ()))
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            try:
                name, args = self._queue.get(timeout=self._tick_s)
            except queue.Empty:
                if self._on_tick:
                    self._safe(self._on_tick)
                continue
            if name == "__close__":
                return
            if name is None:
                self._safe(args)
                continue
            for fn in list(self._listeners[name]):
                self._safe(fn, *args)

    @staticmethod
    def _safe(fn: Callable[..., Any], *args: Any) -> None:
        try:
            fn(*args)
        except Exception:  # a broken listener must not stop the player
            print("moodplayer: error in a playback listener:", file=sys.stderr)
            traceback.print_exc()
