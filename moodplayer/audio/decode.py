"""Open any audio file moodplayer knows as a stream of float32 blocks at its own rate, with seek.

The one decode path under the library's probe, the analysis and playback. Which library opens a
file comes from the format registry: libsndfile (``soundfile``) first where it can read the format,
PyAV (FFmpeg) for MP4/AAC and as the fallback for any file libsndfile refuses. One exception is
decided here: an MP3 whose length is only an estimate (no Xing/VBRI header) goes to PyAV first,
because libsndfile never decodes past its own estimate (a 45 s VBR file would stop at 30.6 s).

File names are bytes on Linux and need not be UTF-8: libsndfile is handed ``os.fsencode(path)``,
PyAV the ``str`` (it encodes it the same way).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from moodplayer.audio.formats import PYAV, SOUNDFILE, format_of, implausible_audio
from moodplayer.audio.headers import big_id3_end, mp3_length_exact

PREROLL_S = 0.2   # PyAV seeks land this much early: AAC needs the previous frame to rebuild the first
_BLOCK = 1 << 15  # frames per read when reading a range


class DecodeError(Exception):
    """A file cannot be opened, sought in or decoded. ``str()`` names the file and the reason;
    ``reason`` is the reason alone, ``detail`` the decoder library's own words."""

    def __init__(self, path: str | Path, reason: str, detail: str | None = None) -> None:
        super().__init__(f"{path}: {reason}")
        self.path, self.reason, self.detail = str(path), reason, detail or reason


class AudioStream(Protocol):
    path: Path
    backend: str               # SOUNDFILE or PYAV
    samplerate: int
    channels: int
    duration_s: float | None   # from the header: a hint, not a promise
    pcm: bool                  # uncompressed samples (any bytes decode: the probe checks for noise)

    def read(self, frames: int) -> np.ndarray: ...   # [<=frames, channels] float32; short only at the end
    def seek(self, seconds: float) -> float: ...     # returns where it landed (s)
    def close(self) -> None: ...


def short(exc: BaseException) -> str:
    """A decoder exception's first line (they can be long or empty)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    return text[:200]


def _plausible(stream: Any) -> None:
    """Close and raise when the stream's rate/channels are no music (a 1 Hz header "lasts" for days)."""
    problem = ("no audio stream" if stream.samplerate <= 0 or stream.channels <= 0
               else implausible_audio(stream.samplerate, stream.channels))
    if problem:
        stream.close()
        raise DecodeError(stream.path, problem)


class _Window:
    """A file seen from ``offset`` on: libsndfile (mpg123) reads a whole ID3 tag into memory, so an
    MP3 behind a 200 MB tag is handed to it without the tag."""

    def __init__(self, path: Path, offset: int) -> None:
        self._raw, self._offset = open(path, "rb"), offset  # noqa: SIM115 - closed by close()
        self._raw.seek(offset)

    def seek(self, pos: int, whence: int = 0) -> int:
        return self._raw.seek(pos + self._offset if whence == 0 else pos, whence) - self._offset

    def tell(self) -> int:
        return self._raw.tell() - self._offset

    def read(self, n: int = -1) -> bytes:
        return self._raw.read(n)

    def readinto(self, buf: Any) -> int:
        return self._raw.readinto(buf)

    def close(self) -> None:
        self._raw.close()


class SoundFileStream:
    """libsndfile: wav/aiff/flac/mp3/ogg/opus, fast and sample-exact seeks."""

    backend = SOUNDFILE

    def __init__(self, path: Path) -> None:
        self.path, self._window = path, None
        self._skip = big_id3_end(path)
        try:
            self._f = self._open()
        except Exception as exc:  # soundfile raises LibsndfileError / RuntimeError / TypeError
            raise DecodeError(path, f"cannot open ({short(exc)})", short(exc)) from exc
        self.samplerate, self.channels = int(self._f.samplerate), int(self._f.channels)
        frames = self._f.frames
        self.duration_s = frames / self.samplerate if self.samplerate > 0 and frames > 0 else None
        self.pcm = self._f.subtype.startswith(("PCM", "FLOAT", "DOUBLE", "ULAW", "ALAW"))
        self._pos = 0   # frames: where decoding broke, for the error message
        _plausible(self)

    def _open(self) -> Any:
        import soundfile as sf

        if not self._skip:
            return sf.SoundFile(os.fsencode(self.path))
        self._window = _Window(self.path, self._skip)
        try:
            return sf.SoundFile(self._window)
        except Exception:
            self._window.close()
            raise

    def _reopen(self) -> None:
        """After a failed seek libFLAC refuses every later one: start over on a fresh handle (at 0).
        If even that fails the handle stays closed and the next call says so."""
        self.close()
        self._pos = 0
        try:
            self._f = self._open()
        except Exception:  # noqa: BLE001 - the caller raises the first error
            pass

    def read(self, frames: int) -> np.ndarray:
        buf = np.empty((max(0, frames), self.channels), np.float32)
        try:
            block = self._f.read(out=buf)
        except Exception as exc:
            at = self._pos / self.samplerate
            self._reopen()
            raise DecodeError(self.path, f"decoding failed at {at:.1f} s ({short(exc)})", short(exc)) from exc
        if not np.isfinite(block).all():
            raise DecodeError(self.path, f"decoder produced invalid samples near {self._pos / self.samplerate:.1f} s",
                              "decoder produced invalid samples")
        self._pos += len(block)
        return block

    def read_mono(self, frames: int) -> np.ndarray:
        """``to_mono(read(frames))`` (bit for bit) in one library call, for the analysis windows."""
        block = self.read(frames)
        return _mix([block[:, i] for i in range(block.shape[1])])

    def seek(self, seconds: float) -> float:
        try:
            self._pos = self._f.seek(max(0, int(round(seconds * self.samplerate))))
        except Exception as exc:
            self._reopen()
            raise DecodeError(self.path, f"cannot seek to {seconds:.1f} s ({short(exc)})", short(exc)) from exc
        return self._pos / self.samplerate

    def close(self) -> None:
        self._f.close()
        if self._window is not None:
            self._window.close()


