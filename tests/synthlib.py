"""A large synthetic music library for scan benchmarks and kill/resume tests, generated at test time.

    python -m tests.synthlib DIR [-n 10000] [--seed 0]

Why this is fast: ffmpeg encodes one 1.5 s clip per format ONCE (from a real track excerpt of the test
media), then every file is those bytes with its own tags rewritten by mutagen. Files therefore differ
(tags, sizes, mtimes) while the audio decodes for real. Layout: Artist/Album/NN - Title.ext, with
non-ASCII names mixed in. Never committed; the output is deterministic for a given seed.
"""
from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # `python tests/synthlib.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests import media_encode as enc  # noqa: E402

# Mostly the formats people hold; a few of the rest so every reader path is exercised.
FORMAT_WEIGHTS = {"ogg": 40, "mp3": 35, "flac": 13, "opus": 6, "m4a": 5, "wav": 1}
CLIP_S = 1.5
# Lossless clips are mono 22.05 kHz so that 10k files stay a few hundred MB.
_CLIP_ARGS = {"flac": ["-ac", "1", "-ar", "22050"], "wav": ["-ac", "1", "-ar", "22050"]}

_WORDS_A = ("Silent", "Electric", "Golden", "Broken", "Velvet", "Northern", "Crimson", "Hollow",
            "Neon", "Quiet", "Wild", "Frozen", "Distant", "Burning", "Paper", "Glass", "Café",
            "Ørsted", "Señor", "Müller", "Łódź", "Ξένος", "Тихий", "東京", "Ñandú", "Fjärran")
_WORDS_B = ("River", "Machines", "Orchard", "Lanterns", "Harbour", "Echoes", "Wolves", "Gardens",
            "Satellites", "Tides", "Engines", "Sparrows", "Mirrors", "Summer", "Ashes", "Avenue",
            "Nächte", "Cœur", "Måne", "Sueños", "Ветер", "夜明け", "Drømme", "Ciel")
_GENRES = ("Rock", "Pop", "Jazz", "Blues", "Classical", "Electronic", "Folk", "Metal", "Ambient",
           "Hip-Hop", "Soundtrack", "Soul")
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def _name(rng: random.Random) -> str:
    return f"{rng.choice(_WORDS_A)} {rng.choice(_WORDS_B)}"


def _safe(s: str) -> str:
    return _UNSAFE.sub("_", s).strip(" .") or "_"


def make_base_clips(out: Path, source: Path | None = None, start: float = 60.0) -> dict[str, Path]:
    """Encode one short clip per format from a real recording (default: a test media track)."""
    enc.require_ffmpeg()
    if source is None:
        from tests.media import ensure
        media = ensure()
        source = next(t["path"] for t in media.tracks if t["mood"] == "happy")
    out.mkdir(parents=True, exist_ok=True)
    pcm = out / "excerpt.wav"
    enc.cut_excerpt(source, pcm, start, CLIP_S)
    clips = {}
    for ext in FORMAT_WEIGHTS:
        dst = out / f"base.{ext}"
        enc.encode(pcm, dst, extra=_CLIP_ARGS.get(ext, ()))
        clips[ext] = dst
    return clips


def _plan(n: int, seed: int) -> list[tuple[str, dict[str, str]]]:
    """(relative path, tags) for n files: artists with albums of 6..16 tracks, unique paths."""
    rng = random.Random(seed)
    exts, weights = zip(*FORMAT_WEIGHTS.items())
    plan: list[tuple[str, dict[str, str]]] = []
    seen: set[str] = set()
    artist_no = 0
    while len(plan) < n:
        artist_no += 1
        artist = f"{_name(rng)} {artist_no}" if rng.random() < 0.5 else f"The {_name(rng)} {artist_no}"
        for album_no in range(rng.randint(1, 4)):
            album = f"{_name(rng)}" + (f" Vol. {album_no + 1}" if album_no else "")
            year, genre = str(rng.randint(1960, 2024)), rng.choice(_GENRES)
            ext = rng.choices(exts, weights)[0]  # an album is usually one format
            total = rng.randint(6, 16)
            for no in range(1, total + 1):
                if len(plan) >= n:
                    break
                title = _name(rng) + ("" if rng.random() < 0.8 else f" ({_name(rng)} Remix)")
                rel = f"{_safe(artist)}/{_safe(album)}/{no:02d} - {_safe(title)}.{ext}"
                if rel in seen:
                    continue
                seen.add(rel)
                gain = rng.uniform(-12.0, 3.0)
                tags = {"title": title, "artist": artist, "album": album, "album_artist": artist,
                        "track": f"{no}/{total}", "disc": "1/1", "year": year, "genre": genre,
                        "replaygain_track_gain": f"{gain:.2f} dB",
                        "replaygain_track_peak": f"{rng.uniform(0.5, 1.0):.6f}"}
                plan.append((rel, tags))
    return plan


def make_synthetic_library(root: Path, n: int = 10000, seed: int = 0,
                           clips: dict[str, Path] | None = None) -> list[Path]:
    """Write n tagged, decodable files under root; return their paths in creation order."""
    root = Path(root)
    plan = _plan(n, seed)
    with tempfile.TemporaryDirectory(prefix="moodplayer-clips-") as tmp:
        clips = clips or make_base_clips(Path(tmp))
        data = {ext: p.read_bytes() for ext, p in clips.items()}
        made_dirs: set[Path] = set()
        out = []
        for rel, tags in plan:
            path = root / rel
            if path.parent not in made_dirs:
                path.parent.mkdir(parents=True, exist_ok=True)
                made_dirs.add(path.parent)
            path.write_bytes(data[path.suffix[1:]])
            enc.write_tags(path, tags)
            out.append(path)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", type=Path)
    ap.add_argument("-n", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    t = time.perf_counter()
    files = make_synthetic_library(args.dir, n=args.n, seed=args.seed)
    size = sum(p.stat().st_size for p in files)
    print(f"{len(files)} files, {size / 2**20:.0f} MiB in {args.dir} in {time.perf_counter() - t:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
