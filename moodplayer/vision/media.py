"""Photos and videos in, for OpenCV, whatever their file names and sizes.

Two things OpenCV does badly with files people have:

* ``cv2.imread``/``cv2.VideoCapture`` take the path as UTF-8 text. A name that is not valid UTF-8
  (bytes from an old disk, kept by Python as surrogate escapes) crashes the process inside OpenCV.
  Images are therefore read by Python and decoded from memory; a video whose name OpenCV cannot take
  is opened through another name for the same file (``/proc/self/fd/N``, else a private symlink).
* A decoder allocates whatever the header asks for: a 20000x20000 PNG costs 1.2 GB as BGR before
  anything can look at it. The size is read from the header first, and an image too large to decode
  is refused (a large JPEG is decoded at 1/2, 1/4 or 1/8 scale instead, which libjpeg does cheaply).

Truncated JPEG and PNG files are refused too: OpenCV decodes what is there, fills the rest with
grey, and only says so on stderr.
"""
from __future__ import annotations

import os
import struct
import tempfile
from pathlib import Path

import cv2
import numpy as np

from moodplayer.display import display_path

MAX_PIXELS = 50_000_000  # decoded size at most (150 MB as BGR): any photo, at the scale faces need
MAX_BYTES = 256 * 1024 * 1024  # an image file larger than this is not a photo to read faces in
FORMATS = "JPEG, PNG, WebP, BMP, GIF, TIFF, PNM"
_REDUCED = ((1, cv2.IMREAD_COLOR), (2, cv2.IMREAD_REDUCED_COLOR_2), (4, cv2.IMREAD_REDUCED_COLOR_4),
            (8, cv2.IMREAD_REDUCED_COLOR_8))


class MediaError(ValueError):
    """A photo or video that cannot be read; the message says why (the caller names the file)."""


def _jpeg_walk(data: bytes) -> tuple[tuple[int, int] | None, int | None]:
    """((width, height) of the first SOFn frame header, offset of the first scan), by segment.

    Walking segment by segment skips an EXIF thumbnail, which is a whole JPEG of its own.
    """
    size, i, n = None, 2, len(data)
    while i + 4 <= n:
        if data[i] != 0xFF:
            return size, None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD9)):  # markers without a length
            i += 2
            continue
        if marker == 0xDA:
            return size, i
        (length,) = struct.unpack(">H", data[i + 2:i + 4])
        if size is None and 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC) and i + 9 <= n:
            h, w = struct.unpack(">HH", data[i + 5:i + 9])
            size = (w, h)
        i += 2 + length
    return size, None


def _tiff_size(data: bytes) -> tuple[int, int] | None:
    end = "<" if data[:2] == b"II" else ">"
    try:
        (ifd,) = struct.unpack(end + "I", data[4:8])
        (count,) = struct.unpack(end + "H", data[ifd:ifd + 2])
        found: dict[int, int] = {}
        for k in range(count):
            e = ifd + 2 + 12 * k
            tag, kind = struct.unpack(end + "HH", data[e:e + 4])
            if tag in (256, 257):
                fmt = "H" if kind == 3 else "I"
                found[tag] = struct.unpack(end + fmt, data[e + 8:e + 8 + struct.calcsize(fmt)])[0]
        return (found[256], found[257]) if len(found) == 2 else None
    except (struct.error, KeyError):
        return None


def _pnm_size(data: bytes) -> tuple[int, int] | None:
    words: list[int] = []
    for line in data[2:512].split(b"\n"):
        for word in line.split(b"#", 1)[0].split():
            if not word.isdigit():
                return None
            words.append(int(word))
            if len(words) == 2:
                return words[0], words[1]
    return None


def image_size(data: bytes) -> tuple[str, int, int] | None:
    """(format, width, height) read from an image's header, or None for a format not known here."""
    try:
        if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
            w, h = struct.unpack(">II", data[16:24])
            return "PNG", w, h
        if data.startswith(b"\xff\xd8"):
            size, _ = _jpeg_walk(data)
            return ("JPEG", *size) if size else None
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            chunk = data[12:16]
            if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
                w, h = struct.unpack("<HH", data[26:30])
                return "WebP", w & 0x3FFF, h & 0x3FFF
            if chunk == b"VP8L" and data[20] == 0x2F:
                (bits,) = struct.unpack("<I", data[21:25])
                return "WebP", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
            if chunk == b"VP8X":
                w = int.from_bytes(data[24:27], "little") + 1
                h = int.from_bytes(data[27:30], "little") + 1
                return "WebP", w, h
            return None
        if data[:2] == b"BM":
            (header,) = struct.unpack("<I", data[14:18])
            if header == 12:
                w, h = struct.unpack("<HH", data[18:22])
            else:
                w, h = struct.unpack("<ii", data[18:26])
            return "BMP", abs(w), abs(h)
        if data[:6] in (b"GIF87a", b"GIF89a"):
            w, h = struct.unpack("<HH", data[6:10])
            return "GIF", w, h
        if data[:4] in (b"II*\x00", b"MM\x00*"):
            size = _tiff_size(data)
            return ("TIFF", *size) if size else None
        if data[:1] == b"P" and len(data) > 2 and data[1] in b"123456":
            size = _pnm_size(data)
            return ("PNM", *size) if size else None
    except (struct.error, IndexError):
        return None
    return None


