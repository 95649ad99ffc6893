"""``moodplayer play`` end to end: a real library file, real audio files, the JACK dummy device."""
from __future__ import annotations

import signal
import subprocess
import sys
import time

import soundfile as sf

from moodplayer.library import store
from tests._jack import jack, needs_jack  # noqa: F401  (session fixture)

pytestmark = needs_jack   # a real PortAudio stream in a child process (the full tier)

CLI = [sys.executable, "-m", "moodplayer"]


def _library(tmp_path, media, seconds: float) -> tuple:
    """Three short cuts of real tracks in a library db, with moods set by hand for the test."""
    db = tmp_path / "lib.db"
    conn = store.connect(db)
    t = store.now()
    moods = [(0.8, 0.2), (0.75, 0.25), (0.1, 0.9)]
    with conn:
        for i, (track, (v, a)) in enumerate(zip(media.tracks[:3], moods), 1):
            x, rate = sf.read(str(track["path"]), start=0, frames=int(seconds * sf.info(str(track["path"])).samplerate),
                              dtype="float32")
            path = tmp_path / f"cut{i}.flac"
            sf.write(str(path), x, rate)
            conn.execute("INSERT INTO tracks (id, path, size, mtime_ns, title, artist, added_at, scanned_at) "
                         "VALUES (?, ?, 1, 0, ?, ?, ?, ?)", (i, str(path), track["title"], track["package"], t, t))
            conn.execute("INSERT INTO analysis (track_id, model_version, valence, arousal, analysed_at) "
                         "VALUES (?, 'test', ?, ?, ?)", (i, v, a, t))
    conn.close()
    return db, [tr["title"] for tr in media.tracks[:3]]


def test_play_prints_now_playing_and_records_plays(tmp_path, media, jack):
    db, titles = _library(tmp_path, media, 1.5)
    out = subprocess.run([*CLI, "play", "--valence", "0.8", "--arousal", "0.2", "-n", "2", "--db", str(db),
                          "--device", str(jack.device)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("[")]
    assert len(lines) == 2
    assert lines[0].startswith("[1/2]") and titles[0] in lines[0] and "calm, positive" in lines[0]
    assert lines[1].startswith("[2/2]") and titles[1] in lines[1]
    conn = store.connect(db)
    assert [tuple(r) for r in conn.execute("SELECT track_id, completed FROM plays ORDER BY id")] == [(1, 1), (2, 1)]
    conn.close()


def test_play_stops_on_ctrl_c(tmp_path, media, jack):
    db, _ = _library(tmp_path, media, 20.0)
    proc = subprocess.Popen([*CLI, "play", "-v", "0.8", "-a", "0.2", "--db", str(db), "--device", str(jack.device)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    first = proc.stdout.readline()
    assert first.startswith("[1/3]"), first
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    rc = proc.wait(timeout=max(1, deadline - time.monotonic()))
    assert rc == 130, proc.stderr.read()[-2000:]


def test_play_without_a_device_says_so(tmp_path, media, jack):
    db, _ = _library(tmp_path, media, 1.0)
    out = subprocess.run([*CLI, "play", "-v", "0.5", "-a", "0.5", "--db", str(db), "--device", "no such device"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 1 and "no such device" in out.stderr
