"""Unlabelled real music for distillation: game soundtracks that ship in Debian packages.

q4_val's clips are commercial pop, rock and electronic previews; people's libraries hold more than
that, and a model fitted on 452 clips alone reads music unlike them with false confidence. Debian
ships redistributable music (licences in each package's copyright file). This module downloads the
packages with ``apt-get download`` (no install), unpacks the audio into a cache outside the
repository, and computes for every track what the app computes (its analysis windows' images and
descriptors) and what the teacher sees of the same windows.

The tracks of the project's test media are left out, so the tests judge the model on music it was
not distilled on.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

PACKAGES = (
    "wesnoth-1.16-music", "warzone2100-music", "freedroidrpg-data", "hedgewars-data", "frozen-bubble-data",
    "openclonk-data", "extremetuxracer-data", "xmoto-data", "marsshooter-data", "singularity-music",
    "supertux-data", "lincity-ng-data", "megaglest-data", "widelands-data", "tuxfootball", "funnyboat",
)
AUDIO = (".ogg", ".opus", ".mp3", ".flac")
MIN_BYTES = 400_000       # sound effects and jingles are smaller
MIN_SECONDS = 20.0
WINDOWS = 5               # app windows per track (the app reads up to 8)


@dataclass
class Unlabelled:
    files: list[str]
    images: np.ndarray    # uint8 [W,128,256]
    desc: np.ndarray      # float32 [W,D]
    clip: np.ndarray      # int [W] track index
    teacher: np.ndarray   # float32 [W,250] musicnn features of the same windows


def _test_media_names() -> set[str]:
    try:
        from tests.media import TRACKS
    except ImportError:  # an installed package without the repository's tests
        return set()
    return {os.path.basename(t[1]) for t in TRACKS}


def fetch(cache: Path, log=print) -> list[Path]:
    """Download and unpack the packages once; the music files, sorted, test media excluded."""
    debs, raw = cache / "debs", cache / "raw"
    debs.mkdir(parents=True, exist_ok=True)
    for pkg in PACKAGES:
        target = raw / pkg
        if target.is_dir():
            continue
        if not list(debs.glob(f"{pkg}_*.deb")):
            log(f"  apt-get download {pkg}")
            subprocess.run(["apt-get", "download", pkg], cwd=debs, check=True, capture_output=True)
        deb = sorted(debs.glob(f"{pkg}_*.deb"))[-1]
        tmp = raw / f".{pkg}.tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        tar = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE)
        subprocess.run(["tar", "-x", "-C", str(tmp), "--wildcards", *(f"*{e}" for e in AUDIO)],
                       stdin=tar.stdout, capture_output=True)
        tar.wait()
        tmp.rename(target)
    skip = _test_media_names()
    return sorted(p for p in raw.rglob("*") if p.suffix.lower() in AUDIO and p.is_file()
                  and p.stat().st_size >= MIN_BYTES and p.name not in skip)


def load_unlabelled(cache: Path, teacher, log=print) -> Unlabelled:
    """Every track's app windows, descriptors and teacher features, computed once and cached."""
    from moodplayer.analysis.decode import DecodeError, decode_windows
    from moodplayer.analysis.features import window_inputs
    from moodplayer.train.track_data import _recipe_hash

    files = fetch(cache, log)
    h = hashlib.sha1(("\n".join(map(str, files)) + _recipe_hash() + teacher.path.name).encode())
    cached = cache / f"unlabelled_{h.hexdigest()[:16]}.npz"
    if cached.is_file():
        z = np.load(cached)
        return Unlabelled(list(z["files"]), z["images"], z["desc"], z["clip"], z["teacher"])
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("images", "desc", "clip", "teacher")}
    names: list[str] = []
    for i, f in enumerate(files):
        try:
            windows, _, duration = decode_windows(f, WINDOWS)
        except DecodeError as exc:
            log(f"  skipped {exc}")
            continue
        if duration < MIN_SECONDS:
            continue
        images, desc = window_inputs(windows)
        parts["images"].append(images)
        parts["desc"].append(desc)
        parts["clip"].append(np.full(len(images), len(names)))
        parts["teacher"].append(teacher.of_windows(windows))
        names.append(str(f))
        if i % 25 == 0:
            log(f"  unlabelled track {i + 1}/{len(files)}")
    arrays = {k: np.concatenate(v) for k, v in parts.items()}
    tmp = cached.with_suffix(".tmp.npz")
    np.savez(tmp, files=np.array(names), **arrays)
    tmp.replace(cached)
    return Unlabelled(names, **arrays)


def window_features(cache: Path, un: Unlabelled, front_end, key: str, log=print) -> np.ndarray:
    """Another teacher front end's features [W, F] of the same windows as ``un`` (decoded again:
    decode_windows is deterministic), computed once and cached beside the windows."""
    from moodplayer.analysis.decode import decode_windows
    from moodplayer.train.track_data import _recipe_hash

    h = hashlib.sha1(("\n".join(un.files) + _recipe_hash() + key).encode())
    cached = cache / f"unlabelled_{h.hexdigest()[:16]}_{key}.npy"
    if cached.is_file():
        return np.load(cached)
    out = []
    for i, f in enumerate(un.files):
        windows, _, _ = decode_windows(f, WINDOWS)
        if len(windows) != int((un.clip == i).sum()):
            raise RuntimeError(f"{f}: {len(windows)} windows now, {(un.clip == i).sum()} when cached")
        out.append(front_end.of_windows(windows))
        if i % 25 == 0:
            log(f"  {key} of unlabelled track {i + 1}/{len(un.files)}")
    arr = np.concatenate(out).astype(np.float32)
    tmp = cached.with_suffix(".tmp.npy")
    np.save(tmp, arr)
    tmp.replace(cached)
    return arr
