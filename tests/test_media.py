"""The test media are what the manifest says: complete, decodable for their full length, tagged as written."""
from __future__ import annotations

import base64
import json

import av
import numpy as np
import pytest
import soundfile as sf
from mutagen import File as MutagenFile
from mutagen.flac import Picture

from tests import media as media_mod

FULL_S = media_mod.EXCERPT[1]


def _decode_seconds(path) -> float:
    """Seconds really decoded: soundfile (libsndfile) where it can, PyAV for m4a."""
    if path.suffix == ".m4a":
        with av.open(str(path)) as c:
            stream = c.streams.audio[0]
            return sum(f.samples for f in c.decode(stream)) / stream.rate
    with sf.SoundFile(str(path)) as f:
        n = sum(len(b) for b in f.blocks(blocksize=1 << 16))
        return n / f.samplerate


def test_manifest_is_complete(media):
    m = media.manifest
    assert m["version"] == media_mod.MEDIA_VERSION and m["spec"] == media_mod.spec_hash()
    assert 20 <= len(media.tracks) <= 30
    assert {t["mood"] for t in media.tracks} == set(media_mod.MOODS)
    for t in media.tracks:
        assert t["path"].is_absolute() and t["path"].is_file(), t["path"]
        assert t["title"] and t["package"] and t["license"]
        assert 60 < t["duration"] < 400, t  # measured by decoding at build time
        assert (t["path"].parent / "copyright").is_file()
    for pkg in m["packages"].values():
        assert "copyright" in (media.root / pkg["copyright"]).read_text().lower()
    assert set(media.formats) == set(media_mod.FORMATS)
    assert media.cover.is_file() and media.cover.stat().st_size > 1000
    for key in ("title", "artist", "album", "album_artist", "track", "disc", "year", "genre",
                "replaygain_track_gain", "replaygain_track_peak", "replaygain_album_gain",
                "replaygain_album_peak"):
        assert media.expected_tags.get(key), key
    kinds = {c["kind"] for c in media.corrupt}
    assert {"truncated_half", "first_1k", "garbage_middle", "empty", "random_bytes",
            "ogg_named_mp3", "text_named_m4a"} == kinds
    assert all(c["path"].is_file() for c in media.corrupt)


def test_ensure_does_not_rebuild_a_current_cache(media):
    """A current cache is read as it is: nothing logged (a build logs), the same folder, the same files."""
    before = {p: p.stat().st_mtime_ns for p in media.root.rglob("*")}
    inode = media.root.stat().st_ino
    again = media_mod.ensure(media.root, log=lambda msg: pytest.fail(f"rebuilt a current cache: {msg}"))
    assert again.manifest["built"] == media.manifest["built"]
    assert media.root.stat().st_ino == inode                  # a rebuild renames a new folder in
    assert {p: p.stat().st_mtime_ns for p in media.root.rglob("*")} == before


def test_incomplete_cache_is_not_current(media, tmp_path):
    (tmp_path / "manifest.json").write_text((media.root / "manifest.json").read_text())
    assert not media_mod.is_current(tmp_path)  # manifest without its files
    m = json.loads((media.root / "manifest.json").read_text())
    m["version"] = -1
    (tmp_path / "manifest.json").write_text(json.dumps(m))
    assert not media_mod.is_current(tmp_path)
    assert not media_mod.is_current(tmp_path / "does-not-exist")


@pytest.mark.parametrize("ext", media_mod.FORMATS)
def test_format_decodes_for_its_full_length(media, ext):
    seconds = _decode_seconds(media.formats[ext])
    assert seconds == pytest.approx(FULL_S, abs=0.1), f"{ext}: decoded {seconds:.2f} s"


def test_formats_hold_the_same_music(media):
    """Every encoding is of the same excerpt: loudness within 1 dB of the WAV's."""
    ref, sr = sf.read(str(media.formats["wav"]), dtype="float32")
    rms = lambda y: 20 * np.log10(np.sqrt(np.mean(np.square(y))))  # noqa: E731
    for ext in ("flac", "mp3", "ogg", "opus"):
        y, _ = sf.read(str(media.formats[ext]), dtype="float32")
        assert rms(y) == pytest.approx(rms(ref), abs=1.0), ext


def _pictures(f, ext) -> list[bytes]:
    if ext in ("mp3", "wav"):
        return [frame.data for frame in f.tags.getall("APIC")]
    if ext == "flac":
        return [p.data for p in f.pictures]
    if ext in ("ogg", "opus"):
        return [Picture(base64.b64decode(v)).data for v in f.get("metadata_block_picture", [])]
    return [bytes(c) for c in f.tags.get("covr", [])]


