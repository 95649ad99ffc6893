"""PyInstaller entry point of the moodplayer bundle (the installed wheel uses moodplayer.cli:main).

freeze_support() comes first: the library scan and the mood analysis run in worker processes
started with the spawn method, and in a frozen app each worker is this same executable, which must
turn into a worker here instead of starting the GUI or the CLI again.
"""
import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from moodplayer.cli import main

    sys.exit(main())
