"""The audio engine's logic without a sound device: the fast tier (no jackd).

The engine is the real one (decoder thread, soxr, timeline, gapless joins, ReplayGain, the plays
table); only the output is ``NullOutput``: "as fast as ready" hears every sample of a queue in a
fraction of its length, "manual" lets a test run exactly n blocks, so positions are exact numbers.
The same behaviours on a real PortAudio stream are in test_playback_engine.py (the full tier).
"""
from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import soxr

from moodplayer.library import store
from moodplayer.playback.engine import AudioEngine
from moodplayer.playback.item import QueueItem
from moodplayer.playback.null import NullOutput
from tests._jack import wait_for
from tests._playback import (BLOCK, RATE, Recorder, device_samples, excerpt, longest_zero_run, music_start,
                             three_excerpts)


@pytest.fixture
def excerpts(media, tmp_path):
    return three_excerpts(media, tmp_path, RATE)


@pytest.fixture
def fast():
    """An engine on an output that takes each block as soon as the decoder has it."""
    out = NullOutput(RATE, 2, BLOCK, speed=None)
    eng = AudioEngine(output=out)
    yield eng, out
    eng.close()


@pytest.fixture
def manual():
    """An engine on an output that runs only the blocks the test asks for."""
    out = NullOutput(RATE, 2, BLOCK, manual=True)
    eng = AudioEngine(output=out)
    yield eng, out
    eng.close()


def _until_stopped(eng: AudioEngine, rec: Recorder) -> bool:
    """Stopped, the event delivered, and the last block through the tap (the callback taps it after
    it has set the state)."""
    return (eng.state == "stopped" and bool(rec.of("state_changed")) and rec.of("state_changed")[-1][0] == "stopped"
            and len(rec.blocks) * BLOCK >= eng.stats["frames_delivered"])


def _run_out(eng: AudioEngine, out: NullOutput, limit: int = 100_000) -> int:
    """Manual mode: pump until the queue has played out; returns the blocks run."""
    n = 0
    while eng.state == "playing":
        assert out.pump(1) == 1, "the engine stopped supplying audio mid-queue"
        n += 1
        assert n < limit
    return n


def _events_flushed(eng: AudioEngine) -> None:
    """Wait until the event thread has run everything posted so far (listeners, database writes)."""
    done = threading.Event()
    eng.events.call_soon(done.set)
    assert done.wait(10)


def test_real_track_reaches_the_output_with_replaygain(fast, media):
    eng, out = fast
    path = media.formats["flac"]                          # 44.1 kHz, ReplayGain tags
    item = QueueItem.from_path(path)
    assert item.gain() != 1.0
    rec = Recorder(eng)
    eng.set_queue([item])
    eng.play()
    assert wait_for(lambda: _until_stopped(eng, rec), 60)
    x, rate = sf.read(str(path), dtype="float32", always_2d=True)
    ref = device_samples(x, rate, RATE) * np.float32(item.gain())
    y = rec.output()
    assert eng.stats["frames_delivered"] == len(ref)       # every sample, none twice
    np.testing.assert_allclose(y[:len(ref)], ref, atol=1e-5)
    assert not np.any(y[len(ref):])                       # the last block is padded with silence
    assert rec.of("track_changed") == [(0, item)]
    assert eng.stats["starved"] == 0 and eng.stats["underruns"] == 0


def test_gapless_join_is_sample_exact(fast, excerpts):
    eng, out = fast
    (a, ya), (b, yb) = excerpts[0], excerpts[1]     # 44.1 kHz then 48 kHz: a resampler switch at the join
    rec = Recorder(eng)
    eng.set_queue([a, b])
    eng.play()
    assert wait_for(lambda: _until_stopped(eng, rec), 30)
    expected = np.concatenate([ya, yb])
    assert eng.stats["frames_delivered"] == len(expected)
    y = rec.output()
    np.testing.assert_allclose(y[:len(expected)], expected, atol=1e-6)   # no priming silence, no gap
    join = len(ya)
    window = slice(join - 2400, join + 2400)
    assert longest_zero_run(y[window]) <= longest_zero_run(expected[window])
    assert [i for i, _ in rec.of("track_changed")] == [0, 1]
    assert eng.stats["starved"] == 0


