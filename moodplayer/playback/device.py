"""Opening the output device. sounddevice is imported here, lazily: importing it initialises
PortAudio, which must happen after a JACK server is up (tests) and must not crash a machine without
PortAudio at all (the engine then reports state "no-device" and everything else keeps working).

The engine sees an output only through ``OpenOutput`` (a function that starts a stream calling the
engine's callback) and ``Stream`` (what it stops and closes), so ``null.NullOutput`` can stand in for
a sound card: same callback, same decoding and gapless logic, no device.
"""
from __future__ import annotations

from typing import Any, Callable, Protocol

import numpy as np

Callback = Callable[[np.ndarray, int, Any, Any], None]   # (outdata, frames, time_info, status)


class NoDevice(Exception):
    """No usable audio output; the message says why (shown to the user as is)."""


class Stream(Protocol):
    """The running output as the engine holds it (a sounddevice.OutputStream, or a NullOutput)."""

    def abort(self) -> None: ...
    def close(self) -> None: ...


class OpenOutput(Protocol):
    """Starts an output calling ``callback`` once per block; returns (stream, samplerate, channels).

    ``ready(frames)`` says whether the engine can fill a block without a gap; a real device ignores it
    (it must be fed on time), the null output may wait for it. Raises NoDevice when there is no output.
    """

    def __call__(self, callback: Callback, *, device: int | str | None, blocksize: int,
                 latency: str | float, finished: Callable[[], None] | None,
                 ready: Callable[[int], bool] | None = None) -> tuple[Stream, int, int]: ...


def open_output(callback: Callback, *, device: int | str | None = None, blocksize: int = 0,
                latency: str | float = "high", finished: Callable[[], None] | None = None,
                ready: Callable[[int], bool] | None = None) -> tuple[Stream, int, int]:
    """Start a PortAudio output stream at the device's own rate; returns (stream, samplerate, channels)."""
    try:
        import sounddevice as sd
    except OSError as exc:  # the PortAudio shared library is missing
        raise NoDevice(f"audio output unavailable: {exc}") from exc
    try:
        info = sd.query_devices(device, "output")
        rate = int(info["default_samplerate"])
        channels = min(2, int(info["max_output_channels"]))
        if channels < 1:
            raise NoDevice(f"audio device {info['name']!r} has no output channels")
        stream = sd.OutputStream(device=device, samplerate=rate, channels=channels, dtype="float32",
                                 blocksize=blocksize, latency=latency, callback=callback,
                                 finished_callback=finished)
        stream.start()
    except NoDevice:
        raise
    except (sd.PortAudioError, ValueError, TypeError) as exc:
        where = "the default output" if device is None else f"output device {device!r}"
        raise NoDevice(f"cannot open {where}: {exc}") from exc
    return stream, rate, channels
