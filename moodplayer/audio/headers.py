"""The few container headers read by hand: a leading ID3v2 tag's size, and whether an MP3 states its
length exactly (a Xing/Info or VBRI header counting its frames).

Both decide how a file is decoded: an ID3 tag bigger than ``ID3_LEAN_ABOVE`` is skipped before the
decoder sees the file (libsndfile's mpg123 would load all of it), and an MP3 whose length is only an
estimate goes to FFmpeg (libsndfile never decodes past its own estimate).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

ID3_LEAN_ABOVE = 16 << 20   # ID3 tags bigger than this are read frame by frame and skipped by decoders


def syncsafe(b: bytes) -> int:
    """A 4-byte ID3v2 "syncsafe" integer (7 bits a byte)."""
    return (b[0] & 0x7F) << 21 | (b[1] & 0x7F) << 14 | (b[2] & 0x7F) << 7 | (b[3] & 0x7F)


def id3_header(path: str | Path) -> tuple[int, int, int] | None:
    """(major version, flags, size of the whole tag with header and footer) of a leading ID3v2 tag."""
    with open(path, "rb") as fh:
        head = fh.read(10)
    if len(head) < 10 or head[:3] != b"ID3" or head[3] not in (2, 3, 4):
        return None
    return head[3], head[5], 10 + syncsafe(head[6:10]) + (10 if head[5] & 0x10 else 0)


def big_id3_end(path: str | Path) -> int:
    """Where a leading ID3v2 tag bigger than ID3_LEAN_ABOVE ends; 0 when there is none that big."""
    head = id3_header(path)
    return head[2] if head is not None and head[2] > ID3_LEAN_ABOVE else 0


def mp3_length_exact(path: str | Path, info: Any = None) -> bool:
    """True when the MP3's first frame carries a Xing/Info or VBRI header that counts the frames.

    ``info``: mutagen's MPEGInfo when the caller has it already (else it is read here).
    """
    from mutagen.mp3 import (
        MPEGInfo,
        VBRIHeader,
        VBRIHeaderError,
        XingHeader,
        XingHeaderError,
    )

    with open(path, "rb") as fh:
        if info is None:
            head = id3_header(path)
            try:
                info = MPEGInfo(fh, offset=head[2] if head else 0)
            except Exception:  # noqa: BLE001 - mutagen raises several types; no frame means no header
                return False
        if getattr(info, "layer", 3) != 3:
            return False
        for header, counted in ((XingHeader, lambda h: h.frames != -1), (VBRIHeader, lambda h: True)):
            fh.seek(info.frame_offset + header.get_offset(info))
            try:
                return counted(header(fh))
            except (XingHeaderError, VBRIHeaderError):  # not there
                continue
    return False
