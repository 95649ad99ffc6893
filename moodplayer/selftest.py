"""``moodplayer --self-test``: does this installation work? One line per check, ok / warn / FAIL.

Written for the questions an install raises (a PyInstaller bundle missing a model or a native
library, a .deb missing a system dependency, a read-only data directory): every check runs the
real code path on built-in input, so a pass means the app's own path works here. A missing camera
or audio device is a warning (the app still plays or still analyses); anything the app cannot run
without is a failure and the exit status is 1. Qt is imported only for ``--qt``.
"""
from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from moodplayer import __version__

OK, WARN, FAIL = "ok", "warn", "FAIL"
SYNTH_RATE = 44100  # the synthetic clip is written at a common file rate so decoding resamples
MIN_FREE_BYTES = 1 << 20  # less room than this beside the database: writes will fail (disk full)


@dataclass
class Check:
    """One line of the report."""

    name: str
    status: str
    detail: str
    seconds: float = 0.0


def synthetic_clip(seconds: float = 12.0, rate: int = SYNTH_RATE) -> np.ndarray:
    """A deterministic music-like mono signal: a I-IV-V-I chord progression of harmonic tones at
    120 bpm with a decaying envelope per beat and a noise burst on every beat (broadband, varied in
    time, so the spectrogram image has real contrast, unlike a sine)."""
    t = np.arange(int(seconds * rate)) / rate
    roots = (261.63, 349.23, 392.00, 261.63)  # C, F, G, C
    chord_len = seconds / len(roots)
    y = np.zeros_like(t)
    for i, root in enumerate(roots):
        seg = (t >= i * chord_len) & (t < (i + 1) * chord_len)
        for ratio in (1.0, 1.25, 1.5):  # major triad
            for h in range(1, 5):
                y[seg] += np.sin(2 * np.pi * root * ratio * h * t[seg]) / (h * 3.0)
    beat = (t % 0.5) / 0.5
    y *= 0.6 + 0.4 * np.exp(-6 * beat)
    noise = np.random.default_rng(0).standard_normal(t.size)
    y += 0.8 * noise * np.exp(-40 * beat)
    return (0.25 * y / np.abs(y).max()).astype(np.float32)


def _write_m4a(path: Path, y: np.ndarray, rate: int) -> None:
    """AAC in MP4 through PyAV, the only decoder the app has for m4a."""
    import av

    with av.open(str(path), "w") as out:
        stream = out.add_stream("aac", rate=rate, layout="mono")
        frame = av.AudioFrame.from_ndarray(y[None], format="flt", layout="mono")
        frame.rate = rate
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            out.mux(packet)


# --- checks ----------------------------------------------------------------------------------------
def check_environment() -> Check:
    import onnxruntime as ort

    where = f"bundle {sys._MEIPASS}" if getattr(sys, "frozen", False) else f"python {platform.python_version()}"
    # compiled-in providers whose plug-in library is really there (a bundle may leave CUDA out)
    capi = Path(ort.__file__).parent / "capi"
    libs = {"CUDAExecutionProvider": "cuda", "TensorrtExecutionProvider": "tensorrt"}
    providers = [p.removesuffix("ExecutionProvider") for p in ort.get_available_providers()
                 if p not in libs or (capi / f"libonnxruntime_providers_{libs[p]}.so").exists()]
    return Check("environment", OK, f"moodplayer {__version__}, {where}, {platform.system()} "
                                    f"{platform.machine()}; onnxruntime {ort.__version__} ({', '.join(providers)})")


def check_decoders(tmp: Path) -> Check:
    """FLAC through libsndfile and AAC/m4a through PyAV (FFmpeg), both resampled to 22050 Hz."""
    import av
    import soundfile as sf

    from moodplayer.analysis.decode import decode_windows
    from moodplayer.analysis.spectrogram import SAMPLE_RATE, WINDOW

    y = synthetic_clip(4.0)
    flac, m4a = tmp / "selftest.flac", tmp / "selftest.m4a"
    sf.write(str(flac), np.stack([y, y], axis=1), SYNTH_RATE)
    _write_m4a(m4a, y, SYNTH_RATE)
    shapes = []
    for path in (flac, m4a):
        windows, _, duration = decode_windows(path, 1)
        if windows.shape != (1, WINDOW) or not np.isfinite(windows).all() or abs(duration - 4.0) > 0.2:
            return Check("decoders", FAIL, f"{path.name}: decoded {windows.shape}, {duration:.2f} s "
                                           f"(expected 1 x {WINDOW} samples, 4.0 s)")
        shapes.append(path.suffix[1:])
    missing = [c for c in ("mp3", "vorbis", "opus", "flac", "aac") if not _has_decoder(av, c)]
    if missing:
        return Check("decoders", FAIL, f"FFmpeg in PyAV lacks decoders: {', '.join(missing)}")
    return Check("decoders", OK, f"{' and '.join(shapes)} decode to {SAMPLE_RATE} Hz "
                                 f"(libsndfile {sf.__libsndfile_version__}, PyAV {av.__version__})")


