"""A JACK dummy server for the playback tests: PortAudio's callback then runs in real time, headless.

    from tests._jack import jack, needs_jack  # the session fixture; use jack.device / jack.blocksize
    pytestmark = needs_jack                      # or @pytest.mark.slow + @pytest.mark.audio per test

The recipe: start jackd before sounddevice initialises PortAudio, use
blocksize = jackd's period, and terminate PortAudio before stopping jackd (else exit code 134).
An ALSA null PCM runs the callback ~500x too fast and a PulseAudio null sink stalls, so neither can
show an underrun or a gap; JACK's dummy driver keeps real time.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass

import pytest

RATE = 48000
PERIOD = 1024

# The full tier: tests that need this server carry both marks, so ``pytest -m "not slow"`` (or
# ``-m "not audio"``) runs the fast tier only, where the engine writes to playback.null.NullOutput.
needs_jack = [pytest.mark.slow, pytest.mark.audio]


@dataclass
class JackServer:
    name: str
    proc: subprocess.Popen
    device: int          # the PortAudio output device on this server
    realtime: bool       # jackd got SCHED_FIFO (needs root or an rtprio limit): no xruns under load
    rate: int = RATE
    blocksize: int = PERIOD


_server: JackServer | None = None


def _find_jack_device(sd) -> int:
    apis = sd.query_hostapis()
    for i, dev in enumerate(sd.query_devices()):
        if "JACK" in apis[dev["hostapi"]]["name"] and dev["max_output_channels"] >= 2:
            return i
    raise RuntimeError("PortAudio sees no JACK output device (is libportaudio2 built with JACK?)")


def _is_realtime(pid: int) -> bool:
    """Whether any thread of jackd runs under a realtime policy."""
    try:
        tids = [int(t) for t in os.listdir(f"/proc/{pid}/task")]
        return any(os.sched_getscheduler(t) in (os.SCHED_FIFO, os.SCHED_RR) for t in tids)
    except (OSError, AttributeError):
        return False


def start() -> JackServer:
    """Start (once per process) a dummy-driver jackd and point PortAudio at it."""
    global _server
    if _server is not None:
        return _server
    if not shutil.which("jackd"):
        pytest.skip("jackd not installed (apt-get install --no-install-recommends libportaudio2 jackd2 "
                    "libasound2-plugins)")
    name = f"moodplayer-test-{os.getpid()}"
    env = dict(os.environ, JACK_NO_AUDIO_RESERVATION="1", JACK_DEFAULT_SERVER=name)
    rt = ["-R", "-P", "70"] if os.environ.get("MOODPLAYER_JACK_RT", "1") == "1" else ["--no-realtime"]
    proc = subprocess.Popen(["jackd", "-n", name, *rt, "-d", "dummy", "-r", str(RATE),
                             "-p", str(PERIOD)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        subprocess.run(["jack_wait", "-w", "-t", "10"], env=env, check=True, capture_output=True, timeout=20)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        proc.kill()
        err = proc.communicate(timeout=5)[1].decode(errors="replace")[-2000:]
        raise RuntimeError(f"jackd did not start: {exc}\n{err}") from exc
    os.environ["JACK_DEFAULT_SERVER"] = name
    os.environ["JACK_NO_AUDIO_RESERVATION"] = "1"
    imported_before = "sounddevice" in sys.modules
    import sounddevice as sd

    if imported_before:
        sd._terminate()   # PortAudio was initialised before the server existed: rescan the devices
        sd._initialize()
    _server = JackServer(name=name, proc=proc, device=_find_jack_device(sd), realtime=_is_realtime(proc.pid))
    return _server


def stop() -> None:
    global _server
    if _server is None:
        return
    sd = sys.modules.get("sounddevice")
    if sd is not None:
        while getattr(sd, "_initialized", 0) > 0:
            sd._terminate()
    _server.proc.terminate()
    try:
        _server.proc.wait(10)
    except subprocess.TimeoutExpired:
        _server.proc.kill()
        _server.proc.wait(5)
    _server = None


@pytest.fixture(scope="session")
def jack():
    server = start()
    yield server
    stop()


def wait_for(predicate, timeout: float = 10.0, step: float = 0.05) -> bool:
    """Poll ``predicate`` until true or ``timeout`` seconds pass (real-time audio needs real waiting)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())
