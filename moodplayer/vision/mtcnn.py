"""MTCNN face detection in numpy over three small ONNX nets: boxes, scores and five landmarks.

The cascade (Zhang et al. 2016): an image pyramid goes through the fully convolutional P-net,
whose 12x12 windows at stride 2 propose faces; non-maximum suppression and box regression thin
them out; R-net re-scores a 24x24 crop of each proposal, O-net a 48x48 crop and also places the
eyes, the nose tip and the mouth corners. The nets come from the facenet-pytorch 2.6.0 weights
(models/mtcnn.md, made by moodplayer/train/mtcnn_export.py); nothing here needs torch.

Landmark order: left eye, right eye, nose, left mouth corner, right mouth corner, where "left" is
the image's left (the person's right eye).
"""
from __future__ import annotations

import logging
from pathlib import Path

import cv2
import numpy as np

from moodplayer import onnx_session
from moodplayer.display import display_path
from moodplayer.onnx_session import create_session, first_line
from moodplayer.paths import models_dir
from moodplayer.vision.detect import Box, Face

log = logging.getLogger(__name__)

NET_FILES = {"pnet": "mtcnn_pnet.onnx", "rnet": "mtcnn_rnet.onnx", "onet": "mtcnn_onet.onnx"}
_OUTPUTS = {"pnet": 2, "rnet": 2, "onet": 3}


class DetectorError(onnx_session.ModelError, ValueError):
    """An MTCNN net is missing, unreadable or not the net it should be; the message names the file."""


def _to_rgb(image: np.ndarray) -> np.ndarray:
    """BGR, BGRA or gray (as OpenCV reads them) -> RGB uint8, the nets' channel order."""
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2RGB)
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def nms(boxes: np.ndarray, scores: np.ndarray, threshold: float, by_min: bool = False) -> np.ndarray:
    """Indices kept by greedy non-maximum suppression (overlap by IoU, or by the smaller area)."""
    if len(boxes) == 0:
        return np.zeros(0, np.int64)
    x1, y1, x2, y2 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    area = np.maximum(0.0, x2 - x1) * np.maximum(0.0, y2 - y1)
    order = np.argsort(-scores, kind="stable")
    keep = []
    while order.size:
        i, rest = order[0], order[1:]
        keep.append(i)
        w = np.maximum(0.0, np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest]))
        h = np.maximum(0.0, np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest]))
        inter = w * h
        denom = np.minimum(area[i], area[rest]) if by_min else area[i] + area[rest] - inter
        overlap = np.divide(inter, denom, out=np.zeros_like(inter), where=denom > 0)
        order = rest[overlap <= threshold]
    return np.asarray(keep, np.int64)


def squared(boxes: np.ndarray) -> np.ndarray:
    """x1,y1,x2,y2 boxes made square around their centres (the side is the longer one)."""
    out = boxes.copy()
    w, h = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    side = np.maximum(w, h)
    out[:, 0] = boxes[:, 0] + (w - side) / 2
    out[:, 1] = boxes[:, 1] + (h - side) / 2
    out[:, 2] = out[:, 0] + side
    out[:, 3] = out[:, 1] + side
    return out