def _has_decoder(av, name: str) -> bool:
    try:
        av.codec.Codec(name, "r")
        return True
    except Exception:  # noqa: BLE001 - PyAV raises UnknownCodecError (type varies across versions)
        return False


def check_music_model(tmp: Path, models: Path | None) -> Check:
    """The real analysis path on a synthetic track: decode -> recipe + descriptors -> ONNX -> moods."""
    import soundfile as sf

    from moodplayer.analysis.analyze import analyze_file
    from moodplayer.analysis.decode import window_starts
    from moodplayer.analysis.mood_model import MoodModel
    from moodplayer.analysis.spectrogram import IMAGE_SHAPE, waveform_to_image

    model = MoodModel(models)  # raises ModelError naming the missing or broken file
    image = waveform_to_image(synthetic_clip(6.0)[::2])  # 44100 -> 22050 by decimation is fine here
    if image.shape != IMAGE_SHAPE or image.dtype != np.uint8 or int(image.max()) - int(image.min()) < 128:
        return Check("music model", FAIL, f"spectrogram recipe gave {image.shape} {image.dtype} "
                                          f"range {image.min()}..{image.max()}")
    path, seconds = tmp / "selftest-track.flac", 30.0
    sf.write(str(path), synthetic_clip(seconds), SYNTH_RATE)
    result = analyze_file(path, model, n_windows=4)
    if "error" in result:
        return Check("music model", FAIL, result["error"])
    va = np.array([[w["valence"], w["arousal"]] for w in result["windows"]])
    k = len(window_starts(seconds, 4))
    if va.shape != (k, 2) or not np.isfinite(va).all() or va.min() < 0 or va.max() > 1:
        return Check("music model", FAIL, f"{model.path}: output {va.tolist()} is not {k} x (valence, "
                                          f"arousal) in 0..1")
    top = max(result["moods"], key=result["moods"].get)
    return Check("music model", OK, f"{model.path.name} {model.version} on {model.provider}; synthetic "
                                    f"track -> valence {result['valence']:.2f}, arousal "
                                    f"{result['arousal']:.2f} ({top}) over {k} windows")


def check_analysis_workers(tmp: Path, models: Path | None) -> Check:
    """Index a folder with one synthetic track and analyse it in a worker process, as the app does:
    proves that a frozen build can spawn its analysis workers (multiprocessing, spawn context)."""
    import soundfile as sf

    from moodplayer.analysis.service import analyze_library
    from moodplayer.library.scanner import scan
    from moodplayer.library.store import connect

    music = tmp / "library"
    music.mkdir()
    sf.write(str(music / "selftest.ogg"), synthetic_clip(8.0), SYNTH_RATE)
    db = tmp / "selftest-library.db"
    conn = connect(db)
    try:
        scanned = scan(conn, music, workers=1)
    finally:
        conn.close()
    if scanned.found != 1 or scanned.errors:
        return Check("analysis", FAIL, f"scan of {music} found {scanned.found} file(s), errors {scanned.errors}")
    report = analyze_library(db, workers=1, nice=0, models=models)
    if report.done != 1 or report.failed:
        return Check("analysis", FAIL, f"worker analysed {report.done}/{report.total}, errors {report.errors}")
    return Check("analysis", OK, f"ogg indexed and analysed in a worker process on {report.provider}")


