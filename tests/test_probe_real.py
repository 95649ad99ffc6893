"""The scan's probe on real files: no good file rejected, every damaged one flagged with a reason.

Real-world input: the q4_val MP3s (MPEG-2 Layer III, 22.05 kHz; the originals have no Xing header,
so their length is an estimate that libsndfile overshoots), ffmpeg-made files of the same kind, an
ffmpeg-made Opus clip, and the corrupt corpus of the test media.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from moodplayer.library.reader import read_file
from moodplayer.library.tags import read_tags
from tests import media_limits as ml

Q4 = Path(__file__).resolve().parents[2] / "shared" / "data" / "q4_val"
if not Q4.is_dir():
    Q4 = Path("/work/shared/data/q4_val")


def _read(path: Path) -> dict:
    st = path.stat()
    return read_file(str(path), st.st_size, st.st_mtime_ns)


def _rejected(paths: list[Path]) -> list[tuple[str, str]]:
    return [(p.name, row["error"]) for p in paths if (row := _read(p))["error"]]


@pytest.mark.parametrize("folder", ["originals", "clips"])
def test_q4_val_mp3s_are_all_accepted(folder):
    files = sorted((Q4 / folder).glob("*.mp3"))
    if not files:
        pytest.skip(f"{Q4 / folder} not present")
    bad = _rejected(files)
    assert not bad, f"{len(bad)} of {len(files)} good files rejected, e.g. {bad[:3]}"


def test_q4_val_originals_have_estimated_lengths_and_real_durations():
    files = sorted((Q4 / "originals").glob("*.mp3"))
    if not files:
        pytest.skip("q4_val originals not present")
    for p in files[:5]:
        assert read_tags(p).length_exact is False  # no Xing header: the tag length is a guess
        row = _read(p)
        assert 25 < row["duration"] < 31 and row["sample_rate"] == 22050


@pytest.mark.parametrize("name,args", [("cbr", ("-b:a", "64k")), ("vbr", ("-q:a", "4"))])
def test_ffmpeg_mp3_without_xing_at_22k(media, tmp_path, name, args):
    mp3 = ml.mp3_without_xing(media.formats["wav"], tmp_path / f"noxing_{name}.mp3", *args)
    row = _read(mp3)
    assert row["error"] is None
    assert row["duration"] == pytest.approx(45.0, abs=0.5) and row["sample_rate"] == 22050


def test_ffmpeg_opus_clip_is_accepted(media, tmp_path):
    clip = ml.ffmpeg(media.formats["wav"], tmp_path / "clip.opus", "-t", "30", "-c:a", "libopus", "-b:a", "96k")
    row = _read(clip)
    assert row["error"] is None and row["duration"] == pytest.approx(30.0, abs=0.1)


def test_opus_stream_named_ogg_is_accepted(media, tmp_path):
    clip = ml.ffmpeg(media.formats["wav"], tmp_path / "clip.ogg", "-t", "10", "-c:a", "libopus")
    assert _read(clip)["error"] is None


def test_every_corrupt_file_is_flagged_with_a_reason(media):
    for c in media.corrupt:
        err = _read(c["path"])["error"]
        assert err, f"{c['kind']} ({c['path'].name}) indexed as playable"
        assert str(c["path"]) not in err, err  # the caller names the file, once
        assert len(err) > 15 and not err.endswith(": error"), err


def test_cut_files_say_truncated_and_where(media):
    by_name = {c["path"].name: c["path"] for c in media.corrupt}
    for name in ("half.wav", "half.flac", "half.mp3", "half.m4a"):
        err = _read(by_name[name])["error"]
        assert err.startswith("truncated: audio ends at") and "45.0 s" in err, (name, err)
    err = _read(by_name["first1k.mp3"])["error"]
    assert "ID3 tag claims" in err and "1,024" in err, err


def test_too_short_file_is_a_clear_error(media, tmp_path):
    tiny = ml.ffmpeg(media.formats["wav"], tmp_path / "blip.wav", "-t", "0.03", "-c:a", "pcm_s16le")
    assert _read(tiny)["error"].startswith("too short: only 30 ms"), _read(tiny)["error"]


def test_good_formats_report_the_decoded_length(media):
    for ext, p in media.formats.items():
        row = _read(p)
        assert row["error"] is None, (ext, row["error"])
        assert row["duration"] == pytest.approx(45.0, abs=0.1), ext