def _read(f, ext) -> dict[str, str]:
    """Read the tags back in the expected_tags vocabulary, container by container."""
    if ext in ("mp3", "wav"):
        t = f.tags
        out = {k: str(t[fid]) for k, fid in (("title", "TIT2"), ("artist", "TPE1"), ("album", "TALB"),
               ("album_artist", "TPE2"), ("track", "TRCK"), ("disc", "TPOS"), ("year", "TDRC"),
               ("genre", "TCON"))}
        out.update({fr.desc.lower(): str(fr.text[0]) for fr in t.getall("TXXX")})
        return out
    if ext == "m4a":
        t = f.tags
        free = {k.split(":")[-1]: bytes(v[0]).decode() for k, v in t.items() if k.startswith("----")}
        return {"title": t["\xa9nam"][0], "artist": t["\xa9ART"][0], "album": t["\xa9alb"][0],
                "album_artist": t["aART"][0], "track": "%d/%d" % t["trkn"][0],
                "disc": "%d/%d" % t["disk"][0], "year": t["\xa9day"][0], "genre": t["\xa9gen"][0], **free}
    g = lambda k: f[k][0]  # noqa: E731 (Vorbis comments)
    return {"title": g("title"), "artist": g("artist"), "album": g("album"),
            "album_artist": g("albumartist"), "track": f"{g('tracknumber')}/{g('tracktotal')}",
            "disc": f"{g('discnumber')}/{g('disctotal')}", "year": g("date"), "genre": g("genre"),
            **{k: v[0] for k, v in f.tags.items() if k.startswith("replaygain_")}}


@pytest.mark.parametrize("ext", media_mod.FORMATS)
def test_tags_and_cover_read_back_as_written(media, ext):
    f = MutagenFile(str(media.formats[ext]))
    assert f is not None and f.tags is not None, ext
    assert _read(f, ext) == media.expected_tags
    assert _pictures(f, ext) == [media.cover.read_bytes()]


def test_corrupt_files_are_really_damaged(media):
    full = {ext: p.read_bytes() for ext, p in media.formats.items()}
    for c in media.corrupt:
        data, ext = c["path"].read_bytes(), c["path"].suffix[1:]
        if c["kind"] == "empty":
            assert data == b""
        elif c["kind"] == "first_1k":
            assert data == full[ext][:1024]
        elif c["kind"] == "truncated_half":
            assert data == full[ext][: len(full[ext]) // 2]
            assert c["damage_visible_to_decoders"], c
            try:  # PyAV stops at the cut (soundfile's mpg123 pads a half mp3 to the header's length)
                with av.open(str(c["path"])) as f:
                    st = f.streams.audio[0]
                    seconds = sum(fr.samples for fr in f.decode(st)) / st.rate
            except av.FFmpegError:
                seconds = 0.0
            assert seconds < 0.6 * FULL_S, f"{c['path'].name}: decoded {seconds:.1f} s"
        elif c["kind"] == "garbage_middle":
            assert len(data) == len(full[ext]) and data != full[ext]
        elif c["kind"] == "ogg_named_mp3":
            assert data[:4] == b"OggS"
        elif c["kind"] == "text_named_m4a":
            assert data.decode("utf-8") and b"ftyp" not in data[:64]
        elif c["kind"] == "random_bytes":
            assert len(data) == 65536 and data[:4] != b"fLaC"


def test_media_copy_gives_private_copies(media, media_copy):
    copies = media_copy()
    assert sorted(p.name for p in copies) == sorted(p.name for p in media.formats.values())
    assert all(c.read_bytes() == media.formats[c.suffix[1:]].read_bytes() for c in copies)
    assert not any(c.resolve().is_relative_to(media.root) for c in copies)


def test_synthetic_library_is_tagged_decodable_and_distinct(tmp_path):
    from tests.synthlib import FORMAT_WEIGHTS, make_synthetic_library
    files = make_synthetic_library(tmp_path / "lib", n=300, seed=3)
    assert len(files) == len(set(files)) == 300
    assert len({p.read_bytes() for p in files}) == 300  # every file differs
    assert {p.suffix[1:] for p in files} <= set(FORMAT_WEIGHTS)
    for p in files:
        rel = p.relative_to(tmp_path / "lib")
        assert len(rel.parts) == 3 and rel.name[:2].isdigit() and rel.name[2:5] == " - "
    first = {}
    for p in files:
        first.setdefault(p.suffix, p)
    for ext, p in first.items():
        seconds = _decode_seconds(p)
        assert seconds == pytest.approx(1.5, abs=0.05), ext
        tags = MutagenFile(str(p)).tags
        assert tags is not None and len(tags.keys()) >= 8, ext
    again = make_synthetic_library(tmp_path / "again", n=300, seed=3)
    assert [p.relative_to(tmp_path / "again") for p in again] == [p.relative_to(tmp_path / "lib") for p in files]
