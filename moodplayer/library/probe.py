"""Prove that a file's audio decodes, cheaply, without decoding all of it.

Headers lie both ways: a cut file keeps claiming its full length, and a good MP3 without a Xing
header has only an estimated length (libsndfile's frame count overshoots it; a VBR one can be 6x
off). So the probe trusts neither: it decodes the start, finds where decoding really stops (a short
read at the estimated end, or a bisection of seeks when nothing decodes there), decodes the middle
of that, and only then compares the real end with a length the header states exactly.
Ogg streams are checked by walking their page chain too (their decoders skip damaged pages), and a
FLAC far larger than its audio could be is rejected before any seek (libFLAC's seek bisects the
whole file: minutes on a 2 GB file of junk).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from moodplayer.library.formats import implausible_audio
from moodplayer.library.tags import ID3_LEAN_ABOVE

HEAD_S = 0.1          # decoded at the start and the middle: enough to prove the decoder runs there
TAIL_S = 0.5          # read before the estimated end, to see where decoding stops
END_TOLERANCE_S = 1.0  # how far short of an exact header length the real end may fall (padding)
MIN_AUDIO_S = 0.1     # less than this is not a track
MAX_TRACK_S = 48 * 3600.0  # searched when the container gives no length


class ProbeError(Exception):
    """The audio does not decode; the message says where and why."""


class _Refused(Exception):
    """libsndfile cannot open or seek in this file (another decoder may)."""


@dataclass
class ProbeResult:
    duration: float
    sample_rate: int
    channels: int


def _check_ogg_pages(path: Path) -> None:
    """Walk the Ogg page chain: every page must start where the previous one ended, and the last
    one must carry the end-of-stream flag. Vorbis and Opus decoders skip damaged pages silently,
    so this is how garbage inside, or a cut, shows. Reads page headers only, never the whole file.
    """
    with open(path, "rb", buffering=1 << 16) as fh:
        size = os.fstat(fh.fileno()).st_size
        pos, flags = 0, 0
        while pos < size:
            fh.seek(pos)
            head = fh.read(27)
            if len(head) < 27 or head[:4] != b"OggS":
                raise ProbeError(f"corrupt Ogg data at byte {pos:,} of {size:,} (no page where one should start)")
            flags, nseg = head[5], head[26]
            seg = fh.read(nseg)
            pos += 27 + nseg + sum(seg)
            if len(seg) < nseg:
                pos = size + 1
    if pos > size:
        raise ProbeError("truncated: the last Ogg page is cut short (file was cut)")
    if not flags & 0x04:
        raise ProbeError("truncated: the Ogg stream has no end-of-stream page (file was cut short)")


def _check_flac_size(path: Path) -> None:
    """Reject a FLAC whose size is far beyond what its STREAMINFO's audio could take even stored
    uncompressed (junk after the audio): seeking in it would scan all of it."""
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(10)
        start = 0
        if head[:3] == b"ID3":  # some taggers put ID3 before fLaC
            start = 10 + ((head[6] & 0x7F) << 21 | (head[7] & 0x7F) << 14 | (head[8] & 0x7F) << 7 | (head[9] & 0x7F))
        fh.seek(start)
        data = fh.read(4 + 4 + 34)
        if len(data) < 42 or data[:4] != b"fLaC":
            return  # mutagen and the decoder say what is wrong
        si = data[8:]
        bits = int.from_bytes(si[10:18], "big")
        channels, bps, total = ((bits >> 41) & 0x7) + 1, ((bits >> 36) & 0x1F) + 1, bits & ((1 << 36) - 1)
        if total == 0:
            return  # length unknown (a streamed FLAC): nothing to compare with
        pos = start + 4  # walk metadata blocks to where the audio starts
        while True:
            fh.seek(pos)
            bh = fh.read(4)
            if len(bh) < 4:
                return
            pos += 4 + int.from_bytes(bh[1:4], "big")
            if bh[0] & 0x80:
                break
    frames = total // 16 + 1  # the smallest legal block: the most frame headers there can be
    most = total * channels * (bps + 7) // 8 + frames * (18 + 2 * channels) + (1 << 20)
    if size - pos > most:
        raise ProbeError(f"damaged: {size / 2**20:,.0f} MB of data for {total:,} samples of audio "
                         f"(at most {most / 2**20:,.1f} MB even uncompressed): junk after the audio")


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


def _big_id3_end(path: Path) -> int:
    """Where a leading ID3v2 tag bigger than tags.ID3_LEAN_ABOVE ends; 0 otherwise."""
    with open(path, "rb") as fh:
        h = fh.read(10)
    if len(h) < 10 or h[:3] != b"ID3":
        return 0
    end = 10 + ((h[6] & 0x7F) << 21 | (h[7] & 0x7F) << 14 | (h[8] & 0x7F) << 7 | (h[9] & 0x7F))
    return end + (10 if h[5] & 0x10 else 0) if end > ID3_LEAN_ABOVE else 0


class _SoundFileStream:
    """libsndfile behind the two calls the end search needs."""

    def __init__(self, path: Path, skip: int = 0) -> None:
        import soundfile as sf

        self._sf, self._path, self._skip, self._window = sf, path, skip, None
        try:
            self.f = self._open()
        except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
            raise _Refused(_short(exc)) from exc
        self.rate, self.channels = int(self.f.samplerate), int(self.f.channels)
        frames = self.f.frames
        self.estimate_s = frames / self.rate if self.rate > 0 and 0 < frames < MAX_TRACK_S * self.rate else None
        self.pcm = self.f.subtype.startswith(("PCM", "FLOAT", "DOUBLE", "ULAW", "ALAW"))

    def span(self, at: float, most: float) -> tuple[float | None, np.ndarray | None, str | None]:
        """Seek to ``at`` s and decode up to ``most`` s: (where decoding stopped or None when nothing
        decoded, the first block, the decoder's error if it stopped on one)."""
        pos, first, n = int(at * self.rate), None, 0
        limit = max(1, int(most * self.rate))
        try:
            pos = self.f.seek(pos)
            while n < limit:
                # out= reads past libsndfile's frame count: for an MP3 without a Xing header it is
                # a guess that can fall short of the real end as well as overshoot it
                buf = np.empty((min(1 << 15, limit - n), self.channels), np.float32)
                block = self.f.read(out=buf)
                if len(block) == 0:
                    break
                if not np.isfinite(block).all():
                    return (pos + n) / self.rate, first, "decoder produced invalid samples"
                first = block if first is None else first
                n += len(block)
        except (self._sf.LibsndfileError, RuntimeError, ValueError, OSError) as exc:
            self._reopen()  # after a failed seek libFLAC refuses every later one
            return ((pos + n) / self.rate if n else None), first, _short(exc)
        return ((pos + n) / self.rate if n else None), first, None

    def _open(self) -> Any:
        if not self._skip:
            return self._sf.SoundFile(os.fsencode(self._path))
        self._window = _Window(self._path, self._skip)
        try:
            return self._sf.SoundFile(self._window)
        except Exception:
            self._window.close()
            raise

    def _reopen(self) -> None:
        self.close()
        try:
            self.f = self._open()
        except (self._sf.LibsndfileError, RuntimeError, TypeError) as exc:
            raise ProbeError(f"cannot decode: {_short(exc)}") from exc

    def close(self) -> None:
        self.f.close()
        if self._window is not None:
            self._window.close()


class _AvStream:
    """PyAV (FFmpeg) behind the same calls: m4a/AAC, and files libsndfile cannot open or seek in."""

    def __init__(self, path: Path, claimed: float | None) -> None:
        import av

        self._av = av
        try:
            self.c = av.open(str(path))
            self.s = self.c.streams.audio[0]
        except (av.FFmpegError, IndexError, ValueError, OSError, ZeroDivisionError) as exc:
            raise ProbeError(f"cannot decode: {_short(exc) if str(exc) else 'no audio stream'}") from exc
        ctx = self.s.codec_context
        self.rate, self.channels = int(ctx.sample_rate or 0), int(ctx.channels or 0)
        est = float(self.s.duration * self.s.time_base) if self.s.duration else None
        est = est or (self.c.duration / 1e6 if self.c.duration else None) or claimed
        self.estimate_s = est if est and est < MAX_TRACK_S else None
        self.pcm = False

    def span(self, at: float, most: float) -> tuple[float | None, np.ndarray | None, str | None]:
        tb, end, first = self.s.time_base, None, None
        try:
            self.c.seek(int(max(0.0, at) / tb), stream=self.s, backward=True, any_frame=False)
            for frame in self.c.decode(self.s):
                if frame.pts is None:
                    continue
                t0 = float(frame.pts * tb)
                t1 = t0 + frame.samples / (frame.sample_rate or self.rate)
                if t1 <= at:
                    continue  # landed on an earlier keyframe
                block = frame.to_ndarray()
                if block.dtype.kind == "f" and not np.isfinite(block).all():
                    return end, first, "decoder produced invalid samples"
                first = block if first is None else first
                end = t1
                if t1 >= at + most:
                    break
        except (self._av.FFmpegError, ValueError, OSError, IndexError) as exc:
            return end, first, _short(exc)
        return end, first, None

    def close(self) -> None:
        self.c.close()


def _check_block(s: Any, block: np.ndarray | None, at: float) -> None:
    if s.pcm and block is not None and _looks_like_random_data(block):
        raise ProbeError(f"corrupt: random data instead of audio at {at:.1f} s")


def _find_end(s: Any, known: float) -> tuple[float, str | None]:
    """Where decoding really stops, decoding about 2 * TAIL_S s. ``known``: a time that decodes."""
    est = s.estimate_s if s.estimate_s is not None else max(known, 1.0)
    at = max(0.0, est - TAIL_S)
    end, block, err = s.span(at, 2 * TAIL_S)
    if end is not None and end > at:
        _check_block(s, block, at)
        if err or end < at + 2 * TAIL_S - 1e-3:
            return end, err  # stopped near the estimate
        lo, hi = end, end * 2  # still decoding past it: the estimate is short; double until silent
        while hi < MAX_TRACK_S and _decodes_at(s, hi):
            lo, hi = hi, hi * 2
    else:
        lo, hi = min(known, at), at  # nothing decodes at the estimated end
    while hi - lo > TAIL_S:  # bisect for the last place that decodes
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _decodes_at(s, mid) else (lo, mid)
    end, block, err = s.span(lo, hi - lo + 2 * TAIL_S)
    _check_block(s, block, lo)
    return (end if end is not None else lo), err


def _decodes_at(s: Any, at: float) -> bool:
    end, _, err = s.span(at, HEAD_S / 4)
    return end is not None and end > at and err is None


def _check(s: Any, claimed: float | None, known_end: float | None = None) -> ProbeResult:
    """Start, real end, middle. ``known_end``: an end already proven (an Ogg page walk)."""
    problem = implausible_audio(s.rate, s.channels)
    if problem:
        raise ProbeError(problem)
    head_end, block, err = s.span(0.0, HEAD_S)
    if head_end is None or err:
        raise ProbeError(f"no audio decodes at the start{f' ({err})' if err else ''}")
    _check_block(s, block, 0.0)
    end, err = (known_end, None) if known_end else _find_end(s, head_end)
    if claimed and end + END_TOLERANCE_S < claimed:
        why = f" ({err})" if err else ""
        raise ProbeError(f"truncated: audio ends at {end:.1f} s but the header says {claimed:.1f} s{why}")
    if err:
        raise ProbeError(f"damaged: decoding fails at {end:.1f} s ({err})")
    if end < MIN_AUDIO_S:
        raise ProbeError(f"too short: only {end * 1000:.0f} ms of audio")
    mid = end / 2
    if mid > head_end:
        got, block, err = s.span(mid, HEAD_S)
        if got is None or err:
            raise ProbeError(f"damaged: no audio decodes at {mid:.1f} s of {end:.1f} s"
                             f"{f' ({err})' if err else ''}")
        _check_block(s, block, mid)
    return ProbeResult(end, s.rate, s.channels)


def _run(s: Any, claimed: float | None, known_end: float | None = None) -> ProbeResult:
    try:
        return _check(s, claimed, known_end)
    finally:
        s.close()


def probe(path: str | Path, fmt: str | None, claimed_duration: float | None = None,
          length_exact: bool = True) -> ProbeResult:
    """Decode spots across the file; raise ProbeError naming the reason when it does not play.

    ``claimed_duration`` (from the tags) is held against the real end only when ``length_exact``.
    """
    path = Path(path)
    claimed = claimed_duration if length_exact else None
    known_end = None
    if fmt == "flac":
        _check_flac_size(path)
    if fmt in ("ogg", "opus"):
        _check_ogg_pages(path)
        known_end = claimed  # the walk proved every page there; the last one's granule is the length
    if fmt in ("m4a", "aac"):
        return _run(_AvStream(path, claimed_duration), claimed)
    try:
        s = _SoundFileStream(path, _big_id3_end(path) if fmt == "mp3" else 0)
    except _Refused:  # libsndfile cannot open it; playback then uses FFmpeg, so the probe does too
        return _run(_AvStream(path, claimed_duration), claimed)
    est = s.estimate_s
    try:
        result = _run(s, claimed, known_end)
        if length_exact or est is None or abs(result.duration - est) > 1e-3:
            return result
        # decoding stopped exactly at libsndfile's guessed length, and libsndfile decodes nothing
        # past its guess: a VBR MP3 without a Xing header may go on, so FFmpeg finds the real end
    except ProbeError:
        if fmt not in ("ogg", "opus"):
            raise
    # libsndfile fails to seek in some valid Opus files; the page walk above already proved the
    # stream whole, so FFmpeg's verdict decides
    return _run(_AvStream(path, claimed_duration), claimed, known_end)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    return text[:200]
