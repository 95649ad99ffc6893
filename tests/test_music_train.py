"""The music training pipeline: CI smoke run (train, export, onnxruntime check, card) and its parts."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")  # the [train] extra

from moodplayer.train.music_data import DEFAULT_DATA, Augment, kfold_indices  # noqa: E402
from moodplayer.train.music_fit import metrics  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
needs_data = pytest.mark.skipif(not (DEFAULT_DATA / "labels.csv").is_file(), reason="training data not beside the repo")


@needs_data
def test_smoke_run_trains_exports_and_writes_a_card():
    t0 = time.time()
    proc = subprocess.run([sys.executable, "-m", "moodplayer.train.music_train", "--smoke"], cwd=REPO,
                          capture_output=True, text=True, timeout=600, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    out = Path(proc.stdout.strip().splitlines()[-1].split("smoke output in ", 1)[1])
    assert out.is_dir() and not str(out).startswith(str(REPO))  # never writes into the repository
    card = json.loads((out / "music_va.json").read_text())
    assert card["smoke"] is True and card["version"].startswith("music_va-")
    assert card["final"]["onnx_max_abs_diff"] < 1e-4
    assert set(card["cross_validation"]["configs"]) == {"cnn", "lstm", "cnn_lstm", "crnn_bigru_aug"}
    assert "Cross-validation" in (out / "music_va.md").read_text()
    assert [p.name for p in out.iterdir() if p.suffix == ".data"] == []  # self-contained ONNX

    import onnxruntime as ort

    sess = ort.InferenceSession(str(out / "music_va.onnx"), providers=["CPUExecutionProvider"])
    (inp,), (outp,) = sess.get_inputs(), sess.get_outputs()
    assert inp.shape[1:] == [1, 128, 256] and outp.shape[1:] == [2]
    for n in (1, 3):
        y = sess.run(None, {inp.name: np.random.rand(n, 1, 128, 256).astype(np.float32)})[0]
        assert y.shape == (n, 2) and np.all((y >= 0) & (y <= 1))
    print(f"smoke run took {time.time() - t0:.1f} s")


def test_metrics_match_scikit_learn():
    from sklearn.metrics import mean_absolute_error, r2_score

    rng = np.random.default_rng(0)
    y = rng.random((50, 2)).astype(np.float32)
    p = np.clip(y + rng.normal(0, 0.1, y.shape), 0, 1).astype(np.float32)
    m = metrics(y, p)
    for j, dim in enumerate(("valence", "arousal")):
        assert m[dim]["r2"] == pytest.approx(r2_score(y[:, j], p[:, j]), abs=1e-6)
        assert m[dim]["mae"] == pytest.approx(mean_absolute_error(y[:, j], p[:, j]), abs=1e-6)
        assert m[dim]["rmse"] == pytest.approx(np.sqrt(m[dim]["mse"]))
    assert m["mean"]["r2"] == pytest.approx((m["valence"]["r2"] + m["arousal"]["r2"]) / 2)


def test_augmentation_is_seeded_and_keeps_range():
    x = torch.rand(4, 1, 128, 256)
    a = Augment()(x, torch.Generator().manual_seed(3))
    b = Augment()(x, torch.Generator().manual_seed(3))
    assert a.shape == x.shape and torch.equal(a, b) and not torch.equal(a, x)
    assert float(a.min()) >= 0.0 and float(a.max()) <= 1.0


def test_folds_are_seeded_and_partition_the_items():
    f1, f2 = kfold_indices(103, 5, 0), kfold_indices(103, 5, 0)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(f1, f2))
    assert sorted(np.concatenate([va for _, va in f1]).tolist()) == list(range(103))
