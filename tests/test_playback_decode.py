"""The playback decode path on real files, without a device: every format, seek, resampling, gain."""
from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
import soxr

from moodplayer.playback.decode import DecodeError, PyAVStream, SoundFileStream, open_decoder
from moodplayer.playback.item import QueueItem
from moodplayer.playback.source import TrackSource, to_channels

DEVICE_RATE = 48000


def _decode_all(src: TrackSource) -> np.ndarray:
    blocks = []
    while not src.done:
        blocks.append(src.read())
    return np.concatenate(blocks)


@pytest.fixture(scope="module")
def wav_reference(media):
    x, sr = sf.read(str(media.formats["wav"]), dtype="float32", always_2d=True)
    return x, sr


@pytest.mark.parametrize("ext", ["wav", "flac", "mp3", "ogg", "opus", "m4a"])
def test_every_format_decodes_resamples_and_matches_the_wav(media, wav_reference, ext):
    x, sr = wav_reference
    dec = open_decoder(media.formats[ext])
    assert isinstance(dec, PyAVStream if ext in ("m4a", "opus") else SoundFileStream)
    dec.close()
    src = TrackSource(QueueItem(str(media.formats[ext])), DEVICE_RATE, 2)   # no gain: compare levels
    y = _decode_all(src)
    src.close()
    ref = soxr.resample(x, sr, DEVICE_RATE, quality="HQ")
    assert abs(len(y) - len(ref)) <= 0.01 * DEVICE_RATE, f"{ext}: {len(y)} frames vs {len(ref)}"
    # Lossy codecs differ sample by sample but must carry the same music, aligned (no offset).
    mid = slice(len(ref) // 3, len(ref) // 3 + 4 * DEVICE_RATE)
    corr = np.corrcoef(y[mid, 0], ref[mid, 0])[0, 1]
    assert corr > (0.999 if ext in ("wav", "flac") else 0.9), f"{ext}: correlation {corr:.3f}"


def test_streamed_resampling_is_the_one_shot_resampling(media, wav_reference):
    """Chunked soxr streaming flushed at the end equals resampling the whole track at once."""
    x, sr = wav_reference
    src = TrackSource(QueueItem(str(media.formats["flac"])), DEVICE_RATE, 2)
    y = _decode_all(src)
    ref = soxr.resample(x, sr, DEVICE_RATE, quality="HQ")
    assert len(y) == len(ref)
    assert np.abs(y - ref).max() < 1e-4   # flac vs wav: both lossless 16-bit


@pytest.mark.parametrize("ext", ["flac", "mp3", "m4a"])
def test_seek_lands_on_the_same_samples(media, ext):
    dec = open_decoder(media.formats[ext])
    whole = []
    while len(b := dec.read(8192)):
        whole.append(b)
    x = np.concatenate(whole)
    for t in (3.0, 20.0, 41.5):
        dec.seek(t)
        y = dec.read(4096)
        i = int(round(t * dec.samplerate))
        assert len(y) == 4096
        assert np.abs(y - x[i:i + 4096]).max() < 5e-3, f"{ext} seek to {t}"
    dec.close()


def test_replaygain_from_tags_of_a_bare_path(media):
    item = QueueItem.from_path(media.formats["flac"])
    expected_db = float(media.expected_tags["replaygain_track_gain"].split()[0])
    peak = float(media.expected_tags["replaygain_track_peak"])
    assert item.rg_gain_db == pytest.approx(expected_db, abs=0.01)
    factor = 10 ** (expected_db / 20)
    assert item.gain() == pytest.approx(min(factor, 1 / peak), rel=1e-6)
    plain = _decode_all(TrackSource(QueueItem(str(media.formats["flac"])), DEVICE_RATE, 2))
    gained = _decode_all(TrackSource(item, DEVICE_RATE, 2))
    np.testing.assert_allclose(gained, plain * np.float32(item.gain()), rtol=1e-5, atol=1e-7)
    # A loud peak caps the gain so the track cannot clip.
    assert QueueItem("x", rg_gain_db=6.0, rg_peak=0.9).gain() == pytest.approx(1 / 0.9)


def test_corrupt_corpus_fails_with_the_file_named(media):
    """Every corrupt file either decodes (damage invisible to decoders) or raises DecodeError naming it."""
    failed = 0
    for c in media.corrupt:
        try:
            src = TrackSource(QueueItem(str(c["path"])), DEVICE_RATE, 2)
            while not src.done:
                src.read()
            src.close()
        except DecodeError as exc:
            failed += 1
            assert str(c["path"]) in str(exc), exc
    assert failed >= 10


def test_channel_mapping():
    mono = np.arange(4, dtype=np.float32)[:, None]
    assert to_channels(mono, 2).tolist() == [[0, 0], [1, 1], [2, 2], [3, 3]]
    surround = np.ones((3, 6), np.float32)
    np.testing.assert_allclose(to_channels(surround, 2), 1.0)   # L + 0.707 C, normalised
    assert to_channels(np.ones((3, 2), np.float32), 1).shape == (3, 1)