def test_position_pause_and_seek_are_exact(manual, media):
    eng, out = manual
    path = media.formats["flac"]
    x, rate = sf.read(str(path), dtype="float32", always_2d=True)
    rec = Recorder(eng)
    eng.set_queue([QueueItem(str(path))])          # no gain: compare with the file itself
    eng.play()
    assert out.pump(20) == 20
    assert eng.position == pytest.approx(20 * BLOCK / RATE, abs=1e-9)
    assert eng.current_index == 0
    eng.pause()
    frames = eng.stats["frames_delivered"]
    assert out.pump(5, wait=False) == 5            # a device keeps calling while paused...
    assert eng.stats["frames_delivered"] == frames and not np.any(np.concatenate(rec.blocks[-5:]))  # ...silence
    assert eng.position == pytest.approx(20 * BLOCK / RATE, abs=1e-9)
    eng.seek(30.0)                                 # paused: stays paused, position moves at once
    assert eng.state == "paused" and eng.position == pytest.approx(30.0, abs=1e-9)
    mark = len(rec.blocks)
    eng.play()
    assert out.pump(16) == 16
    assert eng.position == pytest.approx(30.0 + 16 * BLOCK / RATE, abs=1e-9)
    after = np.concatenate(rec.blocks[mark:])
    # What plays after the seek is the file from 30 s on (skip the fresh resampler's first samples).
    ref = soxr.resample(x[int(30.0 * rate) - 2000:int(31.0 * rate)], rate, RATE, quality="HQ")
    ref = ref[int(round(2000 * RATE / rate)):]
    p = music_start(after)
    assert p == 0                                  # the first block after the seek is already music
    np.testing.assert_allclose(after[256:8192], ref[256:8192], atol=2e-3)
    _events_flushed(eng)
    assert [i for i, _ in rec.of("track_changed")] == [0]   # a seek is not a track change
    assert [s for s, _ in rec.of("state_changed")] == ["playing", "paused", "playing"]


def test_a_paced_output_sends_silence_while_paused(media):
    out = NullOutput(RATE, 2, BLOCK, speed=8.0)
    eng = AudioEngine(output=out)
    try:
        rec = Recorder(eng)
        eng.set_queue([media.formats["ogg"]])
        eng.play()
        assert wait_for(lambda: eng.stats["frames_delivered"] > 10 * BLOCK, 20)
        eng.pause()
        frames, pos = eng.stats["frames_delivered"], eng.position
        blocks = out.blocks
        assert wait_for(lambda: out.blocks >= blocks + 8, 20)      # the output keeps asking
        assert eng.stats["frames_delivered"] == frames and eng.position == pos
        assert np.abs(rec.blocks[-1]).max() == 0.0
        eng.play()
        assert wait_for(lambda: eng.stats["frames_delivered"] > frames + 10 * BLOCK, 20)
        assert eng.position > pos
    finally:
        eng.close()


