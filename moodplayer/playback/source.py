"""One track as the device wants it: decoded, mapped to the device's channels, resampled, gain applied.

Resampling streams through soxr, one ``ResampleStream`` per track, flushed at the track's end so the
tail is not lost and the next track starts on a fresh filter (no smearing across the join).
"""
from __future__ import annotations

import numpy as np

from moodplayer.playback.decode import Decoder, open_decoder
from moodplayer.playback.item import QueueItem

CHUNK_FRAMES = 4096   # source frames decoded per step: ~0.1 s, small enough to keep the lock short
_CENTRE = np.float32(0.7071)


def to_channels(block: np.ndarray, channels: int) -> np.ndarray:
    """Mono -> both speakers; more than two -> front pair plus the centre channel at -3 dB."""
    have = block.shape[1]
    if have == channels:
        return block
    if channels == 1:
        return block.mean(axis=1, keepdims=True, dtype=np.float32)
    if have == 1:
        return np.repeat(block, channels, axis=1)
    stereo = block[:, :2].copy()
    if have >= 3:
        stereo += _CENTRE * block[:, 2:3]
        stereo /= 1.0 + _CENTRE
    if channels == 2:
        return stereo
    out = np.zeros((len(block), channels), np.float32)
    out[:, :2] = stereo
    return out


class TrackSource:
    def __init__(self, item: QueueItem, out_rate: int, out_channels: int, start_s: float = 0.0,
                 preamp_db: float = 0.0) -> None:
        import soxr

        self.item = item
        self.decoder: Decoder = open_decoder(item.path)
        try:
            if start_s > 0:
                self.decoder.seek(start_s)
            self.in_rate = self.decoder.samplerate
            self.out_rate, self.out_channels = out_rate, out_channels
            self.gain = np.float32(item.gain(preamp_db))
            self._resampler = (soxr.ResampleStream(self.in_rate, out_rate, out_channels, dtype="float32",
                                                   quality="HQ") if self.in_rate != out_rate else None)
        except BaseException:
            self.decoder.close()
            raise
        self.duration_s = self.decoder.duration_s or item.duration
        # Decode fewer frames per step when upsampling, so one step's output stays ~CHUNK_FRAMES.
        self.chunk = max(256, min(CHUNK_FRAMES, CHUNK_FRAMES * self.in_rate // out_rate))
        self.done = False

    @property
    def max_out(self) -> int:
        """An upper bound on the frames one ``read`` returns (chunk + resampler flush)."""
        return int(np.ceil(self.chunk * self.out_rate / self.in_rate)) + 8192

    def read(self) -> np.ndarray:
        """The next block at the device rate (may be empty while the resampler fills); sets ``done``
        after the last block. Raises DecodeError when the file stops decoding."""
        block = self.decoder.read(self.chunk)
        last = len(block) < self.chunk
        block = to_channels(block, self.out_channels) if len(block) else np.zeros((0, self.out_channels), np.float32)
        if self._resampler is not None:
            block = self._resampler.resample_chunk(np.ascontiguousarray(block), last=last)
        if self.gain != 1.0:
            block = block * self.gain
        self.done = last
        return block

    def close(self) -> None:
        self.decoder.close()
