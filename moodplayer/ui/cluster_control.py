"""The library's mood clusters in the window: fitted in a worker whenever the mood index changes,
they colour the pad's dots, fill the queue panel's cluster picker, queue a cluster ("play this
cluster") and draw the mood map for "Save mood map…".
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import numpy as np
from PySide6.QtCore import QObject, Signal

from moodplayer.display import display_path

if TYPE_CHECKING:
    from moodplayer.recommend.clusters import MoodClusters
    from moodplayer.recommend.index import MoodIndex
    from moodplayer.ui.mood_pad import MoodPad
    from moodplayer.ui.mood_session import MoodSession
    from moodplayer.ui.queue_panel import QueuePanel
    from moodplayer.ui.workers import Task, Workers

CLUSTER_QUEUE = 100      # "play this cluster" queues at most this many, nearest the centre first


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
        queue.clusterRequested.connect(self.play_cluster)

    def index_loaded(self, index: "MoodIndex") -> None:
        """Fit the clusters of this index off the GUI thread (K-means for K = 2..8)."""
        self.index = index
        points = np.array(index.position, copy=True)

        def job(task: "Task") -> Any:
            from moodplayer.recommend.clusters import cluster_moods

            if len(points) < 3:
                return None
            try:
                return cluster_moods(points)
            except ValueError:     # every track at one point: no clusters to show
                return None
        self.workers.start(job, name="finding mood clusters",
                           on_result=lambda result, i=index: self._fitted(i, result))

    def _fitted(self, index: "MoodIndex", clusters: "MoodClusters | None") -> None:
        if index is not self.index:
            return     # a newer index is being clustered
        self.clusters = clusters
        if clusters is None:
            self.pad.set_dot_colours(None)
            self.queue.set_clusters([])
        else:
            self.pad.set_dot_colours(clusters.rgb())
            self.queue.set_clusters(list(zip(clusters.names, clusters.colours(), clusters.sizes)))
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
