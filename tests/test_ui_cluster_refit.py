"""Mood clusters are not refitted on every index reload (issue 14, task 14C): during analysis the index
reloads about once a second, and a full fit (K = 2..8, four inits each) each time cost CPU and GUI
smoothness. A refit runs in a worker when the track count moved by more than half (REFIT_CHANGE) or REFIT_S
have passed; in between new tracks take the nearest centre; the last fit is of the final library, so
the result is the same as one fit of it."""
from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from tests._ui import analysed_db, analysed_library  # noqa: F401


def _index(db):
    from moodplayer.recommend.index import MoodIndex

    conn = sqlite3.connect(db)
    try:
        return MoodIndex.from_db(conn)
    finally:
        conn.close()


def _rows(index, n: int):
    """The real index's first ``n`` tracks, as the index of a library that is still being analysed."""
    from moodplayer.recommend.index import MoodIndex

    s = slice(0, n)
    return MoodIndex(ids=index.ids[s].copy(), paths=index.paths[s], titles=index.titles[s],
                     artists=index.artists[s], durations=index.durations[s], mood=index.mood[s].copy(),
                     position=index.position[s].copy(), albums=index.albums[s])


def _loaded(control, index) -> None:
    """What the window does with a new index: the pad gets the dots, the clusters the index."""
    control.pad.set_tracks(index.ids, index.position, index.titles, index.artists)
    control.index_loaded(index)


@pytest.fixture
def control(qtbot, monkeypatch):
    from moodplayer.ui import cluster_control
    from moodplayer.ui.cluster_control import ClusterControl
    from moodplayer.ui.mood_pad import MoodPad
    from moodplayer.ui.mood_session import MoodSession
    from moodplayer.ui.queue_panel import QueuePanel
    from moodplayer.ui.workers import Workers

    monkeypatch.setattr(cluster_control, "REFIT_S", 3600.0)   # no refit on time unless the test says
    pad, queue = MoodPad(), QueuePanel()
    qtbot.addWidget(pad)
    qtbot.addWidget(queue)
    workers = Workers()
    ctl = ClusterControl(pad, queue, MoodSession(), workers)
    ctl._keep = (pad, queue, workers)
    yield ctl
    workers.wait(30000)


def test_reloads_during_analysis_reuse_the_fit_and_the_last_fit_is_of_the_final_library(control, analysed_db, qtbot):
    from moodplayer.recommend.clusters import cluster_moods

    full = _index(analysed_db)
    n = len(full)
    assert n >= 25, "the analysed test media: about thirty tracks"
    _loaded(control, _rows(full, n - 1))
    qtbot.waitUntil(lambda: control.clusters is not None and control._fitting is None, timeout=30000)
    assert control.fits == 1
    # one more track (under REFIT_CHANGE): no refit now; the new dot takes its nearest cluster's colour
    _loaded(control, full)
    assert control.fits == 1 and len(control.clusters.labels) == n
    assert np.allclose(control.pad._rgb, control.clusters.rgb())
    for _ in range(5):                     # the index reloads again and again, unchanged
        _loaded(control, _index(analysed_db))
    assert control.fits == 1
    # once REFIT_S are up (the timer, told to fire now), the latest index is fitted in the worker:
    # exactly what one fit of it gives
    assert control._refit_timer.isActive()
    control._refit_timer.start(0)
    qtbot.waitUntil(lambda: control.fits == 2 and control._fitting is None, timeout=30000)
    expected = cluster_moods(full.position)
    assert control.clusters.k == expected.k
    assert np.array_equal(control.clusters.labels, expected.labels)
    assert np.allclose(control.clusters.centers, expected.centers)
    assert control.queue.clusters.count() == expected.k
    # a reload after a like (same tracks, same places) reuses it without fitting again
    _loaded(control, _index(analysed_db))
    assert control.fits == 2 and np.array_equal(control.clusters.labels, expected.labels)


def test_a_big_change_in_the_track_count_refits_at_once(control, analysed_db, qtbot):
    full = _index(analysed_db)
    _loaded(control, _rows(full, len(full) // 2))
    qtbot.waitUntil(lambda: control.fits == 1 and control._fitting is None, timeout=30000)
    _loaded(control, full)             # twice the tracks: the old clusters may not fit them
    assert control.fits == 2
    qtbot.waitUntil(lambda: control._fitting is None and len(control.clusters.labels) == len(full), timeout=30000)
