"""PyInstaller entry point of the moodplayer bundle (the installed wheel uses moodplayer.cli:main).

freeze_support() comes first: the library scan and the mood analysis run in worker processes
started with the spawn method, and in a frozen app each worker is this same executable, which must
turn into a worker here instead of starting the GUI or the CLI again.

The package itself is imported before that, so the main process and every worker switch
onnxruntime's telemetry off before anything can load onnxruntime (see moodplayer/__init__.py).
"""
import multiprocessing
import sys

import moodplayer  # noqa: F401 - first: sets ORT_DISABLE_TELEMETRY=1 for this process and its workers

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from moodplayer.cli import main

    sys.exit(main())
