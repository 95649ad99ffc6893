"""The analysis reads only its windows, and reads them fast; what the model sees must not change.

Issue 12 (speed): the windows are sought and decoded one by one (never the whole track), PyAV's frames
are read from their planes instead of ``to_ndarray`` plus per-frame Fraction arithmetic, and each
window is one library call mixed to mono straight away. These tests hold that fast path to the slow,
obvious one on real files of every format: decode the whole file, resample it whole, cut the same
windows, and compare what the model is fed and what it answers.
"""
from __future__ import annotations

import av
import numpy as np
import pytest

from moodplayer.analysis.decode import decode_windows
from moodplayer.analysis.features import window_inputs
from moodplayer.analysis.spectrogram import SAMPLE_RATE, WINDOW, fit_window
from moodplayer.audio.decode import (
    PyAVStream,
    decoders_for,
    open_stream,
    read_all,
    read_span,
    read_span_mono,
    resample,
    to_mono,
)

FORMATS = ("wav", "flac", "mp3", "ogg", "opus", "m4a")


@pytest.fixture(scope="module")
def model():
    from moodplayer.analysis.mood_model import MoodModel

    return MoodModel(threads=1)


def _full_decode_windows(path, starts: np.ndarray) -> np.ndarray:
    """The reference: the whole file decoded by the same library, resampled whole, then cut."""
    s = open_stream(path, decoders=decoders_for(path)[:1])
    try:
        y = resample(to_mono(read_all(s)), s.samplerate, SAMPLE_RATE)
    finally:
        s.close()
    return np.stack([fit_window(y[int(round(t * SAMPLE_RATE)):][:WINDOW]) for t in starts])


def _aligned_difference(a: np.ndarray, b: np.ndarray) -> float:
    """Largest sample difference of two windows, at the best of the shifts -1, 0 and +1 samples."""
    inner = slice(1, len(a) - 1)
    return min(float(np.abs(a[inner] - np.roll(b, k)[inner]).max()) for k in (-1, 0, 1))


@pytest.mark.parametrize("fmt", FORMATS)
def test_windows_match_a_full_decode(media, model, fmt):
    path = media.formats[fmt]
    fast, starts, duration = decode_windows(path, 4)
    assert len(fast) == 4 and 40 < duration < 50
    full = _full_decode_windows(path, starts)
    # the same music, up to the resampler's edge (each window is resampled with 50 ms either side),
    # FFmpeg's decoder state rebuilt after a seek, and a window's start taken on the source's own
    # sample grid (44.1 kHz: up to half a 22050 Hz sample off, a fractional delay worth ~0.03 here);
    # a window from the wrong place or a wrong channel mix differs by the music's own size (> 0.3)
    for f, r in zip(fast, full):
        assert _aligned_difference(f, r) < 0.1, fmt
    img_fast, desc_fast = window_inputs(fast)
    img_full, desc_full = window_inputs(full)
    assert np.abs(img_fast.astype(int) - img_full.astype(int)).mean() < 0.25, fmt   # measured <= 0.09
    track_fast, va_fast = model.predict(img_fast, desc_fast)
    track_full, va_full = model.predict(img_full, desc_full)
    assert np.abs(track_fast - track_full).max() < 0.005, fmt   # measured <= 0.0009
    assert np.abs(va_fast - va_full).max() < 0.01, fmt          # measured <= 0.0022


def _fresh_reads(path, start: float, seconds: float, decoders=None) -> tuple[np.ndarray, np.ndarray]:
    """The same span read interleaved and mono, each from a freshly opened stream (FFmpeg's second
    seek in one AAC stream can land on other samples than the first: that is not what is tested)."""
    out = []
    for read in (read_span, read_span_mono):
        s = open_stream(path, decoders=decoders)
        try:
            out.append(read(s, start, seconds))
        finally:
            s.close()
    return out[0], out[1]


@pytest.mark.parametrize("fmt", ["m4a", "mp3", "opus", "flac"])
def test_pyav_planes_equal_ffmpeg_frames(media, fmt):
    """PyAVStream's reads (planes, no to_ndarray) give FFmpeg's samples bit for bit, also after a seek."""
    path = media.formats[fmt]
    with av.open(str(path)) as c:
        frames = [f.to_ndarray() if f.format.name == "fltp" else None for f in c.decode(c.streams.audio[0])]
    if any(f is None for f in frames):
        pytest.skip(f"{fmt}: FFmpeg decodes it to a packed format, checked through the resampler elsewhere")
    reference = np.concatenate(frames, axis=1).T
    s = PyAVStream(path)
    try:
        np.testing.assert_array_equal(read_all(s), reference)
    finally:
        s.close()
    span, mono = _fresh_reads(path, 12.3, 2.0, decoders=("pyav",))
    assert span.shape == (int(round(2.0 * 48000 if fmt == "opus" else 2.0 * 44100)), 2)
    np.testing.assert_array_equal(mono, to_mono(span))


@pytest.mark.parametrize("fmt", FORMATS)
def test_mono_reads_equal_mixing_interleaved_reads(media, fmt):
    interleaved, mono = _fresh_reads(media.formats[fmt], 20.0, 3.0)
    assert mono.dtype == np.float32 and mono.ndim == 1
    np.testing.assert_array_equal(mono, to_mono(interleaved))
