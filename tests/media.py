"""Real test media, built once from Debian packages into a cache outside the repository.

    python -m tests.media [--cache DIR] [--force]

Why: tests must run on real recordings (real codecs, real tags, real damage), yet the music is large
and licensed per package, so it is never committed. The build downloads a few Debian packages
(`apt-get download`, no install), keeps ~25 chosen tracks with their package's copyright file, encodes
one real excerpt into six formats with full tags and cover art, damages copies of them into a corrupt
corpus, and writes manifest.json. A version stamp plus a hash of the selection makes it idempotent;
the build happens in a temp dir renamed into place, so a killed build never leaves a half cache.
"""
from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # `python tests/media.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests import media_encode as enc  # noqa: E402

MEDIA_VERSION = 2
FORMATS = ("wav", "flac", "mp3", "ogg", "opus", "m4a")
MOODS = ("calm", "sad", "happy", "energetic", "battle", "metal")

# Package -> (name candidates in order, licence of the music). The file lists below match by the path
# suffix under a `music/` directory, so a newer wesnoth (…/1.18/…) would still be found.
PACKAGES: dict[str, tuple[tuple[str, ...], str]] = {
    "wesnoth-music": (("wesnoth-1.16-music", "wesnoth-1.18-music"), "GPL-2+"),
    "singularity-music": (("singularity-music",), "CC-BY-SA-3.0"),
    "marsshooter-data": (("marsshooter-data",), "CC-BY-SA-3.0"),
    "supertux-data": (("supertux-data",), "GPL-2+"),
    "lincity-ng-data": (("lincity-ng-data",), "GPL-2+"),
}

# (package key, file under music/, mood, title). Moods come from the title and where the game plays the
# piece, cross-checked once by eye against loudness, onset rate and spectral centroid of each piece's
# middle minute (e.g. the metal tracks sit at -10..-12 dBFS RMS, the calm ones at -17..-26).
TRACKS: tuple[tuple[str, str, str, str], ...] = (
    ("wesnoth-music", "battle.ogg", "battle", "Battle"),
    ("wesnoth-music", "breaking_the_chains.ogg", "battle", "Breaking the Chains"),
    ("wesnoth-music", "northerners.ogg", "battle", "Northerners"),
    ("wesnoth-music", "frantic.ogg", "battle", "Frantic"),
    ("wesnoth-music", "the_king_is_dead.ogg", "sad", "The King Is Dead"),
    ("wesnoth-music", "the_city_falls.ogg", "sad", "The City Falls"),
    ("wesnoth-music", "casualties_of_war.ogg", "sad", "Casualties of War"),
    ("wesnoth-music", "journeys_end.ogg", "sad", "Journey's End"),
    ("wesnoth-music", "elvish-theme.ogg", "calm", "Elvish Theme"),
    ("wesnoth-music", "silvan_sanctuary.ogg", "calm", "Silvan Sanctuary"),
    ("wesnoth-music", "love_theme.ogg", "calm", "Love Theme"),
    ("lincity-ng-data", "default/02 - Robert van Herk - City Blues.ogg", "calm", "City Blues"),
    ("lincity-ng-data", "default/03 - Robert van Herk - Architectural Contemplations.ogg", "calm",
     "Architectural Contemplations"),
    ("singularity-music", "Awakening.ogg", "calm", "Awakening"),
    ("supertux-data", "misc/theme.ogg", "happy", "SuperTux Theme"),
    ("supertux-data", "forest/shallow-green.ogg", "happy", "Shallow Green"),
    ("supertux-data", "misc/christmas_theme.ogg", "happy", "Christmas Theme"),
    ("lincity-ng-data", "default/01 - pronobozo - lincity.ogg", "energetic", "Lincity"),
    ("supertux-data", "retro/ice_music.ogg", "energetic", "Ice Music"),
    ("supertux-data", "forest/forest-sprint.ogg", "energetic", "Forest Sprint"),
    ("singularity-music", "Coherence.ogg", "energetic", "Coherence"),
    ("marsshooter-data", "03_fear.ogg", "metal", "Fear"),
    ("marsshooter-data", "06_starfall.ogg", "metal", "Starfall"),
    ("marsshooter-data", "09_wings_of_cruelty.ogg", "metal", "Wings of Cruelty"),
    ("marsshooter-data", "01_-_Ezer_Ev.ogg", "metal", "Ezer Év"),
)