class PyAVStream:
    """FFmpeg through PyAV: everything, m4a/AAC included; packed float at the file's own rate."""

    backend = PYAV
    pcm = False

    def __init__(self, path: Path) -> None:
        import av

        self.path = path
        try:
            self._container = av.open(str(path))
            self._stream = self._container.streams.audio[0]
        except Exception as exc:  # av.error.*, IndexError when there is no audio stream
            detail = short(exc) if str(exc) else "no audio stream"
            raise DecodeError(path, f"cannot open ({detail})", detail) from exc
        ctx, s, c = self._stream.codec_context, self._stream, self._container
        self.samplerate = int(ctx.sample_rate or s.rate or 0)
        self.channels = int(ctx.channels or 0)
        self.duration_s = (float(s.duration * s.time_base) if s.duration and s.time_base
                           else c.duration / 1e6 if c.duration else None)
        _plausible(self)
        # float planar at the file's own rate and layout (AAC, MP3 and Vorbis decode to it already:
        # then no conversion at all); resampling to a device or the model is soxr's job
        self._resampler = av.AudioResampler(format="fltp", layout=ctx.layout, rate=self.samplerate)
        self._frames = c.decode(s)
        self._pending: list[list[np.ndarray]] = []   # decoded, not yet returned: [block][channel]
        self._skip_until: float | None = None   # after a seek: drop audio before this time (s)
        self._last: tuple[int, Any, int] | None = None   # (pts, time_base, samples) of the last frame

    @property
    def _last_s(self) -> float:
        """End of the last decoded frame (s), for error messages; exact arithmetic only when asked."""
        if self._last is None:
            return 0.0
        pts, tb, n = self._last
        return float(pts * tb) + n / self.samplerate

    def _next_planes(self) -> list[np.ndarray] | None:
        """The next frame's samples as one float32 array per channel (views on the frame's own
        buffers: ``frame.to_ndarray`` and Fraction arithmetic per frame cost 4x the copying)."""
        try:
            frame = next(self._frames)
            frames = [frame] if frame.format.name == "fltp" else self._resampler.resample(frame)
            planes = [[np.frombuffer(p, np.float32, f.samples) for p in f.planes[:self.channels]]
                      for f in frames]
        except StopIteration:
            return None
        except Exception as exc:
            raise DecodeError(self.path, f"decoding failed after {self._last_s:.1f} s ({short(exc)})",
                              short(exc)) from exc
        if len(planes) == 1:
            block = planes[0]
        elif planes:
            block = [np.concatenate(c) for c in zip(*planes)]
        else:
            block = [np.empty(0, np.float32)] * self.channels
        n = len(block[0])
        if frame.pts is not None and frame.time_base:
            self._last = (frame.pts, frame.time_base, n)
            if self._skip_until is not None:
                start = float(frame.pts * frame.time_base)
                drop = int(round((self._skip_until - start) * self.samplerate))
                if drop >= n:
                    return [b[:0] for b in block]
                block = [b[max(0, drop):] for b in block]
                self._skip_until = None
        return block

    def _read_planes(self, frames: int) -> list[np.ndarray]:
        """Up to ``frames`` samples per channel (fewer only at the end), checked for NaN/inf."""
        chunks, have = self._pending, sum(len(c[0]) for c in self._pending)
        while have < frames:
            block = self._next_planes()
            if block is None:
                break
            chunks.append(block)
            have += len(block[0])
        if not chunks:
            self._pending = []
            return [np.empty(0, np.float32) for _ in range(self.channels)]
        data = [np.concatenate(c) if len(chunks) > 1 else c[0] for c in zip(*chunks)]
        out = [c[:frames] for c in data]
        self._pending = [[c[frames:] for c in data]] if have > frames else []
        for c in out:
            if not np.isfinite(c).all():
                raise DecodeError(self.path, f"decoder produced invalid samples near {self._last_s:.1f} s",
                                  "decoder produced invalid samples")
        return out

    def read(self, frames: int) -> np.ndarray:
        planes = self._read_planes(max(0, frames))
        out = np.empty((len(planes[0]), self.channels), np.float32)
        for i, c in enumerate(planes):
            out[:, i] = c
        return out

    def read_mono(self, frames: int) -> np.ndarray:
        """Like ``to_mono(read(frames))`` (bit for bit), straight from the planes."""
        return _mix(self._read_planes(max(0, frames)))

    def seek(self, seconds: float) -> float:
        seconds = max(0.0, seconds)
        try:
            tb = self._stream.time_base
            self._container.seek(int(max(0.0, seconds - PREROLL_S) / tb), stream=self._stream, backward=True)
        except Exception as exc:
            raise DecodeError(self.path, f"cannot seek to {seconds:.1f} s ({short(exc)})", short(exc)) from exc
        self._frames = self._container.decode(self._stream)
        self._pending = []
        self._skip_until = seconds
        return seconds

    def close(self) -> None:
        try:
            self._container.close()
        except Exception:  # noqa: BLE001 - closing a broken container must not hide the first error
            pass


