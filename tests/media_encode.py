"""Helpers for building test media: Debian package fetch/unpack, ffmpeg encoding, mutagen tagging, damage.

Why separate from tests/media.py: synthlib reuses the encoder and the taggers, and each module stays
small. Tags are written the way common taggers do (foobar2000, beets, Picard), per container.
"""
from __future__ import annotations

import base64
import os
import random
import re
import shutil
import subprocess
from pathlib import Path

import av
import soundfile as sf
from mutagen import id3
from mutagen.flac import FLAC, Picture
from mutagen.mp4 import MP4, MP4Cover, MP4FreeForm
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE

# ffmpeg codec arguments per extension (part of the cache's spec hash).
RECIPE: dict[str, list[str]] = {
    "wav": ["-c:a", "pcm_s16le"],
    "flac": ["-c:a", "flac"],
    "mp3": ["-c:a", "libmp3lame", "-q:a", "4"],
    "ogg": ["-c:a", "libvorbis", "-q:a", "4"],
    "opus": ["-c:a", "libopus", "-b:a", "96k"],
    "m4a": ["-c:a", "aac", "-b:a", "160k", "-movflags", "+faststart"],
}
RG_REFERENCE_LUFS = -18.0  # ReplayGain 2.0


def require_ffmpeg() -> None:
    if shutil.which("ffmpeg") is None:
        raise RuntimeError("ffmpeg not found: the test media build needs it (apt-get install -y ffmpeg)")


def _run(cmd: list[str], what: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd)
    if r.returncode != 0:
        raise RuntimeError(f"{what} failed ({' '.join(cmd[:3])} …): {r.stderr.strip()[-800:]}")
    return r


def apt_download(names: tuple[str, ...], work: Path) -> Path:
    """Fetch the first available package name as a .deb into work (no install); update lists once if needed."""
    work.mkdir(parents=True, exist_ok=True)
    for attempt in range(2):
        for name in names:
            r = subprocess.run(["apt-get", "download", name], capture_output=True, text=True, cwd=work)
            debs = sorted(work.glob(f"{name}_*.deb"))
            if r.returncode == 0 and debs:
                return debs[-1]
        if attempt == 0:
            sudo = [] if os.geteuid() == 0 or shutil.which("sudo") is None else ["sudo", "-n"]
            subprocess.run([*sudo, "apt-get", "update", "-qq"], capture_output=True)
    raise RuntimeError(f"apt-get download {' / '.join(names)} failed: {r.stderr.strip()[-400:]}")


def unpack(deb: Path, dest: Path, patterns: list[str]) -> list[Path]:
    """Extract only the members matching the shell patterns; return the extracted files."""
    dest.mkdir(parents=True, exist_ok=True)
    tar_in = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE)
    r = subprocess.run(["tar", "-x", "-C", str(dest), "--wildcards", *patterns], stdin=tar_in.stdout,
                       capture_output=True, text=True)
    tar_in.stdout.close()
    if tar_in.wait() != 0 or r.returncode != 0:
        raise RuntimeError(f"{deb.name}: unpacking {patterns} failed: {r.stderr.strip()[-600:]}")
    return [p for p in dest.rglob("*") if p.is_file()]


def deb_field(deb: Path, name: str) -> str:
    return _run(["dpkg-deb", "-f", str(deb), name], f"{deb.name}: reading {name}").stdout.strip()


def decoded_seconds(path: Path) -> float:
    """Seconds of audio really decoded (not the header's claim)."""
    n, sr = 0, sf.info(str(path)).samplerate
    for block in sf.blocks(str(path), blocksize=1 << 16):
        n += len(block)
    return n / sr


def probe_decoders(path: Path) -> dict[str, dict]:
    """What soundfile and PyAV make of a file: seconds decoded, or the error (the first line of it)."""
    out: dict[str, dict] = {}
    for name in ("soundfile", "av"):
        try:
            if name == "soundfile":
                with sf.SoundFile(str(path)) as f:
                    n, rate = sum(len(b) for b in f.blocks(blocksize=1 << 16)), f.samplerate
            else:
                with av.open(str(path)) as c:
                    stream = c.streams.audio[0]
                    n, rate = sum(fr.samples for fr in c.decode(stream)), stream.rate
            out[name] = {"seconds": round(n / rate, 3), "error": None}
        except Exception as e:  # noqa: BLE001 - recording every failure mode is the point
            out[name] = {"seconds": None, "error": f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"}
    return out


def cut_excerpt(src: Path, dst: Path, start: float, length: float) -> None:
    _run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-ss", str(start), "-t",
          str(length), "-i", str(src), "-map_metadata", "-1", "-vn", "-ar", "44100", "-ac", "2",
          "-c:a", "pcm_s16le", str(dst)], f"{src.name}: cutting an excerpt")


