"""GUI benchmarks: start-up time with a 100,000-track library, and GUI-thread stalls under load.

    python tests/bench_gui.py startup [-n 100000] [--runs 3] [--db PATH] [--change]
    python tests/bench_gui.py stall [--files 2000] [--limit 900]

startup: builds a synthetic library database (rows written directly with sqlite3.executemany: random
tags, random valence/arousal, mood JSON and mood timelines in the analysis table), then starts the real
app in a fresh process (QT_QPA_PLATFORM=offscreen unless a display is set) and reports, from process
start, when the window was first painted and when the table, the mood index (pad dots + queue) were
ready. Each run is a new interpreter, so imports are counted. The first run has no library view kept
from a last close (``moodplayer.ui.library_snapshot``); each run's close keeps one for the next, which
with --change is out of date (one track changed from another connection before the run).

stall: starts the real app on an empty database, then scans a generated folder of real audio files
(tests/synthlib.py) followed by the mood analysis when the model is present, through the app's own
workers, while a 10 ms QTimer on the GUI thread records how late it fires. Prints p50/p99/max lateness.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ROOT = Path(__file__).resolve().parents[1]

_WORDS = ("Silent", "Electric", "Golden", "Broken", "Velvet", "Northern", "Crimson", "Hollow", "Neon",
          "Quiet", "Wild", "Frozen", "Distant", "Burning", "Paper", "Glass", "River", "Machines", "Orchard",
          "Lanterns", "Harbour", "Echoes", "Wolves", "Gardens", "Tides", "Engines", "Sparrows", "Mirrors",
          "Summer", "Ashes", "Avenue", "Café", "Nächte", "Cœur", "Måne", "東京", "Ветер")
_GENRES = ("Rock", "Pop", "Jazz", "Blues", "Classical", "Electronic", "Folk", "Metal", "Ambient", "Soul")


def _moods(points: list[tuple[float, float]]) -> dict[str, float]:
    """Mood shares as the analysis computes them (moodplayer.mood_geometry), without numpy."""
    from moodplayer.mood_geometry import MOODS, closeness

    acc = dict.fromkeys(MOODS, 0.0)
    for v, a in points:
        for m, w in closeness(v, a).items():
            acc[m] += w / len(points)
    return {m: round(p, 4) for m, p in acc.items()}


def make_library_db(path: Path, n: int, seed: int = 0) -> Path:
    """A schema-v1 library of ``n`` tracks: ~95 % analysed, 1 % unavailable, 0.5 % unreadable."""
    from moodplayer.library import store

    rng = random.Random(seed)
    if path.exists():
        path.unlink()
    conn = store.connect(path)
    t = time.time()
    n_artists = max(1, n // 12)
    artists = [f"{rng.choice(_WORDS)} {rng.choice(_WORDS)}" for _ in range(n_artists)]
    tracks, analysis = [], []
    for i in range(1, n + 1):
        a = rng.randrange(n_artists)
        album = f"{_WORDS[a % len(_WORDS)]} {_WORDS[(a * 7 + i // 11) % len(_WORDS)]}"
        ext = rng.choice(("ogg", "mp3", "flac", "opus", "m4a"))
        unavailable = rng.random() < 0.01
        error = f"/music/{i}.{ext}: decoder lost sync" if rng.random() < 0.005 else None
        tracks.append((i, f"/music/{artists[a]}/{album}/{i:06d}.{ext}", 4_000_000 + i, 0, ext,
                       f"{rng.choice(_WORDS)} {rng.choice(_WORDS)}", artists[a], album, (i % 12) + 1,
                       rng.choice(_GENRES), rng.uniform(90, 420), 0 if unavailable else 1, error, t, t))
        if error is None and rng.random() < 0.95:
            v, ar = rng.random(), rng.random()
            wins = [[round(k * 25.0, 2), min(1, max(0, v + rng.gauss(0, 0.08))),
                     min(1, max(0, ar + rng.gauss(0, 0.08)))] for k in range(8)]
            analysis.append((i, "bench", v, ar, json.dumps(wins), json.dumps(_moods([(w[1], w[2]) for w in wins])), t))
    with conn:
        conn.executemany(
            "INSERT INTO tracks (id, path, size, mtime_ns, format, title, artist, album, track_no, genre, "
            "duration, available, error, added_at, scanned_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", tracks)
        conn.executemany(
            "INSERT INTO analysis (track_id, model_version, valence, arousal, windows, moods, analysed_at) "
            "VALUES (?,?,?,?,?,?,?)", analysis)
    conn.close()
    return path


# -- start-up ---------------------------------------------------------------------------------------

_STARTUP_CHILD = r"""
import json, os, sys, time
t0 = float(os.environ["BENCH_T0"])
from PySide6.QtCore import QEvent, QObject, QTimer
from moodplayer.ui.app import build_window

