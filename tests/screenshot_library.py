"""A few hundred real tracks for the README screenshots, cut from the test media's recordings.

    python -m tests.screenshot_library DEST [--part-seconds 16]

Why: the test media hold ~25 real pieces, too few for a browser that looks like a library. Each piece
is cut (ffmpeg, stream copy: the original encoding, one ffmpeg run per part, so each part is a whole
Ogg file with its end-of-stream page -- the segment muxer leaves that out) into consecutive parts of ``part_s`` seconds, tagged with mutagen under the piece's real artist and
album (the package's soundtrack name where the file has none), titled "Piece (part N)", so every
file is a real recording whose mood the app's model finds for itself. The LinCity-NG parts carry the
test media's cover picture, so now-playing shows cover art.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# soundtrack names for the pieces whose files carry no album tag
ALBUMS = {"lincity-ng-data": "LinCity-NG Music", "supertux-data": "SuperTux Soundtrack",
          "singularity-music": "Endgame: Singularity Original Soundtrack",
          "marsshooter-data": "Angelic Asylum"}
MIN_PART_S = 8.0      # a shorter tail part is dropped


def _tags(src: Path) -> dict[str, str]:
    import mutagen

    f = mutagen.File(str(src), easy=True)
    return {k: str(v[0]) for k, v in (f.tags or {}).items() if v} if f is not None else {}


def _artist(src: Path, tags: dict[str, str]) -> str:
    if tags.get("artist", "").strip() and "://" not in tags["artist"]:
        return tags["artist"].strip()
    m = re.match(r"\d+ - (.+?) - ", src.name)      # "01 - pronobozo - lincity.ogg"
    return m.group(1) if m else ""                  # none: the app says "Unknown artist"


def _safe(text: str) -> str:
    return re.sub(r'[/\\:*?"<>|]+', " ", text).strip() or "Unknown"


def _split(src: Path, part_s: float, work: Path) -> list[Path]:
    from mutagen.oggvorbis import OggVorbis

    work.mkdir(parents=True, exist_ok=True)
    length = OggVorbis(str(src)).info.length
    parts = []
    for n in range(int(length // part_s) + 1):
        if length - n * part_s < MIN_PART_S:
            break
        out = work / f"p{n:03d}.ogg"
        subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-ss", str(n * part_s),
                        "-t", str(part_s), "-i", str(src), "-map", "0:a", "-map_metadata", "-1", "-c", "copy",
                        str(out)], check=True)
        parts.append(out)
    return parts


def build(media_root: Path, dest: Path, part_s: float = 16.0, log=print) -> int:
    """Cut and tag every test-media piece into ``dest``/artist/album/; returns the number of files."""
    from tests.media_encode import write_tags

    manifest = json.loads((media_root / "manifest.json").read_text())
    cover = media_root / "formats" / "cover.png"
    count = 0
    track_no: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="moodplayer-parts-") as tmp:
        for i, entry in enumerate(manifest["tracks"]):
            src = media_root / entry["path"]
            tags = _tags(src)
            artist = _artist(src, tags)
            album = tags.get("album") or ALBUMS.get(entry["package"], entry["package"])
            title = entry["title"]
            parts = _split(src, part_s, Path(tmp) / str(i))
            folder = dest / _safe(artist or "Unknown artist") / _safe(album)
            folder.mkdir(parents=True, exist_ok=True)
            for n, part in enumerate(parts, 1):
                track_no[album] = track_no.get(album, 0) + 1
                out = folder / f"{track_no[album]:03d} {_safe(title)} (part {n}).ogg"
                part.replace(out)
                write_tags(out, {"title": f"{title} (part {n})", "artist": artist, "album": album,
                                 "album_artist": "", "track": str(track_no[album]), "disc": "",
                                 "year": tags.get("date", "")[:4], "genre": tags.get("genre", "")},
                           cover if album == "LinCity-NG Music" and cover.is_file() else None)
                count += 1
            log(f"{title}: {len(parts)} parts")
    return count


def main(argv: list[str] | None = None) -> int:
    from tests.media import ensure

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dest", type=Path)
    ap.add_argument("--part-seconds", type=float, default=16.0)
    args = ap.parse_args(argv)
    media = ensure(log=lambda m: print(f"[media] {m}", flush=True))
    print(f"{build(media.root, args.dest, args.part_seconds)} files in {args.dest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
