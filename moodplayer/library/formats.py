"""The audio formats the library knows, by file extension."""
from __future__ import annotations

from pathlib import Path

# extension -> format name stored in the database
AUDIO_EXTENSIONS: dict[str, str] = {
    ".mp3": "mp3",
    ".flac": "flac",
    ".ogg": "ogg",
    ".oga": "ogg",
    ".opus": "opus",
    ".m4a": "m4a",
    ".mp4": "m4a",
    ".aac": "aac",
    ".wav": "wav",
}


def audio_format(path: str | Path) -> str | None:
    """The format name for a path by its extension, or None when it is not a music file."""
    return AUDIO_EXTENSIONS.get(Path(path).suffix.lower())


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
