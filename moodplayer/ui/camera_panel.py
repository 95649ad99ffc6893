"""Camera panel: on/off, a live preview with the face box, the top emotion and its probabilities, and
"camera sets the mood". Without a camera, a face or the face model it says so; the pad keeps working.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from moodplayer.display import terminal_safe, tooltip_html
from moodplayer.ui import theme
from moodplayer.ui.camera_worker import CameraWorker
from moodplayer.ui.camera_source import SourcePicker
from moodplayer.ui.photo_mood import FILE_FILTER, PHOTO_MIN_CONFIDENCE, PhotoReader, dropped_photo, photo_preview

# FER+ classes as the vision module names them -> words people use
EMOTION_WORDS = {"neutral": "neutral", "happiness": "happy", "surprise": "surprised", "sadness": "sad",
                 "anger": "angry", "disgust": "disgusted", "fear": "afraid", "contempt": "contemptuous"}
STATE_TEXT = {
    "starting": "Starting the camera…",
    "no_face": "No face in view — the pad works by hand.",
    "dark": "Too dark to see a face.",
    "no_camera": "No camera found — drag the pad by hand.",
    "camera_lost": "The camera stopped — retrying…",
    "ended": "The video ended.",
    "error": "The camera failed.",
    "no_model": "Face model not installed — the pad works by hand.",
    "model_error": "The face model failed — the pad works by hand.",
}
MODEL_STATES = ("no_model", "model_error")
# the camera gives no picture in these: the pad's "you" marker and the glide must not keep the last face
GONE_STATES = ("ended", "error", "no_camera", "camera_lost")


def parse_source(text: str) -> int | str:
    """A settings value: a device number ("0") or a video file path."""
    text = (text or "0").strip()
    return int(text) if text.isdigit() else text


class ProbabilityBars(QWidget):
    """Eight small horizontal bars, one per expression class, strongest highlighted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.probabilities: dict[str, float] = {}
        self.setMinimumHeight(8 * 13)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_probabilities(self, probs: dict[str, float] | None) -> None:
        self.probabilities = dict(probs or {})
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(180, 8 * 13)

    def paintEvent(self, event: Any) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        f = QFont(self.font())
        f.setPointSizeF(max(7.5, f.pointSizeF() * 0.85))
        p.setFont(f)
        names = list(EMOTION_WORDS)
        top = max(self.probabilities, key=self.probabilities.get) if self.probabilities else None
        row_h = self.height() / len(names)
        label_w = max(p.fontMetrics().horizontalAdvance(w) for w in EMOTION_WORDS.values()) + 10.0
        track = QColor(theme.SURFACE_HI)
        for i, name in enumerate(names):
            y = i * row_h
            value = float(self.probabilities.get(name, 0.0))
            p.setPen(QColor(theme.TEXT if name == top else theme.MUTED))
            p.drawText(QRectF(0, y, label_w - 6, row_h), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       EMOTION_WORDS[name])
            bar = QRectF(label_w, y + row_h * 0.3, self.width() - label_w - 4, row_h * 0.4)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(track)
            p.drawRoundedRect(bar, bar.height() / 2, bar.height() / 2)
            if value > 0:
                fill = QRectF(bar.left(), bar.top(), max(bar.height(), bar.width() * value), bar.height())
                p.setBrush(QColor(theme.ACCENT if name == top else "#56607a"))
                p.drawRoundedRect(fill, bar.height() / 2, bar.height() / 2)
        p.end()


