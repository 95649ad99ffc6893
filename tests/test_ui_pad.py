"""The mood pad with real mouse events over a library analysed by the real music model."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QToolTip

from tests._ui import analysed_db, analysed_library, library_db, load, make_window, scanned_library  # noqa: F401


def _drag(pad, start: tuple[float, float], end: tuple[float, float], steps: int = 12) -> None:
    a, b = pad.to_px(*start), pad.to_px(*end)
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a.toPoint())
    for i in range(1, steps + 1):
        f = i / steps
        QTest.mouseMove(pad, QPoint(round(a.x() + f * (b.x() - a.x())), round(a.y() + f * (b.y() - a.y()))))
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b.toPoint())


def test_theme_pad_and_analysis_share_one_mood_geometry():
    from moodplayer import mood_geometry as geo
    from moodplayer.analysis.moods import MOODS, mood_distribution
    from moodplayer.ui import theme
    from moodplayer.ui.pad_render import mood_rgb

    assert list(theme.MOOD_CENTROIDS) == list(MOODS) == ["Excited", "Tense", "Sad", "Serene", "Neutral"]
    pts = np.array([[0.1, 0.9], [0.8, 0.2], [0.5, 0.5], [0.62, 0.41]])
    for (v, a), rgb in zip(pts, mood_rgb(pts)):   # the handle, the dots and the strip agree on colours
        c = theme.mood_colour(v, a)
        assert (c.redF(), c.greenF(), c.blueF()) == pytest.approx(tuple(rgb), abs=1 / 255)
        top = max(mood_distribution(np.array([[v, a]])).items(), key=lambda kv: kv[1])[0]
        assert top == geo.top_mood(geo.closeness(v, a))
    assert theme.mood_colour(0.75, 0.75).name() != theme.mood_colour(0.25, 0.25).name()


def test_drag_moves_the_target_and_reorders_the_queue(make_window, analysed_db, qtbot):
    w = make_window(analysed_db)
    load(w, qtbot)
    pad, index = w.pad, w.session.index
    assert len(index) >= 10 and len(pad.ids) == len(index)
    _drag(pad, (0.5, 0.5), (0.1, 0.1), steps=3)
    low = [p.track_id for p in w.session.picks]
    changes: list[list] = []
    w.session.queueChanged.connect(changes.append)
    targets: list[tuple[float, float]] = []
    pad.targetChanged.connect(lambda v, a: targets.append((v, a)))

    _drag(pad, (0.1, 0.1), (0.9, 0.9))

    assert pad.target == pytest.approx((0.9, 0.9), abs=0.01)
    assert w.session.target == pad.target
    assert len(targets) >= 10 and len(changes) >= 10          # live: re-ordered on every move
    high = [p.track_id for p in w.session.picks]
    assert high != low
    pos = index.position
    nearest = int(index.ids[np.argmin(np.hypot(pos[:, 0] - pad.target[0], pos[:, 1] - pad.target[1]))])
    assert high[0] == nearest                                   # KNN: the closest track comes first
    dists = [p.distance for p in w.session.picks]
    assert dists[0] == pytest.approx(min(dists))
    assert w.queue.track_ids() == high                          # the panel shows that order
    assert pad.queue_ids == high                                # and the pad rings those dots
    assert "energetic" in w.target_label.text() and "positive" in w.target_label.text()


def test_hovering_a_dot_names_the_track(make_window, analysed_db, qtbot):
    w = make_window(analysed_db)
    load(w, qtbot)
    pad = w.pad
    row = 0
    v, a = pad.points[row]
    QTest.mouseMove(pad, pad.to_px(float(v), float(a)).toPoint())
    assert pad.dot_at(pad.to_px(float(v), float(a))) is not None
    hovered = pad.dot_at(pad.to_px(float(v), float(a)))
    title = pad.titles[hovered] or "Untitled"
    qtbot.waitUntil(lambda: QToolTip.isVisible() and title in QToolTip.text(), timeout=3000)


def test_lift_me_up_walks_a_mood_path(make_window, analysed_db, qtbot):
    w = make_window(analysed_db)
    load(w, qtbot)
    _drag(w.pad, (0.5, 0.5), (0.15, 0.2), steps=2)
    with qtbot.waitSignal(w.session.pathChanged, timeout=5000):
        QTest.mouseClick(w.queue.lift, Qt.MouseButton.LeftButton)
    picks = w.session.picks
    assert picks and all(p.step is not None for p in picks)
    assert [p.step[0] for p in picks] == sorted(p.step[0] for p in picks)
    # each step is no farther from the destination than the one before (the path never drifts back)
    from moodplayer.ui.mood_session import LIFT_TARGET

    far = [np.hypot(p.valence - LIFT_TARGET[0], p.arousal - LIFT_TARGET[1]) for p in picks]
    assert far[-1] <= far[0]
    assert w.pad.path_points and w.pad.target == pytest.approx(LIFT_TARGET)
    assert "mood path" in w.queue.subtitle.text()
    _drag(w.pad, LIFT_TARGET, (0.5, 0.5), steps=2)   # grabbing the handle leaves the path
    assert not w.session.path and not w.pad.path_points


def test_pad_without_analysed_tracks_still_works_by_hand(make_window, library_db, qtbot):
    w = make_window(library_db)
    load(w, qtbot)
    assert len(w.pad.ids) == 0 and w.session.picks == []
    _drag(w.pad, (0.5, 0.5), (0.2, 0.8), steps=4)
    assert w.pad.target == pytest.approx((0.2, 0.8), abs=0.01)
    assert "No analysed tracks" in w.queue.list.item(0).text()