marks = {}
app, w = build_window([])
marks["window_built"] = time.time() - t0


class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and "first_paint" not in marks:
            marks["first_paint"] = time.time() - t0
            marks["first_paint_cpu"] = time.process_time()
            marks["first_paint_by"] = type(obj).__name__
        return False


probe = FirstPaint()
for widget in (w, w.pad, w.table.viewport(), w.now_playing):
    widget.installEventFilter(probe)
late = []
tick = QTimer()
tick.setInterval(10)
last = [None]


def on_tick():
    now = time.perf_counter()
    if last[0] is not None:
        late.append(max(0.0, (now - last[0]) * 1000 - 10))
    last[0] = now


tick.timeout.connect(on_tick)


def done_if_ready():
    # every load over (after a view kept out of date, the rows as they are now follow it)
    if "table" in marks and "pad" in marks and "loading_ticks" not in marks and not w.library._running:
        marks["settled"] = time.time() - t0
        QTimer.singleShot(300, idle_baseline)
    elif "loading_ticks" not in marks:
        QTimer.singleShot(100, done_if_ready)


def idle_baseline():
    # the same timer with nothing loading: what the machine itself does to a 10 ms timer right now
    marks["loading_ticks"] = len(late)
    QTimer.singleShot(4000, finish)


def pct(values, q):
    values = sorted(values)
    return values[int(q * (len(values) - 1))] if values else None


def finish():
    n = marks.get("loading_ticks", len(late))
    loading, idle = late[:n], late[n:]
    marks["stall_p99_ms"] = pct(loading, 0.99)
    marks["stall_max_ms"] = max(loading) if loading else None
    marks["idle_p99_ms"] = pct(idle, 0.99)
    marks["rows"] = w.model.rowCount()
    marks["dots"] = len(w.pad.ids)
    print("BENCH " + json.dumps(marks), flush=True)
    w.close()
    app.quit()


def mark(name):
    # wall time from the parent's clock; CPU seconds of this process (every thread), which a busy
    # shared machine inflates far less than the wall time
    marks.setdefault(name, time.time() - t0)
    marks.setdefault(name + "_cpu", time.process_time())
    done_if_ready()


def table(data):
    marks.setdefault("source", data.source)
    mark("table")


