"""Streaming decoders: float32 blocks of (frames, channels) at the file's own rate, with seek.

soundfile (libsndfile) reads wav/flac/mp3/ogg/opus quickly; it cannot read m4a/AAC, so those (and any
file libsndfile refuses) go through PyAV, which bundles FFmpeg.
"""
from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

from moodplayer.library.formats import implausible_audio

PREROLL_S = 0.2
SOUNDFILE_EXTS = {".wav", ".flac", ".mp3", ".ogg", ".oga", ".opus"}


class DecodeError(Exception):
    """The file cannot be opened or stops decoding; the message names the file and the reason."""


class Decoder(Protocol):
    samplerate: int
    channels: int
    duration_s: float | None   # from the container; a hint for the UI, not a promise

    def read(self, frames: int) -> np.ndarray: ...   # [<=frames, channels] float32; empty at the end
    def seek(self, seconds: float) -> None: ...
    def close(self) -> None: ...


class SoundFileDecoder:
    def __init__(self, path: Path) -> None:
        import soundfile as sf

        self.path = path
        try:
            self._f = sf.SoundFile(str(path))
        except Exception as exc:  # soundfile raises LibsndfileError / RuntimeError / TypeError
            raise DecodeError(f"{path}: cannot open ({_short(exc)})") from exc
        self.samplerate, self.channels = int(self._f.samplerate), int(self._f.channels)
        self._pos = 0   # frames read: the error message says where decoding broke
        self.duration_s = self._f.frames / self._f.samplerate if self._f.frames > 0 and self._f.samplerate > 0 else None
        if self.samplerate <= 0 or self.channels <= 0:
            self._f.close()
            raise DecodeError(f"{path}: no audio stream")
        problem = implausible_audio(self.samplerate, self.channels)
        if problem:  # a 1 Hz header would "play" silence for 551 hours
            self._f.close()
            raise DecodeError(f"{path}: {problem}")

    def read(self, frames: int) -> np.ndarray:
        try:
            block = self._f.read(frames, dtype="float32", always_2d=True)
        except Exception as exc:
            raise DecodeError(f"{self.path}: decoding failed at {self._pos / self.samplerate:.1f} s "
                              f"({_short(exc)})") from exc
        if not np.isfinite(block).all():
            raise DecodeError(f"{self.path}: decoder produced invalid samples near {self._pos / self.samplerate:.1f} s")
        self._pos += len(block)
        return block

    def seek(self, seconds: float) -> None:
        try:
            self._pos = self._f.seek(max(0, int(round(seconds * self.samplerate))))
        except Exception as exc:
            raise DecodeError(f"{self.path}: cannot seek to {seconds:.1f} s ({_short(exc)})") from exc

    def close(self) -> None:
        self._f.close()


class PyAVDecoder:
    def __init__(self, path: Path) -> None:
        import av

        self.path = path
        try:
            self._container = av.open(str(path))
            self._stream = self._container.streams.audio[0]
        except Exception as exc:  # av.error.*, IndexError when there is no audio stream
            raise DecodeError(f"{path}: cannot open ({_short(exc) if str(exc) else 'no audio stream'})") from exc
        ctx = self._stream.codec_context
        self.samplerate = int(ctx.sample_rate or self._stream.rate or 0)
        self.channels = int(ctx.channels or 0)
        self.duration_s = (float(self._stream.duration * self._stream.time_base) if self._stream.duration
                           else self._container.duration / 1e6 if self._container.duration else None)
        if self.samplerate <= 0 or self.channels <= 0:
            self.close()
            raise DecodeError(f"{path}: no decodable audio stream")
        problem = implausible_audio(self.samplerate, self.channels)
        if problem:
            self.close()
            raise DecodeError(f"{path}: {problem}")
        # Packed float at the file's own rate and layout: resampling to the device is done by soxr.
        self._resampler = av.AudioResampler(format="flt", layout=ctx.layout, rate=self.samplerate)
        self._frames = self._container.decode(self._stream)
        self._pending = np.empty((0, self.channels), np.float32)
        self._skip_until: float | None = None  # after a seek: drop audio before this time (s)
        self._last_s = 0.0                      # end of the last decoded frame, for error messages

    def _next_block(self) -> np.ndarray | None:
        try:
            frame = next(self._frames)
        except StopIteration:
            return None
        except Exception as exc:
            raise DecodeError(f"{self.path}: decoding failed after {self._last_s:.1f} s ({_short(exc)})") from exc
        start = float(frame.pts * frame.time_base) if frame.pts is not None and frame.time_base else None
        parts = [f.to_ndarray().reshape(-1, self.channels) for f in self._resampler.resample(frame)]
        block = np.concatenate(parts) if parts else np.empty((0, self.channels), np.float32)
        if start is not None:
            self._last_s = start + len(block) / self.samplerate
        if self._skip_until is not None and start is not None:
            drop = int(round((self._skip_until - start) * self.samplerate))
            if drop >= len(block):
                return np.empty((0, self.channels), np.float32)
            block = block[max(0, drop):]
            self._skip_until = None
        return block

    def read(self, frames: int) -> np.ndarray:
        chunks, have = [self._pending], len(self._pending)
        while have < frames:
            block = self._next_block()
            if block is None:
                break
            chunks.append(block)
            have += len(block)
        data = np.concatenate(chunks).astype(np.float32, copy=False)
        out, self._pending = data[:frames], data[frames:]
        if not np.isfinite(out).all():
            raise DecodeError(f"{self.path}: decoder produced invalid samples")
        return out

    def seek(self, seconds: float) -> None:
        # Land PREROLL_S early and decode up to the target: AAC (MDCT overlap) needs the previous
        # frame to reconstruct the first one exactly.
        try:
            tb = self._stream.time_base
            self._container.seek(int(max(0.0, seconds - PREROLL_S) / tb), stream=self._stream, backward=True)
        except Exception as exc:
            raise DecodeError(f"{self.path}: cannot seek to {seconds:.1f} s ({_short(exc)})") from exc
        self._frames = self._container.decode(self._stream)
        self._pending = np.empty((0, self.channels), np.float32)
        self._skip_until = max(0.0, seconds)

    def close(self) -> None:
        try:
            self._container.close()
        except Exception:
            pass


def open_decoder(path: str | Path) -> Decoder:
    """The fastest decoder that opens the file; PyAV when libsndfile cannot."""
    p = Path(path)
    if not p.is_file():
        raise DecodeError(f"{p}: file not found")
    if p.stat().st_size == 0:
        raise DecodeError(f"{p}: empty file (0 bytes)")
    if p.suffix.lower() in SOUNDFILE_EXTS:
        try:
            return SoundFileDecoder(p)
        except DecodeError as first:
            try:
                return PyAVDecoder(p)
            except DecodeError:
                raise first from None
    return PyAVDecoder(p)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    return text[:200]