# The format set: one real track, an excerpt, encoded six ways. Album = the three LinCity-NG songs,
# whose joint loudness gives the album ReplayGain (so track and album gain really differ).
FORMAT_SOURCE = "default/02 - Robert van Herk - City Blues.ogg"
ALBUM_SOURCES = ("default/01 - pronobozo - lincity.ogg", FORMAT_SOURCE,
                 "default/03 - Robert van Herk - Architectural Contemplations.ogg")
EXCERPT = (30.0, 45.0)  # start, length in seconds
COVER_SUFFIX = "icons/hicolor/128x128/apps/lincity-ng.png"
BASE_TAGS = {"title": "City Blues", "artist": "Robert van Herk", "album": "LinCity-NG Music",
             "album_artist": "LinCity-NG Developers", "track": "2/3", "disc": "1/1",
             "year": "2005", "genre": "Blues"}


def default_cache() -> Path:
    env = os.environ.get("MOODPLAYER_TEST_MEDIA")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "moodplayer" / "test-media"


def spec_hash() -> str:
    """Any change to the selection or the recipe invalidates the cache."""
    spec = [MEDIA_VERSION, PACKAGES, TRACKS, FORMAT_SOURCE, ALBUM_SOURCES, EXCERPT, COVER_SUFFIX,
            BASE_TAGS, enc.RECIPE]
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]


@dataclass
class Media:
    """What the `media` fixture hands to tests (paths absolute)."""
    root: Path
    tracks: list[dict] = field(default_factory=list)
    formats: dict[str, Path] = field(default_factory=dict)
    expected_tags: dict[str, str] = field(default_factory=dict)
    cover: Path | None = None
    corrupt: list[dict] = field(default_factory=list)
    manifest: dict = field(default_factory=dict)

    def copy_into(self, dest: Path, paths: list[Path] | None = None) -> list[Path]:
        """Copy files (default: every format file) into dest for tests that modify them."""
        dest.mkdir(parents=True, exist_ok=True)
        out = []
        for p in paths if paths is not None else list(self.formats.values()):
            target = dest / p.name
            shutil.copy2(p, target)
            out.append(target)
        return out


def load(root: Path) -> Media:
    m = json.loads((root / "manifest.json").read_text())
    tracks = [{**t, "path": root / t["path"]} for t in m["tracks"]]
    return Media(root=root, tracks=tracks,
                 formats={ext: root / rel for ext, rel in m["formats"]["files"].items()},
                 expected_tags=dict(m["formats"]["tags"]), cover=root / m["formats"]["cover"],
                 corrupt=[{**c, "path": root / c["path"]} for c in m["corrupt"]], manifest=m)


def is_current(root: Path) -> bool:
    """A cache is usable when its manifest matches this recipe and every listed file exists."""
    try:
        m = json.loads((root / "manifest.json").read_text())
    except (OSError, ValueError):
        return False
    if m.get("version") != MEDIA_VERSION or m.get("spec") != spec_hash():
        return False
    rels = [t["path"] for t in m["tracks"]] + list(m["formats"]["files"].values())
    rels += [m["formats"]["cover"]] + [c["path"] for c in m["corrupt"]]
    return all((root / r).is_file() for r in rels)


