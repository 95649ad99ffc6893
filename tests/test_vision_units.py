"""Circumplex mapping, time-based smoothing and box tracking: pure logic, no model needed."""
from __future__ import annotations

import math

import numpy as np
import pytest

from moodplayer.vision.circumplex import CLASSES, class_points, valence_arousal
from moodplayer.vision.detect import Box, BoxTracker
from moodplayer.vision.smoothing import MoodSmoother


def onehot(name: str) -> np.ndarray:
    p = np.zeros(len(CLASSES))
    p[CLASSES.index(name)] = 1.0
    return p


def test_circumplex_quadrants() -> None:
    v, a = valence_arousal(onehot("happiness"))
    assert v > 0.9 and 0.5 <= a <= 0.7  # pleasant, moderately aroused
    v, a = valence_arousal(onehot("sadness"))
    assert v < 0.15 and a < 0.35  # unpleasant, calm
    for name in ("anger", "fear", "surprise"):
        assert valence_arousal(onehot(name))[1] > 0.9  # high arousal
    for name in ("anger", "fear", "disgust", "contempt", "sadness"):
        assert valence_arousal(onehot(name))[0] < 0.5  # unpleasant
    assert valence_arousal(onehot("neutral")) == pytest.approx((0.5, 0.5))


def test_circumplex_is_an_expectation() -> None:
    p = 0.5 * onehot("happiness") + 0.5 * onehot("sadness")
    pts = class_points()
    expected = 0.5 * (pts[CLASSES.index("happiness")] + pts[CLASSES.index("sadness")])
    assert valence_arousal(p) == pytest.approx(tuple(expected))
    assert valence_arousal(3 * p) == pytest.approx(valence_arousal(p))  # normalises
    assert valence_arousal(np.zeros(8)) == (0.5, 0.5)
    with pytest.raises(ValueError):
        valence_arousal(np.ones(7))
    assert np.all((pts >= 0) & (pts <= 1))


@pytest.mark.parametrize("fps", [10, 30, 60])
def test_smoothing_is_time_based(fps: int) -> None:
    s = MoodSmoother(tau=1.5)
    s.update(0.0, 0.0, 0.0)
    for i in range(1, round(1.5 * fps) + 1):  # a step to 1.0 held for one time constant
        r = s.update(i / fps, 1.0, 1.0)
    assert r.valence == pytest.approx(1 - math.exp(-1), abs=1e-6)  # same at every frame rate
    assert r.confidence > 0.8


def test_confidence_decays_without_face_and_mood_holds() -> None:
    s = MoodSmoother(tau=1.5, confidence_tau=2.0)
    for i in range(90):
        s.update(i / 30, 0.8, 0.3)
    before = s.state()
    after = s.miss(3.0 + 2.0)  # two seconds without a face
    assert after.valence == before.valence and after.arousal == before.arousal
    assert after.confidence < before.confidence * 0.5
    assert s.miss(60.0).confidence < 1e-6


def test_tracker_smooths_and_holds_through_blinks() -> None:
    t = BoxTracker(alpha=0.5, hold_frames=3)
    assert t.update([Box(100, 100, 100, 100)]) == Box(100, 100, 100, 100)
    moved = t.update([Box(110, 100, 100, 100)])
    assert moved is not None and 100 < moved.x < 110  # smoothed, not a jump
    for _ in range(3):
        assert t.update([]) == moved  # kept through a short drop-out
    assert t.update([]) is None  # then let go
    t.update([Box(100, 100, 100, 100)])
    # a new, larger face elsewhere does not steal the tracked one
    kept = t.update([Box(400, 50, 200, 200), Box(102, 100, 100, 100)])
    assert kept is not None and kept.x < 200