w.library.libraryLoaded.connect(table)
w.library.indexLoaded.connect(lambda *a: mark("pad"))
w.show()
marks["show_called"] = time.time() - t0
w.start_after_first_paint()   # exactly what run_gui does after show()
QTimer.singleShot(0, tick.start)
QTimer.singleShot(120000, finish)
app.exec()
"""


def _child_env(db: Path, config: Path) -> dict[str, str]:
    env = dict(os.environ, MOODPLAYER_DB=str(db), XDG_CONFIG_HOME=str(config), MOODPLAYER_NO_MPRIS="1",
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def _change_one_title(db: Path) -> None:
    """A write by another program (as `moodplayer index` makes): the kept view is now out of date."""
    import sqlite3

    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE tracks SET title = title || ' (edited)' WHERE id = (SELECT min(id) FROM tracks)")
    conn.close()


def bench_startup(n: int, runs: int, db: Path | None, change: bool = False) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="moodplayer-bench-gui-") as tmp:
        tmp_path = Path(tmp)
        if db is None:
            db = tmp_path / "library.db"
            t = time.perf_counter()
            make_library_db(db, n)
            print(f"built a {n:,}-track library database in {time.perf_counter() - t:.1f} s ({db.stat().st_size / 1e6:.0f} MB)")
        results = []
        for i in range(runs):
            if change and i:
                _change_one_title(db)
            env = _child_env(db, tmp_path / f"config-{i}")
            env["BENCH_T0"] = repr(time.time())
            proc = subprocess.run([sys.executable, "-c", _STARTUP_CHILD], env=env, capture_output=True, text=True,
                                  timeout=300)
            line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH ")), None)
            if line is None:
                raise RuntimeError(f"start-up run failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
            marks = json.loads(line[6:])
            results.append(marks)
            print(f"run {i + 1} (library view from the {marks['source']}): window painted {marks['first_paint']:.2f} s (cpu {marks['first_paint_cpu']:.2f}) | "
                  f"table filled {marks['table']:.2f} s (cpu {marks['table_cpu']:.2f}, {marks['rows']:,} rows) | "
                  f"pad + queue {marks['pad']:.2f} s (cpu {marks['pad_cpu']:.2f}, {marks['dots']:,} dots) | "
                  f"every load over {marks['settled']:.2f} s | "
                  f"10 ms timer lateness while loading p99 {marks['stall_p99_ms']:.0f} ms (max {marks['stall_max_ms']:.0f}), "
                  f"idle afterwards p99 {marks['idle_p99_ms']:.0f} ms")
        print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        paint = statistics.median(r["first_paint"] for r in results)
        print(f"median of {runs}: window shown after {paint:.2f} s, "
              f"table {statistics.median(r['table'] for r in results):.2f} s, "
              f"pad {statistics.median(r['pad'] for r in results):.2f} s; process CPU at those points "
              f"{statistics.median(r['first_paint_cpu'] for r in results):.2f} / "
              f"{statistics.median(r['table_cpu'] for r in results):.2f} / {statistics.median(r['pad_cpu'] for r in results):.2f} s")
        return results


# -- stall under load -----------------------------------------------------------------------------------

_STALL_CHILD = r"""
import json, os, sys, time
from pathlib import Path
from PySide6.QtCore import QTimer
from moodplayer.ui.app import build_window

app, w = build_window([])
w.show()
folder = Path(os.environ["BENCH_FOLDER"])
late, phases, last = [], [], [None]
state = {"phase": "idle"}
# where a late tick's time went, from the GUI thread's own /proc schedstat (Linux): on a CPU (its own
# work), waiting for a CPU (the machine's load, our analysis workers included), or neither (asleep:
# the GIL held by a worker thread, or a blocking call)
SCHED = Path("/proc/thread-self/schedstat")
sched_last, split = [None], {"ticks": 0, "late_ms": 0.0, "cpu_ms": 0.0, "runqueue_ms": 0.0}


def _sched():
    try:
        run, wait, _ = SCHED.read_text().split()
        return int(run) / 1e6, int(wait) / 1e6
    except (OSError, ValueError):
        return None


def on_tick():
    now = time.perf_counter()
    sched = _sched()
    if last[0] is not None:
        lateness = max(0.0, (now - last[0]) * 1000 - 10)
        late.append((state["phase"], lateness))
        if lateness > 30 and state["phase"] != "idle" and sched and sched_last[0]:
            split["ticks"] += 1
            split["late_ms"] += lateness
            split["cpu_ms"] += sched[0] - sched_last[0][0]
            split["runqueue_ms"] += sched[1] - sched_last[0][1]
    last[0], sched_last[0] = now, sched


tick = QTimer()
tick.setInterval(10)
tick.timeout.connect(on_tick)
t_start = [0.0]


def busy(what, done, total):
    phase = "scan" if what.startswith("Scanning") else "analysis" if what.startswith("Analysing") else "idle"
    if phase != state["phase"]:
        phases.append((phase, time.perf_counter() - t_start[0]))
        state["phase"] = phase
    if phase == "idle" and not state.get("ending"):
        state["ending"] = True
        QTimer.singleShot(4000, finish)     # the idle app afterwards: the machine's own baseline


