"""Errors never disappear: stderr survives any number of scans, workers hand back exception objects,
the log file has the full record, the window shows a short line with the details.

The GUI session runs in its own process (tests/_errors_probe.py) with stderr on a real terminal
(a pty), as when ``moodplayer`` is started from a shell: silencing fd 2 is process-wide and must be
seen exactly as a user would see it.
"""
from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run_on_terminal(cmd: list[str], env: dict[str, str], timeout: float = 300) -> tuple[int, str, str]:
    """Run ``cmd`` with stderr on a pty; (exit status, stdout, what the terminal showed)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=slave, text=True)
    os.close(slave)
    shown: list[bytes] = []

    def read() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:   # EIO: the child closed the terminal
                break
            if not chunk:
                break
            shown.append(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        out, _ = proc.communicate(timeout=timeout)
    finally:
        proc.kill()
        reader.join(10)
        os.close(master)
    return proc.returncode, out, b"".join(shown).decode("utf-8", "replace").replace("\r\n", "\n")


def test_worker_errors_reach_stderr_and_the_log_after_two_scans(media, tmp_path):
    models = tmp_path / "no-models"
    models.mkdir()
    env = dict(os.environ, XDG_STATE_HOME=str(tmp_path / "state"), XDG_CONFIG_HOME=str(tmp_path / "config"),
               MOODPLAYER_MODELS=str(models), QT_QPA_PLATFORM="offscreen", MOODPLAYER_NO_MPRIS="1")
    env.pop("MOODPLAYER_LOG_FILE", None)
    code, out, terminal = _run_on_terminal(
        [sys.executable, "-m", "tests._errors_probe", str(tmp_path / "library.db"), str(media.root / "corrupt")], env)
    assert code == 0, terminal[-3000:]
    summary = json.loads(out.strip().splitlines()[-1])
    assert [s["errors"] for s in summary["scans"]] == [len(media.corrupt)] * 2   # both scans met the corpus

    # the bug in the worker: its traceback on the terminal and in the log file
    log = (tmp_path / "state" / "moodplayer" / "moodplayer.log").read_text()
    for text in (terminal, log):
        assert "probing a failure failed" in text
        assert "Traceback (most recent call last)" in text and "_probe_bug" in text
        assert "KeyError: 'no such key'" in text
    # the failed analysis (no model): one plain line naming the missing file, no traceback
    plain = [line for line in terminal.splitlines() if line.startswith(f"moodplayer: WARNING: mood analysis: {models}/")]
    assert len(plain) == 2 and "mood analysis failed" not in terminal
    assert len([line for line in log.splitlines() if f"WARNING moodplayer.ui.workers: mood analysis: {models}/" in line]) == 2
    # decoders' own notes on the corrupt files stay off the terminal; Python's stderr is not fd 2
    assert "Illegal Audio-MPEG-Header" not in terminal and "resync" not in terminal
    assert summary["stderr_fileno"] != 2
    # the worker handed back the exception object; the window shows the model problem in short
    assert summary["error"] == "KeyError('no such key')"
    assert summary["notice_shown"] and summary["notice"].startswith("No music model installed")


def test_native_silencing_is_process_wide_and_idempotent(tmp_path):
    script = (
        "import os, sys\n"
        "from moodplayer.nativelog import silence_native_stderr\n"
        "print(silence_native_stderr(), silence_native_stderr(), silence_native_stderr(), file=sys.stderr)\n"
        "os.write(2, b'native chatter\\n')\n"
        "print('python still speaks', file=sys.stderr)\n"
        "print('and through __stderr__', file=sys.__stderr__, flush=True)\n"
        "import logging; logging.getLogger('moodplayer.x').warning('a warning')\n"
    )
    res = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert res.returncode == 0
    assert res.stderr.splitlines() == ["True True True", "python still speaks", "and through __stderr__",
                                       "a warning"]
    # launched without any stderr (fd 2 is /dev/null): nothing to silence, Python's stderr untouched
    res = subprocess.run([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True, timeout=60, check=False)
    assert res.returncode == 0


def test_log_file_under_the_xdg_state_dir(tmp_path, monkeypatch):
    import logging

    from moodplayer import logsetup

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    logsetup.reset()
    try:
        path = logsetup.configure(console=False)
        assert path == tmp_path / "state" / "moodplayer" / "moodplayer.log"
        assert logsetup.configure(console=False) == path   # once per process: no second handler
        assert os.environ[logsetup.ENV_LOG_FILE] == str(path)   # spawned workers append to it
        logging.getLogger("moodplayer.test").info("hello from %s", "the test")
        for h in logging.getLogger().handlers:
            h.flush()
        lines = [line for line in path.read_text().splitlines() if "hello from the test" in line]
        assert len(lines) == 1 and " INFO moodplayer.test: " in lines[0]
    finally:
        logsetup.reset()
    monkeypatch.setenv("XDG_STATE_HOME", "relative/ignored")   # the spec: only absolute paths count
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert logsetup.log_path() == tmp_path / "home" / ".local" / "state" / "moodplayer" / "moodplayer.log"


def test_unusable_state_dir_means_no_log_file_not_a_crash(tmp_path, monkeypatch):
    import logging

    from moodplayer import logsetup

    blocker = tmp_path / "state"
    blocker.write_text("a file where the state folder should be")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))
    logsetup.reset()
    try:
        assert logsetup.configure(console=False) is None
        logging.getLogger("moodplayer.test").warning("still fine")   # no file, no error
        assert blocker.read_text() == "a file where the state folder should be"
    finally:
        logsetup.reset()


def _log_from_worker(text: str) -> int:
    import logging

    logging.getLogger("moodplayer.worker").warning("%s", text)
    return os.getpid()


def test_worker_processes_append_to_the_parent_log_file(tmp_path, monkeypatch):
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from moodplayer import logsetup
    from moodplayer.workerproc import worker_setup

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    logsetup.reset()
    try:
        path = logsetup.configure(console=False)
        # spawn and worker_setup, as the scanner and the analysis service start their workers
        with ProcessPoolExecutor(1, mp_context=get_context("spawn"), initializer=worker_setup,
                                 initargs=(os.getpid(),)) as pool:
            pid = pool.submit(_log_from_worker, "hello from a worker").result(timeout=120)
    finally:
        logsetup.reset()
    assert pid != os.getpid()
    assert f" {pid} MainThread WARNING moodplayer.worker: hello from a worker" in path.read_text()
