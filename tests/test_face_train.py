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
    p = subprocess.run([sys.executable, "-m", "moodplayer.train.face_train", "--smoke", "--no-bf16",
                        "--out", str(tmp_path)],
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
           "--no-bf16", "--work", str(work), "--out", str(out)]

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


@pytest.mark.skipif(not FERPLUS.is_file(), reason=f"{FERPLUS} not available")
def test_resumed_run_with_ema_and_mixup_matches_an_uninterrupted_one(tmp_path: Path) -> None:
    """The long recipe's state (EMA weights, mixing draws) survives a stop: 1 + 1 epochs == 2 epochs."""
    torch = pytest.importorskip("torch")
    cmd = [sys.executable, "-m", "moodplayer.train.face_train", "--smoke", "--epochs", "2", "--no-bf16",
           "--mix", "mixup", "--mix-alpha", "0.4", "--ema", "0.9"]

    def run(name: str, *extra: str) -> subprocess.CompletedProcess:
        p = subprocess.run(cmd + ["--work", str(tmp_path / name), "--out", str(tmp_path / name / "out")] + list(extra),
                           cwd=ROOT, capture_output=True, text=True, timeout=300)   # a hang guard, not a figure
        assert p.returncode == 0, p.stderr[-2000:]
        return p

    run("split", "--stop-after-epochs", "1")
    half = torch.load(tmp_path / "split" / "face_last.pt", weights_only=False)
    assert half["epoch"] == 1 and half["ema"]["updates"] == 3           # 3 smoke batches, one EMA step each
    assert half["options"]["mix"] == "mixup" and half["options"]["ema"] == 0.9

    refused = subprocess.run(cmd[:-2] + ["--ema", "0.99", "--work", str(tmp_path / "split"), "--out",
                                         str(tmp_path / "split" / "out")], cwd=ROOT, capture_output=True, text=True,
                             timeout=300)
    assert refused.returncode == 2 and "--ema" in refused.stderr and "Traceback" not in refused.stderr

    assert "resumed at epoch 2/2" in run("split").stdout
    run("whole")
    split = torch.load(tmp_path / "split" / "face_last.pt", weights_only=False)
    whole = torch.load(tmp_path / "whole" / "face_last.pt", weights_only=False)
    assert split["ema"]["updates"] == whole["ema"]["updates"] == 6
    for key, value in whole["ema"]["state"].items():
        assert torch.equal(split["ema"]["state"][key], value), key
    for key, value in whole["model"].items():
        assert torch.equal(split["model"][key], value), key
    # the exported (best) weights are the EMA's, and the card says how the model was trained
    card = json.loads((tmp_path / "split" / "out" / "face_emotion.json").read_text())
    assert "mixup" in card["training"]["mixing"] and "EMA" in card["training"]["weight_ema"]
    assert all("valid_balanced" in h for h in card["training"]["valid_history"])


def test_a_second_run_on_the_same_work_folder_is_refused(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    from moodplayer.train.face_resume import lock_work

    held = lock_work(tmp_path / "work")     # as a running training would hold it
    try:
        p = subprocess.run([sys.executable, "-m", "moodplayer.train.face_train", "--smoke", "--no-bf16",
                            "--work", str(tmp_path / "work"), "--out", str(tmp_path / "out")],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    finally:
        held.close()
    assert p.returncode == 2
    assert "another training run is using" in p.stderr and str(tmp_path / "work") in p.stderr
    assert not (tmp_path / "work" / "face_last.pt").exists()