def _truncated(fmt: str, data: bytes) -> str | None:
    """Why a JPEG or PNG is cut short, or None when its end marker is there."""
    if fmt == "JPEG":
        _, scan = _jpeg_walk(data)
        if scan is None:
            return "truncated JPEG: the file ends before the image data"
        # inside scan data every 0xFF is followed by 0x00 or a restart marker, so FFD9 is the real end
        if data.find(b"\xff\xd9", scan) < 0:
            return "truncated JPEG: the file ends before the image does (no end-of-image marker)"
    if fmt == "PNG" and data.rfind(b"IEND\xaeB`\x82") < 0:  # the IEND chunk with its fixed CRC
        return "truncated PNG: the file ends before the image does (no IEND chunk)"
    return None


def read_image(path: str | os.PathLike[str], max_pixels: int = MAX_PIXELS, max_bytes: int = MAX_BYTES) -> np.ndarray:
    """A photo as a BGR array, for any file name, in bounded memory; MediaError says why not.

    A JPEG larger than ``max_pixels`` is decoded at the smallest of 1/2, 1/4, 1/8 scale that fits
    (faces are found on a 640-pixel copy anyway); any other format that large is refused.
    """
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size > max_bytes:
                raise MediaError(f"{size / 1e6:.0f} MB is too large for an image (at most {max_bytes / 1e6:.0f} MB)")
            data = f.read(max_bytes + 1)
    except IsADirectoryError:
        raise MediaError("a folder, not an image file") from None
    if not data:
        raise MediaError("empty file (0 bytes)")
    found = image_size(data)
    if found is None:
        if data.startswith(b"\xff\xd8"):
            raise MediaError("damaged or truncated JPEG: no frame header")
        raise MediaError(f"not an image this program reads ({FORMATS})")
    fmt, w, h = found
    if w <= 0 or h <= 0:
        raise MediaError(f"{fmt} header gives an empty image ({w}x{h})")
    why = _truncated(fmt, data)
    if why:
        raise MediaError(why)
    scales = _REDUCED if fmt == "JPEG" else _REDUCED[:1]
    flag = next((flag for s, flag in scales if (w // s) * (h // s) <= max_pixels), None)
    if flag is None:
        raise MediaError(f"{fmt} image of {w}x{h} pixels is too large to read "
                         f"(at most {max_pixels / 1e6:.0f} megapixels)")
    image = cv2.imdecode(np.frombuffer(data, np.uint8), flag)
    if image is None or image.size == 0:
        raise MediaError(f"damaged {fmt} image: OpenCV cannot decode it")
    return image


def utf8_name(path: str | os.PathLike[str]) -> str | None:
    """The path as the UTF-8 text that OpenCV and onnxruntime open it by; None when it is not UTF-8."""
    raw = os.fsencode(path)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def open_video(path: str | os.PathLike[str]) -> cv2.VideoCapture:
    """``cv2.VideoCapture`` of a video file, whatever its name; MediaError when there is no way in.

    The capture may still fail to open (not a video): check ``isOpened()``.
    """
    name = utf8_name(path)
    if name is not None:
        return cv2.VideoCapture(name)
    # FFmpeg opens its own descriptor, so ours (and the link) may go as soon as the capture is open
    fd = os.open(path, os.O_RDONLY)
    try:
        proc = f"/proc/self/fd/{fd}"
        if os.path.exists(proc):
            return cv2.VideoCapture(proc)
    finally:
        os.close(fd)
    suffix = Path(os.fsdecode(path)).suffix
    suffix = suffix if suffix.isascii() and suffix.isprintable() else ""
    try:
        with tempfile.TemporaryDirectory(prefix="moodplayer-video-") as tmp:
            link = os.path.join(tmp, "video" + suffix)
            os.symlink(os.fsdecode(os.path.abspath(path)), link)
            return cv2.VideoCapture(link)
    except OSError as exc:
        raise MediaError(f"OpenCV cannot open a file whose name is not UTF-8 ({exc.strerror or exc}); "
                         f"rename {display_path(Path(path).name)!r}") from None
