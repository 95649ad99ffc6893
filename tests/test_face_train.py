"""The training command's smoke mode (what CI runs): trains a few batches, exports, writes the card."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FERPLUS = ROOT / ".." / "shared" / "data" / "ferplus" / "ferplus.npz"


@pytest.mark.skipif(not FERPLUS.is_file(), reason=f"{FERPLUS} not available")
def test_smoke_run_writes_model_and_card(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    p = subprocess.run([sys.executable, "-m", "moodplayer.train.face_train", "--smoke", "--out", str(tmp_path)],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)   # a hang guard, not a figure
    assert p.returncode == 0, p.stderr[-2000:]
    card = json.loads((tmp_path / "face_emotion.json").read_text())
    assert card["training"]["smoke"] is True
    assert card["onnx_vs_torch_max_abs_diff"] < 1e-4
    assert (tmp_path / "face_emotion.onnx").stat().st_size > 100_000
    assert "Test accuracy" in (tmp_path / "face_emotion.md").read_text()


def test_missing_data_names_the_path(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    missing = tmp_path / "nope.npz"
    p = subprocess.run([sys.executable, "-m", "moodplayer.train.face_train", "--smoke", "--data", str(missing),
                        "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert p.returncode != 0 and str(missing) in p.stderr


@pytest.mark.skipif(not FERPLUS.is_file(), reason=f"{FERPLUS} not available")
def test_interrupted_run_resumes_from_last_checkpoint(tmp_path: Path) -> None:
    """Stop after epoch 1, the same command carries on at epoch 2; other options refuse to resume."""
    torch = pytest.importorskip("torch")
    work, out = tmp_path / "work", tmp_path / "out"
    cmd = [sys.executable, "-m", "moodplayer.train.face_train", "--smoke", "--epochs", "2",
           "--work", str(work), "--out", str(out)]

    def run(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(cmd + list(extra), cwd=ROOT, capture_output=True, text=True,
                              timeout=300)   # a hang guard, not a figure

    first = run("--stop-after-epochs", "1")
    assert first.returncode == 0, first.stderr[-2000:]
    assert "epoch 1/2" in first.stdout and "epoch 2/2" not in first.stdout
    assert not (out / "face_emotion.onnx").exists()          # stopped runs do not export
    last = torch.load(work / "face_last.pt", weights_only=False)
    assert last["epoch"] == 1 and last["best"]["epoch"] == 1
    assert set(last["rng"]) == {"generator", "torch", "numpy", "python"}
    assert {"model", "optimizer", "scheduler"} <= set(last)

    refused = run("--lr", "0.05")
    assert refused.returncode == 2
    assert "--lr" in refused.stderr and "--restart" in refused.stderr and "Traceback" not in refused.stderr
    assert torch.load(work / "face_last.pt", weights_only=False)["epoch"] == 1   # nothing lost

    second = run()
    assert second.returncode == 0, second.stderr[-2000:]
    assert "resumed at epoch 2/2" in second.stdout
    assert "epoch 1/2" not in second.stdout and "epoch 2/2" in second.stdout
    assert torch.load(work / "face_last.pt", weights_only=False)["epoch"] == 2
    card = json.loads((out / "face_emotion.json").read_text())
    assert [h["epoch"] for h in card["training"]["valid_history"]] == [1, 2]

    log = (work / "train.log").read_text()
    assert log.index("epoch 1/2") < log.index("resumed at epoch 2/2") < log.index("epoch 2/2")
    assert not list(work.glob("*.tmp"))                       # atomic saves leave no temp files

    again = run()
    assert again.returncode == 0, again.stderr[-2000:]
    assert "already done" in again.stdout and "epoch 2/2 loss" not in again.stdout