def check_face_model(models: Path | None) -> Check:
    """A blank 48x48 crop through the expression model, and the face detector (MTCNN, else Haar) on a
    blank frame."""
    from moodplayer.vision.circumplex import CLASSES, valence_arousal
    from moodplayer.vision.expression import MODEL_FILE, ExpressionModel
    from moodplayer.vision.pipeline import default_detector

    model = ExpressionModel(Path(models) / MODEL_FILE if models else None)
    probs = model.predict(np.full((1, model.size, model.size), 128, np.uint8))
    if probs.shape != (1, len(CLASSES)) or not np.isfinite(probs).all() or probs.min() < 0 \
            or abs(float(probs.sum()) - 1.0) > 1e-3:
        return Check("face model", FAIL, f"{model.path}: output {np.round(probs, 3).tolist()} is not "
                                         f"{len(CLASSES)} probabilities")
    v, a = valence_arousal(probs[0])
    detector, note = default_detector()
    faces = detector.find(np.zeros((240, 320, 3), np.uint8))
    if faces:
        return Check("face model", FAIL, f"the face detector found {len(faces)} face(s) in a black frame")
    status = WARN if note else OK
    return Check("face model", status, f"{model.path.name} {model.version} on {model.providers[0]}; blank "
                                       f"face -> {CLASSES[int(probs.argmax())]} (valence {v:.2f}, arousal "
                                       f"{a:.2f}); {note or 'MTCNN detector loads'}")


def check_audio() -> Check:
    """Output devices as PortAudio sees them; none is a warning (the library still works)."""
    try:
        import sounddevice as sd
    except OSError as exc:
        return Check("audio output", WARN, f"PortAudio library missing ({exc}); install libportaudio2")
    try:
        outputs = [d for d in sd.query_devices() if d["max_output_channels"] > 0]
    except sd.PortAudioError as exc:  # PortAudio present but failing to start: the rest still works
        return Check("audio output", WARN, f"PortAudio cannot list devices: {exc}")
    if not outputs:
        version = sd.get_portaudio_version()[1].split(",")[0]
        return Check("audio output", WARN, f"no output device ({version} found none)")
    try:
        default = sd.query_devices(kind="output")["name"]
    except sd.PortAudioError:
        default = "none"
    return Check("audio output", OK, f"{len(outputs)} output device(s), default {default!r}")


def check_camera(source: int | str | Path = 0) -> Check:
    """Opens and releases the camera (device index, or a video file the same way) as the live loop
    opens it; reads no frame, so nothing is captured and nothing is stored."""
    from moodplayer.vision.camera import open_capture

    cap, why = open_capture(source)
    if cap is None:
        return Check("camera", WARN, f"no camera ({why}); the mood pad still works")
    try:
        backend = cap.getBackendName()
    finally:
        cap.release()
    what = f"device {source}" if isinstance(source, int) else str(source)
    return Check("camera", OK, f"{what} opens ({backend})")


def check_database(db: Path | None) -> Check:
    """The library database can be written: an existing one takes a write lock (rolled back), its
    folder accepts the journal files SQLite makes beside it, and the disk has room. Nothing is
    created or changed."""
    import shutil

    from moodplayer.library.store import SCHEMA_VERSION, describe_error
    from moodplayer.paths import default_db_path

    path = Path(db) if db else default_db_path()
    folder = path.parent
    while not folder.exists():
        folder = folder.parent
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".moodplayer-selftest-"):
            pass
    except OSError as exc:
        what = "cannot be created" if not path.exists() else "cannot be written"
        return Check("database", FAIL, f"{path}: {what} ({folder}: {exc.strerror}; SQLite writes its "
                                       "journal files beside the database)")
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        free = None
    if free is not None and free < MIN_FREE_BYTES:
        return Check("database", FAIL, f"{path}: the disk is full ({free // 1024} KiB free in {folder})")
    if not path.exists():
        return Check("database", OK, f"{path}: not there yet, will be created ({folder} is writable)")
    conn = None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=5.0)
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            return Check("database", FAIL, f"{path}: written by a newer moodplayer (schema version {version}, "
                                           f"this one knows up to {SCHEMA_VERSION})")
        conn.execute("BEGIN IMMEDIATE")
        conn.rollback()
        tracks = conn.execute("SELECT count(*) FROM tracks").fetchone()[0] if version else 0
    except sqlite3.Error as exc:
        return Check("database", FAIL, f"{path}: {describe_error(exc)}")
    finally:
        if conn is not None:
            conn.close()
    return Check("database", OK, f"{path}: writable, schema {version}, {tracks} tracks")


