"""Frame -> faces -> expression -> (valence, arousal) -> smoothed mood, without Qt or torch.

``FacePipeline.faces`` is stateless (one photo: every face). ``FacePipeline.process`` is the live
path: it follows one face (the largest, then the same one), classifies it, and folds the result into
a time-smoothed ``MoodReading`` that the GUI and the ``camera`` command consume.

The detector is MTCNN (five landmarks: the crop is levelled by the eyes, and a turned or cut-off
face counts for less); when its nets cannot be loaded the Haar cascade takes over and
``detector_note`` says why. Live, the whole frame is searched every ``redetect_every`` frames and
while no face is followed; in between the face is followed from its last box (for MTCNN, O-net
alone on that box: a few milliseconds instead of a pyramid).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Protocol

import numpy as np

from moodplayer.vision import camera as cam
from moodplayer.vision.align import aligned_crop, quality
from moodplayer.vision.circumplex import CLASSES, valence_arousal
from moodplayer.vision.detect import Box, BoxTracker, Face, FaceDetector, iou, to_gray
from moodplayer.vision.expression import ExpressionModel, ModelError, crop_face
from moodplayer.vision.smoothing import MoodSmoother

log = logging.getLogger(__name__)

# states a MoodReading can carry, besides the camera's own (no_camera, camera_lost, ended, error)
FACE = "ok"
NO_FACE = "no_face"
DARK = "dark"


class Detector(Protocol):
    """What the pipeline needs of a face detector (MtcnnDetector, FaceDetector)."""

    def find(self, image: np.ndarray) -> list[Face]: ...

    def find_near(self, image: np.ndarray, prev: Box) -> list[Face]: ...


def default_detector(min_face_frac: float = 0.1) -> tuple[Detector, str]:
    """MTCNN, or the Haar cascade with the reason when MTCNN's nets cannot be loaded."""
    from moodplayer.vision.mtcnn import MtcnnDetector

    try:
        return MtcnnDetector(min_face_frac=min_face_frac), ""
    except (OSError, ValueError) as exc:   # missing file, DetectorError (a ValueError)
        log.warning("MTCNN unavailable, using the Haar cascade: %s", exc)
        return FaceDetector(min_face_frac=min_face_frac), f"MTCNN unavailable, using the Haar cascade: {exc}"


@dataclass
class FaceResult:
    """One classified face in one frame."""

    box: list[int] | None  # x, y, w, h in frame pixels; None for a whole-image crop
    probabilities: dict[str, float]
    emotion: str
    valence: float
    arousal: float
    confidence: float = 1.0  # 0..1: lower for a face turned away, cut off or scored low (align.quality)
    landmarks: list[list[float]] | None = None  # eyes, nose, mouth corners (MTCNN only)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class MoodReading:
    """The smoothed mood after a frame (or a camera event): what the GUI shows and plays from.

    valence/arousal are None until a face has been seen; confidence (0..1) says how much to trust
    them: it builds up while a face is visible and decays when none is.
    """

    valence: float | None
    arousal: float | None
    confidence: float
    emotion: str | None
    probabilities: dict[str, float] | None
    box: list[int] | None
    state: str
    t: float = 0.0
    message: str = ""
    faces: list[FaceResult] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def _face_result(face: Face | None, probs: np.ndarray, confidence: float = 1.0) -> FaceResult:
    v, a = valence_arousal(probs)
    marks = None if face is None or face.landmarks is None else \
        [[round(float(x), 1), round(float(y), 1)] for x, y in face.landmarks]
    return FaceResult(box=None if face is None else face.box.as_list(),
                      probabilities={c: round(float(p), 4) for c, p in zip(CLASSES, probs)},
                      emotion=CLASSES[int(np.argmax(probs))], valence=round(v, 4), arousal=round(a, 4),
                      confidence=round(float(confidence), 4), landmarks=marks)


