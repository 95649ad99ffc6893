"""Cover art bytes for a track: the embedded picture (any of the six formats), else a cover file
in the track's folder. Runs in a worker; returns encoded image bytes (JPEG/PNG) or None, never raises.
"""
from __future__ import annotations

import base64
from pathlib import Path

FOLDER_NAMES = ("cover", "folder", "front", "album", "albumart")
FOLDER_EXTS = (".jpg", ".jpeg", ".png", ".webp")
FRONT_COVER = 3   # ID3 / FLAC picture type "Cover (front)"


def _pick(pictures: list[tuple[int, bytes]]) -> bytes | None:
    """Prefer the front cover, else the first picture."""
    if not pictures:
        return None
    for kind, data in pictures:
        if kind == FRONT_COVER:
            return data
    return pictures[0][1]


def embedded_cover(path: str | Path) -> bytes | None:
    import mutagen
    from mutagen.flac import Picture

    f = mutagen.File(str(path))
    if f is None:
        return None
    pictures: list[tuple[int, bytes]] = []
    for pic in getattr(f, "pictures", None) or []:        # FLAC
        pictures.append((pic.type, pic.data))
    tags = f.tags
    if tags is not None:
        if hasattr(tags, "getall"):                          # ID3 (mp3, wav with ID3)
            pictures += [(int(a.type), a.data) for a in tags.getall("APIC")]
        try:
            covr = tags.get("covr")                          # MP4
        except (ValueError, KeyError, TypeError):
            covr = None
        if covr:
            pictures += [(FRONT_COVER, bytes(c)) for c in covr]
        try:
            blocks = tags.get("metadata_block_picture") or []   # Ogg Vorbis / Opus
        except (ValueError, KeyError, TypeError):
            blocks = []
        for b64 in blocks:
            try:
                pic = Picture(base64.b64decode(b64))
                pictures.append((pic.type, pic.data))
            except Exception:  # noqa: BLE001 - a damaged picture block only means no cover
                continue
    return _pick(pictures)


def folder_cover(path: str | Path) -> bytes | None:
    folder = Path(path).parent
    try:
        entries = {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
    except OSError:
        return None
    for stem in FOLDER_NAMES:
        for ext in FOLDER_EXTS:
            p = entries.get(stem + ext)
            if p is not None:
                try:
                    return p.read_bytes()
                except OSError:
                    continue
    return None


def read_cover(path: str | Path) -> bytes | None:
    try:
        data = embedded_cover(path)
    except Exception:  # noqa: BLE001 - unreadable tags: fall back to the folder
        data = None
    return data or folder_cover(path)