_OPENERS = {SOUNDFILE: SoundFileStream, PYAV: PyAVStream}


def check_file(path: str | Path) -> Path:
    """The path, when it is a non-empty regular file; DecodeError naming the reason otherwise."""
    p = Path(path)
    if not p.is_file():
        raise DecodeError(p, "no such file" if not p.exists() else "not a regular file")
    if p.stat().st_size == 0:
        raise DecodeError(p, "empty file (0 bytes)")
    return p


def decoders_for(path: str | Path, length_exact: bool | None = None) -> tuple[str, ...]:
    """The decoder libraries to try for a file, best first (see the module's note on MP3).

    ``length_exact``: whether an MP3 states its length (tags.py knows it already); None reads it.
    """
    fmt = format_of(path)
    if fmt is None or fmt.decoder == PYAV:
        return (PYAV,)
    if fmt.name == "mp3":
        exact = mp3_length_exact(path) if length_exact is None else length_exact
        if not exact:
            return (PYAV, SOUNDFILE)
    return (SOUNDFILE, PYAV)


def open_stream(path: str | Path, *, length_exact: bool | None = None,
                decoders: tuple[str, ...] | None = None) -> AudioStream:
    """The file opened by the first decoder library that can; DecodeError with the first one's
    reason when none can. ``decoders`` overrides the registry's choice."""
    p = check_file(path)
    first: DecodeError | None = None
    for name in decoders or decoders_for(p, length_exact):
        try:
            return _OPENERS[name](p)
        except DecodeError as exc:
            first = first or exc
    assert first is not None
    raise first


def read_span(stream: AudioStream, start_s: float, seconds: float) -> np.ndarray:
    """Up to ``seconds`` of audio from ``start_s`` on: [frames, channels] float32 (empty past the end)."""
    stream.seek(start_s)
    want = max(0, int(round(seconds * stream.samplerate)))
    blocks, have = [], 0
    while have < want:
        block = stream.read(min(_BLOCK, want - have))
        if not len(block):
            break
        blocks.append(block)
        have += len(block)
    return np.concatenate(blocks) if blocks else np.empty((0, stream.channels), np.float32)


def read_span_mono(stream: AudioStream, start_s: float, seconds: float) -> np.ndarray:
    """``to_mono(read_span(...))`` with one read call: the analysis reads each window this way."""
    reader = getattr(stream, "read_mono", None)
    if reader is None:
        return to_mono(read_span(stream, start_s, seconds))
    stream.seek(start_s)
    return reader(max(0, int(round(seconds * stream.samplerate))))


def read_all(stream: AudioStream) -> np.ndarray:
    """Everything from the current position to the end: [frames, channels] float32."""
    blocks = []
    while len(block := stream.read(_BLOCK)):
        blocks.append(block)
    return np.concatenate(blocks) if blocks else np.empty((0, stream.channels), np.float32)


def to_mono(y: np.ndarray) -> np.ndarray:
    """Channel mean of [frames, channels] (a mat-vec product: ~10x faster than mean(axis=1))."""
    y = np.asarray(y, dtype=np.float32)
    if y.ndim == 2:
        y = y @ np.full(y.shape[1], 1.0 / y.shape[1], dtype=np.float32)
    return y


def _mix(channels: list[np.ndarray]) -> np.ndarray:
    """Mono from one array per channel, equal bit for bit to ``to_mono`` of the interleaved frames
    (halving is exact in binary floating point, so (a + b) / 2 rounds like a * 0.5 + b * 0.5)."""
    if len(channels) == 1:
        return np.asarray(channels[0], dtype=np.float32)
    if len(channels) == 2:
        out = np.add(channels[0], channels[1], dtype=np.float32)
        out *= np.float32(0.5)
        return out
    return to_mono(np.stack(channels, axis=1))


def resample(y: np.ndarray, rate: int, target: int) -> np.ndarray:
    """``y`` (any shape soxr takes) from ``rate`` to ``target`` Hz, float32, high quality."""
    if rate == target or not len(y):
        return np.asarray(y, dtype=np.float32)
    import soxr

    return soxr.resample(y, rate, target, quality="HQ").astype(np.float32, copy=False)