class FacePipeline:
    """Detector + tracker + expression model + smoother, built once and fed frame after frame."""

    def __init__(self, model: ExpressionModel | None = None, detector: Detector | None = None,
                 tau: float = 1.5, redetect_every: int = 10, dark_threshold: float = 25.0,
                 all_faces: bool = False) -> None:
        self.model = model or ExpressionModel()
        self.detector_note = ""
        if detector is None:
            detector, self.detector_note = default_detector()
        self.detector: Detector = detector
        self.tracker = BoxTracker()
        self.smoother = MoodSmoother(tau=tau)
        self.redetect_every = redetect_every
        self.dark_threshold = dark_threshold
        self.all_faces = all_faces  # classify every face per frame (CLI), not only the tracked one
        self._n = 0

    def reset(self) -> None:
        self.tracker.reset()
        self.smoother.reset()
        self._n = 0

    def _crop(self, gray: np.ndarray, face: Face) -> np.ndarray:
        """The expression model's input: levelled by the eyes when there are landmarks."""
        if face.landmarks is not None:
            return aligned_crop(gray, face, self.model.size)
        return crop_face(gray, face.box, self.model.size)

    def _classify(self, gray: np.ndarray, faces: list[Face]) -> tuple[list[FaceResult], np.ndarray]:
        probs = self.model.predict([self._crop(gray, f) for f in faces])
        return [_face_result(f, p, quality(f, gray.shape)) for f, p in zip(faces, probs)], probs

    def faces(self, frame: np.ndarray, crop: bool = False) -> list[FaceResult]:
        """Every face in one image (largest first); ``crop`` = the image is already a face crop."""
        gray = to_gray(frame)
        if crop:
            return [_face_result(None, p) for p in self.model.predict_faces(gray, [None])]
        found = self.detector.find(frame)
        return self._classify(gray, found)[0] if found else []

    def _detect(self, frame: np.ndarray) -> list[Face]:
        prev = self.tracker.box
        full = prev is None or self.all_faces or self._n % self.redetect_every == 0
        found = [] if full else self.detector.find_near(frame, prev)  # type: ignore[arg-type]
        return found or self.detector.find(frame)

    def process(self, frame: np.ndarray, t: float | None = None) -> MoodReading:
        """Fold one frame taken at time ``t`` (seconds; default now) into the smoothed mood."""
        t = time.monotonic() if t is None else t
        gray = to_gray(frame)
        self._n += 1
        if float(gray.mean()) < self.dark_threshold:
            self.tracker.update([])
            return self._reading(self.smoother.miss(t), DARK, t, None, [], "frame too dark to see a face")
        found = self._detect(frame)
        tracked = self.tracker.update([f.box for f in found])
        if tracked is None:
            return self._reading(self.smoother.miss(t), NO_FACE, t, None, [])
        if not found:
            # the detector blinked: keep the box on screen but do not classify whatever is behind it
            return self._reading(self.smoother.miss(t), FACE, t, tracked, [], "face held (not detected)")
        best = max(found, key=lambda f: iou(f.box, tracked))
        # the smoothed box frames the crop (steady); this frame's landmarks level it
        main = Face(tracked, best.score, best.landmarks)
        others = [f for f in found if iou(f.box, tracked) < 0.3] if self.all_faces else []
        results, probs = self._classify(gray, [main, *others])
        m = results[0]
        s = self.smoother.update(t, m.valence, m.arousal, m.confidence, probs[0])
        return self._reading(s, FACE, t, tracked, results)

    def event(self, state: str, message: str = "", t: float | None = None) -> MoodReading:
        """A reading for a camera state without a frame (no camera, lost, ended, error)."""
        t = time.monotonic() if t is None else t
        self.tracker.reset()
        return self._reading(self.smoother.miss(t), state, t, None, [], message)

    def _reading(self, s, state: str, t: float, box: Box | None, faces: list[FaceResult],
                 message: str = "") -> MoodReading:
        probs = None if s.probabilities is None else {c: round(float(p), 4) for c, p in zip(CLASSES, s.probabilities)}
        emotion = None if s.probabilities is None else CLASSES[int(np.argmax(s.probabilities))]
        return MoodReading(
            valence=None if s.valence is None else round(s.valence, 4),
            arousal=None if s.arousal is None else round(s.arousal, 4),
            confidence=round(s.confidence, 4), emotion=emotion, probabilities=probs,
            box=None if box is None else box.as_list(), state=state, t=t, message=message, faces=faces)


@dataclass
class LiveStep:
    """One turn of the live loop: the reading and, when a new frame caused it, that frame."""

    reading: MoodReading | None   # None: a frame read while there is no face model
    frame: cam.Frame | None       # None: a camera event (no camera, lost, ended, error, idle)


def _bare_reading(state: str, message: str) -> MoodReading:
    """A camera state without a face model: no mood, just what the camera is doing."""
    return MoodReading(valence=None, arousal=None, confidence=0.0, emotion=None, probabilities=None, box=None,
                       state=state, t=time.monotonic(), message=message)


def live_loop(source: cam.CameraSource, pipeline: FacePipeline | None, *, fps: float | None = None,
              idle_s: float = 0.5, give_up_s: float | None = None, stopped: Callable[[], bool] = lambda: False,
              on_model_error: Callable[[ModelError], None] | None = None) -> Iterator[LiveStep]:
    """The one camera loop (the ``camera`` command, the GUI's camera worker, the privacy probe).

    One step per new frame and one per ``idle_s`` without one. Frames that arrive while the last
    is still being analysed are dropped (the source keeps only the newest), and with ``fps`` at most
    that many a second are analysed. Ends when ``stopped()`` says so, when a file ends or cannot be
    opened, or when a device has given no frame at all within ``give_up_s`` seconds (a device that
    was lost keeps retrying). A model that fails on a frame raises ModelError, or, with
    ``on_model_error``, is reported there and dropped while the frames keep coming.
    """
    last, next_at, start, seen = -1, 0.0, time.monotonic(), False
    while not stopped():
        state, frame = source.wait_next(last, timeout=idle_s)
        if stopped():
            return
        if frame is not None and frame.index > last:
            last, seen = frame.index, True
            if fps:
                now = time.monotonic()
                if now < next_at:
                    continue
                next_at = now + 1.0 / fps
            reading = None
            if pipeline is not None:
                try:
                    reading = pipeline.process(frame.image, frame.t)
                except ModelError as exc:
                    if on_model_error is None:
                        raise
                    on_model_error(exc)
                    pipeline = None
            yield LiveStep(reading, frame)
            continue
        message = source.message
        yield LiveStep(pipeline.event(state, message) if pipeline is not None else _bare_reading(state, message), None)
        if state in (cam.ENDED, cam.ERROR) or (state == cam.NO_CAMERA and not source.is_device):
            return
        if give_up_s is not None and not seen and state == cam.NO_CAMERA and time.monotonic() - start >= give_up_s:
            return


def live_readings(source: cam.CameraSource, pipeline: FacePipeline, idle_s: float = 0.5) -> Iterator[MoodReading]:
    """The live loop's readings alone (every step has one when there is a face model)."""
    for step in live_loop(source, pipeline, idle_s=idle_s):
        if step.reading is not None:
            yield step.reading
