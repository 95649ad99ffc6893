"""Builders of real-world hard cases for the scan's probe, from the real test media and ffmpeg.

Why separate from media.py: these are made per test in tmp_path (some are 2 GB sparse files), never
cached. Each starts from a real encoded file and changes only what the case needs.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.media_encode import require_ffmpeg


def ffmpeg(src: Path, dst: Path, *args: str) -> Path:
    """Encode src into dst with ffmpeg arguments (no tags carried over)."""
    require_ffmpeg()
    r = subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", str(src),
                        "-map_metadata", "-1", "-vn", *args, str(dst)], capture_output=True, text=True,
                       check=False)
    if r.returncode != 0:
        raise RuntimeError(f"ffmpeg {' '.join(args)} failed: {r.stderr.strip()[-400:]}")
    return dst


def mp3_without_xing(src: Path, dst: Path, *quality: str) -> Path:
    """MPEG-2 Layer III at 22.05 kHz without a Xing/Info header, as many real collections hold:
    its length is only an estimate (libsndfile's overshoots)."""
    return ffmpeg(src, dst, "-ar", "22050", "-c:a", "libmp3lame", "-write_xing", "0", *quality)


def _streaminfo_offset(data: bytes) -> int:
    if data[:4] != b"fLaC" or data[4] & 0x7F != 0:
        raise ValueError("not a FLAC starting with STREAMINFO")
    return 8


def flac_with_header(src: Path, dst: Path, sample_rate: int | None = None, channels: int | None = None) -> Path:
    """A copy of a real FLAC whose STREAMINFO claims another sample rate / channel count."""
    data = bytearray(src.read_bytes())
    si = _streaminfo_offset(bytes(data))
    bits = int.from_bytes(data[si + 10:si + 18], "big")
    if sample_rate is not None:
        bits = (bits & ~(((1 << 20) - 1) << 44)) | (sample_rate << 44)
    if channels is not None:
        bits = (bits & ~(0x7 << 41)) | ((channels - 1) << 41)
    data[si + 10:si + 18] = bits.to_bytes(8, "big")
    dst.write_bytes(bytes(data))
    return dst


def sparse_flac(src: Path, dst: Path, size: int = 2 << 30) -> Path:
    """A real FLAC followed by a hole up to ``size`` bytes (zeros on read, no disk used)."""
    shutil.copyfile(src, dst)
    with open(dst, "r+b") as fh:
        fh.truncate(size)
    return dst


def _syncsafe(n: int) -> bytes:
    return bytes([(n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F])


def _frame(fid: bytes, body: bytes) -> bytes:
    return fid + _syncsafe(len(body)) + b"\x00\x00" + body


def mp3_with_huge_picture(src_mp3: Path, cover: Path, dst: Path, picture_bytes: int = 200 << 20,
                          title: str = "Huge Cover") -> Path:
    """The audio of a real MP3 behind an ID3v2.4 tag holding a title and a ``picture_bytes`` APIC
    (the real cover, then a sparse hole), written without building the picture in memory."""
    audio = src_mp3.read_bytes()
    if audio[:3] == b"ID3":  # drop the source's own tag
        audio = audio[10 + int.from_bytes(_unsync(audio[6:10]), "big"):]
    png = cover.read_bytes()
    text = _frame(b"TIT2", b"\x03" + title.encode() + b"\x00")
    apic_head = b"\x03" + b"image/png\x00" + b"\x03" + b"Front cover\x00"
    apic_len = len(apic_head) + max(picture_bytes, len(png))
    tag_len = len(text) + 10 + apic_len
    with open(dst, "wb") as fh:
        fh.write(b"ID3\x04\x00\x00" + _syncsafe(tag_len) + text)
        fh.write(b"APIC" + _syncsafe(apic_len) + b"\x00\x00" + apic_head + png)
        fh.seek(10 + tag_len)  # the rest of the picture is a hole
        fh.write(audio)
    return dst


def _unsync(b: bytes) -> bytes:
    n = (b[0] & 0x7F) << 21 | (b[1] & 0x7F) << 14 | (b[2] & 0x7F) << 7 | (b[3] & 0x7F)
    return n.to_bytes(4, "big")
