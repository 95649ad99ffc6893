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

import numpy as np

from moodplayer.audio.decode import AudioStream, DecodeError, decoders_for, open_stream
from moodplayer.audio.formats import PYAV
from moodplayer.audio.headers import syncsafe

HEAD_S = 0.1          # decoded at the start and the middle: enough to prove the decoder runs there
TAIL_S = 0.5          # read before the estimated end, to see where decoding stops
END_TOLERANCE_S = 1.0  # how far short of an exact header length the real end may fall (padding)
MIN_AUDIO_S = 0.1     # less than this is not a track
MAX_TRACK_S = 48 * 3600.0  # searched when the container gives no length


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
            start = 10 + syncsafe(head[6:10])
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


class _Probed:
    """A decoder stream behind the one call the end search needs, ``span``."""

    def __init__(self, s: AudioStream, claimed: float | None) -> None:
        self.s, self.rate, self.channels, self.pcm = s, s.samplerate, s.channels, s.pcm
        est = s.duration_s or (claimed if s.backend == PYAV else None)
        self.estimate_s = est if est and est < MAX_TRACK_S else None

    def span(self, at: float, most: float) -> tuple[float | None, np.ndarray | None, str | None]:
        """Seek to ``at`` s and decode up to ``most`` s: (where decoding stopped or None when nothing
        decoded, the first block, the decoder's error if it stopped on one)."""
        pos, first, n = at, None, 0
        limit = max(1, int(most * self.rate))
        try:
            pos = self.s.seek(at)
            while n < limit:
                block = self.s.read(min(1 << 15, limit - n))
                if len(block) == 0:
                    break
                first = block if first is None else first
                n += len(block)
        except DecodeError as exc:
            return ((pos + n / self.rate) if n else None), first, exc.detail
        return ((pos + n / self.rate) if n else None), first, None

    def close(self) -> None:
        self.s.close()


def _check_block(s: _Probed, block: np.ndarray | None, at: float) -> None:
    if s.pcm and block is not None and _looks_like_random_data(block):
        raise ProbeError(f"corrupt: random data instead of audio at {at:.1f} s")


def _find_end(s: _Probed, known: float) -> tuple[float, str | None]:
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


def _decodes_at(s: _Probed, at: float) -> bool:
    end, _, err = s.span(at, HEAD_S / 4)
    return end is not None and end > at and err is None


def _check(s: _Probed, claimed: float | None, known_end: float | None = None) -> ProbeResult:
    """Start, real end, middle. ``known_end``: an end already proven (an Ogg page walk)."""
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


def _run(s: _Probed, claimed: float | None, known_end: float | None = None) -> ProbeResult:
    try:
        return _check(s, claimed, known_end)
    finally:
        s.close()


def probe(path: str | Path, fmt: str | None, claimed_duration: float | None = None,
          length_exact: bool = True) -> ProbeResult:
    """Decode spots across the file; raise ProbeError naming the reason when it does not play.

    ``claimed_duration`` (from the tags) is held against the real end only when ``length_exact``.
    The file is probed with the decoder playback will use (``audio.decode.decoders_for``): an MP3
    without a Xing header goes to FFmpeg, as libsndfile decodes nothing past its guessed length.
    """
    path = Path(path)
    claimed = claimed_duration if length_exact else None
    known_end = None
    if fmt == "flac":
        _check_flac_size(path)
    if fmt in ("ogg", "opus"):
        _check_ogg_pages(path)
        known_end = claimed  # the walk proved every page there; the last one's granule is the length
    decoders = decoders_for(path, length_exact)
    refused: DecodeError | None = None
    for i, decoder in enumerate(decoders):
        try:
            s = open_stream(path, decoders=(decoder,))
        except DecodeError as exc:  # this library cannot open it; playback then uses the next one
            refused = exc
            continue
        try:
            return _run(_Probed(s, claimed_duration), claimed, known_end)
        except ProbeError:
            # libsndfile fails to seek in some valid Opus files; the page walk above already proved
            # the stream whole, so FFmpeg's verdict decides
            if fmt not in ("ogg", "opus") or i == len(decoders) - 1:
                raise
    assert refused is not None
    raise ProbeError(f"cannot decode: {refused.detail}")