class CameraPanel(QWidget):
    moodRead = Signal(object)          # MoodReading (valence/arousal None when no face was seen yet)
    followChanged = Signal(bool)       # "camera sets the mood" toggled
    runningChanged = Signal(bool)
    sourceChosen = Signal(str)         # the picker: a camera number ("0") or a video file's path
    photoMood = Signal(object)         # the main face of a photo (FaceResult): the target goes there

    def __init__(self, source: Callable[[], int | str | Path], fps: Callable[[], float] = lambda: 8.0,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cameraPanel")
        self._source, self._fps = source, fps
        self.worker: CameraWorker | None = None
        self._retiring: set[CameraWorker] = set()   # stopped workers whose thread has not ended yet
        self.last_reading: Any = None
        self.state = "off"

        title = QLabel("Camera")
        title.setObjectName("sectionTitle")
        self.toggle = QPushButton("Turn on")
        self.toggle.setObjectName("cameraToggle")
        self.toggle.setCheckable(True)
        self.toggle.setToolTip("Read your mood from your face (frames stay in memory, nothing is stored)")
        self.toggle.toggled.connect(self._toggled)
        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.toggle)
        self._photo_setup(head)
        self.source_picker = SourcePicker()
        self.source_picker.sourceChosen.connect(self.sourceChosen)

        self.preview = QLabel()
        self.preview.setObjectName("cameraPreview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(200, 130)
        self.preview.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.preview.setText("Camera off")

        self.emotion = QLabel("—")
        self.emotion.setObjectName("emotionLabel")
        self.status = QLabel("The camera is off; the pad works by hand.")
        self.status.setTextFormat(Qt.TextFormat.PlainText)   # messages carry file names: never HTML
        self.status.setObjectName("mutedLabel")
        self.status.setWordWrap(True)
        self.bars = ProbabilityBars()
        self.follow = QCheckBox("Camera sets the mood")
        self.follow.setToolTip("Move the target smoothly to the mood on your face")
        self.follow.toggled.connect(self.followChanged)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(14, 10, 14, 10)
        lay.setSpacing(6)
        lay.addLayout(head)
        lay.addWidget(self.source_picker)
        lay.addWidget(self.preview, 1)
        lay.addWidget(self.emotion)
        lay.addWidget(self.bars)
        lay.addWidget(self.status)
        lay.addWidget(self.follow)
        self._compact(True)

    # -- control ------------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.worker is not None

    def start(self) -> None:
        if self.toggle.isChecked():
            self._start()
        else:
            self.toggle.setChecked(True)   # calls _start through the toggled signal

    def stop(self) -> None:
        if self.toggle.isChecked():
            self.toggle.setChecked(False)
        else:
            self._stop()

    def wait_stopped(self, ms: int) -> None:
        """On quit: let stopped camera threads end (Qt aborts if a running QThread is destroyed)."""
        for worker in list(self._retiring):
            worker.wait(ms)

    def _compact(self, off: bool) -> None:
        """Off, the panel is a few lines (the pad and the queue get the room); on, the picture shows.
        "The camera is off" goes without saying there (it stays the label's text, as its tooltip)."""
        for w in (self.preview, self.emotion, self.bars):
            w.setVisible(not off)
        self.status.setVisible(not off or self.state != "off")

    def _toggled(self, on: bool) -> None:
        self.toggle.setText("Turn off" if on else "Turn on")
        self._compact(not on)
        self._start() if on else self._stop()

    def _start(self) -> None:
        if self.worker is not None:
            return
        self._show_state("starting", "")
        self.worker = CameraWorker(self._source(), fps=self._fps())
        self.worker.reading.connect(self._on_reading)
        self.worker.status.connect(self._show_state)
        self.worker.finished.connect(self._on_finished)
        self.worker.start()
        self.runningChanged.emit(True)

    def _stop(self) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            self._retire(worker)
        self.state = "off"
        self.preview.clear()
        self.preview.setText("Camera off")
        self.emotion.setText("—")
        self.status.setText("The camera is off; the pad works by hand.")
        self.status.setToolTip("")
        self.status.hide()
        self.bars.set_probabilities(None)
        self.last_reading = None
        self.moodRead.emit(None)
        self.runningChanged.emit(False)

    def _retire(self, worker: CameraWorker, wait_ms: int = 3000) -> None:
        worker.reading.disconnect(self._on_reading)
        worker.status.disconnect(self._show_state)
        worker.stop(wait_ms)
        if worker.isFinished():
            worker.deleteLater()
        else:  # still loading the model or closing the device: deleting a running QThread aborts
            self._retiring.add(worker)
            worker.finished.connect(lambda w=worker: (self._retiring.discard(w), w.deleteLater()))

    def _give_up(self) -> None:
        """No camera there: stop looking, so the button says "Turn on" as the words say "no camera"
        (turning it on again looks again); the words stay on screen."""
        worker, self.worker = self.worker, None
        if worker is None:
            return
        self._retire(worker, 0)
        self.toggle.blockSignals(True)
        self.toggle.setChecked(False)
        self.toggle.setText("Turn on")
        self.toggle.blockSignals(False)
        self._compact(True)
        self.moodRead.emit(None)
        self.runningChanged.emit(False)

    def _on_finished(self) -> None:
        # the loop ended by itself (video over, missing file): keep the last words on screen
        if self.worker is not None and self.worker.isFinished():
            self.worker.deleteLater()
            self.worker = None
            self.toggle.blockSignals(True)
            self.toggle.setChecked(False)
            self.toggle.setText("Turn on")
            self.toggle.blockSignals(False)
            self._compact(True)
            self._forget_face()
            self.runningChanged.emit(False)

    def _forget_face(self) -> None:
        """No face is being read any more (ended, failed, lost): the marker and the glide let go."""
        self.last_reading = None
        self.moodRead.emit(None)

    # -- readings -----------------------------------------------------------------------------------
    def _on_reading(self, reading: Any, image: QImage | None) -> None:
        if self.worker is None:
            return   # queued before the camera was turned off: the panel has moved on
        if image is not None:
            pix = QPixmap.fromImage(image).scaled(self.preview.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                                  Qt.TransformationMode.SmoothTransformation)
            self.preview.setPixmap(pix)
        if reading is None:
            return
        if reading.state in GONE_STATES:   # the smoother still holds the last face: it is not there
            self._show_state(reading.state, reading.message)
            self.bars.set_probabilities(None)
            self._forget_face()
            return
        self.last_reading = reading
        if reading.state == "ok":
            word = EMOTION_WORDS.get(reading.emotion or "", reading.emotion or "—")
            share = (reading.probabilities or {}).get(reading.emotion or "", 0.0)
            self.emotion.setText(f"You look {word}  ·  {share:.0%}")
            self.status.setText(f"Mood: valence {reading.valence:.2f}, arousal {reading.arousal:.2f} "
                                f"(confidence {reading.confidence:.0%})")
            self.state = "ok"
        else:
            self._show_state(reading.state, reading.message)
        self.bars.set_probabilities(reading.probabilities)
        self.moodRead.emit(reading)

    def _show_state(self, state: str, message: str) -> None:
        if self.worker is None and self.state == "off":
            return
        if state in MODEL_STATES and self.state in ("no_camera", "ended", "camera_lost"):
            return   # the camera's own trouble is the more useful thing to say
        self.state = state
        self.status.show()
        text = STATE_TEXT.get(state, state)
        # the reason matters when there is no picture at all, or the model failed; else it is the tooltip
        detailed = state in ("no_camera", "error", *MODEL_STATES) and message
        self.status.setText(f"{text}\n{terminal_safe(message)}" if detailed else text)
        self.status.setToolTip(tooltip_html(message))
        if state in ("no_camera", "error", "ended", *MODEL_STATES) and self.preview.pixmap().isNull():
            self.preview.setText(STATE_TEXT.get(state, state).split(" —")[0])
        if state in ("no_face", "dark"):
            self.emotion.setText("No face")
        elif state not in ("ok", "ended", "camera_lost"):
            self.emotion.setText("—")
        if state in GONE_STATES and state != "no_camera":
            self._forget_face()
        if state == "no_camera":
            self._give_up()

    # -- mood from a photo ------------------------------------------------------------------------------
    def _photo_setup(self, head: QHBoxLayout) -> None:
        self.photo_button = QPushButton("Photo…")
        self.photo_button.setObjectName("photoButton")
        self.photo_button.setToolTip("Set the mood from a face in a photo (or drop a photo here or on the pad); "
                                     "the photo is only looked at, never copied or stored")
        self.photo_button.clicked.connect(self.choose_photo)
        head.insertWidget(head.count() - 1, self.photo_button)
        self.setAcceptDrops(True)
        self._photos = PhotoReader()
        self._photo_tasks: set[Any] = set()
        self.last_photo: Any = None   # the last PhotoMood shown (its faces; the picture is dropped)

    def choose_photo(self) -> None:
        """"Set mood from a photo…": pick a file and read it."""
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(self, "Set mood from a photo", str(Path.home()), FILE_FILTER)
        if path:
            self.show_photo(path)

    def show_photo(self, path: str | Path) -> None:
        """Read the faces in a photo in the background; the result shows here and moves the target."""
        from moodplayer.ui.tasks import run_in_background
        from moodplayer.ui.workers import Task

        if self.running:
            self.stop()   # the live picture would replace the photo at once
        self.state = "photo"
        self._compact(False)
        self.emotion.setText("—")
        self.status.setText(f"Looking for faces in {terminal_safe(Path(path).name)}…")
        task = Task(self._photos.job(Path(path)), name="photo mood")
        task.signals.result.connect(self._photo_done)
        task.signals.error.connect(self._photo_failed)
        task.signals.finished.connect(lambda: self._photo_tasks.discard(task))
        self._photo_tasks.add(task)
        run_in_background(task)

    def _photo_done(self, result: Any) -> None:
        if self.running:
            return   # the camera was turned on meanwhile: it owns the panel now
        if isinstance(result, Exception):
            self._photo_failed(result)
            return
        self.preview.setPixmap(QPixmap.fromImage(photo_preview(result.image, result.faces)).scaled(
            self.preview.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))
        self.last_photo = result
        result.image = None   # only the faces' numbers are kept, not the picture
        face = result.main
        if face is None:
            self.emotion.setText("No face")
            self.bars.set_probabilities(None)
            self.status.setText(f"No face found in {terminal_safe(result.name)} — the target stays where it was.")
            return
        word = EMOTION_WORDS.get(face.emotion, face.emotion)
        self.emotion.setText(f"Photo: {word}  ·  {face.probabilities.get(face.emotion, 0.0):.0%}")
        self.bars.set_probabilities(face.probabilities)
        if face.confidence < PHOTO_MIN_CONFIDENCE:
            self.status.setText(f"The face in {terminal_safe(result.name)} is turned away or cut off "
                                f"(confidence {face.confidence:.0%}) — the target stays where it was.")
            return
        more = f" ({len(result.faces)} faces, the largest sets the mood)" if len(result.faces) > 1 else ""
        self.status.setText(f"Mood from {terminal_safe(result.name)}{more}: valence {face.valence:.2f}, "
                            f"arousal {face.arousal:.2f} (confidence {face.confidence:.0%})")
        self.photoMood.emit(face)

    def _photo_failed(self, exc: Exception) -> None:
        self.emotion.setText("—")
        self.status.setText(terminal_safe(str(exc)) or type(exc).__name__)
        self.status.setToolTip(tooltip_html(str(exc)))

    def dragEnterEvent(self, event: Any) -> None:
        if dropped_photo(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: Any) -> None:
        path = dropped_photo(event.mimeData())
        if path is not None:
            event.acceptProposedAction()
            self.show_photo(path)