def report(name, values):
    values = sorted(values)
    if not values:
        return None
    return {"n": len(values), "p50": values[len(values) // 2], "p99": values[int(0.99 * (len(values) - 1))],
            "max": values[-1]}


def finish():
    out = {"phases": phases, "rows": w.model.rowCount(), "dots": len(w.pad.ids)}
    for phase in ("scan", "analysis"):
        out[phase] = report(phase, [v for p, v in late if p == phase])
    out["all_busy"] = report("busy", [v for p, v in late if p != "idle"])
    out["idle_after"] = report("idle", [v for p, v in late if p == "idle"])
    out["late_split"] = split
    print("BENCH " + json.dumps(out), flush=True)
    w.close()
    app.quit()


def go():
    t_start[0] = time.perf_counter()
    tick.start()
    w.library.busyChanged.connect(busy)
    w.add_folder(folder)


w.library.analyse_after_scan = os.environ.get("BENCH_ANALYSE", "1") == "1"
# as run_gui does: load what is there first (the empty library, the index: scikit-learn's import),
# then add the folder once that start-up work is over
w.library.indexLoaded.connect(lambda *a: QTimer.singleShot(1000, go) if not t_start[0] else None)
w.start_after_first_paint()
QTimer.singleShot(int(float(os.environ.get("BENCH_LIMIT_S", "900")) * 1000), finish)
app.exec()
"""


def bench_stall(files: int, folder: Path | None, analyse: bool, limit_s: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="moodplayer-bench-stall-") as tmp:
        tmp_path = Path(tmp)
        if folder is None:
            from tests.synthlib import make_synthetic_library

            folder = tmp_path / "music"
            t = time.perf_counter()
            make_synthetic_library(folder, n=files, seed=0)
            print(f"generated {files:,} real audio files in {time.perf_counter() - t:.1f} s")
        env = _child_env(tmp_path / "library.db", tmp_path / "config")
        env.update(BENCH_FOLDER=str(folder), BENCH_ANALYSE="1" if analyse else "0", BENCH_LIMIT_S=str(limit_s))
        proc = subprocess.run([sys.executable, "-c", _STALL_CHILD], env=env, capture_output=True, text=True,
                              timeout=limit_s + 120)
        line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH ")), None)
        if line is None:
            raise RuntimeError(f"stall run failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
        out = json.loads(line[6:])
        print(f"library: {out['rows']:,} tracks in the table, {out['dots']:,} on the pad; phases {out['phases']}")
        print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        for phase in ("scan", "analysis", "all_busy", "idle_after"):
            r = out.get(phase)
            if r:
                print(f"{phase:9s}: 10 ms GUI timer lateness over {r['n']:,} ticks: p50 {r['p50']:.1f} ms, "
                      f"p99 {r['p99']:.1f} ms, max {r['max']:.1f} ms")
        sp = out.get("late_split") or {}
        if sp.get("ticks"):
            print(f"ticks over 30 ms late while busy: {sp['ticks']}; of their {sp['late_ms'] + 10 * sp['ticks']:.0f} ms "
                  f"the GUI thread ran {sp['cpu_ms']:.0f} ms, waited for a CPU {sp['runqueue_ms']:.0f} ms, "
                  f"slept (GIL or a blocking call) the rest")
        return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="what", required=True)
    s = sub.add_parser("startup")
    s.add_argument("-n", type=int, default=100_000)
    s.add_argument("--runs", type=int, default=3)
    s.add_argument("--db", type=Path, default=None, help="use this library database instead of building one")
    s.add_argument("--change", action="store_true",
                   help="before every run but the first, change one track from another connection (the view "
                        "kept at the last close is then out of date)")
    t = sub.add_parser("stall")
    t.add_argument("--files", type=int, default=2000)
    t.add_argument("--folder", type=Path, default=None, help="scan this folder instead of generating one")
    t.add_argument("--no-analysis", action="store_true", help="scan only")
    t.add_argument("--limit", type=float, default=900.0, help="stop measuring after this many seconds")
    args = ap.parse_args(argv)
    if args.what == "startup":
        bench_startup(args.n, args.runs, args.db, args.change)
    else:
        bench_stall(args.files, args.folder, not args.no_analysis, args.limit)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