def check_qt() -> Check:
    """The GUI's Qt parts: a QApplication starts, the xcb and offscreen platform plugins are there,
    JPEG/PNG/SVG images load (cover art, icons), and every moodplayer.ui module imports."""
    import importlib
    import pkgutil

    if not (os.environ.get("QT_QPA_PLATFORM") or os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import QLibraryInfo
    from PySide6.QtGui import QIcon, QImageReader
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["moodplayer"])
    plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
    problems = []
    if sys.platform.startswith("linux"):
        problems += [f"plugin {p} missing" for p in ("platforms/libqxcb.so", "platforms/libqoffscreen.so")
                     if not (plugins / p).is_file()]
    formats = {bytes(f).decode() for f in QImageReader.supportedImageFormats()}
    problems += [f"no {f} image support" for f in ("jpeg", "png", "svg") if f not in formats]
    svg = asset_path("moodplayer.svg")
    if svg is None or QIcon(str(svg)).pixmap(64, 64).isNull():
        problems.append(f"application icon does not render ({svg or 'assets/moodplayer.svg not found'})")
    import moodplayer.ui as ui

    for mod in pkgutil.iter_modules(ui.__path__):
        try:
            importlib.import_module(f"moodplayer.ui.{mod.name}")
        except Exception as exc:  # noqa: BLE001 - report every broken module, not just the first
            problems.append(f"moodplayer.ui.{mod.name}: {type(exc).__name__}: {exc}")
    if problems:
        return Check("qt", FAIL, "; ".join(problems))
    return Check("qt", OK, f"PySide6 {pyside_version} on {app.platformName()}, plugins in {plugins}")


def asset_path(name: str) -> Path | None:
    """assets/NAME in the source tree, the PyInstaller bundle, or an installed /usr/share layout."""
    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent.parent))
    for p in (base / "assets" / name, Path(sys.prefix) / "share" / "moodplayer" / name):
        if p.is_file():
            return p
    return None


# --- runner ----------------------------------------------------------------------------------------
def _timed(name: str, fn: Callable[..., Check], *args) -> Check:
    t0 = time.perf_counter()
    try:
        check = fn(*args)
    except Exception as exc:  # noqa: BLE001 - a check that raises is a failure with its reason, never a crash
        check = Check(name, FAIL, f"{type(exc).__name__}: {exc}")
    check.seconds = time.perf_counter() - t0
    return check


def run_checks(db: Path | None = None, models: Path | None = None, qt: bool = False,
               camera: bool = True, on_check: Callable[[Check], None] | None = None) -> list[Check]:
    """Run every check (each isolated from the others' failures) and return them in report order."""
    checks: list[Check] = []
    with tempfile.TemporaryDirectory(prefix="moodplayer-selftest-") as d:
        tmp = Path(d)
        plan: list[tuple[str, Callable[..., Check], tuple]] = [
            ("environment", check_environment, ()),
            ("decoders", check_decoders, (tmp,)),
            ("music model", check_music_model, (tmp, models)),
            ("analysis", check_analysis_workers, (tmp, models)),
            ("face model", check_face_model, (models,)),
            ("audio output", check_audio, ()),
        ]
        if camera:
            plan.append(("camera", check_camera, ()))
        plan.append(("database", check_database, (db,)))
        if qt:
            plan.append(("qt", check_qt, ()))
        for name, fn, args in plan:
            checks.append(_timed(name, fn, *args))
            if on_check:
                on_check(checks[-1])
    return checks


def format_check(c: Check) -> str:
    return f"{c.status:<5} {c.name:<13} {c.detail}  [{c.seconds:.2f} s]"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="moodplayer --self-test",
                                 description="Check that this installation works: models, decoders, "
                                             "audio, camera, database (and Qt with --qt).")
    ap.add_argument("--db", type=Path, default=None, help="library database to check (default: the app's)")
    ap.add_argument("--models", type=Path, default=None, help="folder of the ONNX models (default: the app's)")
    ap.add_argument("--qt", action="store_true", help="also check the GUI toolkit (Qt plugins, ui modules)")
    ap.add_argument("--no-camera", action="store_true", help="skip opening the camera")
    args = ap.parse_args(argv)
    print(f"moodplayer {__version__} self-test", flush=True)
    checks = run_checks(args.db, args.models, args.qt, not args.no_camera,
                        on_check=lambda c: print(format_check(c), flush=True))
    fails = sum(c.status == FAIL for c in checks)
    warns = sum(c.status == WARN for c in checks)
    print(f"{'FAILED' if fails else 'passed'}: {fails} failure(s), {warns} warning(s)")
    return 1 if fails else 0
