"""Nothing leaves the machine: onnxruntime's telemetry stays off in the app, its workers and the camera path.

One subprocess (tests/_privacy_probe.py) runs the music model, the camera pipeline over a video file
and a spawned analysis worker, then stays alive past onnxruntime's ~10 s telemetry delay. It runs
under ``strace -f`` with HOME in a temporary folder and without ORT_DISABLE_TELEMETRY in its
environment, so only moodplayer itself can have switched telemetry off. Without that,
onnxruntime 1.31 opens UDP sockets for DNS look-ups of mobile.events.data.microsoft.com and writes
a device id under ~/.cache/Microsoft/DeveloperTools/.onnxruntime/.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests._faces import astronaut_bgr, write_video

ROOT = Path(__file__).resolve().parents[1]
HOLD_S = 14  # the sessions stay alive this long; onnxruntime's first telemetry comes after ~10 s
pytestmark = pytest.mark.slow  # one ~18 s subprocess (it has to outlive the telemetry delay)
INET = re.compile(r"socket\((AF_INET6?|PF_INET6?)\b|sa_family=AF_INET6?\b")


@pytest.fixture(scope="module")
def probe(tmp_path_factory) -> dict:
    """Run the probe once (under strace when there is one); its output, trace and HOME."""
    tmp = tmp_path_factory.mktemp("privacy")
    home = tmp / "home"
    home.mkdir()
    video = write_video(tmp / "face.mp4", [astronaut_bgr()] * 20)
    env = {k: v for k, v in os.environ.items()
           if k not in ("ORT_DISABLE_TELEMETRY", "XDG_CACHE_HOME", "MOODPLAYER_MODELS")}
    env["HOME"] = str(home)
    cmd = [sys.executable, "-m", "tests._privacy_probe", str(video), "--hold", str(HOLD_S)]
    trace = tmp / "trace.txt" if shutil.which("strace") else None
    if trace:
        cmd = ["strace", "-f", "-q", "-e", "trace=socket,connect", "-o", str(trace)] + cmd
    res = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert res.returncode == 0, f"probe failed ({res.returncode}):\n{res.stdout}\n{res.stderr[-3000:]}"
    out = json.loads(res.stdout.strip().splitlines()[-1])
    return {"out": out, "trace": trace, "home": home, "stderr": res.stderr}


def test_probe_really_ran_the_sessions(probe: dict) -> None:
    out = probe["out"]
    assert len(out["music_va"]) == 2 and all(0.0 <= x <= 1.0 for row in out["music_va"] for x in row), out
    assert out["camera_frames"] >= 1 and out["camera_last"] == "ended", out
    assert out["worker_provider"], "the spawned analysis worker has no model session"
    assert out["seconds"] >= HOLD_S, out
    # set by the package itself in each process (the probe removed it before spawning the worker)
    assert out["env_main"] == "1" and out["env_worker"] == "1", out


@pytest.mark.skipif(not shutil.which("strace"), reason="strace is not installed (.ci/run installs it)")
def test_no_network_socket_while_models_run(probe: dict) -> None:
    text = probe["trace"].read_text()
    exited = {line.split()[0] for line in text.splitlines() if "+++ exited" in line}
    assert len(exited) >= 2, f"strace did not follow the worker processes:\n{text[-2000:]}\n{probe['stderr'][-2000:]}"
    inet = [line for line in text.splitlines() if INET.search(line)]
    assert inet == [], "onnxruntime (or something else) opened a network socket:\n" + "\n".join(inet[:20])


def test_no_files_under_cache_microsoft(probe: dict) -> None:
    ms = probe["home"] / ".cache" / "Microsoft"
    written = sorted(str(p.relative_to(probe["home"])) for p in ms.rglob("*")) if ms.exists() else []
    assert written == [], f"telemetry files written: {written}"
