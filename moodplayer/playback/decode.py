"""Playback's view of the shared decoder: a stream of float32 (frames, channels) blocks at the file's
own rate, with seek. Mapping channels, resampling to the device and gain are ``source.py``'s job.
"""
from __future__ import annotations

from pathlib import Path

from moodplayer.audio.decode import (
    AudioStream,
    DecodeError,
    PyAVStream,
    SoundFileStream,
    open_stream,
)

Decoder = AudioStream
__all__ = ["Decoder", "DecodeError", "PyAVStream", "SoundFileStream", "open_decoder"]


def open_decoder(path: str | Path) -> Decoder:
    """The file opened for playing: libsndfile where it reads the whole file, else FFmpeg."""
    return open_stream(path)