def test_corrupt_files_mid_queue_are_skipped_and_recorded(media, excerpts, tmp_path):
    (a, ya), (b, yb) = excerpts[0], excerpts[2]
    unopenable = next(c["path"] for c in media.corrupt if c["kind"] == "random_bytes")
    # A real excerpt whose second half is overwritten: it plays, then the decoder loses sync.
    broken = tmp_path / "broken.flac"
    excerpt(media.formats["flac"], broken, 10.0, 3.0)
    data = bytearray(broken.read_bytes())
    data[len(data) // 2: len(data) // 2 + 8192] = np.random.default_rng(0).integers(0, 256, 8192, np.uint8).tobytes()
    broken.write_bytes(bytes(data))
    db = tmp_path / "lib.db"
    conn = store.connect(db)
    t = store.now()
    paths = [a, unopenable, broken, b]
    with conn:
        for i, p in enumerate(paths, 1):
            conn.execute("INSERT INTO tracks (id, path, size, mtime_ns, added_at, scanned_at) VALUES (?, ?, 1, 0, ?, ?)",
                         (i, str(p), t, t))
    items = [QueueItem.from_row(r) for r in conn.execute("SELECT * FROM tracks ORDER BY id")]
    conn.close()
    eng = AudioEngine(output=NullOutput(RATE, 2, BLOCK, speed=None), db_path=db)
    try:
        rec = Recorder(eng)
        eng.set_queue(items)
        eng.play()
        assert wait_for(lambda: _until_stopped(eng, rec), 30)
        _events_flushed(eng)              # the event thread writes the database
        errors = {item.path: msg for item, msg in rec.of("error")}
        assert set(errors) == {str(unopenable), str(broken)}
        assert "cannot open" in errors[str(unopenable)] and str(unopenable) in errors[str(unopenable)]
        assert "decoding failed" in errors[str(broken)]
        assert [i for i, _ in rec.of("track_changed")] == [0, 2, 3]   # the broken one played until it broke
        assert eng.stats["frames_delivered"] > len(ya) + len(yb)
    finally:
        eng.close()
    conn = sqlite3.connect(db)
    stored = dict(conn.execute("SELECT path, error FROM tracks"))
    plays = [r[0] for r in conn.execute("SELECT track_id FROM plays ORDER BY id")]
    completed = dict(conn.execute("SELECT track_id, completed FROM plays"))
    conn.close()
    assert stored[str(a)] is None and stored[str(b)] is None
    assert stored[str(unopenable)] == errors[str(unopenable)]
    assert stored[str(broken)] == errors[str(broken)]
    assert plays == [1, 3, 4]
    assert completed == {1: 1, 3: 0, 4: 1}


def test_replace_upcoming_drops_the_buffered_next_track_and_stays_gapless(manual, excerpts):
    eng, out = manual
    (a, ya), (b, _), (c, yc) = excerpts
    rec = Recorder(eng)
    eng.set_queue([a, b])
    eng.play()
    assert out.pump(10) == 10
    # the decoder is already writing B behind A (A is 2 s, the buffer 3 s)
    assert wait_for(lambda: eng.queue and len(eng._timeline.segments) == 2, 10)
    eng.replace_upcoming([c])
    assert [Path(i.path).name for i in eng.queue] == [a.name, c.name]
    _run_out(eng, out)
    _events_flushed(eng)
    assert [(i, Path(item.path).name) for i, item in rec.of("track_changed")] == [(0, a.name), (1, c.name)]
    expected = np.concatenate([ya, yc])
    assert eng.stats["frames_delivered"] == len(expected)
    np.testing.assert_allclose(rec.output()[:len(expected)], expected, atol=1e-6)


def test_next_previous_and_volume(manual, excerpts):
    eng, out = manual
    (a, ya), (b, yb), (c, yc) = excerpts
    rec = Recorder(eng)
    eng.set_queue([a, b, c])
    eng.play()
    out.pump(10)
    assert eng.current_index == 0
    eng.next()
    out.pump(10)
    assert eng.current_index == 1 and eng.position == pytest.approx(10 * BLOCK / RATE, abs=1e-9)
    eng.previous()                        # within 3 s of the start: the track before
    out.pump(10)
    assert eng.current_index == 0
    _events_flushed(eng)
    assert [i for i, _ in rec.of("track_changed")] == [0, 1, 0]
    eng.volume = 0.5
    out.pump(1)                           # the ramp from 1.0 to 0.5 happens inside this block
    mark = len(rec.blocks)
    out.pump(4)
    y = np.concatenate(rec.blocks[mark:])
    start = 11 * BLOCK                    # track A restarted: 11 blocks of it have been heard before
    np.testing.assert_allclose(y, 0.5 * ya[start:start + len(y)], atol=1e-6)


def test_end_of_queue_stops_and_play_starts_over(manual, excerpts):
    eng, out = manual
    (a, ya), _, _ = excerpts
    rec = Recorder(eng)
    eng.set_queue([a])
    eng.play()
    blocks = _run_out(eng, out)
    assert blocks == -(-len(ya) // BLOCK)   # ceil: the last block is part music, part silence
    assert eng.state == "stopped" and eng.current is None
    eng.play()                             # from the top of the queue again
    out.pump(3)
    assert eng.current_index == 0 and eng.position == pytest.approx(3 * BLOCK / RATE, abs=1e-9)
    _events_flushed(eng)
    assert [i for i, _ in rec.of("track_changed")] == [0, 0]


def test_no_output_is_a_clear_state_and_the_rest_works(media):
    eng = AudioEngine(output=NullOutput(unavailable="no sound card in this machine"))
    states = []
    eng.on("state_changed", lambda s, m: states.append((s, m)))
    try:
        eng.set_queue([media.formats["wav"], media.formats["ogg"]])
        eng.play()
        assert eng.state == "no-device" and eng.message == "no sound card in this machine"
        assert len(eng.queue) == 2                     # the queue is kept for when a device appears
        eng.replace_upcoming([media.formats["flac"]])
        assert [Path(i.path).suffix for i in eng.queue] == [".flac"]
        eng.pause(); eng.next(); eng.seek(3.0)         # transport calls are harmless
        assert eng.state == "no-device"
        _events_flushed(eng)
        assert states == [("no-device", "no sound card in this machine")]
    finally:
        eng.close()


def test_a_device_that_goes_away_is_reported_and_play_reopens_it(manual, excerpts):
    eng, out = manual
    (a, _), (b, _), _ = excerpts
    rec = Recorder(eng)
    eng.set_queue([a, b])
    eng.play()
    out.pump(5)
    out.disconnect()                                   # as PortAudio ends a stream on its own
    _events_flushed(eng)                               # the engine dropped the dead stream
    assert eng.state == "no-device" and "disconnected" in eng.message
    assert not out.active and out.opened == 1
    eng.play(1)                                        # the next play opens the output again
    assert out.opened == 2 and eng.state == "playing"
    out.pump(5)
    assert eng.current_index == 1
    _events_flushed(eng)
    assert [i for i, _ in rec.of("track_changed")] == [0, 1]
    # reopening clears "no-device" (stopped) before the play starts
    assert [s for s, _ in rec.of("state_changed")] == ["playing", "no-device", "stopped", "playing"]
