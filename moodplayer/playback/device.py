"""Opening the output device. sounddevice is imported here, lazily: importing it initialises
PortAudio, which must happen after a JACK server is up (tests) and must not crash a machine without
PortAudio at all (the engine then reports state "no-device" and everything else keeps working)."""
from __future__ import annotations

from typing import Any, Callable


class NoDevice(Exception):
    """No usable audio output; the message says why (shown to the user as is)."""


def open_output(callback: Callable[..., None], *, device: int | str | None = None, blocksize: int = 0,
                latency: str | float = "high", finished: Callable[[], None] | None = None) -> tuple[Any, int, int]:
    """Start an output stream at the device's own rate; returns (stream, samplerate, channels)."""
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