def loudness(paths: list[Path]) -> tuple[float, float]:
    """ReplayGain 2.0 (gain dB, linear sample peak) over the paths played back to back (EBU R128)."""
    inputs, chains = [], []
    for i, p in enumerate(paths):
        inputs += ["-i", str(p)]
        chains.append(f"[{i}:a]aformat=sample_fmts=fltp:sample_rates=44100:channel_layouts=stereo[a{i}]")
    graph = ";".join(chains) + ";" + "".join(f"[a{i}]" for i in range(len(paths)))
    graph += f"concat=n={len(paths)}:v=0:a=1,ebur128=peak=sample[out]"
    r = _run(["ffmpeg", "-nostdin", "-hide_banner", "-nostats", *inputs, "-filter_complex", graph,
              "-map", "[out]", "-f", "null", "-"], "loudness measurement")
    integrated = float(re.findall(r"I:\s+(-?[\d.]+) LUFS", r.stderr)[-1])
    peak_db = float(re.findall(r"Peak:\s+(-?[\d.]+|-inf) dBFS", r.stderr)[-1])
    return RG_REFERENCE_LUFS - integrated, 10 ** (peak_db / 20)


def encode(src: Path, dst: Path, extra: list[str] | tuple[str, ...] = ()) -> None:
    """Encode src into dst's format (by extension) with no tags; extra: e.g. ["-ac", "1"]."""
    ext = dst.suffix[1:]
    _run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", str(src),
          "-map_metadata", "-1", "-vn", *extra, *RECIPE[ext], str(dst)], f"{dst.name}: encoding {ext}")


def _png_size(data: bytes) -> tuple[int, int]:
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return 0, 0


def _picture(cover: Path) -> Picture:
    data = cover.read_bytes()
    pic = Picture()
    pic.type, pic.desc, pic.data = 3, "Front cover", data
    pic.mime = "image/png" if cover.suffix.lower() == ".png" else "image/jpeg"
    pic.width, pic.height = _png_size(data)
    pic.depth = 32
    return pic


def _split(v: str) -> tuple[str, str]:
    n, _, total = str(v).partition("/")
    return n, total


def _vorbis_comments(f, tags: dict[str, str]) -> None:
    track, ttotal = _split(tags["track"])
    disc, dtotal = _split(tags["disc"])
    values = {"title": tags["title"], "artist": tags["artist"], "album": tags["album"],
              "albumartist": tags["album_artist"], "tracknumber": track, "tracktotal": ttotal,
              "discnumber": disc, "disctotal": dtotal, "date": tags["year"], "genre": tags["genre"]}
    values.update({k: v for k, v in tags.items() if k.startswith("replaygain_")})
    for k, v in values.items():
        if v:
            f[k] = [v]


def _id3_frames(t: id3.ID3, tags: dict[str, str], cover: Path | None) -> None:
    enc = 3  # UTF-8
    t.add(id3.TIT2(encoding=enc, text=tags["title"]))
    t.add(id3.TPE1(encoding=enc, text=tags["artist"]))
    t.add(id3.TALB(encoding=enc, text=tags["album"]))
    t.add(id3.TPE2(encoding=enc, text=tags["album_artist"]))
    t.add(id3.TRCK(encoding=enc, text=tags["track"]))
    t.add(id3.TPOS(encoding=enc, text=tags["disc"]))
    t.add(id3.TDRC(encoding=enc, text=tags["year"]))
    t.add(id3.TCON(encoding=enc, text=tags["genre"]))
    for k, v in tags.items():
        if k.startswith("replaygain_"):
            t.add(id3.TXXX(encoding=enc, desc=k.upper(), text=v))
    if cover is not None:
        pic = _picture(cover)
        t.add(id3.APIC(encoding=enc, mime=pic.mime, type=3, desc=pic.desc, data=pic.data))