def regress(boxes: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Apply the nets' box offsets (fractions of the box side) to x1,y1,x2,y2 boxes."""
    w, h = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    return boxes[:, :4] + offsets * np.stack([w, h, w, h], axis=1)


def crops(rgb: np.ndarray, boxes: np.ndarray, size: int) -> np.ndarray:
    """[N, 3, size, size] normalised crops; parts of a box outside the image are black, as in training."""
    H, W = rgb.shape[:2]
    out = np.zeros((len(boxes), size, size, 3), np.float32)
    for k, (x1, y1, x2, y2) in enumerate(np.round(boxes[:, :4]).astype(np.int64)):
        bw, bh = x2 - x1, y2 - y1
        if bw < 1 or bh < 1:
            continue
        patch = np.zeros((bh, bw, 3), np.uint8)
        sx0, sy0, sx1, sy1 = max(0, x1), max(0, y1), min(W, x2), min(H, y2)
        if sx1 > sx0 and sy1 > sy0:
            patch[sy0 - y1:sy1 - y1, sx0 - x1:sx1 - x1] = rgb[sy0:sy1, sx0:sx1]
        out[k] = cv2.resize(patch, (size, size), interpolation=cv2.INTER_AREA)
    return ((out - 127.5) / 128.0).transpose(0, 3, 1, 2)


class MtcnnDetector:
    """The MTCNN cascade over onnxruntime sessions made once (one CPU thread each by default).

    ``min_face_frac``: smallest face searched for, as a fraction of the image's shorter side (the
    live camera), ``min_face_px`` as an absolute floor (a photo with small faces); the pyramid starts
    where such a face becomes P-net's 12-pixel window, so larger minimums cost far less.
    """

    def __init__(self, models: str | Path | None = None, *, min_face_frac: float = 0.1, min_face_px: int = 20,
                 thresholds: tuple[float, float, float] = (0.6, 0.7, 0.8), factor: float = 0.709,
                 threads: int = 1, use_gpu: bool = False) -> None:
        folder = Path(models) if models else models_dir()
        self.sessions = {}
        for name, file in NET_FILES.items():
            path = folder / file
            if not path.is_file():
                raise FileNotFoundError(f"{path}: MTCNN face detector net not found "
                                        "(run python -m moodplayer.train.mtcnn_export)")
            self.sessions[name] = create_session(path, what=f"MTCNN {name}", use_gpu=use_gpu, threads=threads,
                                                 inter_threads=1, error=DetectorError)
        self.paths = {name: folder / file for name, file in NET_FILES.items()}
        self.min_face_frac, self.min_face_px = min_face_frac, min_face_px
        self.thresholds, self.factor = thresholds, factor
        self._check()
        log.info("MTCNN detector from %s", display_path(folder))

    def _check(self) -> None:
        """Run each net once on a blank input: a wrong or damaged file fails here, not mid-camera."""
        for name, size in (("pnet", 12), ("rnet", 24), ("onet", 48)):
            out = self._run(name, np.zeros((1, 3, size, size), np.float32))
            if len(out) != _OUTPUTS[name] or out[0].shape[0] != 1 or out[1].shape[1] != 4:
                raise DetectorError(f"{self.paths[name]}: gives {[list(o.shape) for o in out]}, "
                                    f"not the MTCNN {name} outputs (face, box{', landmarks' if name == 'onet' else ''})")

    def _run(self, name: str, x: np.ndarray) -> list[np.ndarray]:
        try:
            return self.sessions[name].run(None, {"image": np.ascontiguousarray(x, np.float32)})
        except Exception as exc:  # noqa: BLE001 - onnxruntime's own error types
            raise DetectorError(f"{self.paths[name]}: the MTCNN {name} failed ({first_line(exc)})") from exc

    # -- stages -------------------------------------------------------------------------------------
    def _proposals(self, rgb: np.ndarray, min_face: float) -> np.ndarray:
        """P-net over the pyramid: [N, 9] rows of x1, y1, x2, y2, score, 4 offsets (regressed, squared)."""
        H, W = rgb.shape[:2]
        scale = 12.0 / max(12.0, min_face)
        # every level is resized from the first one, which is small: the full frame is read once
        base = cv2.resize(rgb, (int(W * scale + 1), int(H * scale + 1)),
                          interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
        base_scale = scale
        found = []
        while min(H, W) * scale >= 12:
            h, w = int(H * scale + 1), int(W * scale + 1)
            img = base if scale == base_scale else cv2.resize(base, (w, h), interpolation=cv2.INTER_AREA)
            x = ((img.astype(np.float32) - 127.5) / 128.0).transpose(2, 0, 1)[None]
            prob, off = self._run("pnet", x)
            rows, cols = np.nonzero(prob[0] >= self.thresholds[0])
            if rows.size:
                boxes = np.stack([2 * cols, 2 * rows, 2 * cols + 12, 2 * rows + 12], axis=1) / scale
                cand = np.concatenate([boxes, prob[0, rows, cols][:, None], off[0][:, rows, cols].T], axis=1)
                found.append(cand[nms(cand[:, :4], cand[:, 4], 0.5)])
            scale *= self.factor
        if not found:
            return np.zeros((0, 5))
        cand = np.concatenate(found)
        cand = cand[nms(cand[:, :4], cand[:, 4], 0.7)]
        return np.concatenate([squared(regress(cand, cand[:, 5:9])), cand[:, 4:5]], axis=1)

    def _refine(self, rgb: np.ndarray, boxes: np.ndarray) -> np.ndarray:
        """R-net: keep proposals it scores as faces, regress and square them."""
        if len(boxes) == 0:
            return boxes
        prob, off = self._run("rnet", crops(rgb, boxes, 24))
        keep = prob >= self.thresholds[1]
        boxes, prob, off = boxes[keep], prob[keep], off[keep]
        pick = nms(boxes[:, :4], prob, 0.7)
        boxes, prob, off = boxes[pick], prob[pick], off[pick]
        return np.concatenate([squared(regress(boxes, off)), prob[:, None]], axis=1)

    def _output(self, rgb: np.ndarray, boxes: np.ndarray, threshold: float) -> list[Face]:
        """O-net: final score, box and landmarks; overlapping finals merge (by the smaller box)."""
        if len(boxes) == 0:
            return []
        prob, off, marks = self._run("onet", crops(rgb, boxes, 48))
        keep = prob >= threshold
        boxes, prob, off, marks = boxes[keep], prob[keep], off[keep], marks[keep]
        w, h = (boxes[:, 2] - boxes[:, 0])[:, None], (boxes[:, 3] - boxes[:, 1])[:, None]
        points = np.stack([boxes[:, 0:1] + w * marks[:, :5], boxes[:, 1:2] + h * marks[:, 5:]], axis=2)
        final = regress(boxes, off)
        pick = nms(final, prob, 0.7, by_min=True)
        faces = []
        for i in pick:
            x1, y1, x2, y2 = final[i]
            box = Box(int(round(x1)), int(round(y1)), max(1, int(round(x2 - x1))), max(1, int(round(y2 - y1))))
            faces.append(Face(box, float(prob[i]), points[i].astype(np.float64)))
        return sorted(faces, key=lambda f: f.box.area, reverse=True)

    # -- public ---------------------------------------------------------------------------------------
    def find(self, image: np.ndarray, min_face: float | None = None) -> list[Face]:
        """Every face in a BGR (or gray) image, largest first, with scores and landmarks."""
        rgb = _to_rgb(image)
        if min_face is None:
            min_face = max(self.min_face_px, self.min_face_frac * min(rgb.shape[:2]))
        boxes = self._refine(rgb, self._proposals(rgb, min_face))
        return self._output(rgb, boxes, self.thresholds[2])

    def find_near(self, image: np.ndarray, prev: Box) -> list[Face]:
        """Follow a face from the previous frame: O-net alone on that box (a few ms, no pyramid).

        A face that moved less than about a third of its size is found again; one that moved
        further (or left) gives [] and the caller searches the whole frame.
        """
        rgb = _to_rgb(image)
        box = np.array([[prev.x, prev.y, prev.x + prev.w, prev.y + prev.h, 1.0]], np.float64)
        return self._output(rgb, squared(box[:, :4]), self.thresholds[2])

    def detect(self, gray: np.ndarray) -> list[Box]:
        """Boxes alone, as the Haar detector gives them (for comparisons and old callers)."""
        return [f.box for f in self.find(gray)]
