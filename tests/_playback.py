"""Helpers shared by the playback tests: both tiers, the null output (fast) and JACK (full).

    from tests._playback import Recorder, excerpt, device_samples, music_start, null_engine_factory
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

import numpy as np
import soundfile as sf
import soxr

from moodplayer.playback.engine import AudioEngine
from moodplayer.playback.null import NullOutput

RATE = 48000          # the null output runs at the JACK dummy server's rate, so both tiers compare alike
BLOCK = 1024


class Recorder:
    """Collects events and every output block."""

    def __init__(self, engine: AudioEngine) -> None:
        self.events: list[tuple[str, tuple]] = []
        self.blocks: list[np.ndarray] = []
        self.lock = threading.Lock()
        for name in ("track_changed", "state_changed", "error", "position"):
            engine.on(name, lambda *a, n=name: self.events.append((n, a)))
        engine.tap = lambda block: self.blocks.append(block.copy())

    def output(self) -> np.ndarray:
        return np.concatenate(self.blocks)

    def of(self, name: str) -> list[tuple]:
        return [a for n, a in self.events if n == name]


def rate_of(path: Path) -> int:
    return sf.info(str(path)).samplerate


def excerpt(src: Path, dst: Path, start_s: float, length_s: float) -> np.ndarray:
    """A lossless cut of a real recording; returns the samples as the file holds them."""
    rate = rate_of(src)
    x, _ = sf.read(str(src), start=int(start_s * rate), frames=int(length_s * rate), dtype="float32",
                   always_2d=True)
    sf.write(str(dst), x, rate, subtype="PCM_16")
    return sf.read(str(dst), dtype="float32", always_2d=True)[0]


def device_samples(x: np.ndarray, rate: int, device_rate: int) -> np.ndarray:
    return x if rate == device_rate else soxr.resample(x, rate, device_rate, quality="HQ")


def three_excerpts(media, folder: Path, device_rate: int) -> list[tuple[Path, np.ndarray]]:
    """Three 2-second cuts from three real tracks: two at 44.1 kHz (resampled), one at 48 kHz."""
    by_rate: dict[int, list[Path]] = {}
    for t in media.tracks:
        by_rate.setdefault(rate_of(t["path"]), []).append(t["path"])
    picks = [by_rate[44100][0], by_rate[48000][0], by_rate[44100][1]]
    out = []
    for i, src in enumerate(picks):
        dst = folder / f"excerpt{i}.flac"
        x = excerpt(src, dst, 40.0, 2.0)
        out.append((dst, device_samples(x, rate_of(dst), device_rate)))
    return out


def music_start(y: np.ndarray) -> int:
    nz = np.flatnonzero(np.abs(y).max(axis=1) > 0)
    assert len(nz), "no audio reached the callback"
    return int(nz[0])


def longest_zero_run(y: np.ndarray) -> int:
    silent = np.abs(y).max(axis=1) == 0
    best = run = 0
    for s in silent:
        run = run + 1 if s else 0
        best = max(best, run)
    return best


def null_engine_factory(db: Path | None, speed: float | None = 1.0) -> Callable[[], AudioEngine]:
    """For the window's Player: a real engine writing to a null output (no sound device, no jackd)."""
    def make() -> AudioEngine:
        return AudioEngine(output=NullOutput(RATE, 2, BLOCK, speed=speed), db_path=db)
    return make