def write_tags(path: Path, tags: dict[str, str], cover: Path | None = None) -> None:
    """Write title/artist/album/album artist/track n/N/disc n/N/year/genre/ReplayGain (+cover) natively."""
    ext = path.suffix[1:].lower()
    if ext == "mp3":
        t = id3.ID3()
        _id3_frames(t, tags, cover)
        t.save(str(path))
    elif ext == "wav":
        f = WAVE(str(path))
        if f.tags is None:
            f.add_tags()
        _id3_frames(f.tags, tags, cover)
        f.save()
    elif ext == "flac":
        f = FLAC(str(path))
        _vorbis_comments(f, tags)
        if cover is not None:
            f.clear_pictures()
            f.add_picture(_picture(cover))
        f.save()
    elif ext in ("ogg", "opus"):
        f = OggVorbis(str(path)) if ext == "ogg" else OggOpus(str(path))
        _vorbis_comments(f, tags)
        if cover is not None:
            f["metadata_block_picture"] = [base64.b64encode(_picture(cover).write()).decode("ascii")]
        f.save()
    elif ext == "m4a":
        f = MP4(str(path))
        track, ttotal = _split(tags["track"])
        disc, dtotal = _split(tags["disc"])
        f["\xa9nam"], f["\xa9ART"], f["\xa9alb"] = [tags["title"]], [tags["artist"]], [tags["album"]]
        f["aART"], f["\xa9day"], f["\xa9gen"] = [tags["album_artist"]], [tags["year"]], [tags["genre"]]
        f["trkn"] = [(int(track), int(ttotal or 0))]
        f["disk"] = [(int(disc), int(dtotal or 0))]
        for k, v in tags.items():
            if k.startswith("replaygain_"):
                f[f"----:com.apple.iTunes:{k}"] = [MP4FreeForm(v.encode())]
        if cover is not None:
            fmt = MP4Cover.FORMAT_PNG if cover.suffix.lower() == ".png" else MP4Cover.FORMAT_JPEG
            f["covr"] = [MP4Cover(cover.read_bytes(), imageformat=fmt)]
        f.save()
    else:
        raise ValueError(f"{path}: no tag writer for .{ext}")


def make_corrupt(dest: Path, files: dict[str, Path], text_source: Path, seed: int = 1) -> list[dict]:
    """Damage copies of the format files; return [{"path", "kind", "source", "note", "decoders",
    "damage_visible_to_decoders"}]. The last two are measured: garbage inside a WAV is valid PCM and an
    Ogg named .mp3 decodes fine, so no decoder can object to those two; soundfile (mpg123) "decodes" a
    half mp3 to the full length the Xing header claims, while PyAV stops at the cut."""
    dest.mkdir(parents=True)
    rng = random.Random(seed)
    out: list[dict] = []

    full_s = {ext: probe_decoders(p)["av"]["seconds"] for ext, p in files.items()}

    def put(name: str, data: bytes, kind: str, source: str | None, note: str) -> None:
        (dest / name).write_bytes(data)
        dec = probe_decoders(dest / name)
        full = full_s.get(name.rsplit(".", 1)[-1]) or 0.0
        visible = any(d["error"] or d["seconds"] < 0.9 * full for d in dec.values())
        out.append({"path": dest / name, "kind": kind, "source": source, "note": note,
                    "decoders": dec, "damage_visible_to_decoders": visible})

    for ext, src in files.items():
        data = src.read_bytes()
        put(f"half.{ext}", data[: len(data) // 2], "truncated_half", src.name,
            "valid header, audio cut at half the bytes; the header still claims the full length")
        put(f"first1k.{ext}", data[:1024], "first_1k", src.name, "only the first 1024 bytes")
        n = max(4096, len(data) // 8)
        mid = len(data) // 2 - n // 2
        noise = rng.randbytes(n)
        put(f"garbage_middle.{ext}", data[:mid] + noise + data[mid + n:], "garbage_middle", src.name,
            f"{n} random bytes overwrite the middle (same size as the source)")
    put("empty.mp3", b"", "empty", None, "zero bytes")
    put("random.flac", rng.randbytes(65536), "random_bytes", None,
        "64 KiB of random bytes named .flac")
    put("ogg_named.mp3", files["ogg"].read_bytes(), "ogg_named_mp3", files["ogg"].name,
        "a valid Ogg Vorbis stream under an .mp3 name (content and extension disagree)")
    put("text_named.m4a", text_source.read_bytes(), "text_named_m4a", text_source.name,
        "a plain text file (a Debian copyright file) named .m4a")
    return out
