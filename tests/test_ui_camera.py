"""The camera panel: a face video read through the vision module's cv2.VideoCapture path moves the pad's
camera marker; no camera (or no face) is said plainly and the pad keeps working by hand."""
from __future__ import annotations

import math

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from tests._faces import FACE_VIDEO, NO_FACE_VIDEO, pyfeat_media
from tests._ui import library_db, make_window, scanned_library  # noqa: F401


def _face_model():
    from moodplayer.paths import models_dir

    path = models_dir() / "face_emotion.onnx"
    if not path.is_file():
        pytest.skip(f"{path} is not there yet: reading a face needs the real expression model")
    return path


def _drag_works(w) -> None:
    pad = w.pad
    a, b = pad.to_px(0.5, 0.5), pad.to_px(0.25, 0.75)
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a.toPoint())
    QTest.mouseMove(pad, QPoint(round(b.x()), round(b.y())))
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b.toPoint())
    assert pad.target == pytest.approx((0.25, 0.75), abs=0.01)


def test_no_camera_says_so_and_the_pad_works_by_hand(make_window, library_db, qtbot):
    w = make_window(library_db, camera_source=9)        # no /dev/video9 here
    w.camera.start()
    qtbot.waitUntil(lambda: w.camera.state == "no_camera", timeout=15000)
    assert "No camera" in w.camera.status.text()
    assert w.pad.camera is None
    _drag_works(w)
    w.camera.stop()
    assert not w.camera.running and "off" in w.camera.status.text()


def test_a_missing_video_file_is_no_camera(make_window, library_db, qtbot, tmp_path):
    w = make_window(library_db, camera_source=str(tmp_path / "nowhere.mp4"))
    w.camera.start()
    qtbot.waitUntil(lambda: w.camera.state == "no_camera", timeout=15000)
    assert "nowhere.mp4" in w.camera.status.text()
    qtbot.waitUntil(lambda: not w.camera.running, timeout=5000)   # a file will not appear: it stops


def test_face_video_moves_the_camera_marker(make_window, library_db, qtbot):
    _face_model()
    video = pyfeat_media() / FACE_VIDEO
    w = make_window(library_db, camera_source=str(video))
    w.pad.set_target(0.05, 0.95)
    w.session.set_target(0.05, 0.95)
    w.camera.follow.setChecked(True)        # "camera sets the mood" also turns the camera on
    assert w.camera.running
    qtbot.waitUntil(lambda: w.pad.camera is not None and w.pad.camera[2] > 0.3, timeout=20000)
    v, a, conf = w.pad.camera
    assert 0.0 <= v <= 1.0 and 0.0 <= a <= 1.0
    assert not w.camera.preview.pixmap().isNull()                       # live preview, in memory
    assert w.camera.emotion.text().startswith("You look")
    assert abs(sum(w.camera.bars.probabilities.values()) - 1.0) < 0.05  # the bar chart's numbers
    assert w.camera.last_reading.box is not None                        # the face box drawn on it
    start = math.dist((0.05, 0.95), w.pad.camera[:2])
    # the target glides toward the face's mood, and the queue follows it
    qtbot.waitUntil(lambda: math.dist(w.pad.target, w.pad.camera[:2]) < 0.5 * start, timeout=15000)
    assert w.session.target == w.pad.target
    w.camera.stop()
    assert w.pad.camera is None


def test_video_without_a_face_says_no_face(make_window, library_db, qtbot):
    _face_model()
    w = make_window(library_db, camera_source=str(pyfeat_media() / NO_FACE_VIDEO))
    w.camera.start()
    qtbot.waitUntil(lambda: w.camera.state == "no_face", timeout=20000)
    assert "No face" in w.camera.status.text()
    assert w.pad.camera is None
    _drag_works(w)


def test_the_marker_goes_when_the_face_video_ends(make_window, library_db, qtbot):
    """Issue 14: after "The video ended." the pad showed "you · happy" for good; a video that ends
    (read through cv2.VideoCapture like a camera) takes the marker and the glide's goal with it."""
    _face_model()
    w = make_window(library_db, camera_source=str(pyfeat_media() / FACE_VIDEO))   # a 3 s clip
    w.camera.follow.setChecked(True)
    qtbot.waitUntil(lambda: w.pad.camera is not None, timeout=20000)
    qtbot.waitUntil(lambda: not w.camera.running, timeout=30000)                 # the clip is over
    assert w.camera.status.text() == "The video ended."
    assert w.pad.camera is None                        # no "you · happy" left on the pad
    assert w.camera.last_reading is None               # a mood path starts from the pad, not the old face
    assert w.mood.follower.goal is None                # and the target stops gliding toward it
    target = w.pad.target
    qtbot.wait(200)
    assert w.pad.target == target


def test_a_reading_moves_the_target_at_once_and_smoothly(qtbot):
    """Issue 15: the first glide step happens when the reading arrives (not at the timer's next tick),
    and it is a small step (one frame's worth of the glide), so the camera never makes the target jump."""
    from moodplayer.ui.follow import CameraFollower
    from moodplayer.vision.pipeline import MoodReading

    f = CameraFollower()
    moves: list[tuple[float, float]] = []
    f.moved.connect(lambda v, a: moves.append((v, a)))
    f.set_enabled(True, (0.5, 0.5))
    f.set_reading(MoodReading(0.9, 0.1, 0.9, "happiness", None, None, "ok"))
    assert len(moves) == 1                              # synchronously: no wait for the glide timer
    first = math.dist((0.5, 0.5), moves[0])
    assert 0.0 < first < 0.1 * math.dist((0.5, 0.5), (0.9, 0.1))
    qtbot.waitUntil(lambda: len(moves) >= 6, timeout=5000)
    steps = [math.dist(p, q) for p, q in zip(moves, moves[1:])]
    assert all(0.0 < s < 0.1 for s in steps)            # the glide goes on in small steps
    d = [math.dist(p, (0.9, 0.1)) for p in moves]
    assert all(b < a for a, b in zip(d, d[1:]))         # always toward the face, never back
    # a low-confidence reading (face turned away) stops it where it is
    f.set_reading(MoodReading(0.1, 0.9, 0.1, "neutral", None, None, "ok"))
    n = len(moves)
    qtbot.wait(100)
    assert len(moves) == n
