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
