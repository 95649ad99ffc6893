"""Read the tags of one music file with mutagen into a flat, format-independent record.

mutagen trusts headers, so nothing here proves that the audio plays; ``probe.py`` does that.
mutagen also loads every tag frame whole, so an MP3 whose ID3 tag is huge (a 200 MB picture) is
read frame by frame here instead: the scan only needs to know that a cover exists.
"""
from __future__ import annotations

import io
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable

import mutagen
from mutagen.aiff import AIFF
from mutagen.flac import FLAC
from mutagen.id3 import ID3
from mutagen.mp3 import MP3, MPEGInfo
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE

from moodplayer.audio.headers import ID3_LEAN_ABOVE, id3_header, mp3_length_exact, syncsafe
from moodplayer.library.fields import SCHEMA, TrackSchema


class TagError(Exception):
    """The file's container or tags cannot be parsed; the message names the reason."""


class Tags(SimpleNamespace):
    """What one file says about itself: an attribute per field the reader fills (``fields.py``:
    tags and stream info; None when absent), plus ``length_exact``: False when the length is an
    estimate (an MP3 without a Xing/VBRI header: size / first bitrate)."""

    length_exact: bool = True


# mutagen's classes -> the registry's format names (moodplayer.audio.formats)
_CONTENT_FORMAT = {MP3: "mp3", FLAC: "flac", OggVorbis: "ogg", OggOpus: "opus", MP4: "m4a", WAVE: "wav",
                   AIFF: "aiff"}
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


_PARSE: dict[str, Callable[[Any], Any]] = {"text": _first, "number": _number, "decimal": _float,
                                          "flag": lambda v: bool(v) or None}


def _vorbis_get(f: Any) -> Callable[[str], Any]:
    c = f.tags or {}
    return lambda key: c[key] if key in c else None   # Vorbis comment keys ignore case


def _id3_get(tags: ID3) -> Callable[[str], Any]:
    def get(key: str) -> Any:
        if key.startswith("TXXX:"):   # user text frames by description, any case (taggers differ)
            desc = key[5:].lower()
            return next((fr.text for fr in tags.getall("TXXX") if fr.desc.lower() == desc), None)
        return tags.getall(key) or None
    return get


def _mp4_get(f: MP4) -> Callable[[str], Any]:
    c = f.tags or {}
    lower = {k.lower(): k for k in c}   # freeform keys come in either case (REPLAYGAIN_TRACK_GAIN)
    return lambda key: c.get(key, c.get(lower.get(key.lower(), ""), None))


def _read_fields(t: Tags, schema: TrackSchema, family: str, get: Callable[[str], Any]) -> None:
    """Every tag field of the declaration, from the first of its keys in this family with a value."""
    for f in schema.tags:
        parse = _PARSE[f.parse]
        for key in f.keys.get(family, ()):
            raw = get(key)
            value = parse(raw) if raw is not None else None
            if value is not None:
                setattr(t, f.name, value)
                break


def title_from_filename(path: Path) -> tuple[str, int | None]:
    """'03 - Some Song.mp3' -> ('Some Song', 3); underscores become spaces."""
    stem = path.stem.replace("_", " ").strip()
    m = _FILENAME.match(stem)
    if m and m.group("rest").strip(" -."):
        return m.group("rest").strip(" -."), int(m.group("track"))
    return stem or path.name, None


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
                fh.seek(syncsafe(raw) - 4 if major == 4 else int.from_bytes(raw, "big"), 1)
            while fh.tell() + 10 <= end:
                hdr = fh.read(10)
                fid = hdr[:4]
                if len(hdr) < 10 or not fid.isalnum():
                    break  # padding, or the end of what the file holds
                size = syncsafe(hdr[4:8]) if major == 4 else int.from_bytes(hdr[4:8], "big")
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


def _mutagen_open(path: Path) -> tuple[Any, ID3 | None, bool | None]:
    """(mutagen file or (info, tags) for a lean MP3, lean ID3 tags or None, lean cover flag)."""
    head = id3_header(path) if path.suffix.lower() == ".mp3" else None
    if head is not None and head[2] > ID3_LEAN_ABOVE:
        tags, cover = _lean_id3(path, *head)
        with open(path, "rb") as fh:
            info = MPEGInfo(fh, offset=head[2])
        return info, tags, cover
    return mutagen.File(path), None, None


def read_tags(path: str | Path, schema: TrackSchema = SCHEMA) -> Tags:
    """Parse container and tags into every field the declaration reads from a file; raises TagError
    with the reason when mutagen cannot."""
    path = Path(path)
    try:
        f, lean_tags, lean_cover = _mutagen_open(path)
    except mutagen.MutagenError as exc:
        raise TagError(explain_mutagen_error(exc, path)) from exc
    except (ValueError, IndexError, KeyError, EOFError, OverflowError, ZeroDivisionError) as exc:
        raise TagError(f"malformed file: {exc.__class__.__name__}: {exc}") from exc
    if f is None:
        raise TagError("not a recognised audio file")
    t = Tags(**{name: None for name in schema.from_file})
    for field in schema.tags:
        if field.parse == "flag":
            setattr(t, field.name, False)
    if isinstance(f, MPEGInfo):  # lean MP3: info and tags read apart
        info, t.format = f, "mp3"
    else:
        info, t.format = f.info, _CONTENT_FORMAT.get(type(f), type(f).__name__.lower())
    t.duration = float(getattr(info, "length", 0.0) or 0.0) or None
    t.sample_rate = int(getattr(info, "sample_rate", 0) or 0) or None
    t.channels = int(getattr(info, "channels", 0) or 0) or None
    if isinstance(info, MPEGInfo):
        t.length_exact = mp3_length_exact(path, info)
    if lean_tags is not None:
        _read_fields(t, schema, "id3", _id3_get(lean_tags))
        t.has_cover = bool(lean_cover)
    elif isinstance(f, (FLAC, OggVorbis, OggOpus)):
        _read_fields(t, schema, "vorbis", _vorbis_get(f))
        t.has_cover = t.has_cover or bool(getattr(f, "pictures", None))   # FLAC's own picture blocks
    elif isinstance(f, MP4):
        _read_fields(t, schema, "mp4", _mp4_get(f))
    elif isinstance(f, (MP3, WAVE, AIFF)) and f.tags is not None:
        _read_fields(t, schema, "id3", _id3_get(f.tags))
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
        head = id3_header(path)
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