def ensure(cache: Path | None = None, force: bool = False, log=print) -> Media:
    """Return the media in `cache`, building it first when missing or outdated (process-safe)."""
    root = (cache or default_cache()).expanduser().resolve()
    if not force and is_current(root):
        return load(root)
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(root.parent / f".{root.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be building the same cache
        if force or not is_current(root):
            _build_atomically(root, log)
    return load(root)


def _build_atomically(root: Path, log) -> None:
    """Build beside the cache, then rename: readers see the old cache or the new one, never half."""
    t0 = time.monotonic()
    for kind in ("build", "work", "old"):  # left by a killed build; we hold the lock
        for stale in root.parent.glob(f".{root.name}.{kind}-*"):
            shutil.rmtree(stale, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{root.name}.build-", dir=root.parent))
    work = Path(tempfile.mkdtemp(prefix=f".{root.name}.work-", dir=root.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; the cache is shared read-only data
    try:
        _build(tmp, work, log)
        old = root.parent / f".{root.name}.old-{os.getpid()}"
        if root.exists():
            root.rename(old)
        tmp.rename(root)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    log(f"test media built in {time.monotonic() - t0:.1f} s at {root}")


def _build(out: Path, work: Path, log) -> None:
    enc.require_ffmpeg()
    t0 = time.monotonic()
    _log = log
    log = lambda msg: _log(f"{time.monotonic() - t0:5.1f} s  {msg}")  # noqa: E731
    wanted: dict[str, list[str]] = {}
    for key, rel, _, _ in TRACKS:
        wanted.setdefault(key, []).append(rel)
    wanted["lincity-ng-data"].append(COVER_SUFFIX)
    unpacked: dict[str, dict[str, Path]] = {}
    packages: dict[str, dict] = {}
    for key, rels in wanted.items():
        names, licence = PACKAGES[key]
        log(f"fetching {names[0]} …")
        deb = enc.apt_download(names, work)
        tree = work / key
        found = enc.unpack(deb, tree, [_pattern(r) for r in rels] + ["*/usr/share/doc/*/copyright"])
        unpacked[key] = {r: _find(found, r, deb) for r in rels}
        pkg_name, version = enc.deb_field(deb, "Package"), enc.deb_field(deb, "Version")
        dest = out / "tracks" / pkg_name
        dest.mkdir(parents=True)
        copyright_src = tree / "usr/share/doc" / pkg_name / "copyright"
        shutil.copy2(copyright_src, dest / "copyright")
        packages[key] = {"package": pkg_name, "version": version, "license": licence,
                         "copyright": f"tracks/{pkg_name}/copyright"}
        deb.unlink()

    log("copying and decoding the chosen tracks …")
    tracks = []
    for key, rel, mood, title in TRACKS:
        src = unpacked[key][rel]
        dst = out / "tracks" / packages[key]["package"] / src.name
        shutil.copy2(src, dst)
        tracks.append({"path": str(dst.relative_to(out)), "mood": mood, "title": title,
                       "package": packages[key]["package"], "version": packages[key]["version"],
                       "license": packages[key]["license"], "source": rel,
                       "duration": round(enc.decoded_seconds(dst), 3)})

    log("encoding the format set …")
    fdir = out / "formats"
    fdir.mkdir()
    cover = fdir / "cover.png"
    shutil.copy2(unpacked["lincity-ng-data"][COVER_SUFFIX], cover)
    shutil.copy2(out / packages["lincity-ng-data"]["copyright"], fdir / "copyright")
    src = unpacked["lincity-ng-data"][FORMAT_SOURCE]
    excerpt = work / "excerpt.wav"
    enc.cut_excerpt(src, excerpt, *EXCERPT)
    track_rg = enc.loudness([excerpt])
    album_rg = enc.loudness([unpacked["lincity-ng-data"][r] for r in ALBUM_SOURCES])
    tags = {**BASE_TAGS,
            "replaygain_track_gain": f"{track_rg[0]:.2f} dB", "replaygain_track_peak": f"{track_rg[1]:.6f}",
            "replaygain_album_gain": f"{album_rg[0]:.2f} dB", "replaygain_album_peak": f"{album_rg[1]:.6f}"}
    files = {}
    for ext in FORMATS:
        dst = fdir / f"city_blues.{ext}"
        enc.encode(excerpt, dst)
        enc.write_tags(dst, tags, cover)
        files[ext] = str(dst.relative_to(out))

    log("damaging copies for the corrupt corpus …")
    corrupt = enc.make_corrupt(out / "corrupt", {ext: out / p for ext, p in files.items()},
                               fdir / "copyright")
    manifest = {
        "version": MEDIA_VERSION, "spec": spec_hash(), "built": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "moods": list(MOODS), "packages": packages, "tracks": tracks,
        "formats": {"source": f"lincity-ng-data:{FORMAT_SOURCE}", "excerpt_s": list(EXCERPT),
                    "license": packages["lincity-ng-data"]["license"], "copyright": "formats/copyright",
                    "cover": "formats/cover.png", "files": files, "tags": tags},
        "corrupt": [{**c, "path": str(c["path"].relative_to(out))} for c in corrupt],
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")


def _pattern(rel: str) -> str:
    return f"*/{rel}" if rel.startswith("icons/") else f"*/music/{rel}"


def _find(found: list[Path], rel: str, deb: Path) -> Path:
    suffix = "/" + (rel if rel.startswith("icons/") else f"music/{rel}")
    hits = [p for p in found if str(p).endswith(suffix)]
    if len(hits) != 1:
        raise RuntimeError(f"{deb.name}: expected one file ending in {suffix}, found {len(hits)}")
    return hits[0]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=None, help=f"default: {default_cache()}")
    ap.add_argument("--force", action="store_true", help="rebuild even when current")
    args = ap.parse_args(argv)
    t0 = time.monotonic()
    m = ensure(args.cache, force=args.force)
    size = sum(p.stat().st_size for p in m.root.rglob("*") if p.is_file())
    print(f"{m.root}: {len(m.tracks)} tracks, {len(m.formats)} formats, {len(m.corrupt)} corrupt files, "
          f"{size / 2**20:.1f} MiB, ready in {time.monotonic() - t0:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
