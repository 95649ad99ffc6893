"""The shipped music model (models/music_va.onnx + card): contract, range, and reproduction of its card."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from moodplayer.analysis.music_model import MusicModel, models_dir

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "spotify_mel"


@pytest.fixture(scope="module")
def model() -> MusicModel:
    return MusicModel()


def test_card_describes_the_file(model):
    card = json.loads((models_dir() / "music_va.json").read_text())
    assert card["version"] == model.version and card["file"] == "music_va.onnx" and not card["smoke"]
    assert card["cross_validation"]["folds"] == 5 and card["data"]["items"] == 1622
    assert {"cnn", "lstm", "cnn_lstm"} <= set(card["cross_validation"]["configs"])
    assert card["final"]["config"] in card["cross_validation"]["configs"]
    assert card["final"]["onnx_max_abs_diff"] < 1e-4
    assert not list(models_dir().glob("music_va*.data"))  # one self-contained file
    assert (models_dir() / "music_va.md").read_text().startswith("# Music valence/arousal model")


def test_onnx_contract_and_dynamic_batch(model):
    (inp,), (out,) = model.session.get_inputs(), model.session.get_outputs()
    assert inp.type == "tensor(float)" and out.type == "tensor(float)"
    assert inp.shape[1:] == [1, 128, 256] and isinstance(inp.shape[0], str)
    assert out.shape[1:] == [2] and isinstance(out.shape[0], str)
    rng = np.random.default_rng(0)
    for n in (1, 2, 7, 40):  # 40 > the wrapper's batch of 32: two runs concatenated
        imgs = rng.integers(0, 256, (n, 128, 256), dtype=np.uint8)
        y = model.predict(imgs)
        assert y.shape == (n, 2) and y.dtype == np.float32
        assert np.all((y >= 0) & (y <= 1))
    # batching does not change a result
    imgs = rng.integers(0, 256, (5, 128, 256), dtype=np.uint8)
    np.testing.assert_allclose(model.predict(imgs)[2], model.predict(imgs[2])[0], atol=1e-5)
    assert model.provider in ("CPUExecutionProvider", "CUDAExecutionProvider")


@pytest.mark.skipif(not (SHARED / "labels.csv").is_file(), reason="training data not beside the repository")
def test_reproduces_the_cards_reference_metrics(model):
    import csv

    from PIL import Image

    ref = model.card["reference_subset"]
    labels = {r["id"]: (float(r["valence"]), float(r["energy"])) for r in csv.DictReader(open(SHARED / "labels.csv"))}
    imgs = np.stack([np.array(Image.open(SHARED / "png" / f"{i}.png")) for i in ref["ids"]])
    y = np.array([labels[i] for i in ref["ids"]])
    pred = model.predict(imgs)
    np.testing.assert_allclose(pred[:16], np.array(ref["predictions_first16"]), atol=1e-4)
    for j, dim in enumerate(("valence", "arousal")):
        err = pred[:, j].astype(np.float64) - y[:, j]
        r2 = 1 - np.mean(err ** 2) / np.var(y[:, j])
        assert r2 == pytest.approx(ref["metrics"][dim]["r2"], abs=1e-4)
        assert np.sqrt(np.mean(err ** 2)) == pytest.approx(ref["metrics"][dim]["rmse"], abs=1e-4)
        assert np.mean(np.abs(err)) == pytest.approx(ref["metrics"][dim]["mae"], abs=1e-4)
