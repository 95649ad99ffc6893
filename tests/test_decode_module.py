"""The one decode path (moodplayer.audio) on real files: registry, decoder choice, every user.

The case that made it one path: an MP3 without a Xing header (VBR, 22.05 kHz, as many real collections
hold) has only an estimated length, and libsndfile never decodes past its estimate, so playback stopped
at 30.6 s of a 45 s track. Probe, analysis and playback now all pick FFmpeg for it and reach the end.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from moodplayer.analysis.decode import decode_windows
from moodplayer.audio import formats
from moodplayer.audio.decode import DecodeError, open_stream, read_all
from moodplayer.audio.formats import PYAV, SOUNDFILE
from moodplayer.library import tags as tags_module
from moodplayer.library.probe import probe
from moodplayer.library.reader import read_file
from moodplayer.library.tags import read_tags
from moodplayer.playback.decode import open_decoder
from moodplayer.playback.item import QueueItem
from moodplayer.playback.source import TrackSource
from tests.media_limits import ffmpeg


def _ffmpeg_frames(path: Path) -> int:
    """How many sample frames FFmpeg's own command line decodes from the file."""
    raw = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "1", "-"],
                         capture_output=True, check=True).stdout
    return len(raw) // 4


@pytest.fixture(scope="module")
def vbr_no_xing(media, tmp_path_factory) -> Path:
    dst = tmp_path_factory.mktemp("vbr") / "vbr_no_xing.mp3"
    return ffmpeg(media.formats["wav"], dst, "-ar", "22050", "-codec:a", "libmp3lame", "-q:a", "4",
                  "-write_xing", "0")


def test_a_vbr_mp3_without_xing_header_decodes_to_its_end_everywhere(vbr_no_xing):
    t = read_tags(vbr_no_xing)
    assert t.length_exact is False and t.duration < 35   # the header's guess: far short of 45 s
    expected = _ffmpeg_frames(vbr_no_xing)
    assert expected / 22050 > 44

    s = open_decoder(vbr_no_xing)   # playback
    try:
        assert s.backend == PYAV
        assert len(read_all(s)) == expected
    finally:
        s.close()
    src = TrackSource(QueueItem(str(vbr_no_xing)), 22050, 2)
    played = 0
    while not src.done:
        played += len(src.read())
    src.close()
    assert played == pytest.approx(expected, abs=64)   # the resampler's flush, nothing more

    info = probe(vbr_no_xing, "mp3", t.duration, t.length_exact)    # the scan
    assert info.duration == pytest.approx(expected / 22050, abs=0.05)
    _, starts, duration = decode_windows(vbr_no_xing, 8)           # the analysis
    assert starts[-1] > 30.6 and duration > 40


def test_libsndfile_alone_stops_at_its_estimate(vbr_no_xing):
    """Why the choice above matters (if libsndfile ever learns better, this may go)."""
    s = open_stream(vbr_no_xing, decoders=(SOUNDFILE,))
    try:
        assert len(read_all(s)) / s.samplerate < 31
    finally:
        s.close()


def test_registry_is_the_one_list(media):
    assert set(formats.AUDIO_EXTENSIONS) >= {".mp3", ".flac", ".ogg", ".oga", ".opus", ".m4a", ".mp4", ".aac",
                                             ".wav", ".aif", ".aiff"}
    assert all(f.decoder in (SOUNDFILE, PYAV) for f in formats.FORMATS)
    # mutagen's idea of a file's content uses the registry's names
    assert set(tags_module._CONTENT_FORMAT.values()) <= set(formats.BY_NAME)
    for ext, path in media.formats.items():
        assert formats.audio_format(path) == ext
        s = open_stream(path)
        try:
            assert s.backend == formats.BY_NAME[ext].decoder
        finally:
            s.close()
    assert formats.same_format("m4a", "aac") and formats.same_format("ogg", "opus")
    assert not formats.same_format("mp3", "wav")


def test_aiff_is_scanned_read_and_decoded(media, tmp_path):
    aiff = ffmpeg(media.formats["wav"], tmp_path / "song.aiff")
    row = read_file(str(aiff), aiff.stat().st_size, aiff.stat().st_mtime_ns)
    assert row["error"] is None and row["format"] == "aiff" and row["duration"] == pytest.approx(45.0, abs=0.1)
    windows, _, _ = decode_windows(aiff, 2)
    assert windows.shape == (2, 130560)


def test_names_that_are_not_utf8_open_in_both_libraries(media, tmp_path):
    for ext in ("flac", "m4a"):
        raw = os.fsencode(tmp_path) + b"/caf\xe9 \xff." + ext.encode()
        shutil.copyfile(media.formats[ext], raw)
        s = open_stream(os.fsdecode(raw))
        try:
            assert len(s.read(4096)) == 4096
        finally:
            s.close()


def test_seek_and_errors_name_the_file(media, tmp_path):
    with pytest.raises(DecodeError, match="no such file"):
        open_stream(tmp_path / "gone.flac")
    empty = tmp_path / "empty.mp3"
    empty.write_bytes(b"")
    with pytest.raises(DecodeError, match="empty file") as info:
        open_stream(empty)
    assert str(empty) in str(info.value)
    text = tmp_path / "notes.m4a"
    text.write_text("not audio\n" * 100)
    with pytest.raises(DecodeError, match="cannot open") as info:
        open_stream(text)
    assert info.value.path == str(text)
    for ext in ("wav", "m4a"):
        s = open_stream(media.formats[ext])
        try:
            whole = read_all(s)
            assert s.seek(20.0) == pytest.approx(20.0, abs=1e-3)
            block = s.read(2048)
            i = int(round(20.0 * s.samplerate))
            assert np.abs(block - whole[i:i + 2048]).max() < 5e-3
        finally:
            s.close()
