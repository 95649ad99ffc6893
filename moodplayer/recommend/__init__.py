"""moodplayer.recommend: the mood queue (Qt-free).

index.MoodIndex (KD-tree over analysed tracks, rebuilt on library change) -> queue.build_queue
(nearest, artist spacing, jitter, recently played), mood_path (iso-principle paths), feedback (likes
and skips move a track's effective mood), clusters (K-means regions), regions (plain-word "why").
"""
