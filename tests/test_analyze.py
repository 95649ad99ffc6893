"""Music analysis on real recordings: decoding every format, the shipped model, moods, the CLI."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from moodplayer.analysis.analyze import analyze_file
from moodplayer.analysis.decode import WINDOW_SECONDS, DecodeError, decode_windows, window_starts
from moodplayer.analysis.moods import MOODS, mood_distribution
from moodplayer.analysis.mood_model import MoodModel, model_version

REPO = Path(__file__).resolve().parents[1]
UNREADABLE = {"empty", "random_bytes", "text_named_m4a", "first_1k"}


@pytest.fixture(scope="module")
def model() -> MoodModel:
    return MoodModel()


@pytest.fixture(scope="module")
def track_results(media, model) -> list[tuple[str, dict]]:
    return [(t["mood"], analyze_file(t["path"], model, n_windows=4)) for t in media.tracks]


def test_window_placement():
    assert list(window_starts(3.0)) == [0.0]  # shorter than a window: one, looped by the spectrogram
    s = window_starts(200.0, 8)
    assert len(s) == 8 and s[0] == pytest.approx(10.0) and s[-1] + WINDOW_SECONDS == pytest.approx(190.0)
    assert np.all(np.diff(s) >= WINDOW_SECONDS)  # evenly spread, never overlapping
    assert len(window_starts(20.0, 8)) == 3  # a short track gets as many whole windows as fit


def test_results_have_the_documented_shape(track_results, model):
    for _, r in track_results:
        assert "error" not in r, r
        assert 0.0 <= r["valence"] <= 1.0 and 0.0 <= r["arousal"] <= 1.0
        assert r["model_version"] == model.version == model_version()
        assert len(r["windows"]) == 4 and r["duration"] > 60
        starts = [w["start"] for w in r["windows"]]
        assert starts == sorted(starts) and starts[-1] + WINDOW_SECONDS <= r["duration"]
        for dim in ("valence", "arousal"):  # the track's value pools its windows' (sigmoid of the mean logit)
            values = [w[dim] for w in r["windows"]]
            assert min(values) - 1e-3 <= r[dim] <= max(values) + 1e-3
        assert set(r["moods"]) == set(MOODS) and sum(r["moods"].values()) == pytest.approx(1.0, abs=1e-3)


def test_calm_and_sad_music_is_less_aroused_than_battle_and_metal(track_results):
    def group(moods: set[str]) -> float:
        vals = [r["arousal"] for m, r in track_results if m in moods]
        assert len(vals) >= 4
        return float(np.mean(vals))

    low, high = group({"calm", "sad"}), group({"battle", "metal"})
    assert high - low > 0.15, (low, high)
    # and the mood distribution agrees: calm/sad tracks lean to Serene/Sad, battle/metal to the others
    calm = np.mean([r["moods"]["Serene"] + r["moods"]["Sad"] for m, r in track_results if m in {"calm", "sad"}])
    loud = np.mean([r["moods"]["Serene"] + r["moods"]["Sad"] for m, r in track_results if m in {"battle", "metal"}])
    assert calm > loud


def test_every_format_of_a_track_gives_nearly_the_same_result(media, model):
    results = {ext: analyze_file(p, model) for ext, p in media.formats.items()}
    assert set(results) == {"wav", "flac", "mp3", "ogg", "opus", "m4a"}
    ref = results["wav"]
    for ext, r in results.items():
        assert "error" not in r, r
        assert len(r["windows"]) == len(ref["windows"]), ext
        assert abs(r["duration"] - ref["duration"]) < 0.2, ext
        assert abs(r["valence"] - ref["valence"]) < 0.03, (ext, r["valence"], ref["valence"])
        assert abs(r["arousal"] - ref["arousal"]) < 0.03, (ext, r["arousal"], ref["arousal"])


def test_corrupt_files_give_clean_errors(media, model):
    kinds = set()
    for c in media.corrupt:
        r = analyze_file(c["path"], model)  # must never raise
        assert r["path"] == str(c["path"])
        if "error" in r:
            assert str(c["path"]) in r["error"] and len(r["error"]) > len(str(c["path"])) + 5
        else:  # damaged but partly decodable: still a valid result
            assert 0.0 <= r["valence"] <= 1.0 and 0.0 <= r["arousal"] <= 1.0 and r["windows"]
        if c["kind"] in UNREADABLE:
            assert "error" in r, (c["kind"], r)
        kinds.add(c["kind"])
    assert UNREADABLE <= kinds
    with pytest.raises(DecodeError, match="no such file"):
        decode_windows(media.root / "does-not-exist.ogg")


def test_mood_distribution_follows_the_va_plane():
    def top(v: float, a: float) -> str:
        return max(mood_distribution(np.array([[v, a]])).items(), key=lambda kv: kv[1])[0]

    # the q4_val quadrants: excited top right, tense top left, sad bottom left, serene bottom right
    assert (top(0.8, 0.8), top(0.2, 0.8), top(0.2, 0.2), top(0.8, 0.2), top(0.5, 0.5)) == \
        ("Excited", "Tense", "Sad", "Serene", "Neutral")
    mixed = mood_distribution(np.array([[0.2, 0.2], [0.8, 0.7]]))
    assert mixed["Sad"] > 0.3 and mixed["Excited"] > 0.3
    assert list(mood_distribution(np.empty((0, 2)))) == list(MOODS)


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "moodplayer", "analyze", *args], capture_output=True,
                          text=True, cwd=REPO, env=env, timeout=300)


def test_cli_json_on_good_and_bad_files(media):
    good = [str(media.formats["ogg"]), str(media.tracks[0]["path"])]
    bad = str(next(c["path"] for c in media.corrupt if c["kind"] == "empty"))
    proc = _cli("--json", "--windows", "3", *good, bad)
    assert proc.returncode == 1, proc.stderr
    out = json.loads(proc.stdout)
    assert [r["path"] for r in out] == [*good, bad]
    assert all("error" not in r and len(r["windows"]) == 3 for r in out[:2])
    assert bad in out[2]["error"]
    proc = _cli("--windows", "2", good[0])
    assert proc.returncode == 0, proc.stderr
    assert "valence" in proc.stdout and "arousal" in proc.stdout and "moods" in proc.stdout
