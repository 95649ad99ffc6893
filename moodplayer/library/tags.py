"""Read the tags of one music file with mutagen into a flat, format-independent record.

mutagen trusts headers, so nothing here proves that the audio plays; ``probe.py`` does that.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mutagen
from mutagen.flac import FLAC
from mutagen.id3 import ID3
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE


class TagError(Exception):
    """The file's container or tags cannot be parsed; the message names the reason."""


@dataclass
class Tags:
    format: str | None = None          # format by content: mp3, flac, ogg, opus, m4a, wav
    title: str | None = None
    artist: str | None = None
    album: str | None = None
    album_artist: str | None = None
    track_no: int | None = None
    disc_no: int | None = None
    year: int | None = None
    genre: str | None = None
    duration: float | None = None
    sample_rate: int | None = None
    channels: int | None = None
    rg_track_gain: float | None = None
    rg_track_peak: float | None = None
    rg_album_gain: float | None = None
    rg_album_peak: float | None = None
    has_cover: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


_CONTENT_FORMAT = {MP3: "mp3", FLAC: "flac", OggVorbis: "ogg", OggOpus: "opus", MP4: "m4a", WAVE: "wav"}
_GAIN = re.compile(r"[-+]?\d+(?:\.\d+)?")
_FILENAME = re.compile(r"^\s*(?:(?P<disc>\d)[-.])?(?P<track>\d{1,3})\s*(?:[-._)]\s*|\s+)(?P<rest>.+)$")


def _first(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
        if value is None:
            return None
    text = getattr(value, "text", None)  # ID3 frames
    if text is not None:
        return _first(text)
    if isinstance(value, bytes):  # MP4 freeform atoms
        value = value.decode("utf-8", "replace")
    s = str(value).strip().strip("\x00")
    return s or None


def _number(value: Any) -> int | None:
    """'3', '3/12', (3, 12) or '2009-05-01' -> the leading number."""
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], tuple):
        value = value[0][0]
    s = _first(value)
    if not s:
        return None
    m = re.match(r"\s*(\d+)", s)
    return int(m.group(1)) if m and int(m.group(1)) > 0 else None


def _float(value: Any) -> float | None:
    s = _first(value)
    if not s:
        return None
    m = _GAIN.search(s)
    return float(m.group(0)) if m else None


def _from_vorbis(f: Any, t: Tags) -> None:
    c = f.tags or {}

    def g(*keys: str) -> Any:
        for k in keys:
            if k in c:
                return c[k]
        return None

    t.title, t.artist, t.album = _first(g("title")), _first(g("artist")), _first(g("album"))
    t.album_artist = _first(g("albumartist", "album artist", "album_artist"))
    t.track_no, t.disc_no = _number(g("tracknumber")), _number(g("discnumber"))
    t.year, t.genre = _number(g("date", "year", "originaldate")), _first(g("genre"))
    for scope in ("track", "album"):
        setattr(t, f"rg_{scope}_gain", _float(g(f"replaygain_{scope}_gain")))
        setattr(t, f"rg_{scope}_peak", _float(g(f"replaygain_{scope}_peak")))
    pictures = getattr(f, "pictures", None)
    t.has_cover = bool(pictures) or bool(g("metadata_block_picture", "coverart"))


def _from_id3(tags: ID3 | None, t: Tags) -> None:
    if tags is None:
        return
    g = tags.get
    t.title, t.artist, t.album = _first(g("TIT2")), _first(g("TPE1")), _first(g("TALB"))
    t.album_artist = _first(g("TPE2"))
    t.track_no, t.disc_no = _number(g("TRCK")), _number(g("TPOS"))
    t.year = _number(g("TDRC") or g("TYER") or g("TDOR"))
    t.genre = _first(g("TCON"))
    for frame in tags.getall("TXXX"):
        key = frame.desc.lower()
        if key.startswith("replaygain_") and key.endswith(("_gain", "_peak")):
            scope, kind = key.split("_")[1:3]
            if scope in ("track", "album"):
                setattr(t, f"rg_{scope}_{kind}", _float(frame.text))
    t.has_cover = bool(tags.getall("APIC"))


def _from_mp4(f: MP4, t: Tags) -> None:
    c = f.tags or {}
    g = c.get
    t.title, t.artist, t.album = _first(g("\xa9nam")), _first(g("\xa9ART")), _first(g("\xa9alb"))
    t.album_artist = _first(g("aART"))
    t.track_no, t.disc_no = _number(g("trkn")), _number(g("disk"))
    t.year, t.genre = _number(g("\xa9day")), _first(g("\xa9gen"))
    for scope in ("track", "album"):
        for kind in ("gain", "peak"):
            for key in (f"----:com.apple.iTunes:replaygain_{scope}_{kind}",
                        f"----:com.apple.iTunes:REPLAYGAIN_{scope.upper()}_{kind.upper()}"):
                if key in c:
                    setattr(t, f"rg_{scope}_{kind}", _float(c[key]))
    t.has_cover = bool(g("covr"))


def title_from_filename(path: Path) -> tuple[str, int | None]:
    """'03 - Some Song.mp3' -> ('Some Song', 3); underscores become spaces."""
    stem = path.stem.replace("_", " ").strip()
    m = _FILENAME.match(stem)
    if m and m.group("rest").strip(" -."):
        return m.group("rest").strip(" -."), int(m.group("track"))
    return stem or path.name, None


def read_tags(path: str | Path) -> Tags:
    """Parse container and tags; raises TagError with the reason when mutagen cannot."""
    path = Path(path)
    try:
        f = mutagen.File(path)
    except mutagen.MutagenError as exc:
        raise TagError(f"unreadable container or tags: {str(exc) or exc.__class__.__name__}") from exc
    except (ValueError, IndexError, KeyError, EOFError, OverflowError, ZeroDivisionError) as exc:
        raise TagError(f"malformed file: {exc.__class__.__name__}: {exc}") from exc
    if f is None:
        raise TagError("not a recognised audio file")
    t = Tags(format=_CONTENT_FORMAT.get(type(f), type(f).__name__.lower()))
    info = f.info
    t.duration = float(getattr(info, "length", 0.0) or 0.0) or None
    t.sample_rate = int(getattr(info, "sample_rate", 0) or 0) or None
    t.channels = int(getattr(info, "channels", 0) or 0) or None
    if isinstance(f, (FLAC, OggVorbis, OggOpus)):
        _from_vorbis(f, t)
    elif isinstance(f, MP4):
        _from_mp4(f, t)
    elif isinstance(f, (MP3, WAVE)):
        _from_id3(f.tags, t)
    if not t.title:
        t.title, number = title_from_filename(path)
        t.track_no = t.track_no or number
    return t
