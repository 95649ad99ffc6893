"""The shipped expression model: contract, self-containment, and its card's figures re-checked."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import pytest

from moodplayer.vision.expression import MODEL_FILE, ExpressionModel, models_dir

CLASSES = ["neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear", "contempt"]
FERPLUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "ferplus" / "ferplus.npz"


@pytest.fixture(scope="module")
def card() -> dict:
    return json.loads((models_dir() / "face_emotion.json").read_text())


def test_card_documents_the_contract(card: dict) -> None:
    assert card["classes"] == CLASSES
    assert card["input"]["shape"] == ["batch", 1, 48, 48]
    assert "255" in card["input"]["normalisation"]
    assert card["file"] == MODEL_FILE and card["version"]
    for key in ("accuracy", "per_class_recall", "confusion_matrix"):
        assert key in card["test"]
    assert len(card["test"]["confusion_matrix"]) == 8
    assert sum(map(sum, card["test"]["confusion_matrix"])) == card["test"]["items"]
    assert card["training"]["smoke"] is False and card["training"]["duration_s"] > 60
    assert (models_dir() / "face_emotion.md").read_text().count(f"{card['test']['accuracy']:.4f}") >= 1


def test_onnx_is_self_contained_with_dynamic_batch(card: dict) -> None:
    path = models_dir() / MODEL_FILE
    proto = onnx.load(str(path), load_external_data=False)
    assert not any(t.data_location == onnx.TensorProto.EXTERNAL for t in proto.graph.initializer)
    assert list(path.parent.glob("*.data")) == []
    dims = proto.graph.input[0].type.tensor_type.shape.dim
    assert dims[0].dim_param and [d.dim_value for d in dims[1:]] == [1, 48, 48]
    model = ExpressionModel()
    for n in (1, 5):
        p = model.predict(np.random.default_rng(n).integers(0, 256, (n, 48, 48), dtype=np.uint8))
        assert p.shape == (n, 8) and np.allclose(p.sum(axis=1), 1.0, atol=1e-5) and (p >= 0).all()


@pytest.mark.skipif(not FERPLUS.is_file(), reason=f"{FERPLUS} not available")
def test_reaches_reported_accuracy_on_test_subset(card: dict) -> None:
    with np.load(FERPLUS) as d:
        x, votes, names = d["Test_X"], d["Test_votes"], d["Test_names"]
    keep = votes.argmax(axis=1) < 8  # majority is an expression (not unknown / not-a-face)
    n = card["test_subset"]["first_n_eligible"]
    x, labels, names = x[keep][:n], votes[keep][:, :8].argmax(axis=1)[:n], names[keep][:n]
    assert names[0] == card["test_subset"]["first_name"] and names[-1] == card["test_subset"]["last_name"]
    model = ExpressionModel(use_gpu=False)
    pred = np.concatenate([model.predict(x[i:i + 250]) for i in range(0, n, 250)]).argmax(axis=1)
    acc = float((pred == labels).mean())
    assert acc == pytest.approx(card["test_subset"]["accuracy"], abs=0.002)
    assert abs(acc - card["test"]["accuracy"]) < 0.03  # the subset is representative of the full Test
