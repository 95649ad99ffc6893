"""All of moodplayer's performance figures in one run (CI never runs this).

    python -m tests.bench_all [--json] [--only scan analysis face queue gui bundle] [--quick]

Each figure comes from the benchmark its owner wrote, run as a fresh process so that one piece's
imports, threads and memory cannot colour the next: tests/bench_scan.py (first scan and unchanged
rescan of a 10k-file synthetic library), tests/bench_analysis.py (analysis tracks/s against
decode-only), tests/bench_face.py (face pipeline fps), moodplayer/recommend/bench.py (queue
re-order at 100k tracks), tests/bench_gui.py (GUI start with a 100k-track database), and
packaging/bundle_sizes.py on a built bundle. This file only runs them and reads their figures.
A piece whose benchmark, model or bundle is not there yet says "not available"; a benchmark that
fails or prints something this reader does not understand says "failed" with its last lines.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
MODELS = Path(os.environ.get("MOODPLAYER_MODELS") or ROOT / "models")  # as the app resolves it
BUILD = Path(os.environ.get("MOODPLAYER_BUILD_DIR", ROOT / "packaging" / "build"))

Result = dict[str, Any]


class NotAvailable(Exception):
    """A prerequisite (benchmark script, model, bundle) is missing; the message says which."""


def _num(s: str) -> float:
    return float(s.replace(",", ""))


def _run(args: list[str], timeout: float) -> tuple[str, float]:
    """Run ``python -m ...`` in the repo; returns (stdout, seconds); raises on a non-zero exit."""
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "1"), PYTHONPATH=str(ROOT))
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                         timeout=timeout, env=env)
    if res.returncode != 0:
        tail = "\n".join((res.stdout + res.stderr).strip().splitlines()[-6:])
        raise RuntimeError(f"{' '.join(args)} exited {res.returncode}:\n{tail}")
    return res.stdout, time.perf_counter() - t0


def _need(path: Path, what: str) -> None:
    if not path.exists():
        raise NotAvailable(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} not there ({what})")


def _match(pattern: str, text: str, piece: str) -> re.Match:
    m = re.search(pattern, text, re.M)
    if not m:
        raise RuntimeError(f"{piece}: output not understood (looked for /{pattern}/):\n{text[-600:]}")
    return m


# --- the pieces ------------------------------------------------------------------------------------
def bench_scan(a: argparse.Namespace) -> Result:
    _need(ROOT / "tests" / "bench_scan.py", "scan benchmark")
    args = ["-m", "tests.bench_scan", "--n", str(a.scan_files)] + (["--dir", str(a.library_dir)] if a.library_dir else [])
    out, secs = _run(args, a.timeout)
    first = _match(r"first scan:\s+(\d+) files in ([\d.]+) s = ([\d,]+) files/s", out, "scan")
    cpu = _match(r"CPU ([\d.]+) s = ([\d,]+) files per CPU-second", out, "scan")
    again = _match(r"unchanged rescan:\s+(\d+) files in ([\d.]+) s", out, "scan")
    files, rescan_s = int(again.group(1)), _num(again.group(2))
    rescan_rate = files / rescan_s if rescan_s > 0 else None
    return {"command": " ".join(["python"] + args), "seconds": secs, "figures": {
        "files": int(first.group(1)), "first_scan_s": _num(first.group(2)),
        "first_scan_files_per_s": _num(first.group(3)), "first_scan_files_per_cpu_s": _num(cpu.group(2)),
        "rescan_s": rescan_s, "rescan_files_per_s": rescan_rate,
        "rescan_speedup": (rescan_rate / _num(first.group(3))) if rescan_rate else None},
        "summary": f"first scan {_num(first.group(3)):,.0f} files/s ({_num(cpu.group(2)):,.0f} per CPU-s), "
                   f"unchanged rescan " + (f"{rescan_rate:,.0f} files/s = {rescan_rate / _num(first.group(3)):.0f}x"
                                           if rescan_rate else "< 0.01 s") + f" ({files:,} files)"}


def bench_analysis(a: argparse.Namespace) -> Result:
    _need(ROOT / "tests" / "bench_analysis.py", "analysis benchmark")
    _need(MODELS / "music_va.onnx", "music model")
    args = ["-m", "tests.bench_analysis", "--files", str(a.analysis_files), "--workers", *map(str, a.workers)]
    out, secs = _run(args, a.timeout)
    rows = re.findall(r"workers=(\d+): analysis (\d+) tracks in ([\d.]+) s = ([\d.]+) tracks/s \(([^)]*)\); "
                      r"decode-only ([\d.]+) s = ([\d.]+) tracks/s; ratio analysis/decode = ([\d.]+)x", out)
    if not rows:
        _match(r"workers=\d+: analysis", out, "analysis")
    per = {int(w): {"tracks": int(n), "tracks_per_s": _num(r), "provider": prov, "decode_only_tracks_per_s": _num(d),
                    "ratio_analysis_to_decode_time": _num(x)} for w, n, _, r, prov, _, d, x in rows}
    peak = re.search(r"peak RSS: coordinator (\d+) MiB, largest worker (\d+) MiB", out)
    best = max(per, key=lambda w: per[w]["tracks_per_s"])
    return {"command": " ".join(["python"] + args), "seconds": secs,
            "figures": {"by_workers": per, **({"peak_rss_mib": {"coordinator": int(peak.group(1)),
                                                                "worker": int(peak.group(2))}} if peak else {})},
            "summary": "; ".join(f"{w} worker(s) {v['tracks_per_s']:.2f} tracks/s, decode-only "
                                 f"{v['decode_only_tracks_per_s']:.2f}, analysis takes "
                                 f"{v['ratio_analysis_to_decode_time']:.2f}x decode time" for w, v in per.items())
                       + f" ({per[best]['provider']})"
                       + (f"; peak RSS {peak.group(1)} MiB coordinator, {peak.group(2)} MiB per worker" if peak else "")}


def bench_face(a: argparse.Namespace) -> Result:
    _need(ROOT / "tests" / "bench_face.py", "face benchmark")
    _need(MODELS / "face_emotion.onnx", "face model")
    args = ["-m", "tests.bench_face"] + (["--frames", str(a.face_frames)] if a.face_frames else [])
    out, secs = _run(args, a.timeout)
    fig = json.loads(out[out.index("{"):])
    size = "x".join(map(str, fig.get("size", [])))
    return {"command": " ".join(["python"] + args), "seconds": secs, "figures": fig,
            "summary": f"pipeline {fig['pipeline_fps']} fps ({fig['pipeline_ms_per_frame']} ms/frame, {size}, "
                       f"1 core), with decoding {fig['end_to_end_fps']} fps over {fig['frames']} frames"}


def bench_queue(a: argparse.Namespace) -> Result:
    _need(ROOT / "moodplayer" / "recommend" / "bench.py", "queue benchmark")
    args = ["-m", "moodplayer.recommend.bench", "--tracks", str(a.queue_tracks)]
    out, secs = _run(args, a.timeout)
    build = _match(r"KD-tree build[^:]*: ([\d.]+) ms", out, "queue")
    rows = re.findall(r"re-order (\d+) of ([\d,]+) \(([^)]*)\) \[([^,\]]+)[^\]]*\]\n\s+wall median ([\d.]+) ms\s+"
                      r"p99 ([\d.]+) ms.*\n\s+cpu\s+median ([\d.]+) ms\s+p99 ([\d.]+) ms", out)
    if not rows:
        _match(r"re-order \d+ of", out, "queue")
    figs = {label: {"queue": int(q), "tracks": int(_num(n)), "verdict": v, "wall_median_ms": _num(wm),
                    "wall_p99_ms": _num(wp), "cpu_median_ms": _num(cm), "cpu_p99_ms": _num(cp)}
            for q, n, label, v, wm, wp, cm, cp in rows}
    plain = next(iter(figs.values()))
    return {"command": " ".join(["python"] + args), "seconds": secs,
            "figures": {"index_build_ms": _num(build.group(1)), "reorder": figs},
            "summary": f"re-order {plain['queue']} of {plain['tracks']:,}: median {plain['wall_median_ms']} ms, "
                       f"p99 {plain['cpu_p99_ms']} ms CPU ({plain['verdict']}, goal 2 ms); index build "
                       f"{_num(build.group(1)):.0f} ms"}


def bench_gui(a: argparse.Namespace) -> Result:
    script = ROOT / "tests" / "bench_gui.py"
    _need(script, "GUI benchmark")
    args = ["-m", "tests.bench_gui", "startup", "-n", str(a.gui_tracks), "--runs", str(a.gui_runs)]
    out, secs = _run(args, a.timeout)
    med = _match(r"median of (\d+): window shown after ([\d.]+) s, table ([\d.]+) s, pad ([\d.]+) s", out, "gui")
    stalls = [_num(x) for x in re.findall(r"lateness while loading p99 ([\d.]+) ms", out)]
    fig = {"runs": int(med.group(1)), "tracks": a.gui_tracks, "window_painted_s": _num(med.group(2)),
           "table_filled_s": _num(med.group(3)), "pad_and_queue_s": _num(med.group(4)),
           "gui_timer_lateness_p99_ms": stalls}
    return {"command": " ".join(["python"] + args), "seconds": secs, "figures": fig,
            "summary": f"{a.gui_tracks:,} tracks: window painted {fig['window_painted_s']:.2f} s, table "
                       f"{fig['table_filled_s']:.2f} s, pad + queue {fig['pad_and_queue_s']:.2f} s "
                       f"(median of {fig['runs']} fresh processes)"}


def bench_bundle(a: argparse.Namespace) -> Result:
    sys.path.insert(0, str(ROOT / "packaging"))
    import bundle_sizes

    variants = {"release": BUILD / "dist" / "moodplayer", "with librosa+numba+llvmlite": BUILD / "dist-librosa" / "moodplayer",
                "with CUDA provider": BUILD / "dist-cuda" / "moodplayer"}
    found = {k: p for k, p in variants.items() if (p / "moodplayer").is_file()}
    if not found:
        raise NotAvailable(f"no bundle in {BUILD} (packaging/build_bundle.sh)")
    figs: dict[str, Any] = {}
    for label, path in found.items():
        m = bundle_sizes.measure(path)
        figs[label] = {"total_mb": round(m["total"] / 1e6, 1),
                       "largest": {k: round(v / 1e6, 1) for k, v in list(m["groups"].items())[:6]}}
    debs = sorted(BUILD.glob("moodplayer_*.deb"))
    if debs:
        figs["deb_mb"] = round(debs[-1].stat().st_size / 1e6, 1)
    parts = [f"{label} {v['total_mb']:.0f} MB" for label, v in figs.items() if isinstance(v, dict)]
    if "deb_mb" in figs:
        parts.append(f".deb {figs['deb_mb']:.0f} MB")
    return {"command": f"python packaging/bundle_sizes.py {found[next(iter(found))]}", "seconds": 0.0,
            "figures": figs, "summary": ", ".join(parts)}


PIECES: dict[str, tuple[str, Callable[[argparse.Namespace], Result]]] = {
    "scan": ("library scan", bench_scan),
    "analysis": ("mood analysis", bench_analysis),
    "face": ("face pipeline", bench_face),
    "queue": ("queue re-order", bench_queue),
    "gui": ("GUI start", bench_gui),
    "bundle": ("bundle size", bench_bundle),
}


def run(a: argparse.Namespace, on_result: Callable[[str, Result], None] | None = None) -> dict[str, Result]:
    results = {}
    for key in a.only:
        title, fn = PIECES[key]
        try:
            r = {"status": "ok", **fn(a)}
        except NotAvailable as exc:
            r = {"status": "not available", "summary": str(exc)}
        except Exception as exc:  # noqa: BLE001 - one broken benchmark must not hide the others
            r = {"status": "failed", "summary": f"{type(exc).__name__}: {exc}"}
        r["title"] = title
        results[key] = r
        if on_result:
            on_result(key, r)
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="one JSON object on stdout instead of the table")
    ap.add_argument("--only", nargs="+", choices=list(PIECES), default=list(PIECES))
    ap.add_argument("--quick", action="store_true", help="smaller sizes (2k files, 12 tracks, 20k-track DBs, 1 GUI run)")
    ap.add_argument("--scan-files", type=int, default=10_000)
    ap.add_argument("--library-dir", type=Path, help="reuse a generated scan library here (tests/synthlib.py)")
    ap.add_argument("--analysis-files", type=int, default=40)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--face-frames", type=int, default=None)
    ap.add_argument("--queue-tracks", type=int, default=100_000)
    ap.add_argument("--gui-tracks", type=int, default=100_000)
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per piece")
    ap.add_argument("--gui-runs", type=int, default=3)
    a = ap.parse_args(argv)
    if a.quick:  # smaller defaults; sizes given explicitly stay
        for name, small in (("scan_files", 2_000), ("analysis_files", 12), ("queue_tracks", 20_000),
                            ("gui_tracks", 20_000), ("gui_runs", 1)):
            if getattr(a, name) == ap.get_default(name):
                setattr(a, name, small)
    head = (f"moodplayer bench: {os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.1f} at start, "
            f"python {sys.version.split()[0]}")

    def show(key: str, r: Result) -> None:
        if not a.json:
            mark = {"ok": "", "not available": "not available: ", "failed": "FAILED: "}[r["status"]]
            print(f"{r['title']:<15} {mark}{r['summary']}", flush=True)

    if not a.json:
        print(head, flush=True)
    results = run(a, show)
    if a.json:
        print(json.dumps({"machine": head, "results": results}, indent=1))
    return 1 if any(r["status"] == "failed" for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
