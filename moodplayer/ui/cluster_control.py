"""The library's mood clusters in the window: fitted in a worker when the mood index changes enough
(at most every REFIT_S seconds while analysis reloads it), they colour the pad's dots, fill the queue
panel's cluster picker, queue a cluster ("play this cluster") and draw the mood map for "Save mood map…".
"""
from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from moodplayer.display import display_path

if TYPE_CHECKING:
    from moodplayer.recommend.clusters import MoodClusters
    from moodplayer.recommend.index import MoodIndex
    from moodplayer.ui.mood_pad import MoodPad
    from moodplayer.ui.mood_session import MoodSession
    from moodplayer.ui.queue_panel import QueuePanel
    from moodplayer.ui.workers import Task, Workers

CLUSTER_QUEUE = 100      # "play this cluster" queues at most this many, nearest the centre first
REFIT_S = 10.0           # at most one refit this often while the index keeps reloading (analysis)...
REFIT_CHANGE = 0.5       # ...unless the track count moved by more than this share since the last fit
FIT_DELAY_S = 0.3        # a fit starts once the new index is painted, not while the GUI paints it


class ClusterControl(QObject):
    clustersChanged = Signal(object)     # MoodClusters or None
    message = Signal(str)

    def __init__(self, pad: "MoodPad", queue: "QueuePanel", session: "MoodSession", workers: "Workers",
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pad, self.queue, self.session, self.workers = pad, queue, session, workers
        self.clusters: MoodClusters | None = None
        self.index: MoodIndex | None = None
        self.on_play: Callable[[int], None] | None = None    # the window plays the first pick
        self.fits = 0                                       # fits started (a test counts them)
        self._fitting: MoodIndex | None = None              # the index being fitted in a worker
        self._fitted: MoodClusters | None = None            # the last fit and the points it was of
        self._fitted_points: np.ndarray | None = None
        self._fit_started = -REFIT_S
        self._picker: list[tuple[str, str, int]] | None = None   # what the queue's cluster picker lists
        self._refit_timer = QTimer(self)
        self._refit_timer.setSingleShot(True)
        self._refit_timer.timeout.connect(self._refit_now)
        queue.clusterRequested.connect(self.play_cluster)

    def index_loaded(self, index: "MoodIndex") -> None:
        """A new mood index: refit in a worker when it differs enough, else reuse the last fit.

        During analysis the index reloads about once a second; a full fit (K = 2..8, four inits each)
        each time costs CPU the analysis and the GUI need, and it is Python in this process: the GUI
        thread waits for the GIL while it runs. So a refit starts only when there is no fit yet, or
        the track count moved by more than REFIT_CHANGE (half: a small library that is being analysed
        grows by far more than a few percent per reload), or REFIT_S have passed since the last one;
        in between the new tracks take the nearest cluster centre, and a timer refits the latest
        index once REFIT_S are up. The last fit is always of the final library: same result as ever.
        """
        self.index = index
        points = np.array(index.position, dtype=np.float64, copy=True).reshape(-1, 2)
        if self._fitted_points is not None and np.array_equal(points, self._fitted_points):
            self._show(self._fitted)     # the same tracks at the same places (a reload after a like)
            return
        if self._fitting is not None:
            return                       # the fit in flight ends by looking at the newest index
        n, last = len(points), self._fitted_points
        changed = last is None or abs(n - len(last)) > REFIT_CHANGE * max(1, len(last))
        wait = REFIT_S - (time.monotonic() - self._fit_started)
        if changed or wait <= 0:
            self._fit(index, points)
            return
        self._show(self._assign(self._fitted, points))   # new dots get the nearest cluster's colour
        self._refit_timer.start(int(wait * 1000) + 1)

    def _fit(self, index: "MoodIndex", points: np.ndarray) -> None:
        """Fit the clusters of these points off the GUI thread, after FIT_DELAY_S (asleep, without
        the GIL: the GUI paints the index that asked for the fit first), with one OpenMP/BLAS thread:
        scikit-learn would otherwise run one per core, beside the GUI thread and the analysis."""
        self._refit_timer.stop()
        self._fitting, self._fit_started = index, time.monotonic()
        self.fits += 1

        def job(task: "Task") -> Any:
            from moodplayer.recommend.clusters import cluster_moods

            if len(points) < 3:
                return None
            from threadpoolctl import threadpool_limits

            time.sleep(FIT_DELAY_S)
            if task.cancelled:
                return None
            try:
                with threadpool_limits(limits=1):
                    return cluster_moods(points)
            except ValueError:     # every track at one point: no clusters to show
                return None
        self.workers.start(job, name="finding mood clusters",
                           on_result=lambda result: self._fitted_for(index, points, result),
                           on_error=lambda exc: self._fitted_for(index, points, None))

    def _fitted_for(self, index: "MoodIndex", points: np.ndarray, clusters: "MoodClusters | None") -> None:
        self._fitting = None
        self._fitted, self._fitted_points = clusters, points
        if index is self.index:
            self._show(clusters)
        else:                      # the index moved on while fitting: reuse, refit or wait as it says
            self.index_loaded(self.index)

    def _refit_now(self) -> None:
        if self.index is not None and self._fitting is None:
            self._fit(self.index, np.array(self.index.position, dtype=np.float64, copy=True).reshape(-1, 2))

    @staticmethod
    def _assign(fit: "MoodClusters | None", points: np.ndarray) -> "MoodClusters | None":
        """The last fit's clusters over new points: each point in its nearest centre's cluster."""
        if fit is None or len(points) < 3:
            return None
        labels = np.argmin(((points[:, None, :] - fit.centers[None, :, :]) ** 2).sum(-1), axis=1)
        return replace(fit, labels=labels)

    def _show(self, clusters: "MoodClusters | None") -> None:
        self.clusters = clusters
        if clusters is None:
            self.pad.set_dot_colours(None)
            picker: list[tuple[str, str, int]] = []
        else:
            self.pad.set_dot_colours(clusters.rgb())
            picker = list(zip(clusters.names, clusters.colours(), clusters.sizes))
        if picker != self._picker:       # a reload that moved no track between clusters: no refill
            self._picker = picker
            self.queue.set_clusters(picker)
        self.clustersChanged.emit(clusters)

    def play_cluster(self, cluster: int) -> int:
        """Queue the cluster's tracks nearest its centre first, move the handle to the centre, play."""
        from moodplayer.recommend.queue import make_pick

        c, index = self.clusters, self.index
        if c is None or index is None or not 0 <= cluster < c.k:
            return 0
        rows = c.members(cluster, index.position)[:CLUSTER_QUEUE]
        centre = (float(c.centers[cluster][0]), float(c.centers[cluster][1]))
        dist = np.hypot(*(index.position[rows] - np.array(centre)).T)
        picks = [make_pick(index, int(r), float(d), step=(i + 1, len(rows)))
                 for i, (r, d) in enumerate(zip(rows, dist))]
        n = self.session.start_list(picks, f"cluster {cluster + 1} · {c.names[cluster]}", centre)
        self.pad.set_target(*centre)
        if n and self.on_play is not None:
            self.on_play(self.session.picks[0].track_id)
        return n

    def render_map(self, size: tuple[int, int] = (1600, 1100)) -> Any:
        """The mood map picture (a QImage) of the loaded library; None before any track is analysed."""
        from moodplayer.ui.mood_map import render_mood_map

        if self.index is None or not len(self.index):
            return None
        c = self.clusters
        clusters = c if c is not None and len(c.labels) == len(self.index) else None
        return render_mood_map(self.index.position, clusters, size)

    def save_map(self, path: str | Path) -> bool:
        """Write the mood map as a PNG; says in the status bar what happened."""
        image = self.render_map()
        if image is None:
            self.message.emit("No analysed tracks yet: the mood map would be empty.")
            return False
        if not image.save(str(path), "PNG"):
            self.message.emit(f"Cannot write {display_path(str(path))} (no permission, or the disk is full?)")
            return False
        self.message.emit(f"Saved the mood map to {display_path(str(path))}")
        return True
