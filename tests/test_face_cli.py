"""``moodplayer face`` / ``moodplayer camera`` end to end, as a user runs them (subprocess)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests._faces import FACE_VIDEO, HAPPY, LANDSCAPE, pyfeat_media

ROOT = Path(__file__).resolve().parents[1]


def moodplayer(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "moodplayer", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def test_face_json_images_video_and_a_bad_file(tmp_path: Path) -> None:
    media = pyfeat_media()
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"not a jpeg")
    p = moodplayer("face", "--json", "--every", "0.5", str(media / HAPPY), str(media / LANDSCAPE), str(bad),
                   str(media / FACE_VIDEO))
    assert p.returncode == 1  # one bad file: reported, the batch still completes
    assert f"{bad}" in p.stderr
    items = json.loads(p.stdout)
    assert [i["path"] for i in items] == [str(media / HAPPY), str(media / LANDSCAPE), str(bad),
                                          str(media / FACE_VIDEO)]
    happy, landscape, broken, video = items
    face = happy["faces"][0]
    assert set(face) >= {"emotion", "probabilities", "valence", "arousal", "box"}
    assert face["emotion"] == "happiness" and face["valence"] > 0.75 and len(face["box"]) == 4
    assert list(face["probabilities"]) == ["neutral", "happiness", "surprise", "sadness", "anger",
                                           "disgust", "fear", "contempt"]
    assert landscape["faces"] == []
    assert "error" in broken and broken["faces"] == []
    assert video["kind"] == "video" and video["sampled_frames"] == 5
    assert len(video["faces"]) >= 4 and all("t" in f for f in video["faces"])
    traj = video["trajectory"]
    assert [round(s["t"], 1) for s in traj] == [0.0, 0.5, 1.0, 1.5, 2.0]
    assert all(0 <= s["valence"] <= 1 and 0 <= s["arousal"] <= 1 for s in traj if s["state"] == "ok")


def test_face_text_and_crop() -> None:
    media = pyfeat_media()
    p = moodplayer("face", "--crop", str(media / HAPPY))
    assert p.returncode == 0, p.stderr
    assert "1 face(s)" in p.stdout and "valence" in p.stdout


def test_camera_reads_a_file_until_it_ends() -> None:
    p = moodplayer("camera", "--file", str(pyfeat_media() / FACE_VIDEO), "--json", "--interval", "0")
    assert p.returncode == 0, p.stderr
    lines = [json.loads(line) for line in p.stdout.splitlines()]
    assert lines[-1]["state"] == "ended"
    ok = [r for r in lines if r["state"] == "ok" and r["valence"] is not None]
    assert len(ok) > 30 and all(0 <= r["valence"] <= 1 for r in ok)


def test_camera_without_device_says_so() -> None:
    p = moodplayer("camera", "--device", "57", "--duration", "1.5", timeout=60)
    assert p.returncode == 1
    assert "no_camera" in p.stdout and "camera 57" in p.stderr
    assert "Traceback" not in p.stderr


def test_corrupt_model_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "face_emotion.onnx"
    bad.write_bytes(b"\x08\x07 not a protobuf" * 64)
    (tmp_path / "face_emotion.json").write_bytes((ROOT / "models" / "face_emotion.json").read_bytes())
    for args in (["face", "--model", str(bad), str(pyfeat_media() / HAPPY)],
                 ["camera", "--model", str(bad), "--file", str(pyfeat_media() / FACE_VIDEO)]):
        p = moodplayer(*args, timeout=60)
        assert p.returncode == 2 and str(bad) in p.stderr, (args, p.stderr)
        assert "Traceback" not in p.stderr
