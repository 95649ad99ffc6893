"""The README's install path: build the wheel, install it (not editable) into a fresh venv, use it.

An editable install runs from this checkout and so finds models/ whatever the packaging says; only a
real install shows whether the wheel carries the models and the data the app needs. The wheel is
built from a clean copy of the tree (setuptools would otherwise reuse a stale build/ folder).
Building and reading the wheel is fast; the venv test installs every dependency (from pip's cache
once CI has downloaded them) and takes a few minutes, so it is marked slow.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from moodplayer import __version__

ROOT = Path(__file__).resolve().parents[1]
MODEL_FILES = ("music_track.onnx", "music_track.json", "music_track.md", "music_va.onnx", "music_va.json",
               "music_va.md", "face_emotion.onnx", "face_emotion.json",
               "face_emotion.md")
SKIP = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".venv",
                              "runs", "tests", "*.pyc")


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    res = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert res.returncode == 0, f"{' '.join(map(str, cmd))} exited {res.returncode}:\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    return res


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """moodplayer's wheel, built the way pip builds it for ``pip install .``."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=SKIP)
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp / "dist"), str(src)], timeout=600)
    wheels = sorted((tmp / "dist").glob(f"moodplayer-{__version__}-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_carries_every_module_the_models_and_the_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for f in MODEL_FILES:
        assert f"moodplayer/models/{f}" in names, f"{f} is not in the wheel: a pip install would analyse nothing"
    assert "moodplayer/models/__init__.py" in names
    assert {"moodplayer/analysis/data/spectrogram_mel.npy", "moodplayer/analysis/data/spectrogram_window.npy"} <= names
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "moodplayer").rglob("*.py")}
    missing = sorted(modules - names)
    assert not missing, f"not in the wheel (a sub-package missing from pyproject's packages list?): {missing}"
    assert not any(n.startswith(("models/", "tests/")) for n in names), "the wheel must not install top-level packages"


def test_models_dir_is_the_package_and_the_override_wins(tmp_path: Path, monkeypatch) -> None:
    from moodplayer import paths

    monkeypatch.delenv("MOODPLAYER_MODELS", raising=False)
    found = paths.models_dir()
    assert (found / "music_va.onnx").is_file() and (found / "face_emotion.onnx").is_file(), found
    import moodplayer.models

    assert found == Path(moodplayer.models.__file__).parent
    monkeypatch.setenv("MOODPLAYER_MODELS", str(tmp_path))
    assert paths.models_dir() == tmp_path


@pytest.mark.slow
def test_wheel_in_a_fresh_venv_runs_self_test_analyze_and_camera(wheel: Path, tmp_path: Path, media) -> None:
    from tests._faces import FACE_VIDEO, pyfeat_media

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], timeout=300)
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)], timeout=1200)
    app = str(venv / "bin" / "moodplayer")
    home, work = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir()
    work.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MOODPLAYER_", "PYTHON", "ORT_")) and k not in ("VIRTUAL_ENV", "XDG_DATA_HOME")}
    env.update(HOME=str(home), QT_QPA_PLATFORM="offscreen")
    kw = dict(cwd=work, env=env, timeout=600)  # outside the checkout: nothing can come from it

    where = _run([str(venv / "bin" / "python"), "-c",
                  "import moodplayer.paths as p; print(p.__file__); print(p.models_dir())"], **kw).stdout.split()
    assert all(Path(w).is_relative_to(venv) for w in where), f"not running from the venv: {where}"

    st = _run([app, "--self-test", "--db", str(tmp_path / "db" / "lib.db")], **kw).stdout
    assert "passed: 0 failure(s)" in st and f"moodplayer {__version__}" in st, st

    track = media.formats["flac"]
    out = json.loads(_run([app, "analyze", str(track), "--json"], **kw).stdout)
    assert out[0]["path"] == str(track) and out[0].get("error") is None, out
    assert 0.0 <= out[0]["valence"] <= 1.0 and 0.0 <= out[0]["arousal"] <= 1.0 and out[0]["windows"], out

    video = pyfeat_media() / FACE_VIDEO
    lines = _run([app, "camera", "--file", str(video), "--fast", "--json"], **kw).stdout.splitlines()
    readings = [json.loads(line) for line in lines if line.startswith("{")]
    assert any(r["state"] == "ok" and r["faces"] >= 1 and r["valence"] is not None for r in readings), lines

    written = sorted(p.name for p in (home / ".cache" / "Microsoft").rglob("*")) if (home / ".cache").exists() else []
    assert written == [], f"onnxruntime telemetry files from the installed app: {written}"
