"""Headers that lie about size or rate: answered fast, in bounded memory, with a reason.

Cases are real files changed only where the case needs it: a FLAC whose STREAMINFO says 1 Hz, a FLAC
followed by a 2 GB hole, an MP3 behind a 200 MB ID3 picture. Memory is measured as the peak RSS of
a fresh process reading the file (its own VmHWM: tests/_rss.py), against the same process reading a small twin.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from moodplayer.library.reader import read_file
from moodplayer.playback.decode import DecodeError, open_decoder
from tests import media_limits as ml

ROOT = Path(__file__).resolve().parents[1]
_READ_IN_CHILD = """
import json, sys
from moodplayer.library.reader import read_file
from tests._rss import own_peak_kib
import os
p = sys.argv[1]; st = os.stat(p)
row = read_file(p, st.st_size, st.st_mtime_ns)
row["maxrss_kib"] = own_peak_kib()
print(json.dumps(row))
"""


def _read_in_child(path: Path) -> dict:
    # the timeout only stops a hang from stalling the suite (before the fix: minutes on the 2 GB file)
    out = subprocess.run([sys.executable, "-c", _READ_IN_CHILD, str(path)], capture_output=True, text=True,
                         cwd=ROOT, timeout=300, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _read(path: Path) -> dict:
    st = path.stat()
    return read_file(str(path), st.st_size, st.st_mtime_ns)


def test_flac_claiming_1_hz_is_rejected(media, tmp_path):
    bad = ml.flac_with_header(media.formats["flac"], tmp_path / "one_hz.flac", sample_rate=1)
    err = _read(bad)["error"]
    assert err and err.startswith("implausible sample rate 1 Hz"), err
    # playback never runs at 1 Hz: it refuses, or FFmpeg decodes at the frames' real rate
    try:
        d = open_decoder(bad)
    except DecodeError as exc:
        assert "sample rate" in str(exc)
    else:
        assert 8000 <= d.samplerate <= 384000
        d.close()


@pytest.mark.parametrize("rate", [4000, 500_000])
def test_flac_with_out_of_range_rate_is_rejected(media, tmp_path, rate):
    bad = ml.flac_with_header(media.formats["flac"], tmp_path / f"r{rate}.flac", sample_rate=rate)
    assert "implausible sample rate" in _read(bad)["error"]


def test_sparse_2gb_flac_is_rejected_without_scanning_it(media, tmp_path):
    big = ml.sparse_flac(media.formats["flac"], tmp_path / "sparse.flac")
    row = _read_in_child(big)
    assert row["error"] and "junk after the audio" in row["error"], row["error"]
    assert row["maxrss_kib"] < 200 * 1024


def test_huge_id3_picture_is_read_in_bounded_memory(media, tmp_path):
    src = media.formats["mp3"]
    huge = ml.mp3_with_huge_picture(src, media.cover, tmp_path / "huge.mp3", picture_bytes=200 << 20)
    small = ml.mp3_with_huge_picture(src, media.cover, tmp_path / "small.mp3", picture_bytes=0)
    big_row, small_row = _read_in_child(huge), _read_in_child(small)
    for row in (big_row, small_row):
        assert row["error"] is None, row["error"]
        assert row["title"] == "Huge Cover" and row["has_cover"] == 1
        assert row["duration"] == pytest.approx(45.0, abs=0.2)
    grew_mib = (big_row["maxrss_kib"] - small_row["maxrss_kib"]) / 1024
    assert grew_mib < 64, f"reading a 200 MB picture tag cost {grew_mib:.0f} MiB more"
