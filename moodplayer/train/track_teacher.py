"""The track model's teacher: frozen front ends, their features of q4_val and of unlabelled music.

One front end (musicnn MSD, ``--teacher msd_musicnn.onnx``) is the first teacher: two logistic
regressions on its features. Several (``--teacher msd.onnx --teacher mtt.onnx --pitch-teacher
nmp.onnx``) make teacher v2: musicnn MSD and MTT (penultimate + tags) and basic-pitch's tonal
features side by side, read by one 4-class logistic regression (valence = P(Q1) + P(Q4), arousal
= P(Q1) + P(Q2)), which a probe study on q4_val found stronger than two binary ones. Either way the
regressions are fitted on the training clips only, so a CV fold's test clips teach nothing.

Features are cached outside the repository: per front end for q4_val's clips, and for the
unlabelled tracks' windows beside ``moodplayer.train.unlabelled``'s cache.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

C_V2 = 0.01   # inverse regularisation of teacher v2's 4-class regression (the probe study's best)
MSD_DIMS = 250


def soft_targets_4q(x: np.ndarray, labels: np.ndarray, train: np.ndarray, unlabelled_x: np.ndarray,
                    C: float = C_V2) -> np.ndarray:
    """P(positive valence), P(energetic) from a 4-class logistic regression on quadrants, which are
    rebuilt from the binary (valence, arousal) labels, fitted on the ``train`` clips only."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    pos, high = labels[train, 0] > 0.5, labels[train, 1] > 0.5
    quadrant = np.where(high, np.where(pos, 0, 1), np.where(pos, 3, 2))
    clf = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=5000))
    clf.fit(x[train], quadrant)
    p = np.zeros((len(unlabelled_x), 4))
    p[:, clf.classes_] = clf.predict_proba(unlabelled_x)
    return np.stack([p[:, 0] + p[:, 3], p[:, 0] + p[:, 1]], axis=1).astype(np.float32)


