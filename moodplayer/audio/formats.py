"""The audio-format registry: every file extension moodplayer knows, its format and its decoder.

Format names are what the library stores (``tracks.format``). ``decoder`` is the library tried first:
libsndfile (``soundfile``) is the fastest and seeks sample-exactly, but cannot read MP4/AAC and
stops part-way through some valid Opus files (where FFmpeg is also twice as fast); PyAV (FFmpeg)
reads everything and is the fallback for any file libsndfile refuses.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SOUNDFILE = "soundfile"
PYAV = "pyav"


@dataclass(frozen=True)
class AudioFormat:
    name: str                      # stored in the database, compared with the content's format
    extensions: tuple[str, ...]    # lower case, with the dot
    decoder: str                   # SOUNDFILE or PYAV: tried first
    mime: str


FORMATS: tuple[AudioFormat, ...] = (
    AudioFormat("mp3", (".mp3",), SOUNDFILE, "audio/mpeg"),
    AudioFormat("flac", (".flac",), SOUNDFILE, "audio/flac"),
    AudioFormat("ogg", (".ogg", ".oga"), SOUNDFILE, "audio/ogg"),
    AudioFormat("opus", (".opus",), PYAV, "audio/opus"),       # libsndfile stops in some valid Opus files
    AudioFormat("m4a", (".m4a", ".mp4"), PYAV, "audio/mp4"),
    AudioFormat("aac", (".aac",), PYAV, "audio/aac"),
    AudioFormat("wav", (".wav",), SOUNDFILE, "audio/x-wav"),
    AudioFormat("aiff", (".aif", ".aiff"), SOUNDFILE, "audio/x-aiff"),
)

BY_NAME: dict[str, AudioFormat] = {f.name: f for f in FORMATS}
BY_EXTENSION: dict[str, AudioFormat] = {ext: f for f in FORMATS for ext in f.extensions}
# extension -> format name (what the scanner's walk matches file names against)
AUDIO_EXTENSIONS: dict[str, str] = {ext: f.name for ext, f in BY_EXTENSION.items()}
MIME_TYPES: tuple[str, ...] = tuple(dict.fromkeys(f.mime for f in FORMATS))
# content that differs from the extension by name only: AAC in MP4, Opus in an Ogg file named .ogg
SAME_CONTAINER: tuple[frozenset[str], ...] = (frozenset({"m4a", "aac"}), frozenset({"ogg", "opus"}))


def format_of(path: str | Path) -> AudioFormat | None:
    """The registry entry for a path by its extension, or None when it is not a music file."""
    return BY_EXTENSION.get(Path(path).suffix.lower())


def audio_format(path: str | Path) -> str | None:
    """The format name for a path by its extension, or None when it is not a music file."""
    f = format_of(path)
    return f.name if f else None


def same_format(a: str | None, b: str | None) -> bool:
    """True when two format names describe the same content (``m4a`` and ``aac`` alike)."""
    return a == b or frozenset({a, b}) in SAME_CONTAINER


# What a music file can plausibly hold. A header outside these (a FLAC saying 1 Hz "lasts" 551 hours
# and stalls playback) is damage, not music.
MIN_SAMPLE_RATE = 8_000
MAX_SAMPLE_RATE = 384_000
MAX_CHANNELS = 8


def implausible_audio(sample_rate: int | None, channels: int | None) -> str | None:
    """Why a sample rate / channel count cannot be music, or None when they are plausible."""
    if sample_rate is not None and not MIN_SAMPLE_RATE <= sample_rate <= MAX_SAMPLE_RATE:
        return (f"implausible sample rate {sample_rate:,} Hz (music is {MIN_SAMPLE_RATE // 1000}-"
                f"{MAX_SAMPLE_RATE // 1000} kHz): damaged header")
    if channels is not None and not 1 <= channels <= MAX_CHANNELS:
        return f"implausible channel count {channels} (1 to {MAX_CHANNELS} supported): damaged header"
    return None
