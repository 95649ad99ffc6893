"""Read one file for the index: a content hash, its tags, and a decode probe. Runs in worker processes."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from moodplayer.audio.formats import audio_format, implausible_audio, same_format
from moodplayer.library.fields import SCHEMA, TrackSchema
from moodplayer.library.probe import ProbeError, probe
from moodplayer.library.tags import TagError, read_tags, title_from_filename

HASH_BYTES = 65536  # a small, tag-independent part of the audio is enough to recognise a moved file

TAG_COLUMNS = SCHEMA.from_file   # what one file says about itself: tags and stream info


def quick_hash(path: Path, size: int) -> str:
    """sha1 of 64 KiB from the middle of the file (whole file when small) plus its size.

    The middle is audio data in every container, so re-tagging a large file keeps its hash.
    """
    h = hashlib.sha1()
    with open(path, "rb") as fh:
        if size > 2 * HASH_BYTES:
            fh.seek(size // 2 - HASH_BYTES // 2)
        h.update(fh.read(HASH_BYTES))
    return h.hexdigest()


def blank_row(path: str, size: int, mtime_ns: int, schema: TrackSchema = SCHEMA) -> dict[str, Any]:
    """A file's row before (or without) reading it: titled from its name, format from its extension."""
    p = Path(path)
    row: dict[str, Any] = {c: None for c in schema.from_file}
    row.update(path=path, size=size, mtime_ns=mtime_ns, quick_hash=None, format=audio_format(p), error=None)
    for f in schema.tags:
        if f.parse == "flag":
            row[f.name] = 0
    row["title"], row["track_no"] = title_from_filename(p)
    return row


def read_file(path: str, size: int, mtime_ns: int, schema: TrackSchema = SCHEMA) -> dict[str, Any]:
    """Everything the index stores about one file; never raises for a bad file, records ``error``."""
    p = Path(path)
    row = blank_row(path, size, mtime_ns, schema)
    ext_format = row["format"]
    try:
        if size == 0:
            raise ProbeError("empty file (0 bytes)")
        row["quick_hash"] = quick_hash(p, size)
        tags = read_tags(p, schema)
        for c in schema.from_file:
            value = getattr(tags, c)
            row[c] = int(value) if isinstance(value, bool) else value
        if ext_format and not same_format(tags.format, ext_format):
            raise ProbeError(f"content is {tags.format}, not {ext_format} as the file name says")
        problem = implausible_audio(tags.sample_rate, tags.channels)
        if problem:
            raise ProbeError(problem)
        info = probe(p, tags.format, tags.duration, tags.length_exact)
        row["duration"], row["sample_rate"], row["channels"] = info.duration, info.sample_rate, info.channels
    except (TagError, ProbeError) as exc:
        row["error"] = str(exc)
    except OSError as exc:
        row["error"] = f"cannot read file: {exc.strerror or exc}"
    except Exception as exc:  # a bug in a decoder must not stop a scan of 10,000 files
        row["error"] = f"unexpected {exc.__class__.__name__}: {exc}"
    return row


def read_many(items: list[tuple[str, int, int]], schema: TrackSchema = SCHEMA) -> list[dict[str, Any]]:
    """A chunk of files for one worker task (amortises inter-process overhead)."""
    return [read_file(*item, schema=schema) for item in items]
