"""The frames between the decoder thread and the audio callback, with the track boundaries in them.

One ring of float32 frames addressed by absolute, ever-growing frame numbers, plus a list of segments
(which queue entry owns frames [start, end)). The decoder writes the next track right behind the
current one, so the callback crosses from one track to the next inside a single block: gapless.
Every method is called with the engine's lock held; the callback's part (``read_into``) only copies.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from moodplayer.playback.item import QueueItem


@dataclass
class Segment:
    qindex: int            # position in the engine's queue
    item: QueueItem
    start: int             # absolute frame where this track's audio begins
    offset_s: float        # the track's own time at ``start`` (non-zero after a seek)
    end: int | None = None # absolute frame after its last frame, once fully decoded
    completed: bool = False   # decoded to its natural end (False when cut short by an error)
    duration_s: float | None = None


class Timeline:
    def __init__(self, capacity: int, channels: int, samplerate: int) -> None:
        self.buf = np.zeros((capacity, channels), dtype=np.float32)
        self.capacity, self.channels, self.rate = capacity, channels, samplerate
        self.read_abs = 0
        self.write_abs = 0
        self.segments: list[Segment] = []
        self.finished = False      # the decoder reached the end of the queue: no more segments will come

    # -- decoder side ---------------------------------------------------------------------------
    def free(self) -> int:
        return self.capacity - (self.write_abs - self.read_abs)

    def buffered(self) -> int:
        return self.write_abs - self.read_abs

    def begin(self, qindex: int, item: QueueItem, offset_s: float, duration_s: float | None) -> Segment:
        seg = Segment(qindex, item, self.write_abs, offset_s, duration_s=duration_s)
        self.segments.append(seg)
        return seg

    def write(self, frames: np.ndarray) -> None:
        n = len(frames)
        if n > self.free():
            raise OverflowError(f"timeline: {n} frames do not fit in {self.free()} free")
        pos = self.write_abs % self.capacity
        first = min(n, self.capacity - pos)
        self.buf[pos:pos + first] = frames[:first]
        if first < n:
            self.buf[: n - first] = frames[first:]
        self.write_abs += n

    def end(self, completed: bool) -> None:
        seg = self.segments[-1]
        seg.end, seg.completed = self.write_abs, completed

    def clear(self) -> None:
        """Drop everything not yet played (seek, jump, stop)."""
        self.read_abs = self.write_abs
        self.segments.clear()
        self.finished = False

    def truncate_after(self, qindex: int) -> bool:
        """Drop the buffered audio of every segment after queue entry ``qindex`` (upcoming replaced)."""
        for i, seg in enumerate(self.segments):
            if seg.qindex > qindex:
                self.write_abs = max(self.read_abs, seg.start)
                del self.segments[i:]
                self.finished = False
                return True
        self.finished = False
        return False

    # -- callback side --------------------------------------------------------------------------
    def current(self) -> Segment | None:
        """The segment under the read head (the track being heard)."""
        for seg in self.segments:
            if seg.end is None or self.read_abs < seg.end:
                return seg
        return None

    def read_into(self, out: np.ndarray) -> tuple[int, list[Segment]]:
        """Copy up to len(out) buffered frames, zero the rest; returns (frames copied, segments that
        finished playing during this block). Finished segments are removed."""
        frames = len(out)
        n = min(frames, self.write_abs - self.read_abs)
        if n:
            pos = self.read_abs % self.capacity
            first = min(n, self.capacity - pos)
            out[:first] = self.buf[pos:pos + first]
            if first < n:
                out[first:n] = self.buf[: n - first]
        if n < frames:
            out[n:] = 0.0
        self.read_abs += n
        done = []
        while self.segments and self.segments[0].end is not None and self.segments[0].end <= self.read_abs:
            done.append(self.segments.pop(0))
        return n, done

    def at_end(self) -> bool:
        """Everything the decoder will ever write has been played."""
        return self.finished and not self.segments and self.read_abs >= self.write_abs

    def position(self) -> tuple[Segment | None, float]:
        seg = self.current()
        if seg is None:
            return None, 0.0
        return seg, seg.offset_s + max(0, self.read_abs - seg.start) / self.rate
