"""Decode audio files to mono float32 at 22050 Hz, only the windows the model looks at.

Opening, seeking and the choice of decoder are ``moodplayer.audio.decode``'s; this module decides
where the windows go and turns them into the model's sample rate. Only the windows are decoded (the
decoders seek), which makes analysing a long track cost about the same as a short one.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from moodplayer.analysis.spectrogram import SAMPLE_RATE, WINDOW
from moodplayer.audio.decode import (
    DecodeError,
    check_file,
    decoders_for,
    open_stream,
    read_all,
    read_span_mono,
    resample,
    short,
    to_mono,
)
from moodplayer.audio.formats import PYAV

__all__ = ["DecodeError", "WINDOW_SECONDS", "decode_windows", "window_starts"]

WINDOW_SECONDS = WINDOW / SAMPLE_RATE
_PAD_S = 0.05  # decoded either side of a window so the resampler has no edge transient inside it
MIN_WINDOW = SAMPLE_RATE // 2   # a window with less real audio than 0.5 s is dropped


def window_starts(duration: float, n_windows: int = 8) -> np.ndarray:
    """Start times (s) of up to ``n_windows`` non-overlapping windows spread evenly over the track.

    Intros and fade-outs are skipped (5 % at each end, at most 10 s) when the track is long enough;
    a track shorter than one window gets a single window at 0 (the spectrogram loops it).
    """
    if not math.isfinite(duration) or duration <= WINDOW_SECONDS:
        return np.zeros(1)
    margin = min(10.0, 0.05 * duration)
    if duration - 2 * margin < WINDOW_SECONDS:
        margin = 0.0
    first, last = margin, duration - margin - WINDOW_SECONDS
    k = int(min(max(n_windows, 1), max(1, (last - first + WINDOW_SECONDS) // WINDOW_SECONDS)))
    if k == 1:
        return np.array([(duration - WINDOW_SECONDS) / 2])
    return np.linspace(first, last, k)


def _windows(path: Path, decoder: str, n_windows: int) -> tuple[list[np.ndarray], np.ndarray, float]:
    """The windows' samples (mono, SAMPLE_RATE), their starts and the duration, read by one decoder."""
    s = open_stream(path, decoders=(decoder,))
    try:
        duration = s.duration_s
        # no length, or a short one from FFmpeg (often an estimate there): decode all and measure
        if not duration or (s.backend == PYAV and duration <= 2 * WINDOW_SECONDS):
            y = resample(to_mono(read_all(s)), s.samplerate, SAMPLE_RATE)
            if y.size == 0:
                raise DecodeError(path, "no audio frames")
            duration = y.size / SAMPLE_RATE
            starts = window_starts(duration, n_windows)
            return [y[int(round(t * SAMPLE_RATE)):][:WINDOW] for t in starts], starts, duration
        starts = window_starts(duration, n_windows)
        out = []
        sr = s.samplerate
        for t in starts:
            a = max(0.0, t - _PAD_S)
            # whole frames: seek to the frame at or before ``a``, read one frame beyond the padding
            raw = read_span_mono(s, int(a * sr) / sr, (int((t - a + WINDOW_SECONDS + _PAD_S) * sr) + 1) / sr)
            y = resample(raw, sr, SAMPLE_RATE)
            o = int(round((t - a) * SAMPLE_RATE))
            out.append(y[o:o + WINDOW])
        return out, starts, duration
    finally:
        s.close()


def decode_windows(path: str | Path, n_windows: int = 8) -> tuple[np.ndarray, np.ndarray, float]:
    """(windows [K,130560] float32 at 22050 Hz mono, window start times in s, duration in s).

    A window that the file ends inside of is looped to full length by ``fit_window``; a file that
    yields no audio at all raises DecodeError naming every decoder's reason.
    """
    from moodplayer.analysis.spectrogram import fit_window

    path = check_file(path)
    errors = []
    for decoder in decoders_for(path):
        try:
            wins, starts, duration = _windows(path, decoder, n_windows)
        except DecodeError as exc:
            errors.append(exc.reason)
            continue
        except Exception as exc:  # noqa: BLE001 - decoder libraries raise many types; report, then fall back
            errors.append(f"{type(exc).__name__}: {short(exc)}")
            continue
        keep = [i for i, w in enumerate(wins) if w.size >= MIN_WINDOW]
        if not keep:
            errors.append("decoded no audio (truncated or corrupt file?)")
            continue
        windows = np.stack([fit_window(wins[i]) for i in keep])
        if not np.isfinite(windows).all():
            raise DecodeError(path, "decoded samples contain NaN or infinity")
        return windows, np.asarray(starts)[keep].astype(float), float(duration)
    raise DecodeError(path, "; ".join(dict.fromkeys(errors)) or "unreadable")
