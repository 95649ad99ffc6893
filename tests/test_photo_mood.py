"""Mood from a photo: dropped on the pad or the camera panel, or picked with "Set mood from a photo…",
its main face's mood becomes the target; a photo without a face says so and leaves the target."""
from __future__ import annotations

import os

import cv2
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from moodplayer.ui.photo_mood import dropped_photo
from moodplayer.vision.photo import PhotoError, photo_mood, photo_pipeline
from tests._faces import LANDSCAPE, astronaut_bgr, pyfeat_media
from tests._ui import library_db, make_window, scanned_library  # noqa: F401


@pytest.fixture
def astronaut_jpg(tmp_path):
    path = tmp_path / "astronaut photo.jpg"
    cv2.imwrite(str(path), astronaut_bgr())
    return path


def _drop(widget, path) -> bool:
    """Drag a file from a file manager onto ``widget`` and let go; True when the widget took it."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    pos = QPoint(widget.width() // 2, widget.height() // 2)
    enter = QDragEnterEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(QPointF(pos), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, drop)
    return drop.isAccepted()


def test_photo_mood_reads_the_main_face(astronaut_jpg):
    result = photo_mood(astronaut_jpg, photo_pipeline())
    assert result.name == "astronaut photo.jpg"
    assert len(result.faces) == 1 and result.main.emotion == "happiness" and result.main.valence > 0.6


def test_photo_without_a_face_and_unreadable_files(tmp_path):
    pipe = photo_pipeline()
    assert photo_mood(pyfeat_media() / LANDSCAPE, pipe).faces == []
    bad = tmp_path / "holiday.jpg"
    bad.write_text("not a photo")
    with pytest.raises(PhotoError, match="holiday.jpg: not an image"):
        photo_mood(bad, pipe)
    with pytest.raises(PhotoError, match="gone.png: cannot read it"):
        photo_mood(tmp_path / "gone.png", pipe)


def test_dropping_the_astronaut_on_the_pad_moves_the_target_to_the_positive_side(
        make_window, library_db, qtbot, sync_tasks, astronaut_jpg):
    w = make_window(library_db)
    w.pad.set_target(0.2, 0.5, emit=True)
    before = sorted(os.listdir(astronaut_jpg.parent))
    assert _drop(w.pad, astronaut_jpg)
    qtbot.waitUntil(lambda: w.camera.last_photo is not None, timeout=30000)
    v, a = w.pad.target
    assert v > 0.6, w.pad.target
    assert w.session.target == pytest.approx((v, a))
    assert "happy" in w.camera.emotion.text() and "astronaut photo.jpg" in w.camera.status.text()
    assert not w.camera.preview.pixmap().isNull()          # the photo with its face box
    assert w.camera.bars.probabilities["happiness"] > 0.5
    assert w.camera.last_photo.image is None                # the picture is not kept
    assert sorted(os.listdir(astronaut_jpg.parent)) == before   # nor copied anywhere beside it


def test_a_photo_without_a_face_says_so_and_leaves_the_target(make_window, library_db, qtbot, sync_tasks):
    w = make_window(library_db)
    w.pad.set_target(0.3, 0.7, emit=True)
    assert _drop(w.camera, pyfeat_media() / LANDSCAPE)
    qtbot.waitUntil(lambda: w.camera.last_photo is not None, timeout=30000)
    assert "No face found" in w.camera.status.text() and "stays where it was" in w.camera.status.text()
    assert w.pad.target == pytest.approx((0.3, 0.7))


def test_a_bad_file_and_a_folder_are_refused_plainly(make_window, library_db, qtbot, sync_tasks, tmp_path):
    w = make_window(library_db)
    w.pad.set_target(0.3, 0.7, emit=True)
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    assert _drop(w.camera, bad)
    qtbot.waitUntil(lambda: "broken.png" in w.camera.status.text(), timeout=30000)
    assert "Traceback" not in w.camera.status.text()
    assert w.pad.target == pytest.approx((0.3, 0.7))

    def urls(*paths):
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
        return mime

    # a folder stays the window's (add music), a text file is nobody's; the first photo among several wins
    assert dropped_photo(urls(tmp_path)) is None and dropped_photo(urls(tmp_path / "notes.txt")) is None
    assert dropped_photo(urls(tmp_path, bad)) == bad


def test_the_menu_action_and_the_button_are_there(make_window, library_db):
    w = make_window(library_db)
    assert "photo" in w.actions_["photo_mood"].text().lower()
    assert w.camera.photo_button.isVisible()


def test_a_turned_away_face_is_shown_but_does_not_set_the_mood(make_window, library_db, qtbot, sync_tasks):
    w = make_window(library_db)
    w.pad.set_target(0.3, 0.7, emit=True)
    w.camera.show_photo(pyfeat_media() / "45-m7-di-ph.jpg")   # a face in near profile
    qtbot.waitUntil(lambda: w.camera.last_photo is not None, timeout=30000)
    assert w.camera.last_photo.main.confidence < 0.25
    assert "turned away" in w.camera.status.text() and w.camera.bars.probabilities
    assert w.pad.target == pytest.approx((0.3, 0.7))
