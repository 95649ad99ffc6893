"""moodplayer: play your own music library by mood.

Every way in (the window, the CLI, ``python -m``, spawned analysis workers, the PyInstaller bundle)
imports this package before anything loads onnxruntime, so this is the one place that switches
onnxruntime's telemetry off: unless ORT_DISABLE_TELEMETRY=1 is in the environment when it loads,
onnxruntime 1.31 looks up mobile.events.data.microsoft.com ~10 s after a session starts and keeps
a device id under ~/.cache/Microsoft. The app promises no network connection, so this is forced,
and the variable is inherited by every process the app starts.
"""
import os

os.environ["ORT_DISABLE_TELEMETRY"] = "1"

__version__ = "0.1.0"
