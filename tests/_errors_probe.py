"""One GUI session started the way ``moodplayer`` starts one, for tests/test_error_reporting.py.

It scans FOLDER twice through the window's own workers (the corrupt corpus: libmpg123 complains
on fd 2 each time), lets the mood analysis fail (the test points MOODPLAYER_MODELS at an empty
folder), then runs a worker task with a bug in it. The test reads stderr through a terminal and the
log file afterwards; the last stdout line is a JSON summary of what the window showed.

    python -m tests._errors_probe DB FOLDER
"""
from __future__ import annotations

import json
import sys
import time
from typing import Any

from moodplayer.logsetup import start_process


def _probe_bug(task: Any) -> None:
    return {}["no such key"]   # a bug in a worker: its traceback must reach stderr and the log


def main(argv: list[str]) -> int:
    db, folder = argv
    start_process()   # as cli.main / run_gui do first
    from PySide6.QtCore import QEventLoop

    from moodplayer.ui.app import build_window

    app, w = build_window([], db=db)
    w.show()

    reports: list[Any] = []
    problems: list[tuple[str, str]] = []
    w.library.scanFinished.connect(reports.append)
    w.library.problem.connect(lambda short, details: problems.append((short, details)))

    def wait_until(done: Any, timeout_s: float = 120.0) -> None:
        end = time.monotonic() + timeout_s
        while not done():
            if time.monotonic() > end:
                raise SystemExit("timed out")
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            time.sleep(0.01)

    for n in (1, 2):   # each scan is followed by the analysis, which fails: no music model
        w.library.add_folder(folder)
        wait_until(lambda n=n: len(reports) == n and len(problems) == n and not w.library.busy)
    wait_until(lambda: not w.workers.busy)   # the reloads after the scans, too
    scans = [{"found": r.found, "errors": len(r.errors)} for r in reports]
    failed: list[Any] = []
    w.workers.start(_probe_bug, name="probing a failure", on_error=failed.append)
    wait_until(lambda: bool(failed))
    print(json.dumps({"scans": scans, "error": repr(failed[0]) if failed else None,
                      "problems": [p[0] for p in problems], "notice": w.errors.short, "notice_shown": w.errors.isVisible(),
                      "stderr_fileno": sys.stderr.fileno()}), flush=True)
    w.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
