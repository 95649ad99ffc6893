"""Prove that a file's audio decodes, cheaply, without decoding all of it.

Tag headers lie (a 1 KB mp3 "lasts" 30 s to mutagen), so the scan decodes a short stretch at the
start, the middle and the end of the stream and checks the end is where the header says it is.
Ogg streams carry their length in the last page and their decoders skip damaged pages, so Ogg
files are checked by walking their page chain instead.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

PROBE_FRAMES = 2048  # decoded at each spot: enough to prove the decoder runs there
# How far short of the header's length the decoded end may fall (encoder padding, VBR estimates).
END_TOLERANCE_S = 1.0


class ProbeError(Exception):
    """The audio does not decode; the message says where and why."""


@dataclass
class ProbeResult:
    duration: float
    sample_rate: int
    channels: int


def _check_ogg_pages(path: Path) -> None:
    """Walk the Ogg page chain: every page must start where the previous one ended, and the last
    one must carry the end-of-stream flag. Vorbis and Opus decoders skip damaged pages silently,
    so this is how garbage inside, or a cut, shows. It reads page headers only (a few ms a file).
    """
    data = path.read_bytes()
    pos, size, flags = 0, len(data), 0
    while pos < size:
        if data[pos:pos + 4] != b"OggS" or pos + 27 > size:
            raise ProbeError(f"corrupt Ogg data at byte {pos:,} of {size:,} (no page where one should start)")
        flags, nseg = data[pos + 5], data[pos + 26]
        body = sum(data[pos + 27:pos + 27 + nseg])
        pos += 27 + nseg + body
    if pos > size:
        raise ProbeError("truncated: the last Ogg page is cut short (file was cut)")
    if not flags & 0x04:
        raise ProbeError("truncated: the Ogg stream has no end-of-stream page (file was cut short)")


def _looks_like_random_data(x: np.ndarray) -> bool:
    """PCM decodes whatever bytes it is given; random bytes come out as full-scale white noise,
    which music never is: loud (RMS > 0.3) with no correlation between neighbouring samples."""
    x = x.mean(axis=1) if x.ndim == 2 else x
    if x.size < 256:
        return False
    rms = float(np.sqrt(np.mean(x * x)))
    if rms < 0.3:
        return False
    corr = float(np.corrcoef(x[:-1], x[1:])[0, 1])
    return abs(corr) < 0.2


def _probe_soundfile(path: Path, claimed: float | None) -> ProbeResult:
    import soundfile as sf

    try:
        with sf.SoundFile(str(path)) as f:
            sr, frames, ch = f.samplerate, f.frames, f.channels
            pcm = f.subtype.startswith(("PCM", "FLOAT", "DOUBLE", "ULAW", "ALAW"))
            if frames <= 0 or sr <= 0:
                raise ProbeError("no audio frames")
            step = PROBE_FRAMES
            for start in (0, frames // 2, max(0, frames - step)):
                f.seek(start)
                got = f.read(min(step, frames - start), dtype="float32", always_2d=True)
                if len(got) == 0:
                    raise ProbeError(f"no audio decodes at {start / sr:.1f} s of {frames / sr:.1f} s")
                if not np.isfinite(got).all():
                    raise ProbeError(f"decoder produced invalid samples at {start / sr:.1f} s")
                if pcm and _looks_like_random_data(got):
                    raise ProbeError(f"corrupt: random data instead of audio at {start / sr:.1f} s")
    except ProbeError:
        raise
    except (sf.LibsndfileError, RuntimeError, ValueError, OSError) as exc:
        raise ProbeError(f"cannot decode: {exc}") from exc
    duration = frames / sr
    if claimed and duration + END_TOLERANCE_S < claimed:
        raise ProbeError(f"truncated: audio ends at {duration:.1f} s but the header says {claimed:.1f} s")
    return ProbeResult(duration, sr, ch)


def _probe_av(path: Path, claimed: float | None) -> ProbeResult:
    import av

    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise ProbeError("no audio stream")
            stream = container.streams.audio[0]
            sr, ch = stream.codec_context.sample_rate, stream.codec_context.channels
            length = claimed or (float(stream.duration * stream.time_base) if stream.duration else None)
            if length is None and container.duration:
                length = container.duration / 1_000_000
            if not length:
                raise ProbeError("stream has no length")
            last_end = 0.0
            for at in (0.0, length / 2, max(0.0, length - 1.0)):
                if at > 0:
                    container.seek(int(at / stream.time_base), stream=stream, backward=True, any_frame=False)
                got = None
                for frame in container.decode(stream):
                    got = frame
                    if frame.pts is not None:
                        last_end = max(last_end, float(frame.pts * stream.time_base) + frame.samples / frame.sample_rate)
                    if frame.pts is None or float(frame.pts * stream.time_base) >= at:
                        break
                if got is None:
                    raise ProbeError(f"no audio decodes at {at:.1f} s of {length:.1f} s")
            # drain a little more from the end position to find where audio really stops
            for frame in container.decode(stream):
                if frame.pts is not None:
                    last_end = max(last_end, float(frame.pts * stream.time_base) + frame.samples / frame.sample_rate)
    except ProbeError:
        raise
    except (av.FFmpegError, ValueError, OSError, IndexError) as exc:
        raise ProbeError(f"cannot decode: {exc}") from exc
    if last_end + END_TOLERANCE_S < length:
        raise ProbeError(f"truncated: audio ends at {last_end:.1f} s but the header says {length:.1f} s")
    return ProbeResult(length, sr, ch)


def probe(path: str | Path, fmt: str | None, claimed_duration: float | None = None) -> ProbeResult:
    """Decode spots across the file; raise ProbeError naming the reason when it does not play."""
    path = Path(path)
    if fmt in ("ogg", "opus"):
        _check_ogg_pages(path)
    if fmt in ("m4a", "aac"):
        return _probe_av(path, claimed_duration)
    return _probe_soundfile(path, claimed_duration)