@dataclass
class Distillation:
    """What the head needs from the teacher: unlabelled windows (front-end outputs), the teacher's
    features of q4_val's clips [n, F] and of those windows [W, F], and how to read them."""

    windows: Any                 # track_fit.Windows of the unlabelled tracks (clip ids after q4's)
    clip_x: np.ndarray
    window_x: np.ndarray
    n_tracks: int
    names: list[str]             # the front ends' file names
    every_patch: bool = False    # q4 clips read through every patch (not 4 musicnn, 8 basic-pitch)

    @property
    def v2(self) -> bool:
        return len(self.names) > 1

    def targets(self, labels: np.ndarray, train: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Soft (valence, arousal) for the rows of ``x`` from a teacher fitted on ``train`` clips."""
        from moodplayer.train.musicnn_teacher import soft_targets

        return soft_targets_4q(self.clip_x, labels, train, x) if self.v2 else soft_targets(self.clip_x, labels, train, x)

    def rows(self, labels: np.ndarray, train: np.ndarray, test: np.ndarray) -> dict[str, np.ndarray]:
        """The teachers themselves as CV rows on the ``test`` clips: the musicnn MSD teacher always
        (its features come first), teacher v2 when there are several front ends."""
        from moodplayer.train.musicnn_teacher import soft_targets

        msd = self.clip_x[:, :MSD_DIMS]
        out = {"musicnn_teacher": soft_targets(msd, labels, train, msd[test])}
        if self.v2:
            out["teacher_v2"] = soft_targets_4q(self.clip_x, labels, train, self.clip_x[test])
        return out

    def card(self) -> dict:
        d: dict = {"teacher": " + ".join(self.names), "unlabelled_tracks": self.n_tracks}
        if self.v2:
            d["rule"] = f"one 4-class logistic regression (C = {C_V2}) on the front ends' features side by side"
        if self.every_patch:
            d["every_patch"] = True
        return d


def _key(front_end) -> str:
    return f"{front_end.path.stem}_{front_end.path.stat().st_size}"


def clip_features(front_end, q4: Path, files: list[str], cache: Path, log: Callable = print) -> np.ndarray:
    """[n, F] features of q4_val's clips by one front end, cached (the musicnn cache name is the
    first teacher's, so its cache stays valid)."""
    from moodplayer.train.pitch_teacher import PitchTeacher

    size = front_end.path.stat().st_size
    if isinstance(front_end, PitchTeacher):
        cached = cache / f"q4_pitch_{len(files)}_{size}_{front_end.clip_windows}.npy"
    else:
        k = front_end.clip_patches
        cached = cache / (f"q4_teacher_{len(files)}_{size}.npy" if k == 4 else f"q4_teacher_{len(files)}_{size}_p{k}.npy")
    if cached.is_file():
        return np.load(cached)
    log(f"{front_end.path.name} features of the q4_val clips")
    out = []
    for i, f in enumerate(files):
        out.append(front_end.of_clip(q4 / f))
        if i % 100 == 0:
            log(f"  clip {i + 1}/{len(files)}")
    x = np.stack(out)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(cached, x)
    return x


def front_ends(musicnn: list[Path], pitch: Path | None, every_patch: bool = False) -> list:
    """The frozen front ends, musicnn files first (the first is the MSD teacher). A q4 clip is
    read through 4 musicnn patches and 8 basic-pitch chunks, or all of them (``every_patch``)."""
    from moodplayer.train.musicnn_teacher import Teacher
    from moodplayer.train.pitch_teacher import PitchTeacher

    k = 0 if every_patch else None
    return ([Teacher(p, *(() if k is None else (k,))) for p in musicnn]
            + ([PitchTeacher(pitch, *(() if k is None else (k,)))] if pitch else []))


def prepare(musicnn: list[Path], pitch: Path | None, q4: Path, files: list[str], cache: Path,
            unlabelled: Path, log: Callable = print, every_patch: bool = False) -> tuple[np.ndarray, Any, np.ndarray]:
    """(q4 clip features [n,F], the unlabelled set, its window features [W,F]) of every front end."""
    from moodplayer.train.unlabelled import load_unlabelled, window_features

    ends = front_ends(musicnn, pitch, every_patch)
    clip_x = np.concatenate([clip_features(e, q4, files, cache, log) for e in ends], axis=1)
    un = load_unlabelled(unlabelled, ends[0], log=log)
    window_x = np.concatenate([un.teacher] + [window_features(unlabelled, un, e, _key(e), log) for e in ends[1:]],
                              axis=1)
    return clip_x, un, window_x


def _main() -> None:
    """Warm the caches of one part in its own process: ``python -m moodplayer.train.track_teacher
    q4|unlabelled msd.onnx [mtt.onnx ...] [--pitch nmp.onnx]`` (the training command computes
    whatever is missing itself)."""
    import argparse

    from moodplayer.train.track_data import DEFAULT_CACHE, DEFAULT_Q4, read_labels
    from moodplayer.train.unlabelled import load_unlabelled, window_features

    p = argparse.ArgumentParser(prog="python -m moodplayer.train.track_teacher", description=_main.__doc__)
    p.add_argument("part", choices=("q4", "unlabelled"))
    p.add_argument("musicnn", type=Path, nargs="+")
    p.add_argument("--pitch", type=Path, default=None)
    p.add_argument("--every-patch", action="store_true")
    args = p.parse_args()
    ends = front_ends(args.musicnn, args.pitch, args.every_patch)
    if args.part == "q4":
        files, _ = read_labels(DEFAULT_Q4)
        for e in ends:
            clip_features(e, DEFAULT_Q4, files, DEFAULT_CACHE, print)
    else:
        root = DEFAULT_CACHE / "unlabelled"
        un = load_unlabelled(root, ends[0])
        for e in ends[1:]:
            window_features(root, un, e, _key(e))


if __name__ == "__main__":
    _main()
