"""Read the tags of one music file with mutagen into a flat, format-independent record.

mutagen trusts headers, so nothing here proves that the audio plays; ``probe.py`` does that.
mutagen also loads every tag frame whole, so an MP3 whose ID3 tag is huge (a 200 MB picture) is
read frame by frame here instead: the scan only needs to know that a cover exists.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mutagen
from mutagen.flac import FLAC
from mutagen.id3 import ID3
from mutagen.mp3 import (
    MP3,
    MPEGInfo,
    VBRIHeader,
    VBRIHeaderError,
    XingHeader,
    XingHeaderError,
)
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
    # False when the length is an estimate (an MP3 without a Xing/VBRI header: size / first bitrate)
    length_exact: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


_CONTENT_FORMAT = {MP3: "mp3", FLAC: "flac", OggVorbis: "ogg", OggOpus: "opus", MP4: "m4a", WAVE: "wav"}
ID3_LEAN_ABOVE = 16 << 20   # ID3 tags bigger than this are read frame by frame
ID3_FRAME_KEEP = 1 << 20    # ... keeping only frames up to this size (text, ReplayGain), never pictures
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


def _syncsafe(b: bytes) -> int:
    return (b[0] & 0x7F) << 21 | (b[1] & 0x7F) << 14 | (b[2] & 0x7F) << 7 | (b[3] & 0x7F)


def _id3_header(path: Path) -> tuple[int, int, int] | None:
    """(major version, flags, size of the whole tag with header) of a leading ID3v2 tag, or None."""
    with open(path, "rb") as fh:
        head = fh.read(10)
    if len(head) < 10 or head[:3] != b"ID3" or head[3] not in (2, 3, 4):
        return None
    return head[3], head[5], 10 + _syncsafe(head[6:10]) + (10 if head[5] & 0x10 else 0)


def _lean_id3(path: Path, major: int, flags: int, end: int) -> tuple[ID3, bool]:
    """The small frames of a huge ID3 tag, and whether it holds a picture, reading only frame headers
    and the frames kept. Tags in forms this does not walk (v2.2, whole-tag unsynchronisation) give
    no text tags: the file still plays and is titled from its name."""
    kept, has_cover = bytearray(), False
    if major in (3, 4) and not flags & 0x80:
        with open(path, "rb") as fh:
            fh.seek(10)
            if flags & 0x40:  # extended header: v2.4 size includes itself, v2.3 size excludes its 4 bytes
                raw = fh.read(4)
                fh.seek(_syncsafe(raw) - 4 if major == 4 else int.from_bytes(raw, "big"), 1)
            while fh.tell() + 10 <= end:
                hdr = fh.read(10)
                fid = hdr[:4]
                if len(hdr) < 10 or not fid.isalnum():
                    break  # padding, or the end of what the file holds
                size = _syncsafe(hdr[4:8]) if major == 4 else int.from_bytes(hdr[4:8], "big")
                has_cover = has_cover or fid == b"APIC"
                if size <= ID3_FRAME_KEEP and fid != b"APIC":
                    body = fh.read(size)
                    kept += hdr + body
                else:
                    fh.seek(size, 1)
    blob = b"ID3" + bytes([major if major in (3, 4) else 4, 0, 0])
    n = len(kept)
    blob += bytes([(n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F]) + bytes(kept)
    return ID3(io.BytesIO(blob), load_v1=False), has_cover


def _mp3_length_exact(path: Path, info: MPEGInfo) -> bool:
    """True when the first frame carries a Xing/Info or VBRI header that counts the frames."""
    if getattr(info, "layer", 3) != 3:
        return False
    with open(path, "rb") as fh:
        for header, counted in ((XingHeader, lambda h: h.frames != -1), (VBRIHeader, lambda h: True)):
            fh.seek(info.frame_offset + header.get_offset(info))
            try:
                return counted(header(fh))
            except (XingHeaderError, VBRIHeaderError):  # not there
                continue
    return False


def _mutagen_open(path: Path) -> tuple[Any, ID3 | None, bool | None]:
    """(mutagen file or (info, tags) for a lean MP3, lean ID3 tags or None, lean cover flag)."""
    head = _id3_header(path) if path.suffix.lower() == ".mp3" else None
    if head is not None and head[2] > ID3_LEAN_ABOVE:
        tags, cover = _lean_id3(path, *head)
        with open(path, "rb") as fh:
            info = MPEGInfo(fh, offset=head[2])
        return info, tags, cover
    return mutagen.File(path), None, None


def read_tags(path: str | Path) -> Tags:
    """Parse container and tags; raises TagError with the reason when mutagen cannot."""
    path = Path(path)
    try:
        f, lean_tags, lean_cover = _mutagen_open(path)
    except mutagen.MutagenError as exc:
        raise TagError(explain_mutagen_error(exc, path)) from exc
    except (ValueError, IndexError, KeyError, EOFError, OverflowError, ZeroDivisionError) as exc:
        raise TagError(f"malformed file: {exc.__class__.__name__}: {exc}") from exc
    if f is None:
        raise TagError("not a recognised audio file")
    if isinstance(f, MPEGInfo):  # lean MP3: info and tags read apart
        info, t = f, Tags(format="mp3")
    else:
        info, t = f.info, Tags(format=_CONTENT_FORMAT.get(type(f), type(f).__name__.lower()))
    t.duration = float(getattr(info, "length", 0.0) or 0.0) or None
    t.sample_rate = int(getattr(info, "sample_rate", 0) or 0) or None
    t.channels = int(getattr(info, "channels", 0) or 0) or None
    if isinstance(info, MPEGInfo):
        t.length_exact = _mp3_length_exact(path, info)
    if lean_tags is not None:
        _from_id3(lean_tags, t)
        t.has_cover = bool(lean_cover)
    elif isinstance(f, (FLAC, OggVorbis, OggOpus)):
        _from_vorbis(f, t)
    elif isinstance(f, MP4):
        _from_mp4(f, t)
    elif isinstance(f, (MP3, WAVE)):
        _from_id3(f.tags, t)
    if not t.title:
        t.title, number = title_from_filename(path)
        t.track_no = t.track_no or number
    return t


_CUT = "the file ends early (cut short or damaged)"


def explain_mutagen_error(exc: BaseException, path: Path) -> str:
    """A reason a person can act on, from mutagen's terse messages ('error', 'truncated data');
    the path is left out: the caller names the file."""
    msg = str(exc).replace(f"'{path}'", "the file").replace(str(path), "the file").strip()
    module = type(exc).__module__
    where = ("ID3 tag" if ".id3" in module else "FLAC header" if ".flac" in module
             else "MP4 atom tree" if ".mp4" in module or "_atom" in module else "Ogg header" if ".ogg" in module
             else "MP3 header" if ".mp3" in module else "WAV chunk list" if ".wave" in module or "_riff" in module
             else "container")
    size = path.stat().st_size if path.exists() else 0
    if ".id3" in module and not msg:
        head = _id3_header(path)
        if head is not None and head[2] > size:
            return f"{_CUT}: its ID3 tag claims {head[2]:,} bytes but the file has {size:,}"
        return "damaged ID3 tag (a frame runs past the tag's end)"
    m = re.match(r"file said (\d+) bytes, read (\d+) bytes", msg)
    if m:
        return f"{_CUT}: a {where} block claims {int(m.group(1)):,} bytes but only {int(m.group(2)):,} remain"
    if msg in ("unable to read full data", "truncated data", "not enough data") or "EOF" in msg:
        return f"{_CUT}: its {where} is incomplete"
    if "is not a valid FLAC file" in msg:
        return "not a FLAC file: it does not start with the 'fLaC' marker"
    if "can't sync to MPEG frame" in msg:
        return "no MP3 audio frames found in the first megabyte"
    if not msg or msg.lower() == "error":
        return f"unreadable {where} ({exc.__class__.__name__})"
    return f"unreadable {where}: {msg}"
