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
